"""SQS, S3 and RDS snapshot rows against records of real calls from Flatiron Health's
aws-remediation-framework (BSD-3-Clause; sources in ``tests/fixtures/cloudtrail/real/SOURCES.md``).

The records (``flatiron/*.json``) were made by people and tools in 2019 (console, AWS CLI,
Terraform 0.12) and anonymised by their authors; they show shapes the published examples do
not: CreateQueue's attribute map named ``attribute``, AddPermission's ``aWSAccountIds``, a
bucket policy without ``Sid``. Each is replayed against an estate holding the resource it names
(copied from ``real-messaging``, ``real-s3`` and ``real-rds-groups`` with the record's ids):
once where state differs (a drift with exact changes) and once where state already says what
the call set (no change). Calls Terraform made are skipped as a trusted actor, as ``detect``
does; the same call made by hand shows what the row reads from its shape.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import pytest

from tests.catalog.conftest import run_events
from tests.catalog.test_real_others import Estate, Want, check, records, skip, state_doc
from tfdrift_gitops.models import CloudEvent, Kind, Severity, Via

ACCOUNT = "123456789012"
BAD_URL = f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/misconfiguration_maker-bad"
BAD = "aws_sqs_queue.misconfiguration_maker_bad"
MAKER_BUCKET = "wkykdxpwwr67imj4-misconfig-maker"
SNAPSHOT = "aws_db_snapshot.misconfiguration_maker"

SET_POLICY = "flatiron/sqs-set-queue-attributes-public-policy.json"
CREATE_QUEUE = "flatiron/sqs-create-queue-terraform.json"
ADD_PERMISSION = "flatiron/sqs-add-permission-cli.json"
PUT_POLICY = "flatiron/s3-put-bucket-policy-public-terraform.json"
PUT_ACL = "flatiron/s3-put-bucket-acl-console-log-delivery.json"
SHARE = "flatiron/rds-modify-db-snapshot-attribute-console.json"


def _attrs(service: str, rtype: str, **changes: Any) -> dict[str, Any]:
    """The attributes of the fixture state's first ``rtype``, with ``changes``."""
    for res in state_doc(service)["resources"]:
        if res["type"] == rtype:
            attrs = copy.deepcopy(res["instances"][0]["attributes"])
            assert isinstance(attrs, dict)
            attrs.update(changes)
            return attrs
    raise AssertionError(f"no {rtype} in real-{service}.tfstate")


PUBLIC_QUEUE_POLICY = (
    '{"Version":"2012-10-17","Id":"sqspolicy","Statement":[{"Sid":"Sid1576516421540",'
    '"Effect":"Allow","Principal":"*","Action":"SQS:SendMessage",'
    f'"Resource":"arn:aws:sqs:us-east-1:{ACCOUNT}:misconfiguration_maker-bad"}}]}}'
)
PUBLIC_BUCKET_POLICY = (
    '{"Version":"2012-10-17","Statement":[{"Principal":"*","Action":["s3:GetObjectAcl"],'
    f'"Effect":"Allow","Resource":["arn:aws:s3:::{MAKER_BUCKET}/*"]}}]}}'
)
OWNER = "abcdefghijklmnop1234567890"
STATE_OWNER = "d25639fbe9c19cd30a4c0f43fbf00e2d3f96400a9aa8dabfbbebe1906Example"
LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"
RECORDED_GRANTS = [
    {"type": "CanonicalUser", "id": OWNER, "uri": "", "permissions": ["FULL_CONTROL"]},
    {"type": "Group", "id": "", "uri": LOG_DELIVERY, "permissions": ["READ_ACP", "WRITE"]},
]


def _queue(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": BAD_URL,
        "url": BAD_URL,
        "name": "misconfiguration_maker-bad",
        "arn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:misconfiguration_maker-bad",
        "policy": "",
        "redrive_policy": "",
    }
    return _attrs("messaging", "aws_sqs_queue", **{**base, **changes})


def _bucket(name: str, **changes: Any) -> dict[str, Any]:
    return _attrs(
        "s3", "aws_s3_bucket", id=name, bucket=name, arn=f"arn:aws:s3:::{name}", **changes
    )


def _snapshot(shared: list[str]) -> dict[str, Any]:
    return _attrs(
        "rds-groups",
        "aws_db_snapshot",
        id="misconfiguration-maker",
        db_snapshot_identifier="misconfiguration-maker",
        db_snapshot_arn=f"arn:aws:rds:us-east-1:{ACCOUNT}:snapshot:misconfiguration-maker",
        shared_accounts=shared,
    )


def _queue_estate(**changes: Any) -> Estate:
    return Estate(
        "messaging", extra=(("aws_sqs_queue", "misconfiguration_maker_bad", _queue(**changes)),)
    )


def _bucket_estate(name: str, address_name: str, **changes: Any) -> Estate:
    return Estate("s3", extra=(("aws_s3_bucket", address_name, _bucket(name, **changes)),))


def _snapshot_estate(shared: list[str]) -> Estate:
    return Estate(
        "rds-groups", extra=(("aws_db_snapshot", "misconfiguration_maker", _snapshot(shared)),)
    )


def by_hand(events: list[CloudEvent]) -> list[CloudEvent]:
    """The same calls made from the console (only the actor changes, never the shape)."""
    return [
        replace(e, actor=replace(e.actor, via=Via.CONSOLE, user_agent="console.amazonaws.com"))
        for e in events
    ]


CASES = [
    pytest.param(
        SET_POLICY,
        False,
        _queue_estate(),
        Want(
            Kind.MODIFIED,
            BAD,
            Severity.CRITICAL,
            {"policy": ("", PUBLIC_QUEUE_POLICY)},
            reason="without a condition (statement Sid1576516421540)",
        ),
        id="sqs-set-public-policy-console",
    ),
    pytest.param(
        SET_POLICY,
        False,
        _queue_estate(policy=PUBLIC_QUEUE_POLICY),
        skip("no_change"),
        id="sqs-set-public-policy-already-set",
    ),
    pytest.param(
        ADD_PERMISSION,
        False,
        _queue_estate(),
        Want(Kind.MODIFIED, BAD, Severity.MEDIUM, {}),
        id="sqs-add-permission-own-account-cli",
    ),
    pytest.param(
        ADD_PERMISSION,
        False,
        Estate("messaging"),
        skip("not_in_state"),
        id="sqs-add-permission-queue-not-managed",
    ),
    pytest.param(
        CREATE_QUEUE,
        False,
        Estate("messaging"),
        skip("trusted_actor"),
        id="sqs-create-queue-by-terraform",
    ),
    pytest.param(
        CREATE_QUEUE,
        True,
        Estate("messaging"),
        Want(
            Kind.UNMANAGED,
            f"{ACCOUNT}/remediator-resource-queue",
            Severity.MEDIUM,
            {
                "name": (None, "remediator-resource-queue"),
                "visibility_timeout_seconds": (None, 30),
                "message_retention_seconds": (None, 86400),
                "max_message_size": (None, 2048),
                "delay_seconds": (None, 90),
                "receive_wait_time_seconds": (None, 10),
                "tags": (
                    None,
                    {"App": "remediator", "system": "aws-remediation", "team": "security"},
                ),
            },
        ),
        id="sqs-create-queue-attribute-map-by-hand",
    ),
    pytest.param(
        PUT_POLICY,
        False,
        _bucket_estate(MAKER_BUCKET, "maker"),
        skip("trusted_actor"),
        id="s3-put-public-policy-by-terraform",
    ),
    pytest.param(
        PUT_POLICY,
        True,
        _bucket_estate(MAKER_BUCKET, "maker", policy=""),
        Want(
            Kind.MODIFIED,
            "aws_s3_bucket.maker",
            Severity.CRITICAL,
            {"policy": ("", PUBLIC_BUCKET_POLICY)},
            reason="without a condition (statement #1)",
        ),
        id="s3-put-public-policy-without-sid-by-hand",
    ),
    pytest.param(
        PUT_POLICY,
        True,
        _bucket_estate(MAKER_BUCKET, "maker", policy=PUBLIC_BUCKET_POLICY),
        skip("no_change"),
        id="s3-put-public-policy-already-set",
    ),
    pytest.param(
        PUT_ACL,
        False,
        _bucket_estate("bucket-name", "logs"),
        Want(
            Kind.MODIFIED,
            "aws_s3_bucket.logs",
            Severity.MEDIUM,
            {
                "grant": (
                    [
                        {
                            "id": STATE_OWNER,
                            "permissions": ["FULL_CONTROL"],
                            "type": "CanonicalUser",
                            "uri": "",
                        }
                    ],
                    RECORDED_GRANTS,
                )
            },
        ),
        id="s3-put-acl-log-delivery-console",
    ),
    pytest.param(
        PUT_ACL,
        False,
        _bucket_estate("bucket-name", "logs", grant=RECORDED_GRANTS),
        skip("no_change"),
        id="s3-put-acl-log-delivery-already-granted",
    ),
    pytest.param(
        SHARE,
        False,
        _snapshot_estate([]),
        Want(
            Kind.MODIFIED,
            SNAPSHOT,
            Severity.HIGH,
            {"shared_accounts": ([], ["000000000000"])},
            reason="another account (000000000000)",
        ),
        id="rds-snapshot-shared-console",
    ),
    pytest.param(
        SHARE,
        False,
        _snapshot_estate(["000000000000"]),
        skip("no_change"),
        id="rds-snapshot-already-shared",
    ),
]


@pytest.mark.parametrize(("name", "hand", "estate", "want"), CASES)
def test_flatiron_record(name: str, hand: bool, estate: Estate, want: Want) -> None:
    events = records(name)
    check(run_events(estate.index(), by_hand(events) if hand else events), len(events), want)


def test_each_file_is_one_successful_call() -> None:
    """Failed calls show no change (SOURCES.md): each file is one successful call."""
    for name in (SET_POLICY, CREATE_QUEUE, ADD_PERMISSION, PUT_POLICY, PUT_ACL, SHARE):
        (event,) = records(name)
        assert event.error_code == "" and event.account_id == ACCOUNT, name


def test_add_permission_to_everyone_is_critical() -> None:
    """The recorded CLI call spells ``aWSAccountIds``: a ``*`` there must still be seen."""
    (event,) = records(ADD_PERMISSION)
    assert event.request is not None
    opened = replace(event, request={**event.request, "aWSAccountIds": ["*"]})
    check(
        run_events(_queue_estate().index(), [opened]),
        1,
        Want(Kind.MODIFIED, BAD, Severity.CRITICAL, {}, reason="anyone may call"),
    )

"""EC2 and S3 rows against recorded CloudTrail and realistic provider-v5 state.

Every record in ``tests/fixtures/cloudtrail/real/ec2-s3/`` (sources, licences and the few edits in
its ``SOURCES.md``) goes through the real normaliser, Engine and fold as ``detect`` does, over
``tests/fixtures/states/real-ec2.tfstate`` and ``real-s3.tfstate``: states in the shapes the
hashicorp/aws provider v5 writes (nested blocks as lists, sets as lists, ``default_tags`` in
``tags_all``, computed inline S3 blocks next to the standalone resources, modules and index keys).

Sequences replay a record, then the same call as Terraform makes it (the record with Terraform's
user agent, a later time and a new id): the shape of Terraform's own call is the shape of the
record. Cases that need a call no public record shows are built from the documented shape and
say so.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.catalog.conftest import TERRAFORM_UA, Outcome, run_events
from tfdrift_gitops.core.catalog.ec2_effects import UserData, user_data_hash
from tfdrift_gitops.core.normalize import normalize_record
from tfdrift_gitops.core.state import StateIndex, parse_state
from tfdrift_gitops.models import CloudEvent, Drift, Kind, Severity, Via

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
RECORDS = FIXTURES / "cloudtrail" / "real" / "ec2-s3"
STATE_FILES = ("real-ec2.tfstate", "real-s3.tfstate")
ACCOUNT = "111122223333"
OWNER = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
KMS_KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/2f8a7c1e-3b4d-4e5f-8a9b-0c1d2e3f4a5b"
SSE = "rule[0].apply_server_side_encryption_by_default[0]."


# --------------------------------------------------------------------------- loading


def raw(name: str) -> dict[str, Any]:
    """The one record of a fixture file (a copy: cases may derive other calls from it)."""
    (record,) = json.loads((RECORDS / f"{name}.json").read_text())["Records"]
    assert isinstance(record, dict)
    return copy.deepcopy(record)


def event(record: Mapping[str, Any], origin: str = "") -> CloudEvent:
    return normalize_record(record, origin or str(record.get("eventName")))


def state_doc(name: str) -> dict[str, Any]:
    doc = json.loads((FIXTURES / "states" / name).read_text())
    assert isinstance(doc, dict)
    return doc


def make_index(patch: Callable[[dict[str, Any]], None] | None = None) -> StateIndex:
    """Both states; ``patch`` edits the decoded documents (one resource's attributes) first."""
    docs = {name: state_doc(name) for name in STATE_FILES}
    if patch is not None:
        for doc in docs.values():
            patch(doc)
    return StateIndex([parse_state(doc, source=name) for name, doc in docs.items()])


@pytest.fixture(scope="module")
def index() -> StateIndex:
    return make_index()


def by_terraform(record: Mapping[str, Any], minutes: int = 10, **request: Any) -> dict[str, Any]:
    """The same call made later by Terraform (its user agent; ``request`` keys replaced)."""
    twin = copy.deepcopy(dict(record))
    when = datetime.fromisoformat(str(twin["eventTime"]).replace("Z", "+00:00"))
    twin["eventTime"] = (when + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")
    twin["eventID"] = f"{twin.get('eventID', 'record')}-terraform-{minutes}"
    twin["userAgent"] = TERRAFORM_UA
    twin["requestParameters"] = {**twin["requestParameters"], **request}
    return twin


def later(record: Mapping[str, Any], minutes: int, **fields: Any) -> dict[str, Any]:
    twin = copy.deepcopy(dict(record))
    when = datetime.fromisoformat(str(twin["eventTime"]).replace("Z", "+00:00"))
    twin["eventTime"] = (when + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")
    twin["eventID"] = f"{twin.get('eventID', 'record')}-later-{minutes}"
    twin.update(fields)
    return twin


def replay(index: StateIndex, records: list[dict[str, Any]]) -> Outcome:
    return run_events(index, [event(r, f"#{i}") for i, r in enumerate(records)])


# --------------------------------------------------------------------------- expectations


@dataclass(frozen=True)
class Expect:
    """One open drift (``kind``) at ``address`` (the cloud id when unmanaged), or a skip."""

    kind: Kind | None = None
    address: str = ""
    rtype: str = ""
    severity: Severity | None = None
    changes: Mapping[str, tuple[Any, Any]] | None = None
    """Exact (before, after) per path; ``{}``: a resource-level drift."""
    skipped: str = ""
    reason: str = ""
    """Substring of one of the severity reasons."""
    via: Via | None = None
    actor: str = ""


def label(drift: Drift) -> str:
    return drift.resource.address or drift.resource.id


def check(outcome: Outcome, want: Expect) -> Drift | None:
    if want.kind is None:
        assert outcome.open == [], [(label(d), d.changes) for d in outcome.open]
        assert outcome.skipped == {want.skipped: 1}, outcome.skipped
        return None
    drift = outcome.only()
    assert (drift.kind, label(drift)) == (want.kind, want.address)
    if want.rtype:
        assert drift.resource.type == want.rtype
    if want.severity is not None:
        assert drift.severity is want.severity, drift.severity_reasons
    if want.changes is not None:
        assert {c.path: (c.before, c.after) for c in drift.changes} == dict(want.changes)
    if want.reason:
        assert any(want.reason in r for r in drift.severity_reasons), drift.severity_reasons
    if want.via is not None:
        assert drift.actor.via is want.via
    if want.actor:
        assert drift.actor.name == want.actor
    return drift


def block(
    cidrs: list[str], port: int, desc: str, proto: str = "tcp", v6: bool = False
) -> dict[str, Any]:
    """An inline ``ingress`` block as provider v5 writes it."""
    return {
        "cidr_blocks": [] if v6 else cidrs,
        "description": desc,
        "from_port": port,
        "ipv6_cidr_blocks": cidrs if v6 else [],
        "prefix_list_ids": [],
        "protocol": proto,
        "security_groups": [],
        "self": False,
        "to_port": port,
    }


VPN_HTTPS = block(["10.0.0.0/8"], 443, "HTTPS from the VPN")
OWNER_GRANT = {"id": OWNER, "permissions": ["FULL_CONTROL"], "type": "CanonicalUser", "uri": ""}
READER_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReadFromApp",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/app"},
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::test/*",
            }
        ],
    },
    separators=(",", ":"),
)


def group(uri: str) -> str:
    return f"http://acs.amazonaws.com/groups/{uri}"


# One case per fixture file.
CASES = [
    # ---------------------------------------------------------------- EC2
    pytest.param(
        "awsdocs-ec2-terminate-instances",
        Expect(Kind.DELETED, "aws_instance.legacy_app[0]", severity=Severity.HIGH, changes={}),
        id="terminate-count-instance-cli",
    ),
    pytest.param(
        "panther-ec2-terminate-instances",
        # A record without a userAgent at all.
        Expect(
            Kind.DELETED,
            'module.batch.aws_instance.worker["blue"]',
            severity=Severity.HIGH,
            changes={},
            via=Via.UNKNOWN,
            actor="AThing",
        ),
        id="terminate-for-each-instance-in-module",
    ),
    pytest.param(
        "awsdocs-ec2-create-key-pair",
        Expect(
            Kind.UNMANAGED,
            "mykeypair",
            rtype="aws_key_pair",
            severity=Severity.MEDIUM,
            changes={"key_name": (None, "mykeypair")},
        ),
        id="key-pair-created-by-the-console-backend",
    ),
    pytest.param(
        "c7n-ec2-run-instances-console-signin",
        # invokedBy signin.amazonaws.com is a person in the console, not an AWS service.
        Expect(
            Kind.UNMANAGED,
            "i-0f7c711dc84bedda0",
            rtype="aws_instance",
            severity=Severity.MEDIUM,
            changes={
                "ami": (None, "ami-2d39803a"),
                "instance_type": (None, "m3.medium"),
                "subnet_id": (None, "subnet-914763e7"),
                "key_name": (None, "custodian.pem"),
                "vpc_security_group_ids": (None, ["sg-6c7fa917"]),
            },
            via=Via.CONSOLE,
            actor="c7nbot",
        ),
        id="instance-launched-in-the-console-invoked-by-signin",
    ),
    pytest.param(
        "c7n-ec2-run-instances-autoscaling",
        Expect(skipped="no_resource_id"),
        id="instance-launched-by-auto-scaling-is-not-ours",
    ),
    pytest.param(
        "panther-ec2-run-instances-console",
        Expect(
            Kind.UNMANAGED,
            "i-0d7e4b9be8a0de6ea",
            rtype="aws_instance",
            changes={
                "ami": (None, "ami-026b57f3c383c2eec"),
                "instance_type": (None, "t1.micro"),
                # In the request only inside networkInterfaceSet; the response has both.
                "subnet_id": (None, "subnet-0ae6d533cb0b18193"),
                "key_name": (None, "kp1"),
                "vpc_security_group_ids": (None, ["sg-0aebfa21f302bded9"]),
                "tags": (None, {"Name": "test2"}),
            },
            via=Via.CONSOLE,
            actor="temp_user",
        ),
        id="instance-launched-by-the-launch-wizard-aws-internal",
    ),
    pytest.param(
        "panther-ec2-create-vpc-console",
        Expect(
            Kind.UNMANAGED,
            "vpc-1",
            rtype="aws_vpc",
            changes={"cidr_block": (None, "0.0.0.0/26"), "instance_tenancy": (None, "default")},
        ),
        id="vpc-created-in-the-console",
    ),
    pytest.param(
        "streamalert-ec2-authorize-ingress-anywhere",
        Expect(
            Kind.MODIFIED,
            "aws_security_group.web",
            severity=Severity.CRITICAL,
            changes={
                "ingress": (
                    [VPN_HTTPS],
                    [
                        VPN_HTTPS,
                        block(["0.0.0.0/0"], 0, "...", "-1"),
                        block(["::/0"], 0, "...", "-1", v6=True),
                    ],
                )
            },
            reason="0.0.0.0/0 may reach all traffic",
        ),
        id="all-traffic-from-ipv4-and-ipv6-anywhere",
    ),
    pytest.param(
        "streamalert-ec2-authorize-ingress-rfc1918",
        Expect(
            Kind.MODIFIED,
            "aws_security_group.web",
            severity=Severity.MEDIUM,
            changes={
                "ingress": ([VPN_HTTPS], [VPN_HTTPS, block(["10.0.0.0/8"], 0, "...", "-1")]),
            },
        ),
        id="all-traffic-from-a-private-range-is-medium",
    ),
    pytest.param(
        "stratus-ec2-authorize-ingress-legacy-form",
        # The group's rules are aws_vpc_security_group_ingress_rule resources: the new rule is
        # an unmanaged one, keyed by the sgr- id of the response. /0 with host bits is world.
        Expect(
            Kind.UNMANAGED,
            "sgr-09b3e3d2ca1edf2a2",
            rtype="aws_vpc_security_group_ingress_rule",
            severity=Severity.CRITICAL,
            changes={
                "security_group_id": (None, "sg-003dc7f1f1c686164"),
                "ip_protocol": (None, "tcp"),
                "from_port": (None, 22),
                "to_port": (None, 22),
                "cidr_ipv4": (None, "208.236.235.254/0"),
            },
            reason="tcp/22",
        ),
        id="legacy-form-on-a-group-with-separate-rule-resources",
    ),
    pytest.param(
        "stratus-ec2-modify-instance-attribute-user-data",
        Expect(
            Kind.MODIFIED,
            "aws_instance.builder",
            severity=Severity.HIGH,
            # CloudTrail hides the new user data, so the old one (provider v5 keeps a SHA-1 of
            # it) is treated as a secret too.
            changes={"user_data": ("(hidden)", "(hidden by CloudTrail)")},
            reason="user data rewritten",
        ),
        id="user-data-rewritten-hidden-by-cloudtrail",
    ),
    pytest.param(
        "streamalert-ec2-modify-image-attribute-add-public",
        Expect(
            Kind.MODIFIED,
            "aws_ami_copy.golden",
            severity=Severity.CRITICAL,
            changes={},
            reason="made public",
        ),
        id="ami-made-public",
    ),
    pytest.param(
        "streamalert-ec2-modify-image-attribute-remove-public",
        Expect(Kind.MODIFIED, "aws_ami_copy.golden", severity=Severity.MEDIUM, changes={}),
        id="ami-public-permission-removed",
    ),
    pytest.param(
        "streamalert-ec2-modify-snapshot-attribute-add-public",
        Expect(
            Kind.MODIFIED,
            "aws_ebs_snapshot.golden",
            severity=Severity.CRITICAL,
            changes={},
            reason="made public",
        ),
        id="snapshot-made-public",
    ),
    # ---------------------------------------------------------------- S3
    pytest.param(
        "awsdocs-s3-put-bucket-acl-owner-only",
        # The console re-saving the ACL state already has (access_control_policy) changes nothing.
        Expect(skipped="no_change"),
        id="acl-body-equal-to-the-standalone-acl",
    ),
    pytest.param(
        "panther-s3-put-bucket-acl-canned-private",
        # No aws_s3_bucket_acl: the bucket's own acl is null, which S3 treats as private.
        Expect(skipped="no_change"),
        id="canned-private-on-a-bucket-without-acl",
    ),
    pytest.param(
        "streamalert-s3-put-bucket-acl-public",
        Expect(
            Kind.MODIFIED,
            "aws_s3_bucket.legacy",
            severity=Severity.CRITICAL,
            changes={
                "grant": (
                    [OWNER_GRANT],
                    [
                        {**OWNER_GRANT, "type": "CanonicalUser"},
                        {
                            "type": "Group",
                            "id": "",
                            "uri": group("global/AuthenticatedUsers"),
                            "permissions": ["READ", "READ_ACP"],
                        },
                        {
                            "type": "Group",
                            "id": "",
                            "uri": group("global/AllUsers"),
                            "permissions": ["READ", "READ_ACP"],
                        },
                    ],
                )
            },
            reason="ACL grants READ to AllUsers",
        ),
        id="acl-opened-to-all-users-inline-grant",
    ),
    pytest.param(
        "streamalert-s3-put-public-access-block-off",
        Expect(
            Kind.MODIFIED,
            "module.data_lake.aws_s3_bucket_public_access_block.this",
            severity=Severity.CRITICAL,
            changes={
                "block_public_acls": (True, False),
                "ignore_public_acls": (True, False),
                "block_public_policy": (True, False),
                "restrict_public_buckets": (True, False),
            },
        ),
        id="public-access-block-turned-off",
    ),
    pytest.param(
        "streamalert-s3-put-public-access-block-on",
        Expect(skipped="no_change"),
        id="public-access-block-as-in-state",
    ),
    pytest.param(
        "streamalert-s3-put-bucket-policy-public",
        Expect(
            Kind.MODIFIED,
            "module.data_lake.aws_s3_bucket_policy.this",
            severity=Severity.CRITICAL,
            changes={
                "policy": (
                    READER_POLICY,
                    json.dumps(
                        {
                            "Version": "2012-10-17",
                            "Statement": [
                                {
                                    "Effect": "Allow",
                                    "Principal": "*",
                                    "Action": "s3:GetObject",
                                    "Resource": "arn:aws:s3:::test/*",
                                }
                            ],
                            "Id": "Policy1562365274513",
                        },
                        separators=(",", ":"),
                    ),
                )
            },
            reason="any principal",
        ),
        id="policy-object-made-public",
    ),
    pytest.param(
        "awsdocs-s3-delete-bucket-policy",
        Expect(Kind.DELETED, "aws_s3_bucket_policy.web", changes={}),
        id="standalone-policy-deleted",
    ),
    pytest.param(
        "panther-s3-put-bucket-versioning-mfa-root",
        Expect(
            Kind.MODIFIED,
            "aws_s3_bucket.assets",
            severity=Severity.MEDIUM,
            changes={"versioning[0].mfa_delete": (False, True)},
            actor="root",
        ),
        id="inline-versioning-mfa-delete-enabled-by-root",
    ),
    pytest.param(
        "panther-s3-delete-bucket-console",
        # errorCode "" is a success.
        Expect(Kind.DELETED, "aws_s3_bucket.secrets", severity=Severity.HIGH, changes={}),
        id="bucket-deleted-in-the-old-console",
    ),
    pytest.param(
        "streamalert-s3-delete-account-public-access-block",
        # The S3 Control call names the account only in its host; the id is the account's.
        Expect(
            Kind.DELETED,
            "aws_s3_account_public_access_block.this",
            severity=Severity.CRITICAL,
            changes={},
            via=Via.CLI,
        ),
        id="account-public-access-block-deleted",
    ),
    pytest.param(
        "c7n-s3-create-bucket-root",
        Expect(
            Kind.UNMANAGED,
            "custodian-create-bucket-v4",
            rtype="aws_s3_bucket",
            changes={"bucket": (None, "custodian-create-bucket-v4")},
            actor="root",
        ),
        id="bucket-created-with-location-constraint",
    ),
    pytest.param(
        "c7n-s3-create-bucket-assumed-role",
        Expect(
            Kind.UNMANAGED,
            "cwe-test",
            rtype="aws_s3_bucket",
            changes={"bucket": (None, "cwe-test")},
            actor="user",
        ),
        id="bucket-created-in-us-east-1",
    ),
]


@pytest.mark.parametrize(("name", "want"), CASES)
def test_real_record(name: str, want: Expect, index: StateIndex) -> None:
    check(replay(index, [raw(name)]), want)


def test_every_fixture_has_a_case_and_a_source() -> None:
    files = sorted(p.stem for p in RECORDS.glob("*.json"))
    assert sorted(str(p.values[0]) for p in CASES) == files
    sources = (RECORDS / "SOURCES.md").read_text()
    assert [f for f in files if f"`{f}.json`" not in sources] == []


def test_the_directory_replays_as_one_input(index: StateIndex) -> None:
    """As ``detect --events DIR`` reads it: distinct event ids (nothing dropped as a duplicate)
    and every case's drift open. Calls on one resource fold into one drift here."""
    events = [event(raw(str(p.values[0])), str(p.values[0])) for p in CASES]
    assert len({e.id for e in events}) == len(events)
    outcome = run_events(index, events)
    assert "duplicate_event" not in outcome.skipped
    wanted = [w for p in CASES if isinstance(w := p.values[1], Expect) and w.kind is not None]
    assert {w.address for w in wanted} == {label(d) for d in outcome.open}


# --------------------------------------------------------------------------- sequences


def resolved(outcome: Outcome, address: str, reason: str) -> None:
    assert outcome.open == [], [(label(d), d.changes) for d in outcome.open]
    (drift,) = outcome.resolved
    assert label(drift) == address
    assert reason in drift.history[-1].reason


def test_public_access_block_reverted_by_terraform(index: StateIndex) -> None:
    off = raw("streamalert-s3-put-public-access-block-off")
    on = raw("streamalert-s3-put-public-access-block-on")
    resolved(
        replay(index, [off, by_terraform(later(on, 0, eventTime=off["eventTime"]))]),
        "module.data_lake.aws_s3_bucket_public_access_block.this",
        "reverted by Terraform",
    )


@pytest.mark.parametrize("terraform", [False, True], ids=["by-a-person", "by-terraform"])
def test_public_access_block_undo_delivered_before_the_change(
    terraform: bool, index: StateIndex
) -> None:
    """CloudTrail delivers out of order: the later call that set the block back arrives first,
    then the older one that turned it off. Nothing is drifted now."""
    off = raw("streamalert-s3-put-public-access-block-off")
    on = later(
        raw("streamalert-s3-put-public-access-block-on"), 0, eventTime="2019-07-08T20:00:00Z"
    )
    outcome = replay(index, [by_terraform(on, 0) if terraform else on, off])
    assert outcome.open == [] and outcome.resolved == []


def test_console_launch_then_terminated_closes_the_unmanaged_drift(index: StateIndex) -> None:
    launch = raw("c7n-ec2-run-instances-console-signin")
    terminate = raw("awsdocs-ec2-terminate-instances")
    terminate.update(
        eventTime="2016-07-24T11:30:00Z",
        awsRegion=launch["awsRegion"],
        requestParameters={"instancesSet": {"items": [{"instanceId": "i-0f7c711dc84bedda0"}]}},
    )
    resolved(replay(index, [launch, terminate]), "i-0f7c711dc84bedda0", "was deleted")


def test_policy_deleted_then_recreated_by_terraform(index: StateIndex) -> None:
    delete = raw("awsdocs-s3-delete-bucket-policy")
    put = by_terraform(
        raw("streamalert-s3-put-bucket-policy-public"),
        bucketName="myawsbucket",
        bucketPolicy=json.loads(READER_POLICY.replace("test", "myawsbucket")),
    )
    put["eventTime"] = "2015-08-26T21:00:00Z"
    resolved(replay(index, [delete, put]), "aws_s3_bucket_policy.web", "recreated by Terraform")


def test_public_acl_reverted_by_terraform(index: StateIndex) -> None:
    public = raw("streamalert-s3-put-bucket-acl-public")
    grants = public["requestParameters"]["AccessControlPolicy"]["AccessControlList"]["Grant"]
    restored = copy.deepcopy(public["requestParameters"]["AccessControlPolicy"])
    restored["AccessControlList"]["Grant"] = grants[0]  # one grant: an object, not a list
    resolved(
        replay(index, [public, by_terraform(public, AccessControlPolicy=restored)]),
        "aws_s3_bucket.legacy",
        "reverted by Terraform",
    )


def test_public_acl_delivered_twice_is_one_drift(index: StateIndex) -> None:
    public = raw("streamalert-s3-put-bucket-acl-public")
    outcome = replay(index, [public, public])
    assert len(outcome.open) == 1
    assert outcome.skipped == {"duplicate_event": 1}


def test_terraform_own_run_instances_is_not_drift(index: StateIndex) -> None:
    outcome = replay(index, [by_terraform(raw("panther-ec2-run-instances-console"), 0)])
    assert outcome.open == [] and outcome.skipped == {"trusted_actor": 1}


# --------------------------------------------------------------------------- built from shapes

# DeleteBucketEncryption as CloudTrail records it: the bucket and the empty sub-resource key
# (same shape as DeleteBucketPolicy's "policy" and the records above).


def delete_encryption(bucket: str) -> dict[str, Any]:
    record = raw("awsdocs-s3-delete-bucket-policy")
    record.update(
        eventName="DeleteBucketEncryption",
        awsRegion="us-east-1",
        eventID="0d6c6a58-2f35-4c5e-9d7b-5b1f0e2c8a41",
        requestParameters={
            "bucketName": bucket,
            "Host": f"{bucket}.s3.amazonaws.com",
            "encryption": "",
        },
    )
    return record


def put_encryption(bucket: str, key: str) -> dict[str, Any]:
    record = delete_encryption(bucket)
    record["eventName"] = "PutBucketEncryption"
    record["requestParameters"]["ServerSideEncryptionConfiguration"] = {
        "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
        "Rule": {
            "ApplyServerSideEncryptionByDefault": {
                "SSEAlgorithm": "aws:kms",
                "KMSMasterKeyID": key,
            },
            "BucketKeyEnabled": True,
        },
    }
    return record


def test_encryption_delete_leaves_sse_s3_on_the_standalone_resource(index: StateIndex) -> None:
    """S3 falls back to SSE-S3 and the provider keeps the resource in state (it reads AES256
    back), so this is a change of the resource, not its deletion."""
    drift = check(
        replay(index, [delete_encryption("test")]),
        Expect(
            Kind.MODIFIED,
            "module.data_lake.aws_s3_bucket_server_side_encryption_configuration.this",
            severity=Severity.HIGH,
            changes={
                SSE + "sse_algorithm": ("aws:kms", "AES256"),
                SSE + "kms_master_key_id": (KMS_KEY, ""),
                "rule[0].bucket_key_enabled": (True, False),
            },
        ),
    )
    assert drift is not None


def test_encryption_delete_then_terraform_put_resolves(index: StateIndex) -> None:
    deleted = delete_encryption("test")
    restored = by_terraform(put_encryption("test", KMS_KEY))
    resolved(
        replay(index, [deleted, restored]),
        "module.data_lake.aws_s3_bucket_server_side_encryption_configuration.this",
        "reverted by Terraform",
    )


# Tag calls in the shapes of the EC2 (CreateTags) and S3 (PutBucketTagging) records.


def create_tags(resource_id: str, tags: Mapping[str, str], minutes: int = 0) -> dict[str, Any]:
    record = later(raw("streamalert-ec2-modify-snapshot-attribute-add-public"), minutes)
    record.update(
        eventName="CreateTags",
        requestParameters={
            "resourcesSet": {"items": [{"resourceId": resource_id}]},
            "tagSet": {"items": [{"key": k, "value": v} for k, v in tags.items()]},
        },
        responseElements={"requestId": "6a1b2c3d-0000-4000-8000-00000000000a", "_return": True},
    )
    return record


def put_tagging(bucket: str, tags: Mapping[str, str], minutes: int = 0) -> dict[str, Any]:
    record = later(raw("streamalert-s3-put-public-access-block-on"), minutes)
    record.update(
        eventName="PutBucketTagging",
        requestParameters={
            "bucketName": bucket,
            "Host": f"{bucket}.s3.amazonaws.com",
            "tagging": [""],
            "Tagging": {
                "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
                "TagSet": {"Tag": [{"Key": k, "Value": v} for k, v in tags.items()]},
            },
        },
    )
    return record


# real-s3.tfstate's bucket "test" (module.data_lake): tags {Name}, default tags ManagedBy, Team.
TEST_TAGS = {"Name": "test", "ManagedBy": "Terraform", "Team": "platform"}


@pytest.mark.parametrize(
    ("calls", "want"),
    [
        pytest.param(
            [create_tags("snap-00000000000000000", {"ManagedBy": "alice"})],
            Expect(
                Kind.MODIFIED,
                "aws_ebs_snapshot.golden",
                severity=Severity.LOW,
                changes={"tags": ({"Name": "golden"}, {"Name": "golden", "ManagedBy": "alice"})},
            ),
            id="ec2-default-tag-overwritten",
        ),
        pytest.param(
            [create_tags("snap-00000000000000000", {"ManagedBy": "Terraform"})],
            Expect(skipped="no_change"),
            id="ec2-default-tag-written-with-its-value",
        ),
        pytest.param(
            [put_tagging("test", {**TEST_TAGS, "ManagedBy": "alice"})],
            Expect(
                Kind.MODIFIED,
                "module.data_lake.aws_s3_bucket.this",
                severity=Severity.LOW,
                changes={"tags": ({"Name": "test"}, {"Name": "test", "ManagedBy": "alice"})},
            ),
            id="s3-default-tag-overwritten",
        ),
        pytest.param(
            [put_tagging("test", TEST_TAGS)],
            Expect(skipped="no_change"),
            id="s3-whole-tag-set-as-in-state",
        ),
        pytest.param(
            # ami- ids are aws_ami, aws_ami_copy or aws_ami_from_instance in state.
            [create_tags("ami-00000000000000000", {"Owner": "alice"})],
            Expect(
                Kind.MODIFIED,
                "aws_ami_copy.golden",
                severity=Severity.LOW,
                changes={"tags": (None, {"Owner": "alice"})},
            ),
            id="ec2-tag-on-an-ami-copy",
        ),
    ],
)
def test_default_tags(calls: list[dict[str, Any]], want: Expect, index: StateIndex) -> None:
    check(replay(index, calls), want)


@pytest.mark.parametrize(
    ("overwrite", "restore", "address"),
    [
        pytest.param(
            create_tags("snap-00000000000000000", {"ManagedBy": "alice"}),
            by_terraform(create_tags("snap-00000000000000000", {"ManagedBy": "Terraform"})),
            "aws_ebs_snapshot.golden",
            id="ec2-create-tags",
        ),
        pytest.param(
            put_tagging("test", {**TEST_TAGS, "ManagedBy": "alice"}),
            by_terraform(put_tagging("test", TEST_TAGS)),
            "module.data_lake.aws_s3_bucket.this",
            id="s3-put-bucket-tagging",
        ),
    ],
)
def test_default_tag_restored_by_terraform_resolves(
    overwrite: dict[str, Any], restore: dict[str, Any], address: str, index: StateIndex
) -> None:
    """Terraform writes the default value back: the key is the provider's again, not a resource
    tag that still differs from state."""
    resolved(replay(index, [overwrite, restore]), address, "reverted by Terraform")


def test_default_vpc_deletion_is_reported_on_aws_default_vpc() -> None:
    def add_default_vpc(doc: dict[str, Any]) -> None:
        if not any(r["type"] == "aws_instance" for r in doc["resources"]):
            return
        attrs = {
            "arn": f"arn:aws:ec2:us-east-1:{ACCOUNT}:vpc/vpc-0d0e0f0a0b0c0d0e0",
            "cidr_block": "172.31.0.0/16",
            "enable_dns_hostnames": True,
            "enable_dns_support": True,
            "existing_default_vpc": True,
            "force_destroy": False,
            "id": "vpc-0d0e0f0a0b0c0d0e0",
            "instance_tenancy": "default",
            "owner_id": ACCOUNT,
            "tags": {},
            "tags_all": {"ManagedBy": "Terraform", "Team": "platform"},
        }
        doc["resources"].append(
            {
                "mode": "managed",
                "type": "aws_default_vpc",
                "name": "default",
                "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
                "instances": [{"schema_version": 1, "attributes": attrs}],
            }
        )

    record = raw("panther-ec2-create-vpc-console")
    record.update(
        eventName="DeleteVpc",
        awsRegion="us-east-1",
        requestParameters={"vpcId": "vpc-0d0e0f0a0b0c0d0e0"},
        responseElements={"requestId": "5b6c7d8e-0000-4000-8000-00000000000b", "_return": True},
    )
    check(
        replay(make_index(add_default_vpc), [record]),
        Expect(Kind.DELETED, "aws_default_vpc.default", severity=Severity.HIGH, changes={}),
    )


# --------------------------------------------------------------------------- user data forms


@pytest.mark.parametrize(
    ("state_value", "written", "equal"),
    [
        # Provider v5: SHA-1 of the decoded user data.
        pytest.param(user_data_hash("echo hi\n"), "ZWNobyBoaQo=", True, id="v5-hash-same"),
        pytest.param(user_data_hash("echo hi\n"), "ZWNobyBibyEK", False, id="v5-hash-other"),
        # Provider v6 stores the user data itself.
        pytest.param("echo hi\n", "ZWNobyBoaQo=", True, id="v6-clear-text-same"),
        pytest.param("echo hi\n", "ZWNobyBibyEK", False, id="v6-clear-text-other"),
    ],
)
def test_visible_user_data_compares_in_the_state_form(
    state_value: str, written: str, equal: bool
) -> None:
    record = raw("stratus-ec2-modify-instance-attribute-user-data")
    record["requestParameters"]["userData"] = written
    effect = UserData("user_data")
    attrs: dict[str, Any] = {"user_data": state_value, "user_data_base64": None}
    assert effect.apply(attrs, event(record))
    assert (effect.compare(attrs["user_data"]) == effect.compare(state_value)) is equal


# --------------------------------------------------------------------------- rule descriptions


def describe_ingress(request: dict[str, Any]) -> dict[str, Any]:
    record = raw("streamalert-ec2-authorize-ingress-rfc1918")
    record.update(eventName="UpdateSecurityGroupRuleDescriptionsIngress", requestParameters=request)
    return record


@pytest.mark.parametrize(
    ("request_parameters", "want"),
    [
        pytest.param(
            {
                "groupId": "sg-0a1b2c3d4e5f60718",
                "ipPermissions": {
                    "items": [
                        {
                            "ipProtocol": "tcp",
                            "fromPort": 443,
                            "toPort": 443,
                            "groups": {},
                            "ipRanges": {"items": [{"cidrIp": "10.0.0.0/8", "description": "VPN"}]},
                            "ipv6Ranges": {},
                            "prefixListIds": {},
                        }
                    ]
                },
            },
            Expect(
                Kind.MODIFIED,
                "aws_security_group.web",
                severity=Severity.LOW,
                changes={"ingress": ([VPN_HTTPS], [block(["10.0.0.0/8"], 443, "VPN")])},
            ),
            id="by-content",
        ),
        pytest.param(
            # By rule id: which inline rule CloudTrail does not say. Resource-level, not the
            # "set what state has" the effect-only target used to conclude.
            {
                "groupId": "sg-0a1b2c3d4e5f60718",
                "securityGroupRuleDescriptions": {
                    "items": [
                        {"securityGroupRuleId": "sgr-0123456789abcdef0", "description": "VPN"}
                    ]
                },
            },
            Expect(Kind.MODIFIED, "aws_security_group.web", severity=Severity.LOW, changes={}),
            id="by-rule-id-on-inline-rules",
        ),
    ],
)
def test_rule_description_updates(
    request_parameters: dict[str, Any], want: Expect, index: StateIndex
) -> None:
    check(replay(index, [describe_ingress(request_parameters)]), want)


# --------------------------------------------------------------------------- account-wide block


def put_account_block(flag: bool, minutes: int = 0) -> dict[str, Any]:
    """PutAccountPublicAccessBlock: the bucket-level record's body, sent to S3 Control."""
    record = later(raw("streamalert-s3-put-public-access-block-off"), minutes)
    request = record["requestParameters"]
    configuration = request["PublicAccessBlockConfiguration"]
    record.update(
        eventName="PutAccountPublicAccessBlock",
        requestParameters={
            "publicAccessBlock": [""],
            "PublicAccessBlockConfiguration": {
                **{k: flag for k in configuration if k != "xmlns"},
                "xmlns": configuration["xmlns"],
            },
            "host": [f"{ACCOUNT}.s3-control.us-east-1.amazonaws.com"],
        },
    )
    return record


def test_account_public_access_block_turned_off(index: StateIndex) -> None:
    check(
        replay(index, [put_account_block(False)]),
        Expect(
            Kind.MODIFIED,
            "aws_s3_account_public_access_block.this",
            severity=Severity.CRITICAL,
            changes={
                "block_public_acls": (True, False),
                "ignore_public_acls": (True, False),
                "block_public_policy": (True, False),
                "restrict_public_buckets": (True, False),
            },
            reason="public access block turned off",
        ),
    )


def test_account_public_access_block_deleted_then_recreated_by_terraform(
    index: StateIndex,
) -> None:
    deleted = raw("streamalert-s3-delete-account-public-access-block")
    recreated = by_terraform(put_account_block(True), 60)
    recreated["eventTime"] = "2019-07-09T16:00:00Z"
    resolved(
        replay(index, [deleted, recreated]),
        "aws_s3_account_public_access_block.this",
        "recreated by Terraform",
    )


# --------------------------------------------------------------------------- subnet settings


def subnet_attribute(request: dict[str, Any]) -> dict[str, Any]:
    """ModifySubnetAttribute from the console's subnet settings page (one setting per call)."""
    record = raw("streamalert-ec2-authorize-ingress-rfc1918")
    record.update(
        eventName="ModifySubnetAttribute",
        requestParameters={"subnetId": "subnet-0fa895b0ccbc1ab1f", **request},
        responseElements={"requestId": "4e5f6a7b-0000-4000-8000-00000000000c", "_return": True},
    )
    return record


@pytest.fixture(scope="module")
def lab(corpus_dir: Path) -> StateIndex:
    """The real aws-lab state (its subnet: map_public_ip_on_launch true, host names ip-name)."""
    doc = json.loads((corpus_dir / "states" / "aws-lab.tfstate").read_text())
    return StateIndex([parse_state(doc, source="aws-lab.tfstate")])


def relabel(record: dict[str, Any]) -> dict[str, Any]:
    """The record in the lab state's account."""
    relabelled = json.loads(json.dumps(record).replace(ACCOUNT, "230446364776"))
    assert isinstance(relabelled, dict)
    return relabelled


@pytest.mark.parametrize(
    ("request_parameters", "want"),
    [
        pytest.param(
            {"privateDnsHostnameTypeOnLaunch": "ip-name"},
            Expect(skipped="no_change"),
            id="host-name-type-as-in-state",
        ),
        pytest.param(
            {"privateDnsHostnameTypeOnLaunch": "resource-name"},
            Expect(
                Kind.MODIFIED,
                "aws_subnet.public",
                changes={"private_dns_hostname_type_on_launch": ("ip-name", "resource-name")},
            ),
            id="host-name-type-changed",
        ),
        pytest.param(
            {"mapPublicIpOnLaunch": {"value": True}},
            Expect(skipped="no_change"),
            id="public-ip-flag-as-in-state",
        ),
        pytest.param(
            {"enableDns64": {"value": True}},
            Expect(
                Kind.MODIFIED,
                "aws_subnet.public",
                severity=Severity.MEDIUM,
                changes={"enable_dns64": (False, True)},
            ),
            id="dns64-turned-on",
        ),
    ],
)
def test_subnet_settings(request_parameters: dict[str, Any], want: Expect, lab: StateIndex) -> None:
    check(replay(lab, [relabel(subnet_attribute(request_parameters))]), want)

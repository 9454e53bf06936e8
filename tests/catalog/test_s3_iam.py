"""The S3 and IAM catalog tables, through the real Engine, fold and Detector.

Most cases run against the real ``aws-lab.tfstate`` (a bucket with standalone versioning, SSE and
public-access-block resources, a role with a separate role policy); the rest against small
literal states that exercise the other Terraform forms (inline blocks, attachments, modules).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.catalog.conftest import (
    TERRAFORM_UA,
    Outcome,
    ResourceSpec,
    changes_of,
    index_from_doc,
    make_event,
    make_index,
    run_events,
)
from tfdrift_gitops.core.catalog import Catalog
from tfdrift_gitops.core.catalog import iam as iam_table
from tfdrift_gitops.core.catalog import s3 as s3_table
from tfdrift_gitops.core.catalog.policydoc import (
    admin_grant,
    foreign_trust,
    parse_policy,
    policy_compare,
    public_grant,
)
from tfdrift_gitops.core.normalize import normalize_record
from tfdrift_gitops.core.state import StateIndex
from tfdrift_gitops.errors import RecordError
from tfdrift_gitops.models import CloudEvent, Drift, Kind, Severity

ACCOUNT = "230446364776"  # the lab state's account (from its IAM ARNs)
BUCKET = "tfdrift-falco-test-data-943198b9"
ROLE = "tfdrift-falco-test-app-role"
ROLE_POLICY = "tfdrift-falco-test-app-policy"
LAB_ROLE_POLICY_DOC = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Action": ["s3:GetObject", "s3:PutObject"],
            "Effect": "Allow",
            "Resource": f"arn:aws:s3:::{BUCKET}/*",
        }
    ],
}
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
POWER_USER = "arn:aws:iam::aws:policy/PowerUserAccess"
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
LAB_OWNER_ID = "7b320d38139a54825264b340ace624a1ffe73fc5875fd02aa9c742d6c207b5ed"
ADMIN_DOC = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
EC2_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


# --------------------------------------------------------------------------- builders


def s3(
    name: str, body: Mapping[str, Any] | None = None, *, bucket: str = BUCKET, **kw: Any
) -> CloudEvent:
    kw.setdefault("account", ACCOUNT)
    request = {"bucketName": bucket, "Host": f"{bucket}.s3.amazonaws.com", **(body or {})}
    if "Account" in name:  # s3control: the account's endpoint, no bucket
        request = {"Host": f"{kw['account']}.s3-control.us-east-1.amazonaws.com", **(body or {})}
    return make_event(name, "s3", request, **kw)


def iam(name: str, request: Mapping[str, Any], response: Any = None, **kw: Any) -> CloudEvent:
    kw.setdefault("account", ACCOUNT)
    return make_event(name, "iam", request, response, **kw)


def tf(event: Callable[..., CloudEvent], *args: Any, **kw: Any) -> CloudEvent:
    """The same call made by Terraform."""
    return event(*args, user_agent=TERRAFORM_UA, **kw)


def versioning(status: str, mfa: str | None = None) -> dict[str, Any]:
    config: dict[str, Any] = {"Status": status, "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/"}
    if mfa is not None:
        config["MfaDelete"] = mfa
    return {"versioning": [""], "VersioningConfiguration": config}


def pab(**flags: Any) -> dict[str, Any]:
    names = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
    config = {n: flags.get(n, True) for n in names}
    return {"publicAccessBlock": [""], "PublicAccessBlockConfiguration": config}


def sse(
    algorithm: str, key: str | None = None, bucket_key: Any = None, *, as_list: bool = False
) -> dict[str, Any]:
    default: dict[str, Any] = {"SSEAlgorithm": algorithm}
    if key is not None:
        default["KMSMasterKeyID"] = key
    rule: dict[str, Any] = {"ApplyServerSideEncryptionByDefault": default}
    if bucket_key is not None:
        rule["BucketKeyEnabled"] = bucket_key
    return {
        "encryption": [""],
        "ServerSideEncryptionConfiguration": {
            "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
            "Rule": [rule] if as_list else rule,
        },
    }


def tagging(*pairs: tuple[str, str], single: bool = False) -> dict[str, Any]:
    tags = [{"Key": k, "Value": v} for k, v in pairs]
    tag: Any = tags[0] if single else tags
    return {"tagging": [""], "Tagging": {"TagSet": {"Tag": tag}}}


def acl_body(*grants: tuple[str, str, str]) -> dict[str, Any]:
    """Grants as (xsi:type, ID or URI, permission), the XML body of PutBucketAcl."""
    listed = []
    for kind, who, permission in grants:
        grantee = {"xsi:type": kind, "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance"}
        grantee["URI" if kind == "Group" else "ID"] = who
        listed.append({"Grantee": grantee, "Permission": permission})
    return {
        "acl": [""],
        "AccessControlPolicy": {
            "AccessControlList": {"Grant": listed[0] if len(listed) == 1 else listed},
            "Owner": {"ID": LAB_OWNER_ID},
            "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
        },
    }


def bucket_policy(
    principal: Any = "*", condition: Any = None, *, as_text: bool = False
) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Sid": "Public",
        "Effect": "Allow",
        "Principal": principal,
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{BUCKET}/*",
    }
    if condition is not None:
        statement["Condition"] = condition
    document = {"Version": "2012-10-17", "Statement": [statement]}
    return {"policy": [""], "bucketPolicy": json.dumps(document) if as_text else document}


def doc(value: Mapping[str, Any], *, pretty: bool = False) -> str:
    return json.dumps(value, indent=2) if pretty else json.dumps(value)


# --------------------------------------------------------------------------- literal states


def role_attrs(name: str, account: str = ACCOUNT, **extra: Any) -> dict[str, Any]:
    attrs = {
        "id": name,
        "name": name,
        "arn": f"arn:aws:iam::{account}:role/{name}",
        "assume_role_policy": json.dumps(EC2_TRUST),
        "managed_policy_arns": [],
        "inline_policy": [],
        "path": "/",
        "max_session_duration": 3600,
        "description": "",
        "permissions_boundary": "",
        "tags": {},
        "tags_all": {},
    }
    attrs.update(extra)
    return attrs


def user_attrs(name: str, account: str = ACCOUNT, **extra: Any) -> dict[str, Any]:
    attrs = {
        "id": name,
        "name": name,
        "arn": f"arn:aws:iam::{account}:user/{name}",
        "path": "/",
        "tags": {},
        "tags_all": {},
    }
    attrs.update(extra)
    return attrs


def bucket_attrs(name: str, **extra: Any) -> dict[str, Any]:
    attrs: dict[str, Any] = {
        "id": name,
        "bucket": name,
        "arn": f"arn:aws:s3:::{name}",
        "acl": None,
        "policy": "",
        "grant": [
            {
                "id": LAB_OWNER_ID,
                "type": "CanonicalUser",
                "uri": "",
                "permissions": ["FULL_CONTROL"],
            }
        ],
        "versioning": [{"enabled": True, "mfa_delete": False}],
        "server_side_encryption_configuration": [
            {
                "rule": [
                    {
                        "apply_server_side_encryption_by_default": [
                            {"kms_master_key_id": "", "sse_algorithm": "AES256"}
                        ],
                        "bucket_key_enabled": False,
                    }
                ]
            }
        ],
        "tags": {},
        "tags_all": {},
    }
    attrs.update(extra)
    return attrs


def attachment(kind: str, principal: str, arn: str) -> dict[str, Any]:
    return {"id": f"{principal}-20250101000000000000000001", kind: principal, "policy_arn": arn}


# A bucket managed only by its inline blocks; a bucket with standalone ACL and policy; a role
# account marker so that creations in ACCOUNT count as unmanaged.
INLINE: tuple[ResourceSpec, ...] = (("aws_s3_bucket", "legacy", bucket_attrs(BUCKET)),)
INLINE_KMS: tuple[ResourceSpec, ...] = (
    (
        "aws_s3_bucket",
        "legacy",
        bucket_attrs(
            BUCKET,
            policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:*",
                            "Resource": "*",
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        }
                    ],
                }
            ),
            server_side_encryption_configuration=[
                {
                    "rule": [
                        {
                            "apply_server_side_encryption_by_default": [
                                {"kms_master_key_id": "alias/data", "sse_algorithm": "aws:kms"}
                            ],
                            "bucket_key_enabled": True,
                        }
                    ]
                }
            ],
        ),
    ),
    ("aws_iam_role", "marker", role_attrs("marker")),
)
STANDALONE_POLICY_DOC = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ReadFromVpc",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::230446364776:role/reader"},
            "Action": ["s3:GetObject"],
            "Resource": [f"arn:aws:s3:::{BUCKET}/*"],
        }
    ],
}
STANDALONE: tuple[ResourceSpec, ...] = (
    ("aws_s3_bucket", "data", bucket_attrs(BUCKET)),
    (
        "aws_s3_bucket_policy",
        "data",
        {"id": BUCKET, "bucket": BUCKET, "policy": json.dumps(STANDALONE_POLICY_DOC)},
    ),
    (
        "aws_s3_bucket_acl",
        "data",
        {
            "id": f"{BUCKET},private",
            "bucket": BUCKET,
            "acl": "private",
            "access_control_policy": [
                {
                    "grant": [
                        {
                            "grantee": [
                                {
                                    "type": "CanonicalUser",
                                    "id": LAB_OWNER_ID,
                                    "uri": "",
                                    "email_address": "",
                                    "display_name": "",
                                }
                            ],
                            "permission": "FULL_CONTROL",
                        }
                    ],
                    "owner": [{"id": LAB_OWNER_ID, "display_name": ""}],
                }
            ],
        },
    ),
    ("aws_iam_role", "marker", role_attrs("marker")),
)
MODULES: tuple[ResourceSpec, ...] = (
    ("aws_s3_bucket", "this", bucket_attrs("logs-eu"), "module.storage", "eu"),
    ("aws_s3_bucket", "this", bucket_attrs("logs-us"), "module.storage", "us"),
    (
        "aws_s3_bucket_versioning",
        "this",
        {
            "id": "logs-eu",
            "bucket": "logs-eu",
            "versioning_configuration": [{"status": "Enabled", "mfa_delete": ""}],
        },
        "module.storage",
        "eu",
    ),
    ("aws_iam_role", "svc", role_attrs("svc-0"), "module.iam", 0),
    ("aws_iam_role", "svc", role_attrs("svc-1"), "module.iam", 1),
)
ATTACHED: tuple[ResourceSpec, ...] = (
    ("aws_iam_role", "app", role_attrs("app", managed_policy_arns=[READ_ONLY])),
    ("aws_iam_role", "batch", role_attrs("batch", managed_policy_arns=[READ_ONLY])),
    ("aws_iam_role_policy_attachment", "app_ro", attachment("role", "app", READ_ONLY)),
    ("aws_iam_role_policy_attachment", "batch_ro", attachment("role", "batch", READ_ONLY)),
    ("aws_iam_user", "ci", user_attrs("ci")),
    ("aws_iam_user_policy_attachment", "ci_ro", attachment("user", "ci", READ_ONLY)),
    ("aws_iam_user", "ops", user_attrs("ops")),
)
INLINE_ROLE: tuple[ResourceSpec, ...] = (
    (
        "aws_iam_role",
        "worker",
        role_attrs(
            "worker",
            managed_policy_arns=[READ_ONLY],
            inline_policy=[{"name": "read", "policy": doc(LAB_ROLE_POLICY_DOC)}],
            permissions_boundary="arn:aws:iam::230446364776:policy/boundary",
            tags={"Team": "data"},
            tags_all={"Team": "data", "ManagedBy": "Terraform"},
        ),
    ),
)
USERS: tuple[ResourceSpec, ...] = (
    ("aws_iam_user", "alice", user_attrs("alice")),
    (
        "aws_iam_user_policy",
        "alice",
        {"id": "alice:deny", "name": "deny", "user": "alice", "policy": doc(ADMIN_DOC)},
    ),
    (
        "aws_iam_user_login_profile",
        "alice",
        {"id": "alice", "user": "alice", "password_reset_required": False},
    ),
    (
        "aws_iam_access_key",
        "alice",
        {"id": "AKIAEXAMPLEKEY000001", "user": "alice", "status": "Active"},
    ),
    (
        "aws_iam_policy",
        "deploy",
        {
            "id": f"arn:aws:iam::{ACCOUNT}:policy/deploy",
            "arn": f"arn:aws:iam::{ACCOUNT}:policy/deploy",
            "name": "deploy",
            "path": "/",
            "policy": doc(LAB_ROLE_POLICY_DOC),
        },
    ),
)
ACCOUNT_PAB: tuple[ResourceSpec, ...] = (
    (
        "aws_s3_account_public_access_block",
        "this",
        {
            "account_id": ACCOUNT,
            "block_public_acls": True,
            "block_public_policy": True,
            "id": ACCOUNT,
            "ignore_public_acls": True,
            "restrict_public_buckets": True,
        },
    ),
    ("aws_iam_role", "marker", role_attrs("marker")),
)
STATES: dict[str, tuple[ResourceSpec, ...]] = {
    "account_pab": ACCOUNT_PAB,
    "inline": INLINE,
    "inline_kms": INLINE_KMS,
    "standalone": STANDALONE,
    "modules": MODULES,
    "attached": ATTACHED,
    "inline_role": INLINE_ROLE,
    "users": USERS,
}


@pytest.fixture(scope="module")
def lab_index(corpus_dir: Path) -> StateIndex:
    state = json.loads((corpus_dir / "states" / "aws-lab.tfstate").read_text())
    return index_from_doc(state, source="aws-lab.tfstate")


def index_for(name: str, lab: StateIndex) -> StateIndex:
    return lab if name == "lab" else make_index(*STATES[name])


# --------------------------------------------------------------------------- expectations


@dataclass(frozen=True)
class Expect:
    """What replaying a case's events must give.

    ``kind`` None: no open drift. Otherwise exactly one open drift at ``address`` (resource id
    for unmanaged drift) of type ``rtype`` when given. ``changes`` are compared exactly when
    given; ``paths`` only name the changed paths.
    """

    kind: Kind | None = None
    address: str = ""
    severity: Severity | None = None
    rtype: str = ""
    changes: Mapping[str, tuple[Any, Any]] | None = None
    paths: tuple[str, ...] | None = None
    skipped: str = ""
    resolved: str = ""
    reason: str = ""
    extra: Callable[[Drift], None] | None = field(default=None)


def label(drift: Drift) -> str:
    return drift.resource.address or drift.resource.id


def check(outcome: Outcome, expect: Expect) -> None:
    if expect.kind is None:
        assert outcome.open == [], [(label(d), d.kind, d.changes) for d in outcome.open]
    else:
        drift = outcome.only()
        assert drift.kind is expect.kind
        assert label(drift) == expect.address
        if expect.rtype:
            assert drift.resource.type == expect.rtype
        if expect.severity is not None:
            assert drift.severity is expect.severity, drift.severity_reasons
        if expect.changes is not None:
            assert changes_of(drift) == dict(expect.changes)
        if expect.paths is not None:
            assert sorted(c.path for c in drift.changes) == sorted(expect.paths)
        if expect.extra is not None:
            expect.extra(drift)
    if expect.skipped:
        assert outcome.skipped.get(expect.skipped, 0) >= 1, outcome.skipped
    if expect.resolved:
        resolved = {label(d): d for d in outcome.resolved}
        assert expect.resolved in resolved, list(resolved)
        if expect.reason:
            assert expect.reason in resolved[expect.resolved].history[-1].reason


def case(state: str, events: Sequence[CloudEvent] | CloudEvent, expect: Expect, id: str) -> Any:
    listed = [events] if isinstance(events, CloudEvent) else list(events)
    return pytest.param(state, listed, expect, id=id)


def runs(index: StateIndex, events: Sequence[CloudEvent]) -> Outcome:
    """Replay in the order given (delivery order) through the default catalog."""
    return run_events(index, events)


# --------------------------------------------------------------------------- S3 cases

VERSIONING_PATH = "versioning_configuration[0].status"
SSE = "rule[0].apply_server_side_encryption_by_default[0]."
INLINE_SSE = "server_side_encryption_configuration[0]." + SSE

S3_CASES = [
    # ---- versioning
    case(
        "lab",
        s3("PutBucketVersioning", versioning("Suspended")),
        Expect(
            Kind.MODIFIED,
            "aws_s3_bucket_versioning.data",
            Severity.HIGH,
            changes={VERSIONING_PATH: ("Enabled", "Suspended")},
        ),
        "versioning-suspended-standalone",
    ),
    case(
        "lab",
        s3("PutBucketVersioning", versioning("Enabled", "Disabled")),
        Expect(skipped="no_change"),
        "versioning-enabled-as-in-state",
    ),
    case(
        "lab",
        s3("PutBucketVersioning", versioning("Enabled", "Enabled")),
        Expect(
            Kind.MODIFIED,
            "aws_s3_bucket_versioning.data",
            Severity.MEDIUM,
            changes={"versioning_configuration[0].mfa_delete": ("", "Enabled")},
        ),
        "versioning-mfa-delete-enabled",
    ),
    case(
        "lab",
        s3("PutBucketVersioning", versioning("Suspended"), region="eu-west-1"),
        Expect(Kind.MODIFIED, "aws_s3_bucket_versioning.data"),
        "versioning-any-region",
    ),
    case(
        "inline",
        s3("PutBucketVersioning", versioning("Suspended")),
        Expect(
            Kind.MODIFIED,
            "aws_s3_bucket.legacy",
            Severity.HIGH,
            changes={"versioning[0].enabled": (True, False)},
        ),
        "versioning-inline",
    ),
    case(
        "inline",
        s3("PutBucketVersioning", versioning("Enabled")),
        Expect(skipped="no_change"),
        "versioning-inline-as-in-state",
    ),
    case(
        "modules",
        s3("PutBucketVersioning", versioning("Suspended"), bucket="logs-eu"),
        Expect(Kind.MODIFIED, 'module.storage.aws_s3_bucket_versioning.this["eu"]', Severity.HIGH),
        "versioning-module-for-each-standalone",
    ),
    case(
        "modules",
        s3("PutBucketVersioning", versioning("Suspended"), bucket="logs-us"),
        Expect(
            Kind.MODIFIED,
            'module.storage.aws_s3_bucket.this["us"]',
            paths=("versioning[0].enabled",),
        ),
        "versioning-module-for-each-inline",
    ),
    case(
        "lab",
        [
            s3("PutBucketVersioning", versioning("Suspended"), time=1),
            tf(s3, "PutBucketVersioning", versioning("Enabled"), time=2),
        ],
        Expect(resolved="aws_s3_bucket_versioning.data", reason="reverted by Terraform"),
        "versioning-reverted-by-terraform",
    ),
    case(
        "lab",
        [
            s3("PutBucketVersioning", versioning("Suspended"), time=1),
            s3(
                "PutBucketVersioning",
                versioning("Enabled"),
                time=2,
                actor_name="carol@acme.example",
            ),
        ],
        Expect(resolved="aws_s3_bucket_versioning.data", reason="reverted by carol@acme.example"),
        "versioning-reverted-by-a-person",
    ),
    case(
        "lab",
        [
            s3("PutBucketVersioning", versioning("Suspended"), time=2),
            s3("PutBucketVersioning", versioning("Enabled"), time=1),
        ],
        Expect(
            Kind.MODIFIED,
            "aws_s3_bucket_versioning.data",
            changes={VERSIONING_PATH: ("Enabled", "Suspended")},
        ),
        "versioning-older-event-never-overrides-newer",
    ),
    case(
        "lab",
        tf(s3, "PutBucketVersioning", versioning("Suspended")),
        Expect(skipped="trusted_actor"),
        "versioning-by-terraform-is-not-drift",
    ),
    case(
        "lab",
        s3("PutBucketVersioning", versioning("Suspended"), error_code="AccessDenied"),
        Expect(skipped="failed_call"),
        "versioning-failed-call",
    ),
    case(
        "lab",
        s3("PutBucketVersioning", versioning("Suspended"), bucket="someone-elses-bucket"),
        Expect(skipped="not_in_state"),
        "versioning-unknown-bucket",
    ),
    # ---- bucket policy
    case(
        "lab",
        s3("PutBucketPolicy", bucket_policy()),
        Expect(Kind.MODIFIED, "aws_s3_bucket.data", Severity.CRITICAL, paths=("policy",)),
        "policy-public-inline",
    ),
    case(
        "lab",
        s3("PutBucketPolicy", bucket_policy({"AWS": "*"}, as_text=True)),
        Expect(Kind.MODIFIED, "aws_s3_bucket.data", Severity.CRITICAL),
        "policy-public-as-string",
    ),
    case(
        "lab",
        s3(
            "PutBucketPolicy", bucket_policy("*", {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}})
        ),
        Expect(Kind.MODIFIED, "aws_s3_bucket.data", Severity.MEDIUM),
        "policy-wildcard-with-condition-not-critical",
    ),
    case(
        "standalone",
        s3("PutBucketPolicy", bucket_policy({"AWS": "arn:aws:iam::230446364776:role/writer"})),
        Expect(Kind.MODIFIED, "aws_s3_bucket_policy.data", Severity.MEDIUM, paths=("policy",)),
        "policy-standalone",
    ),
    case(
        "standalone",
        s3(
            "PutBucketPolicy",
            {
                "bucketPolicy": {
                    "Statement": {
                        "Resource": f"arn:aws:s3:::{BUCKET}/*",
                        "Action": "s3:GetObject",
                        "Principal": {"AWS": ["arn:aws:iam::230446364776:role/reader"]},
                        "Effect": "Allow",
                        "Sid": "ReadFromVpc",
                    },
                    "Version": "2012-10-17",
                }
            },
        ),
        Expect(skipped="no_change"),
        "policy-same-up-to-order-and-single-element-lists",
    ),
    case(
        "standalone",
        s3("PutBucketPolicy", {"bucketPolicy": json.dumps(STANDALONE_POLICY_DOC, indent=4)}),
        Expect(skipped="no_change"),
        "policy-same-up-to-whitespace",
    ),
    case(
        "standalone",
        s3("DeleteBucketPolicy", {"policy": [""]}),
        Expect(Kind.DELETED, "aws_s3_bucket_policy.data", Severity.MEDIUM, changes={}),
        "policy-delete-standalone",
    ),
    case(
        "standalone",
        [
            s3("DeleteBucketPolicy", time=1),
            tf(s3, "PutBucketPolicy", {"bucketPolicy": STANDALONE_POLICY_DOC}, time=2),
        ],
        Expect(resolved="aws_s3_bucket_policy.data", reason="recreated by Terraform"),
        "policy-recreated-by-terraform",
    ),
    case(
        "lab",
        s3("DeleteBucketPolicy"),
        Expect(skipped="no_change"),
        "policy-delete-inline-none-in-state",
    ),
    case(
        "inline_kms",
        s3("DeleteBucketPolicy"),
        Expect(Kind.MODIFIED, "aws_s3_bucket.legacy", Severity.MEDIUM, paths=("policy",)),
        "policy-delete-inline",
    ),
    case(
        "lab",
        s3("PutBucketPolicy", {"bucketPolicy": "invalid-json-policy"}),
        Expect(
            Kind.MODIFIED, "aws_s3_bucket.data", changes={"policy": ("", "invalid-json-policy")}
        ),
        "policy-not-json-is-compared-as-text",
    ),
    # ---- ACL
    case(
        "lab",
        s3("PutBucketAcl", {"acl": [""], "x-amz-acl": ["public-read"]}),
        Expect(
            Kind.MODIFIED,
            "aws_s3_bucket.data",
            Severity.CRITICAL,
            changes={"acl": (None, "public-read")},
        ),
        "acl-canned-public-inline",
    ),
    case(
        "lab",
        s3("PutBucketAcl", {"acl": [""], "x-amz-acl": ["private"]}),
        Expect(skipped="no_change"),
        "acl-canned-private-as-in-state",
    ),
    case(
        "lab",
        s3("PutBucketAcl", acl_body(("CanonicalUser", LAB_OWNER_ID, "FULL_CONTROL"))),
        Expect(skipped="no_change"),
        "acl-body-as-in-state",
    ),
    case(
        "lab",
        s3("PutBucketAcl", {"acl": [""], "x-amz-grant-read": [f'uri="{ALL_USERS}"']}),
        Expect(Kind.MODIFIED, "aws_s3_bucket.data", Severity.CRITICAL, paths=("grant",)),
        "acl-grant-header-all-users-inline",
    ),
    case(
        "standalone",
        s3(
            "PutBucketAcl",
            acl_body(("CanonicalUser", LAB_OWNER_ID, "FULL_CONTROL"), ("Group", ALL_USERS, "READ")),
        ),
        Expect(
            Kind.MODIFIED,
            "aws_s3_bucket_acl.data",
            Severity.CRITICAL,
            paths=("access_control_policy",),
        ),
        "acl-body-all-users-standalone",
    ),
    case(
        "standalone",
        s3("PutBucketAcl", {"x-amz-acl": ["authenticated-read"]}),
        Expect(
            Kind.MODIFIED,
            "aws_s3_bucket_acl.data",
            Severity.CRITICAL,
            # The provider cannot read a canned ACL back: Terraform keeps acl as configured
            # and sees the grants it stands for (the S3 oracle's bucket_acl case).
            paths=("access_control_policy",),
        ),
        "acl-canned-authenticated-standalone",
    ),
    # ---- public access block
    case(
        "lab",
        s3("PutBucketPublicAccessBlock", pab(BlockPublicAcls="false")),
        Expect(
            Kind.MODIFIED,
            "aws_s3_bucket_public_access_block.data",
            Severity.CRITICAL,
            changes={"block_public_acls": (True, False)},
        ),
        "pab-flag-off-as-string",
    ),
    case(
        "lab",
        s3(
            "PutBucketPublicAccessBlock",
            {"PublicAccessBlockConfiguration": {"BlockPublicAcls": True}},
        ),
        Expect(
            Kind.MODIFIED,
            "aws_s3_bucket_public_access_block.data",
            Severity.CRITICAL,
            paths=("ignore_public_acls", "block_public_policy", "restrict_public_buckets"),
        ),
        "pab-missing-flags-are-false",
    ),
    case(
        "lab",
        s3("PutBucketPublicAccessBlock", pab(BlockPublicAcls="true")),
        Expect(skipped="no_change"),
        "pab-as-in-state",
    ),
    case(
        "lab",
        s3("DeleteBucketPublicAccessBlock"),
        Expect(Kind.DELETED, "aws_s3_bucket_public_access_block.data", Severity.CRITICAL),
        "pab-deleted",
    ),
    case(
        "lab",
        [
            s3("DeleteBucketPublicAccessBlock", time=1),
            tf(s3, "PutBucketPublicAccessBlock", pab(), time=2),
        ],
        Expect(resolved="aws_s3_bucket_public_access_block.data", reason="recreated by Terraform"),
        "pab-recreated-by-terraform",
    ),
    # ---- the account-wide block (aws_s3_account_public_access_block, id = account id)
    case(
        "account_pab",
        s3("PutAccountPublicAccessBlock", pab(BlockPublicPolicy=False)),
        Expect(
            Kind.MODIFIED,
            "aws_s3_account_public_access_block.this",
            Severity.CRITICAL,
            changes={"block_public_policy": (True, False)},
        ),
        "account-pab-policy-block-off",
    ),
    case(
        "account_pab",
        s3("PutAccountPublicAccessBlock", pab()),
        Expect(skipped="no_change"),
        "account-pab-as-in-state",
    ),
    case(
        "lab",
        s3("PutAccountPublicAccessBlock", pab(BlockPublicAcls=False)),
        Expect(skipped="not_in_state"),
        "account-pab-not-managed",
    ),
    case(
        "account_pab",
        s3("DeleteAccountPublicAccessBlock"),
        Expect(Kind.DELETED, "aws_s3_account_public_access_block.this", Severity.CRITICAL),
        "account-pab-deleted",
    ),
    case(
        "account_pab",
        [
            s3("DeleteAccountPublicAccessBlock", time=1),
            tf(s3, "PutAccountPublicAccessBlock", pab(), time=2),
        ],
        Expect(resolved="aws_s3_account_public_access_block.this", reason="recreated by Terraform"),
        "account-pab-recreated-by-terraform",
    ),
    case(
        "inline",
        s3("PutBucketPublicAccessBlock", pab(RestrictPublicBuckets=False)),
        Expect(
            Kind.UNMANAGED,
            BUCKET,
            Severity.CRITICAL,
            rtype="aws_s3_bucket_public_access_block",
            # A false setting equals an absent one: an import block needs only the true ones.
            changes={
                "block_public_acls": (None, True),
                "ignore_public_acls": (None, True),
                "block_public_policy": (None, True),
            },
        ),
        "pab-unmanaged-on-managed-bucket",
    ),
    case(
        "inline",
        [
            s3("PutBucketPublicAccessBlock", pab(), time=1),
            s3("DeleteBucketPublicAccessBlock", time=2),
        ],
        Expect(resolved=BUCKET, reason="unmanaged resource was deleted"),
        "pab-unmanaged-then-deleted",
    ),
    # ---- encryption
    case(
        "lab",
        s3(
            "PutBucketEncryption", sse("aws:kms", "arn:aws:kms:us-east-1:230446364776:key/k1", True)
        ),
        Expect(
            Kind.MODIFIED,
            "aws_s3_bucket_server_side_encryption_configuration.data",
            Severity.MEDIUM,
            changes={
                SSE + "sse_algorithm": ("AES256", "aws:kms"),
                SSE + "kms_master_key_id": ("", "arn:aws:kms:us-east-1:230446364776:key/k1"),
                "rule[0].bucket_key_enabled": (False, True),
            },
        ),
        "sse-kms-standalone",
    ),
    case(
        "lab",
        s3("PutBucketEncryption", sse("AES256", bucket_key="false", as_list=True)),
        Expect(skipped="no_change"),
        "sse-as-in-state-rule-list",
    ),
    case(
        "lab",
        s3("DeleteBucketEncryption"),
        # S3 falls back to SSE-S3 and the provider keeps the resource in state with an AES256
        # rule, which is what the lab state already says.
        Expect(skipped="no_change"),
        "sse-delete-standalone-leaves-sse-s3-as-in-state",
    ),
    case(
        "inline",
        s3("PutBucketEncryption", sse("aws:kms", "alias/x")),
        Expect(
            Kind.MODIFIED,
            "aws_s3_bucket.legacy",
            paths=(INLINE_SSE + "sse_algorithm", INLINE_SSE + "kms_master_key_id"),
        ),
        "sse-inline",
    ),
    case(
        "inline",
        s3("DeleteBucketEncryption"),
        Expect(skipped="no_change"),
        "sse-delete-inline-leaves-sse-s3-as-in-state",
    ),
    case(
        "inline_kms",
        s3("DeleteBucketEncryption"),
        Expect(
            Kind.MODIFIED,
            "aws_s3_bucket.legacy",
            Severity.HIGH,
            changes={
                INLINE_SSE + "sse_algorithm": ("aws:kms", "AES256"),
                INLINE_SSE + "kms_master_key_id": ("alias/data", ""),
                "server_side_encryption_configuration[0].rule[0].bucket_key_enabled": (True, False),
            },
        ),
        "sse-delete-inline-kms",
    ),
    # ---- tags (lab bucket: tags {Name}, provider default tags Environment/ManagedBy/Project)
    case(
        "lab",
        s3(
            "PutBucketTagging",
            tagging(
                ("Name", "tfdrift-test-data-bucket"),
                ("Environment", "test"),
                ("ManagedBy", "Terraform"),
                ("Project", "TFDrift-Falco"),
                ("Owner", "bob"),
            ),
        ),
        Expect(
            Kind.MODIFIED,
            "aws_s3_bucket.data",
            Severity.LOW,
            changes={
                "tags": (
                    {"Name": "tfdrift-test-data-bucket"},
                    {"Name": "tfdrift-test-data-bucket", "Owner": "bob"},
                )
            },
        ),
        "tags-added-default-tags-stay-provider-s",
    ),
    case(
        "lab",
        s3(
            "PutBucketTagging",
            tagging(
                ("Project", "TFDrift-Falco"),
                ("Name", "tfdrift-test-data-bucket"),
                ("ManagedBy", "Terraform"),
                ("Environment", "test"),
            ),
        ),
        Expect(skipped="no_change"),
        "tags-full-set-as-in-state",
    ),
    case(
        "inline",
        s3("PutBucketTagging", tagging(("Owner", "bob"), single=True)),
        Expect(Kind.MODIFIED, "aws_s3_bucket.legacy", changes={"tags": ({}, {"Owner": "bob"})}),
        "tags-single-tag-object",
    ),
    case(
        "lab",
        s3("DeleteBucketTagging", {"tagging": [""]}),
        Expect(
            Kind.MODIFIED,
            "aws_s3_bucket.data",
            Severity.LOW,
            changes={"tags": ({"Name": "tfdrift-test-data-bucket"}, {})},
        ),
        "tags-deleted",
    ),
    # ---- create / delete
    case(
        "lab",
        s3(
            "CreateBucket",
            {"CreateBucketConfiguration": {"LocationConstraint": "eu-west-1"}},
            bucket="shadow-it",
        ),
        Expect(
            Kind.UNMANAGED,
            "shadow-it",
            Severity.MEDIUM,
            rtype="aws_s3_bucket",
            changes={"bucket": (None, "shadow-it")},
        ),
        "create-unmanaged",
    ),
    case(
        "lab",
        s3("CreateBucket", {"x-amz-acl": ["public-read-write"]}, bucket="shadow-it"),
        Expect(Kind.UNMANAGED, "shadow-it", Severity.CRITICAL),
        "create-unmanaged-public",
    ),
    case(
        "lab",
        s3("CreateBucket", bucket="shadow-it", account="999999999999"),
        Expect(skipped="not_in_state"),
        "create-in-foreign-account-ignored",
    ),
    case("lab", s3("CreateBucket"), Expect(), "create-of-managed-bucket-by-hand-is-no-drift"),
    case(
        "lab",
        [
            s3("CreateBucket", bucket="shadow-it", time=1),
            s3("PutBucketVersioning", versioning("Enabled"), bucket="shadow-it", time=2),
        ],
        Expect(
            Kind.UNMANAGED,
            "shadow-it",
            changes={"bucket": (None, "shadow-it"), "versioning[0].enabled": (None, True)},
        ),
        "create-then-configure-joins-unmanaged",
    ),
    case(
        "lab",
        [
            s3("CreateBucket", bucket="shadow-it", time=1),
            s3("DeleteBucket", bucket="shadow-it", time=2),
        ],
        Expect(resolved="shadow-it", reason="unmanaged resource was deleted"),
        "create-then-delete-resolves",
    ),
    case(
        "lab",
        [
            s3("CreateBucket", bucket="shadow-it", time=1),
            s3("DeleteBucketPolicy", bucket="shadow-it", time=2),
        ],
        Expect(Kind.UNMANAGED, "shadow-it"),
        "delete-policy-does-not-resolve-unmanaged-bucket",
    ),
    case(
        "lab",
        s3("DeleteBucket"),
        Expect(Kind.DELETED, "aws_s3_bucket.data", Severity.HIGH),
        "delete-managed-bucket",
    ),
    case(
        "lab",
        [s3("DeleteBucket", time=1), tf(s3, "CreateBucket", time=2)],
        Expect(resolved="aws_s3_bucket.data", reason="recreated by Terraform"),
        "delete-then-terraform-recreates",
    ),
]


@pytest.mark.parametrize(("state", "events", "expect"), S3_CASES)
def test_s3(state: str, events: list[CloudEvent], expect: Expect, lab_index: StateIndex) -> None:
    check(runs(index_for(state, lab_index), events), expect)


# --------------------------------------------------------------------------- IAM cases

LAB_POLICY_ID = f"{ROLE}:{ROLE_POLICY}"


def put_role_policy(role: str, name: str, document: Any, **kw: Any) -> CloudEvent:
    return iam(
        "PutRolePolicy", {"roleName": role, "policyName": name, "policyDocument": document}, **kw
    )


def attach_role(role: str, arn: str, **kw: Any) -> CloudEvent:
    return iam("AttachRolePolicy", {"roleName": role, "policyArn": arn}, **kw)


def detach_role(role: str, arn: str, **kw: Any) -> CloudEvent:
    return iam("DetachRolePolicy", {"roleName": role, "policyArn": arn}, **kw)


def trust(principal: Any, condition: Any = None) -> str:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": principal,
        "Action": "sts:AssumeRole",
    }
    if condition:
        statement["Condition"] = condition
    return doc({"Version": "2012-10-17", "Statement": [statement]}, pretty=True)


def has_managed_arns(expected: list[str]) -> Callable[[Drift], None]:
    def extra(drift: Drift) -> None:
        assert changes_of(drift)["managed_policy_arns"][1] == expected

    return extra


IAM_CASES = [
    # ---- managed policy attachments on a role without attachment resources: the role itself
    case(
        "lab",
        attach_role(ROLE, ADMIN),
        Expect(
            Kind.MODIFIED,
            "aws_iam_role.app",
            Severity.CRITICAL,
            changes={"managed_policy_arns": ([], [ADMIN])},
        ),
        "attach-admin-inline-role",
    ),
    case(
        "lab",
        attach_role(ROLE, READ_ONLY),
        Expect(Kind.MODIFIED, "aws_iam_role.app", Severity.HIGH),
        "attach-other-policy-high",
    ),
    case(
        "lab",
        [attach_role(ROLE, POWER_USER, time=1), detach_role(ROLE, POWER_USER, time=2)],
        Expect(resolved="aws_iam_role.app", reason="reverted by"),
        "attach-then-detach-by-hand-resolves",
    ),
    case(
        "lab",
        attach_role(ROLE, ADMIN, account="111122223333"),
        Expect(skipped="not_in_state"),
        "attach-in-other-account-not-our-role",
    ),
    case(
        "inline_role",
        detach_role("worker", READ_ONLY),
        Expect(
            Kind.MODIFIED,
            "aws_iam_role.worker",
            Severity.MEDIUM,
            changes={"managed_policy_arns": ([READ_ONLY], [])},
        ),
        "detach-inline-role",
    ),
    case(
        "inline_role",
        attach_role("worker", READ_ONLY),
        Expect(skipped="no_change"),
        "attach-already-in-managed-policy-arns",
    ),
    case(
        "modules",
        attach_role("svc-1", ADMIN),
        Expect(Kind.MODIFIED, "module.iam.aws_iam_role.svc[1]", Severity.CRITICAL),
        "attach-module-count-role",
    ),
    # ---- roles with attachment resources
    case(
        "attached",
        attach_role("app", POWER_USER),
        Expect(
            Kind.UNMANAGED,
            f"app/{POWER_USER}",
            Severity.HIGH,
            rtype="aws_iam_role_policy_attachment",
            changes={"role": (None, "app"), "policy_arn": (None, POWER_USER)},
        ),
        "attach-unmanaged-attachment",
    ),
    case(
        "attached", attach_role("app", READ_ONLY), Expect(), "attach-already-attached-is-no-drift"
    ),
    case(
        "attached",
        detach_role("app", READ_ONLY),
        Expect(Kind.DELETED, "aws_iam_role_policy_attachment.app_ro", Severity.MEDIUM),
        "detach-managed-attachment-only-that-role",
    ),
    case(
        "attached",
        [detach_role("app", READ_ONLY, time=1), tf(attach_role, "app", READ_ONLY, time=2)],
        Expect(resolved="aws_iam_role_policy_attachment.app_ro", reason="recreated by Terraform"),
        "detach-then-terraform-reattaches",
    ),
    case(
        "attached",
        [attach_role("app", ADMIN, time=1), detach_role("app", ADMIN, time=2)],
        Expect(resolved=f"app/{ADMIN}", reason="unmanaged resource was deleted"),
        "unmanaged-attachment-detached",
    ),
    case(
        "attached",
        iam("AttachUserPolicy", {"userName": "ops", "policyArn": ADMIN}),
        Expect(
            Kind.UNMANAGED,
            f"ops/{ADMIN}",
            Severity.CRITICAL,
            rtype="aws_iam_user_policy_attachment",
        ),
        "attach-user-unmanaged-admin",
    ),
    case(
        "attached",
        iam("AttachUserPolicy", {"userName": "ci", "policyArn": READ_ONLY}),
        Expect(),
        "attach-user-already-attached",
    ),
    case(
        "attached",
        iam("DetachUserPolicy", {"userName": "ci", "policyArn": READ_ONLY}),
        Expect(Kind.DELETED, "aws_iam_user_policy_attachment.ci_ro"),
        "detach-user-managed",
    ),
    case(
        "attached",
        iam("AttachUserPolicy", {"userName": "nobody", "policyArn": ADMIN}),
        Expect(skipped="not_in_state"),
        "attach-user-unknown-user",
    ),
    # ---- inline role policies
    case(
        "lab",
        put_role_policy(ROLE, ROLE_POLICY, doc(LAB_ROLE_POLICY_DOC, pretty=True)),
        Expect(skipped="no_change"),
        "put-role-policy-as-in-state",
    ),
    case(
        "lab",
        put_role_policy(ROLE, ROLE_POLICY, quote(json.dumps(LAB_ROLE_POLICY_DOC))),
        Expect(skipped="no_change"),
        "put-role-policy-url-encoded-as-in-state",
    ),
    case(
        "lab",
        put_role_policy(ROLE, ROLE_POLICY, doc(ADMIN_DOC)),
        Expect(Kind.MODIFIED, "aws_iam_role_policy.app", Severity.CRITICAL, paths=("policy",)),
        "put-role-policy-admin",
    ),
    case(
        "lab",
        put_role_policy(ROLE, "extra", doc(LAB_ROLE_POLICY_DOC)),
        Expect(Kind.UNMANAGED, f"{ROLE}:extra", Severity.MEDIUM, rtype="aws_iam_role_policy"),
        "put-role-policy-unmanaged",
    ),
    case(
        "lab",
        iam("DeleteRolePolicy", {"roleName": ROLE, "policyName": ROLE_POLICY}),
        Expect(Kind.DELETED, "aws_iam_role_policy.app"),
        "delete-role-policy",
    ),
    case(
        "lab",
        [
            iam("DeleteRolePolicy", {"roleName": ROLE, "policyName": ROLE_POLICY}, time=1),
            tf(put_role_policy, ROLE, ROLE_POLICY, doc(LAB_ROLE_POLICY_DOC), time=2),
        ],
        Expect(resolved="aws_iam_role_policy.app", reason="recreated by Terraform"),
        "delete-role-policy-then-terraform-recreates",
    ),
    case(
        "lab",
        [
            put_role_policy(ROLE, ROLE_POLICY, doc(ADMIN_DOC), time=1),
            tf(put_role_policy, ROLE, ROLE_POLICY, doc(LAB_ROLE_POLICY_DOC), time=2),
        ],
        Expect(resolved="aws_iam_role_policy.app", reason="reverted by Terraform"),
        "role-policy-reverted-by-terraform",
    ),
    case(
        "inline_role",
        put_role_policy("worker", "admin", doc(ADMIN_DOC)),
        Expect(Kind.MODIFIED, "aws_iam_role.worker", Severity.CRITICAL, paths=("inline_policy",)),
        "put-role-policy-inline-block",
    ),
    case(
        "inline_role",
        put_role_policy("worker", "read", doc(LAB_ROLE_POLICY_DOC, pretty=True)),
        Expect(skipped="no_change"),
        "put-role-policy-inline-as-in-state",
    ),
    case(
        "inline_role",
        iam("DeleteRolePolicy", {"roleName": "worker", "policyName": "read"}),
        Expect(
            Kind.MODIFIED,
            "aws_iam_role.worker",
            changes={"inline_policy": ([{"name": "read", "policy": doc(LAB_ROLE_POLICY_DOC)}], [])},
        ),
        "delete-role-policy-inline-block",
    ),
    # ---- inline user policies
    case(
        "users",
        iam(
            "PutUserPolicy",
            {
                "userName": "alice",
                "policyName": "deny",
                "policyDocument": doc(ADMIN_DOC, pretty=True),
            },
        ),
        Expect(skipped="no_change"),
        "put-user-policy-as-in-state",
    ),
    case(
        "users",
        iam(
            "PutUserPolicy",
            {"userName": "alice", "policyName": "deny", "policyDocument": doc(LAB_ROLE_POLICY_DOC)},
        ),
        Expect(Kind.MODIFIED, "aws_iam_user_policy.alice", Severity.MEDIUM, paths=("policy",)),
        "put-user-policy-modified",
    ),
    case(
        "users",
        iam(
            "PutUserPolicy",
            {"userName": "alice", "policyName": "more", "policyDocument": doc(ADMIN_DOC)},
        ),
        Expect(Kind.UNMANAGED, "alice:more", Severity.CRITICAL, rtype="aws_iam_user_policy"),
        "put-user-policy-unmanaged-admin",
    ),
    case(
        "users",
        iam("DeleteUserPolicy", {"userName": "alice", "policyName": "deny"}),
        Expect(Kind.DELETED, "aws_iam_user_policy.alice"),
        "delete-user-policy",
    ),
    # ---- trust policies
    case(
        "lab",
        iam(
            "UpdateAssumeRolePolicy",
            {"roleName": ROLE, "policyDocument": trust({"AWS": "arn:aws:iam::193672423079:root"})},
        ),
        Expect(Kind.MODIFIED, "aws_iam_role.app", Severity.CRITICAL, paths=("assume_role_policy",)),
        "trust-foreign-account-critical",
    ),
    case(
        "lab",
        iam("UpdateAssumeRolePolicy", {"roleName": ROLE, "policyDocument": trust("*")}),
        Expect(Kind.MODIFIED, "aws_iam_role.app", Severity.CRITICAL),
        "trust-anyone-critical",
    ),
    case(
        "lab",
        iam(
            "UpdateAssumeRolePolicy",
            {"roleName": ROLE, "policyDocument": trust({"AWS": f"arn:aws:iam::{ACCOUNT}:role/ci"})},
        ),
        Expect(Kind.MODIFIED, "aws_iam_role.app", Severity.HIGH),
        "trust-own-account-high",
    ),
    case(
        "lab",
        iam(
            "UpdateAssumeRolePolicy",
            {"roleName": ROLE, "policyDocument": trust({"Service": ["ec2.amazonaws.com"]})},
        ),
        Expect(skipped="no_change"),
        "trust-as-in-state",
    ),
    # ---- roles
    case(
        "lab",
        iam(
            "CreateRole",
            {
                "roleName": "shadow",
                "assumeRolePolicyDocument": trust({"Service": "lambda.amazonaws.com"}),
                "path": "/svc/",
                "maxSessionDuration": 7200,
                "description": "made by hand",
                "tags": [{"key": "Owner", "value": "bob"}],
            },
            {"role": {"arn": f"arn:aws:iam::{ACCOUNT}:role/svc/shadow"}},
        ),
        Expect(
            Kind.UNMANAGED,
            "shadow",
            Severity.MEDIUM,
            rtype="aws_iam_role",
            paths=(
                "name",
                "assume_role_policy",
                "path",
                "max_session_duration",
                "description",
                "tags",
            ),
        ),
        "create-role-unmanaged",
    ),
    case(
        "lab",
        iam(
            "CreateRole",
            {
                "roleName": "backdoor",
                "assumeRolePolicyDocument": trust({"AWS": "arn:aws:iam::193672423079:root"}),
            },
        ),
        Expect(Kind.UNMANAGED, "backdoor", Severity.CRITICAL),
        "create-role-foreign-trust-critical",
    ),
    case(
        "lab",
        iam("CreateRole", {"roleName": ROLE, "assumeRolePolicyDocument": doc(EC2_TRUST)}),
        Expect(),
        "create-managed-role-by-hand-no-drift",
    ),
    case(
        "lab",
        iam("DeleteRole", {"roleName": ROLE}),
        Expect(Kind.DELETED, "aws_iam_role.app", Severity.HIGH),
        "delete-role",
    ),
    case(
        "lab",
        [
            iam("DeleteRole", {"roleName": ROLE}, time=1),
            tf(
                iam,
                "CreateRole",
                {"roleName": ROLE, "assumeRolePolicyDocument": doc(EC2_TRUST)},
                time=2,
            ),
        ],
        Expect(resolved="aws_iam_role.app", reason="recreated by Terraform"),
        "delete-role-then-terraform-recreates",
    ),
    case(
        "lab",
        [
            iam(
                "CreateRole",
                {"roleName": "shadow", "assumeRolePolicyDocument": doc(EC2_TRUST)},
                time=1,
            ),
            attach_role("shadow", ADMIN, time=2),
        ],
        Expect(Kind.UNMANAGED, "shadow", Severity.CRITICAL, extra=has_managed_arns([ADMIN])),
        "unmanaged-role-attach-joins-and-escalates",
    ),
    case(
        "lab",
        iam("UpdateRole", {"roleName": ROLE, "maxSessionDuration": 43200}),
        Expect(
            Kind.MODIFIED,
            "aws_iam_role.app",
            Severity.MEDIUM,
            changes={"max_session_duration": (3600, 43200)},
        ),
        "update-role-session-duration",
    ),
    case(
        "lab",
        iam("UpdateRole", {"roleName": ROLE, "description": "changed"}),
        Expect(
            Kind.MODIFIED,
            "aws_iam_role.app",
            Severity.LOW,
            changes={"description": ("", "changed")},
        ),
        "update-role-description-low",
    ),
    case(
        "lab",
        iam("UpdateRoleDescription", {"roleName": ROLE, "description": ""}),
        Expect(skipped="no_change"),
        "update-role-description-as-in-state",
    ),
    case(
        "inline_role",
        iam("DeleteRolePermissionsBoundary", {"roleName": "worker"}),
        Expect(
            Kind.MODIFIED,
            "aws_iam_role.worker",
            Severity.HIGH,
            changes={"permissions_boundary": ("arn:aws:iam::230446364776:policy/boundary", "")},
        ),
        "delete-permissions-boundary",
    ),
    case(
        "lab",
        iam(
            "PutRolePermissionsBoundary",
            {"roleName": ROLE, "permissionsBoundary": "arn:aws:iam::aws:policy/AWSDenyAll"},
        ),
        Expect(Kind.MODIFIED, "aws_iam_role.app", Severity.MEDIUM, paths=("permissions_boundary",)),
        "put-permissions-boundary",
    ),
    case(
        "inline_role",
        iam(
            "TagRole", {"roleName": "worker", "tags": [{"key": "ManagedBy", "value": "Terraform"}]}
        ),
        Expect(skipped="no_change"),
        "tag-role-default-tag-as-in-state",
    ),
    case(
        "inline_role",
        iam("TagRole", {"roleName": "worker", "tags": [{"key": "Owner", "value": "bob"}]}),
        Expect(
            Kind.MODIFIED,
            "aws_iam_role.worker",
            Severity.LOW,
            changes={"tags": ({"Team": "data"}, {"Team": "data", "Owner": "bob"})},
        ),
        "tag-role",
    ),
    case(
        "inline_role",
        iam("UntagRole", {"roleName": "worker", "tagKeys": ["Team"]}),
        Expect(
            Kind.MODIFIED,
            "aws_iam_role.worker",
            Severity.LOW,
            changes={"tags": ({"Team": "data"}, {})},
        ),
        "untag-role",
    ),
    # ---- users, policies, credentials
    case(
        "users",
        iam(
            "CreateUser",
            {"userName": "mallory", "tags": [{"key": "x", "value": "y"}]},
            {"user": {"arn": f"arn:aws:iam::{ACCOUNT}:user/mallory"}},
        ),
        Expect(
            Kind.UNMANAGED,
            "mallory",
            Severity.MEDIUM,
            rtype="aws_iam_user",
            changes={"name": (None, "mallory"), "tags": (None, {"x": "y"})},
        ),
        "create-user-unmanaged",
    ),
    case(
        "users",
        [
            iam("CreateUser", {"userName": "mallory"}, time=1),
            iam("AttachUserPolicy", {"userName": "mallory", "policyArn": ADMIN}, time=2),
        ],
        Expect(Kind.UNMANAGED, "mallory", Severity.CRITICAL),
        "create-user-then-admin-escalates",
    ),
    case(
        "users",
        iam("DeleteUser", {"userName": "alice"}),
        Expect(Kind.DELETED, "aws_iam_user.alice", Severity.MEDIUM),
        "delete-user",
    ),
    case(
        "users",
        iam("TagUser", {"userName": "alice", "tags": [{"key": "Team", "value": "sec"}]}),
        Expect(Kind.MODIFIED, "aws_iam_user.alice", Severity.LOW, paths=("tags",)),
        "tag-user",
    ),
    case(
        "users",
        iam("UntagUser", {"userName": "alice", "tagKeys": ["Missing"]}),
        Expect(skipped="no_change"),
        "untag-user-absent-key",
    ),
    case(
        "users",
        iam(
            "CreatePolicy",
            {"policyName": "wide", "policyDocument": doc(ADMIN_DOC), "path": "/"},
            {"policy": {"arn": f"arn:aws:iam::{ACCOUNT}:policy/wide", "policyName": "wide"}},
        ),
        Expect(
            Kind.UNMANAGED,
            f"arn:aws:iam::{ACCOUNT}:policy/wide",
            Severity.CRITICAL,
            rtype="aws_iam_policy",
        ),
        "create-policy-admin",
    ),
    case(
        "users",
        iam(
            "CreatePolicy",
            {"policyName": "narrow", "policyDocument": doc(LAB_ROLE_POLICY_DOC), "path": "/team/"},
        ),
        Expect(Kind.UNMANAGED, f"arn:aws:iam::{ACCOUNT}:policy/team/narrow", Severity.MEDIUM),
        "create-policy-arn-without-response",
    ),
    case(
        "users",
        iam(
            "CreatePolicyVersion",
            {
                "policyArn": f"arn:aws:iam::{ACCOUNT}:policy/deploy",
                "policyDocument": doc(ADMIN_DOC),
                "setAsDefault": True,
            },
        ),
        Expect(Kind.MODIFIED, "aws_iam_policy.deploy", Severity.CRITICAL, paths=("policy",)),
        "policy-version-default-admin",
    ),
    case(
        "users",
        iam(
            "CreatePolicyVersion",
            {
                "policyArn": f"arn:aws:iam::{ACCOUNT}:policy/deploy",
                "policyDocument": doc(ADMIN_DOC),
                "setAsDefault": False,
            },
        ),
        Expect(skipped="no_change"),
        "policy-version-not-default",
    ),
    case(
        "users",
        iam(
            "SetDefaultPolicyVersion",
            {"policyArn": f"arn:aws:iam::{ACCOUNT}:policy/deploy", "versionId": "v1"},
        ),
        Expect(Kind.MODIFIED, "aws_iam_policy.deploy", Severity.HIGH, changes={}),
        "policy-default-version-switched",
    ),
    case(
        "users",
        iam("DeletePolicy", {"policyArn": f"arn:aws:iam::{ACCOUNT}:policy/deploy"}),
        Expect(Kind.DELETED, "aws_iam_policy.deploy"),
        "delete-policy",
    ),
    case(
        "users",
        iam(
            "CreateAccessKey",
            {"userName": "alice"},
            {
                "accessKey": {
                    "accessKeyId": "AKIANEWKEY0000000002",
                    "status": "Active",
                    "userName": "alice",
                }
            },
        ),
        Expect(
            Kind.UNMANAGED,
            "AKIANEWKEY0000000002",
            Severity.HIGH,
            rtype="aws_iam_access_key",
            changes={"user": (None, "alice"), "status": (None, "Active")},
        ),
        "access-key-unmanaged",
    ),
    case(
        "users",
        iam(
            "CreateAccessKey",
            {"userName": "engineer"},
            {"accessKey": {"accessKeyId": "AKIANEWKEY0000000003", "userName": "engineer"}},
        ),
        Expect(skipped="not_in_state"),
        "access-key-of-unmanaged-user-ignored",
    ),
    case(
        "users",
        iam(
            "UpdateAccessKey",
            {"userName": "alice", "accessKeyId": "AKIAEXAMPLEKEY000001", "status": "Inactive"},
        ),
        Expect(
            Kind.MODIFIED, "aws_iam_access_key.alice", changes={"status": ("Active", "Inactive")}
        ),
        "access-key-deactivated",
    ),
    case(
        "users",
        iam("DeleteAccessKey", {"userName": "alice", "accessKeyId": "AKIAEXAMPLEKEY000001"}),
        Expect(Kind.DELETED, "aws_iam_access_key.alice"),
        "access-key-deleted",
    ),
    case(
        "users",
        iam("UpdateLoginProfile", {"userName": "alice"}),
        Expect(Kind.MODIFIED, "aws_iam_user_login_profile.alice", Severity.HIGH, changes={}),
        "login-profile-password-changed",
    ),
    case(
        "users",
        iam("DeleteLoginProfile", {"userName": "alice"}),
        Expect(Kind.DELETED, "aws_iam_user_login_profile.alice"),
        "login-profile-deleted",
    ),
    case(
        "attached",
        iam("CreateLoginProfile", {"userName": "ops", "passwordResetRequired": False}),
        Expect(Kind.UNMANAGED, "ops", Severity.HIGH, rtype="aws_iam_user_login_profile"),
        "login-profile-unmanaged",
    ),
]


@pytest.mark.parametrize(("state", "events", "expect"), IAM_CASES)
def test_iam(state: str, events: list[CloudEvent], expect: Expect, lab_index: StateIndex) -> None:
    check(runs(index_for(state, lab_index), events), expect)


# --------------------------------------------------------------------------- the tables


def test_tables_cover_the_required_events() -> None:
    s3_events = {r.event for r in s3_table.RULES}
    iam_events = {r.event for r in iam_table.RULES}
    assert {
        "PutBucketVersioning",
        "PutBucketPolicy",
        "DeleteBucketPolicy",
        "PutBucketAcl",
        "PutBucketPublicAccessBlock",
        "DeleteBucketPublicAccessBlock",
        "PutBucketEncryption",
        "DeleteBucketEncryption",
        "PutBucketTagging",
        "DeleteBucketTagging",
        "CreateBucket",
        "DeleteBucket",
    } <= s3_events
    assert {
        "AttachRolePolicy",
        "DetachRolePolicy",
        "AttachUserPolicy",
        "DetachUserPolicy",
        "PutRolePolicy",
        "DeleteRolePolicy",
        "PutUserPolicy",
        "UpdateAssumeRolePolicy",
        "CreateRole",
        "DeleteRole",
        "CreateUser",
        "DeleteUser",
        "CreatePolicy",
        "CreatePolicyVersion",
        "TagRole",
        "UntagRole",
    } <= iam_events
    assert all(r.source == "s3.amazonaws.com" for r in s3_table.RULES)
    assert all(r.source == "iam.amazonaws.com" for r in iam_table.RULES)
    # Every row has a target, and the default catalog takes both tables without a clash.
    assert all(r.targets for r in (*s3_table.RULES, *iam_table.RULES))
    catalog = Catalog.default()
    for rule in (*s3_table.RULES, *iam_table.RULES):
        assert catalog.get(rule.event, rule.source) is rule


def test_every_event_was_exercised() -> None:
    """Each row of both tables appears in at least one case above."""
    used = {e.name for cases in (S3_CASES, IAM_CASES) for p in cases for e in p.values[1]}
    assert {r.event for r in (*s3_table.RULES, *iam_table.RULES)} <= used


# --------------------------------------------------------------------------- policy documents

TRUST_DOC = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": ["arn:aws:iam::111111111111:root", "222222222222"]},
            "Action": "sts:AssumeRole",
        }
    ],
}


@pytest.mark.parametrize(
    ("left", "right", "equal"),
    [
        pytest.param({"a": [1]}, '{"a": 1}', True, id="single-element-list-is-scalar"),
        pytest.param(
            '{"b": 1, "a": 2}', '{ "a" : 2,\n "b": 1 }', True, id="key-order-and-whitespace"
        ),
        pytest.param(quote('{"a": [2, 1]}'), {"a": [1, 2]}, True, id="url-encoded-and-list-order"),
        pytest.param(
            {"Statement": [{"Principal": "*"}]},
            {"Statement": {"Principal": {"AWS": "*"}}},
            True,
            id="star-principal-forms",
        ),
        pytest.param("", None, True, id="empty-is-none"),
        pytest.param({"a": 1}, {"a": 2}, False, id="different"),
    ],
)
def test_policy_compare(left: Any, right: Any, equal: bool) -> None:
    assert (policy_compare(left) == policy_compare(right)) is equal


@pytest.mark.parametrize(
    ("document", "public", "admin"),
    [
        pytest.param(ADMIN_DOC, False, True, id="admin"),
        pytest.param(
            {"Statement": {"Effect": "Allow", "Action": ["*:*"], "Resource": ["*"]}},
            False,
            True,
            id="admin-star-star",
        ),
        pytest.param(
            {"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]},
            False,
            False,
            id="deny-all-is-not-admin",
        ),
        pytest.param(
            {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*"}]},
            True,
            False,
            id="public",
        ),
        pytest.param(
            {"Statement": [{"Effect": "Allow", "Principal": "*", "Condition": {}}]},
            True,
            False,
            id="empty-condition-is-public",
        ),
        pytest.param("not json", False, False, id="garbage"),
        pytest.param({"Statement": "nonsense"}, False, False, id="odd-shape"),
    ],
)
def test_policy_analysis(document: Any, public: bool, admin: bool) -> None:
    assert (public_grant(document) is not None) is public
    assert (admin_grant(document) is not None) is admin


def test_foreign_trust() -> None:
    assert (
        foreign_trust(TRUST_DOC, "111111111111")
        == "trusts principals of another account (222222222222)"
    )
    assert foreign_trust(TRUST_DOC, "222222222222") is not None
    own = {
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:role/x"}}]
    }
    assert foreign_trust(own, "111111111111") is None
    assert parse_policy("   ") is not None and policy_compare("   ") is None


# --------------------------------------------------------------------------- corpus records

# Names from the panther-analysis and stratus-red-team records, managed in various forms.
CORPUS_STATE: tuple[ResourceSpec, ...] = (
    # panther, account 123456789012 / 111111111111
    ("aws_s3_bucket", "example", bucket_attrs("example-bucket")),
    ("aws_s3_bucket", "bucket", bucket_attrs("bucket")),
    ("aws_s3_bucket", "critical", bucket_attrs("critical-data-bucket")),
    (
        "aws_s3_bucket_versioning",
        "critical",
        {
            "id": "critical-data-bucket",
            "bucket": "critical-data-bucket",
            "versioning_configuration": [{"status": "Enabled", "mfa_delete": "Enabled"}],
        },
    ),
    ("aws_s3_bucket", "important", bucket_attrs("important-files-bucket")),
    ("aws_s3_bucket", "corporate", bucket_attrs("corporate-documents")),
    (
        "aws_s3_bucket_public_access_block",
        "corporate",
        {
            "id": "corporate-documents",
            "bucket": "corporate-documents",
            "block_public_acls": True,
            "ignore_public_acls": True,
            "block_public_policy": True,
            "restrict_public_buckets": True,
        },
    ),
    ("aws_iam_role", "lambda", role_attrs("LambdaFunctionRole-1111", "123456789012")),
    (
        "aws_iam_role",
        "new",
        role_attrs("new-role", "123456789012", managed_policy_arns=[READ_ONLY]),
    ),
    ("aws_iam_role_policy_attachment", "new_ro", attachment("role", "new-role", READ_ONLY)),
    ("aws_iam_user", "test", user_attrs("test-user", "123456789012")),
    ("aws_iam_user", "compromised", user_attrs("compromised_user", "123456789012")),
    (
        "aws_iam_user_policy",
        "quarantine",
        {
            "id": "compromised_user:AWSCompromisedKeyQuarantineV3",
            "name": "AWSCompromisedKeyQuarantineV3",
            "user": "compromised_user",
            "policy": doc(ADMIN_DOC),
        },
    ),
    # stratus-red-team, one account per detonation
    ("aws_iam_role", "backdoor", role_attrs("stratus-red-team-backdoor-r-role", "751203476945")),
    ("aws_iam_user", "backdoor", user_attrs("stratus-red-team-backdoor-u-user", "946986569305")),
    ("aws_iam_role", "admin_user_account", role_attrs("ci", "229654561268")),
    ("aws_iam_role", "backdoor_role_account", role_attrs("ci", "609418236337")),
    ("aws_iam_user", "login", user_attrs("stratus-red-team-login-profile-user", "070411556318")),
    (
        "aws_iam_user",
        "update_login",
        user_attrs("stratus-red-team-update-login-profile-user", "763751499319"),
    ),
    (
        "aws_iam_user_login_profile",
        "update_login",
        {
            "id": "stratus-red-team-update-login-profile-user",
            "user": "stratus-red-team-update-login-profile-user",
            "password_reset_required": False,
        },
    ),
)

# (event name, case) -> (kind, label, severity, resource type) of the one open drift, or a
# skip reason. Every record of these events in the corpus file is listed (the test checks).
PANTHER_EXPECTED: dict[tuple[str, str], tuple[Kind, str, Severity, str] | str] = {
    ("AttachRolePolicy", "IAM Change"): (
        Kind.MODIFIED,
        "aws_iam_role.lambda",
        Severity.HIGH,
        "aws_iam_role",
    ),
    ("AttachRolePolicy", "Error Making IAM Change"): "failed_call",
    ("AttachRolePolicy", "IAM Role Policy Attached with Administrator Access"): (
        Kind.UNMANAGED,
        f"new-role/{ADMIN}",
        Severity.CRITICAL,
        "aws_iam_role_policy_attachment",
    ),
    (
        "AttachRolePolicy",
        "IAM Role Policy Attached without Administrator Access",
    ): "already_managed",
    ("PutUserPolicy", "PutUserPolicy-false"): (
        Kind.UNMANAGED,
        "test-user:TestUserDenyAll",
        Severity.MEDIUM,
        "aws_iam_user_policy",
    ),
    ("PutUserPolicy", "An AWS IAM Access Key was Compromised"): (
        Kind.MODIFIED,
        "aws_iam_user_policy.quarantine",
        Severity.MEDIUM,
        "aws_iam_user_policy",
    ),
    ("PutUserPolicy", "Request Param is null"): "no_resource_id",
    ("PutBucketPolicy", "S3 Made Publicly Accessible"): (
        Kind.MODIFIED,
        "aws_s3_bucket.example",
        Severity.CRITICAL,
        "aws_s3_bucket",
    ),
    ("PutBucketPolicy", "S3 Not Made Publicly Accessible"): (
        Kind.MODIFIED,
        "aws_s3_bucket.example",
        Severity.MEDIUM,
        "aws_s3_bucket",
    ),
    ("PutBucketPolicy", "Null Request Parameters"): "no_resource_id",
    ("PutBucketPolicy", "S3 Failed to make Publicly Accessible"): "failed_call",
    ("PutBucketPolicy", "Invalid JSON Policy (Should Not Alert)"): "no_resource_id",
    ("PutBucketPolicy", "All Restrictive Conditions Types (Should Not Alert)"): "no_resource_id",
    ("PutBucketVersioning", "Root Activity"): (
        Kind.MODIFIED,
        "aws_s3_bucket.bucket",
        Severity.MEDIUM,
        "aws_s3_bucket",
    ),
    ("PutBucketVersioning", "MFA Delete Disabled Successfully"): (
        Kind.MODIFIED,
        "aws_s3_bucket_versioning.critical",
        Severity.MEDIUM,
        "aws_s3_bucket_versioning",
    ),
    ("PutBucketVersioning", "MFA Delete Disabled - Failed"): "failed_call",
    ("PutBucketVersioning", "MFA Delete Enabled"): "no_change",
    ("PutBucketVersioning", "Non-S3 Event"): "not_in_catalog",
    ("PutBucketVersioning", "MFA Delete Field Missing"): "no_change",
    ("PutBucketVersioning", "Match - Versioning Suspended"): (
        Kind.MODIFIED,
        "aws_s3_bucket_versioning.critical",
        Severity.HIGH,
        "aws_s3_bucket_versioning",
    ),
    ("PutBucketVersioning", "Match - Versioning Disabled (alternate status value)"): (
        Kind.MODIFIED,
        "aws_s3_bucket_versioning.critical",
        Severity.HIGH,
        "aws_s3_bucket_versioning",
    ),
    ("PutBucketVersioning", "Match - MFA Delete Disabled"): (
        Kind.MODIFIED,
        "aws_s3_bucket_versioning.critical",
        Severity.MEDIUM,
        "aws_s3_bucket_versioning",
    ),
    (
        "PutBucketVersioning",
        "Match - Versioning Suspended and MFA Delete Disabled in Single Call",
    ): (
        Kind.MODIFIED,
        "aws_s3_bucket_versioning.critical",
        Severity.HIGH,
        "aws_s3_bucket_versioning",
    ),
    ("PutBucketVersioning", "No Match - Versioning Enabled"): "no_change",
    ("PutBucketVersioning", "No Match - MFA Delete Enabled"): "no_change",
    ("PutBucketVersioning", "Versioning Suspended Successfully"): (
        Kind.MODIFIED,
        "aws_s3_bucket.important",
        Severity.HIGH,
        "aws_s3_bucket",
    ),
    ("PutBucketVersioning", "Versioning Disabled Successfully"): (
        Kind.MODIFIED,
        "aws_s3_bucket.important",
        Severity.HIGH,
        "aws_s3_bucket",
    ),
    ("PutBucketVersioning", "Versioning Change Failed"): "failed_call",
    ("PutBucketVersioning", "Versioning Enabled"): "no_change",
    ("PutBucketAcl", "S3 Bucket Policy Modified"): "no_change",
    ("PutBucketAcl", "S3 Bucket Policy Modified Error Response"): "failed_call",
    # Hand-edited in its source: no PublicAccessBlockConfiguration at all. The call may have
    # changed anything, so it is drift at resource level saying its shape was not recognised.
    ("PutBucketPublicAccessBlock", "Different S3 Event"): (
        Kind.MODIFIED,
        "aws_s3_bucket_public_access_block.corporate",
        Severity.MEDIUM,
        "aws_s3_bucket_public_access_block",
    ),
}
PANTHER_EVENTS = (
    "AttachRolePolicy",
    "PutUserPolicy",
    "PutBucketPolicy",
    "PutBucketVersioning",
    "PutBucketAcl",
    "PutBucketPublicAccessBlock",
)


def corpus_events(raw: Mapping[str, Any], origin: str) -> CloudEvent:
    try:
        return normalize_record(raw, origin)
    except RecordError as exc:  # pragma: no cover - the message says which record
        pytest.fail(f"corpus record rejected: {exc}")


def test_panther_records(corpus_dir: Path) -> None:
    entries = json.loads((corpus_dir / "panther-analysis" / "write-events.json").read_text())
    index = make_index(*CORPUS_STATE)
    seen = set()
    for name in PANTHER_EVENTS:
        for position, entry in enumerate(entries[name]):
            key = (name, entry["case"])
            seen.add(key)
            event = corpus_events(entry["record"], f"write-events.json#{name}[{position}]")
            outcome = runs(index, [event])
            expected = PANTHER_EXPECTED[key]
            if isinstance(expected, str):
                assert outcome.open == [], (key, outcome.open)
                assert outcome.skipped == {expected: 1}, (key, outcome.skipped)
                continue
            kind, where, severity, rtype = expected
            check(outcome, Expect(kind, where, severity, rtype=rtype))
    assert seen == set(PANTHER_EXPECTED)


STRATUS_EXPECTED: dict[str, list[tuple[Kind, str, Severity, str]]] = {
    "aws.persistence.iam-backdoor-role.json": [
        (Kind.MODIFIED, "aws_iam_role.backdoor", Severity.CRITICAL, "aws_iam_role")
    ],
    "aws.persistence.iam-backdoor-user.json": [
        (Kind.UNMANAGED, "AKIAL80DWDVKKM0UXEER", Severity.HIGH, "aws_iam_access_key")
    ],
    # Delivered in file order, the attach and the key come before CreateUser: only the user.
    "aws.persistence.iam-create-admin-user.json": [
        (Kind.UNMANAGED, "malicious-iam-user", Severity.MEDIUM, "aws_iam_user")
    ],
    "aws.persistence.iam-create-backdoor-role.json": [
        (Kind.UNMANAGED, "stratus-red-team-malicious-iam-role", Severity.CRITICAL, "aws_iam_role")
    ],
    "aws.persistence.iam-create-user-login-profile.json": [
        (
            Kind.UNMANAGED,
            "stratus-red-team-login-profile-user",
            Severity.HIGH,
            "aws_iam_user_login_profile",
        )
    ],
    "aws.privilege-escalation.iam-update-user-login-profile.json": [
        (
            Kind.MODIFIED,
            "aws_iam_user_login_profile.update_login",
            Severity.HIGH,
            "aws_iam_user_login_profile",
        )
    ],
}


@pytest.mark.parametrize("filename", sorted(STRATUS_EXPECTED))
def test_stratus_records(filename: str, corpus_dir: Path) -> None:
    records = json.loads((corpus_dir / "stratus-red-team" / filename).read_text())
    events = [corpus_events(r, f"{filename}#{i}") for i, r in enumerate(records)]
    outcome = runs(make_index(*CORPUS_STATE), events)
    got = sorted((d.kind, label(d), d.severity, d.resource.type) for d in outcome.open)
    assert got == sorted(STRATUS_EXPECTED[filename]), outcome.skipped


def test_stratus_create_admin_user_in_time_order(corpus_dir: Path) -> None:
    """Sorted so that CreateUser comes first, the attach and the key join the user's drift."""
    filename = "aws.persistence.iam-create-admin-user.json"
    records = json.loads((corpus_dir / "stratus-red-team" / filename).read_text())
    events = [corpus_events(r, f"{filename}#{i}") for i, r in enumerate(records)]
    events.sort(key=lambda e: e.name != "CreateUser")
    outcome = runs(make_index(*CORPUS_STATE), events)
    drift = outcome.only()
    assert (drift.kind, label(drift)) == (Kind.UNMANAGED, "malicious-iam-user")
    assert sorted(e.name for e in drift.events) == [
        "AttachUserPolicy",
        "CreateAccessKey",
        "CreateUser",
    ]
    # The three records share one second; ties sort by event id, and the fold rates the
    # newest event, so CreateAccessKey (high) is what this drift is rated on.
    assert drift.severity.rank >= Severity.HIGH.rank
    assert outcome.skipped == {}


def test_stratus_create_backdoor_role_url_encoded_response(corpus_dir: Path) -> None:
    """CreateRole's response carries the trust policy URL-encoded; the request one is used."""
    filename = "aws.persistence.iam-create-backdoor-role.json"
    records = json.loads((corpus_dir / "stratus-red-team" / filename).read_text())
    create = next(corpus_events(r, filename) for r in records if r["eventName"] == "CreateRole")
    drift = runs(make_index(*CORPUS_STATE), [create]).only()
    changes = changes_of(drift)
    assert policy_compare(changes["assume_role_policy"][1]) == policy_compare(
        create.response["role"]["assumeRolePolicyDocument"]  # type: ignore[index]
    )
    assert changes["permissions_boundary"] == (None, "arn:aws:iam::aws:policy/AWSDenyAll")
    assert any("another account (193672423079)" in r for r in drift.severity_reasons)


# --------------------------------------------------------------------------- hostile input

# Keys the rows read, at the top of the request and inside its documents.
_TOP_KEYS = (
    "VersioningConfiguration",
    "bucketPolicy",
    "AccessControlPolicy",
    "x-amz-acl",
    "x-amz-grant-read",
    "PublicAccessBlockConfiguration",
    "ServerSideEncryptionConfiguration",
    "Tagging",
    "policyDocument",
    "assumeRolePolicyDocument",
    "tags",
    "tagKeys",
    "setAsDefault",
    "maxSessionDuration",
    "description",
    "path",
    "permissionsBoundary",
    "status",
    "accessKeyId",
    "passwordResetRequired",
    "policyArn",
    "policyName",
    "x-amz-bucket-object-lock-enabled",
)
_INNER_KEYS = (
    "Status",
    "MfaDelete",
    "Rule",
    "ApplyServerSideEncryptionByDefault",
    "SSEAlgorithm",
    "KMSMasterKeyID",
    "BucketKeyEnabled",
    "TagSet",
    "Tag",
    "Key",
    "Value",
    "key",
    "value",
    "AccessControlList",
    "Grant",
    "Grantee",
    "Permission",
    "URI",
    "ID",
    "xsi:type",
    "Owner",
    "BlockPublicAcls",
    "Statement",
    "Effect",
    "Principal",
    "AWS",
    "Action",
    "Resource",
    "Condition",
    "accessKey",
    "accessKeyId",
    "userName",
    "policy",
    "arn",
    "role",
    "items",
)
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.sampled_from(
        ["", "*", "true", "false", "Enabled", "Suspended", "Allow", ADMIN, "{", "%7B"]
    )
    | st.text(max_size=6)
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(_INNER_KEYS), inner, max_size=4)
    ),
    max_leaves=12,
)
_REQUEST = st.fixed_dictionaries(
    {
        "bucketName": st.sampled_from([BUCKET, "logs-eu", "unknown"]),
        "roleName": st.sampled_from([ROLE, "app", "worker", "marker", "nobody"]),
        "userName": st.sampled_from(["alice", "ci", "ops", "nobody"]),
    },
    optional={"policyName": st.sampled_from([ROLE_POLICY, "deny", "new"])},
).flatmap(
    lambda fixed: st.dictionaries(st.sampled_from(_TOP_KEYS), _JSON, max_size=5).map(
        lambda extra: {**fixed, **extra}
    )
)
_RULES = [(r.event, r.source.split(".")[0]) for r in (*s3_table.RULES, *iam_table.RULES)]
FUZZ_STATE = (*STANDALONE, *ATTACHED[:4], *INLINE_ROLE, *USERS, MODULES[2])


@settings(max_examples=400, deadline=None)
@given(
    calls=st.lists(
        st.tuples(
            st.sampled_from(_RULES),
            _REQUEST,
            st.none() | _JSON,
            st.sampled_from(["console.amazonaws.com", TERRAFORM_UA]),
        ),
        min_size=1,
        max_size=3,
    ),
    use_lab=st.booleans(),
)
def test_hostile_requests_never_crash(
    calls: list[tuple[tuple[str, str], dict[str, Any], Any, str]],
    use_lab: bool,
    lab_index: StateIndex,
) -> None:
    index = lab_index if use_lab else make_index(*FUZZ_STATE)
    events = [
        make_event(
            name,
            service,
            request,
            response if isinstance(response, dict) else None,
            user_agent=agent,
            account=ACCOUNT,
            time=position,
        )
        for position, ((name, service), request, response, agent) in enumerate(calls)
    ]
    outcome = runs(index, events)
    for drift in (*outcome.open, *outcome.resolved):
        assert drift.severity in Severity
        assert drift.resource.type
        json.dumps([c.to_dict() for c in drift.changes])  # changes stay JSON


def test_older_hand_change_delivered_after_terraform_undid_it_opens_no_drift(
    lab_index: StateIndex,
) -> None:
    """Terraform set versioning back at t=2; the hand-made suspension of t=1 arrives late."""
    outcome = run_events(
        lab_index,
        [
            tf(s3, "PutBucketVersioning", versioning("Enabled"), time=2),
            s3("PutBucketVersioning", versioning("Suspended"), time=1),
        ],
    )
    assert outcome.open == []
    assert outcome.skipped == {"trusted_actor": 1, "no_change": 1}

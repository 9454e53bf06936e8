"""SSM parameter and Secrets Manager rows against recorded CloudTrail and a provider-v5 state.

``secretsmanager-*.json`` are the Secrets Manager user guide's published records (sources in
``tests/fixtures/cloudtrail/real/SOURCES.md``); ``real-secrets.tfstate`` holds a secret with its
version (value in ``sensitive_attributes``), policy and rotation, and a SecureString parameter.
Other calls reuse a published record's envelope with the request the API references give; the
value placeholders are the ones CloudTrail writes (``HIDDEN_DUE_TO_SECURITY_REASONS`` for SSM
values, ``<sensitiveDataRemoved>`` elsewhere).
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from tests.catalog.api_model import judge, present_paths, row_operation
from tests.catalog.conftest import TERRAFORM_UA, run_events
from tests.catalog.test_real_others import Estate, Want, case, check, records, skip
from tfdrift_gitops.models import Kind, Severity

SEC = Estate("secrets")
SECRET = "aws_secretsmanager_secret.db"
PARAM = "aws_ssm_parameter.db_password"
ARN = "arn:aws:secretsmanager:us-west-2:123456789012:secret:MyDatabaseSecret-a1b2c3"
DELETE = "secretsmanager-delete-secret.json"
HIDDEN_SSM = "HIDDEN_DUE_TO_SECURITY_REASONS"
STATE_VALUE = "hunter2-but-longer"

RECORDED = [
    case(
        "secret-delete-scheduled",
        [DELETE],
        SEC,
        Want(Kind.DELETED, SECRET, Severity.HIGH, reason="recoverable for 30 days"),
    ),
    case(
        "secret-create-already-managed",
        ["secretsmanager-create-secret.json"],
        SEC,
        skip("already_managed"),
    ),
    case(
        "secret-create-unmanaged",
        ["secretsmanager-create-secret.json"],
        Estate("secrets", drop=(SECRET,)),
        Want(Kind.UNMANAGED, "MyDatabaseSecret", Severity.MEDIUM),
    ),
]


@pytest.mark.parametrize(("files", "estate", "want"), RECORDED)
def test_recorded(files: list[str], estate: Estate, want: Want) -> None:
    events = records(*files)
    check(run_events(estate.index(), events), len(events), want)


def _event(source: str, name: str, request: dict[str, Any], **changes: Any) -> Any:
    base = records(DELETE)[0]
    return replace(
        base,
        name=name,
        source=f"{source}.amazonaws.com",
        request=request,
        response=None,
        **changes,
    )


def _call(source: str, name: str, request: dict[str, Any], estate: Estate = SEC) -> Any:
    return run_events(estate.index(), [_event(source, name, request)])


PUBLIC = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Everyone",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": "secretsmanager:GetSecretValue",
                "Resource": "*",
            }
        ],
    }
)
SHAPES = [
    pytest.param(
        "secretsmanager",
        "DeleteSecret",
        {"secretId": ARN, "forceDeleteWithoutRecovery": True},
        Want(Kind.DELETED, SECRET, Severity.CRITICAL, reason="no recovery"),
        id="secret-force-delete-by-arn",
    ),
    pytest.param(
        "secretsmanager",
        "UpdateSecret",
        {"secretId": "MyDatabaseSecret", "description": "rotated by hand"},
        Want(
            Kind.MODIFIED,
            SECRET,
            Severity.MEDIUM,
            {"description": ("database credentials", "rotated by hand")},
        ),
        id="secret-description",
    ),
    pytest.param(
        "secretsmanager",
        "PutSecretValue",
        {"secretId": ARN, "secretString": "<sensitiveDataRemoved>"},
        Want(
            Kind.MODIFIED,
            "aws_secretsmanager_secret_version.db",
            Severity.HIGH,
            # The managed version keeps its value (the provider reads it by version id) and
            # loses AWSCURRENT to the new one, as Terraform's plan shows (oracle); no value.
            {"version_stages": (["AWSCURRENT"], ["AWSPREVIOUS"])},
        ),
        id="secret-value-hidden-never-shown",
    ),
    pytest.param(
        "secretsmanager",
        "PutSecretValue",
        {
            "secretId": ARN,
            "secretString": "<sensitiveDataRemoved>",
            "versionStages": ["STAGED"],
        },
        # A value staged under another label leaves AWSCURRENT where it was.
        skip("no_change"),
        id="secret-value-staged-elsewhere",
    ),
    pytest.param(
        "secretsmanager",
        "PutResourcePolicy",
        {"secretId": "MyDatabaseSecret", "resourcePolicy": PUBLIC},
        Want(
            Kind.MODIFIED,
            "aws_secretsmanager_secret_policy.db",
            Severity.CRITICAL,
            reason="statement Everyone",
        ),
        id="secret-policy-public",
    ),
    pytest.param(
        "secretsmanager",
        "DeleteResourcePolicy",
        {"secretId": "MyDatabaseSecret"},
        # The provider reads the policy resource as policy = "" (a plan puts it back).
        Want(Kind.MODIFIED, "aws_secretsmanager_secret_policy.db", Severity.MEDIUM),
        id="secret-policy-deleted",
    ),
    pytest.param(
        "secretsmanager",
        "RotateSecret",
        {
            "secretId": ARN,
            "rotationRules": {"automaticallyAfterDays": 365},
            "rotateImmediately": False,
        },
        Want(
            Kind.MODIFIED,
            "aws_secretsmanager_secret_rotation.db",
            Severity.MEDIUM,
            {"rotation_rules[0].automatically_after_days": (30, 365)},
        ),
        id="secret-rotation-slowed",
    ),
    pytest.param(
        "secretsmanager",
        "CancelRotateSecret",
        {"secretId": "MyDatabaseSecret"},
        # The provider keeps the rotation resource, read with no function and no rules
        # (Terraform's drift is an update; oracle).
        Want(
            Kind.MODIFIED,
            "aws_secretsmanager_secret_rotation.db",
            Severity.HIGH,
            {
                "rotation_lambda_arn": (
                    "arn:aws:lambda:us-west-2:123456789012:function:rotate-db",
                    "",
                ),
                "rotation_rules": (
                    [{"automatically_after_days": 30, "duration": "", "schedule_expression": ""}],
                    [],
                ),
            },
        ),
        id="secret-rotation-cancelled",
    ),
    pytest.param(
        "ssm",
        "PutParameter",
        {
            "name": "/app/db/password",
            "value": HIDDEN_SSM,
            "type": "SecureString",
            "overwrite": True,
        },
        Want(
            Kind.MODIFIED,
            PARAM,
            Severity.MEDIUM,
            {"value": ("(hidden)", "(hidden by CloudTrail)")},
        ),
        id="ssm-value-overwritten",
    ),
    pytest.param(
        "ssm",
        "PutParameter",
        {"name": "/app/new", "value": HIDDEN_SSM, "type": "String"},
        Want(Kind.UNMANAGED, "/app/new", Severity.MEDIUM),
        id="ssm-new-parameter-unmanaged",
    ),
    pytest.param(
        "ssm",
        "DeleteParameters",
        {"names": ["/app/db/password", "/not/managed"]},
        Want(Kind.DELETED, PARAM, Severity.HIGH),
        id="ssm-delete-parameters",
    ),
    pytest.param(
        "ssm",
        "AddTagsToResource",
        {
            "resourceType": "Parameter",
            "resourceId": "/app/db/password",
            "tags": [{"key": "team", "value": "app"}],
        },
        skip("no_change"),
        id="ssm-tag-already-set",
    ),
    pytest.param(
        "ssm",
        "AddTagsToResource",
        {"resourceType": "Document", "resourceId": "/app/db/password", "tags": []},
        skip("no_resource_id"),
        id="ssm-tag-other-resource-type",
    ),
]


@pytest.mark.parametrize(("source", "name", "request_", "want"), SHAPES)
def test_api_shapes(source: str, name: str, request_: dict[str, Any], want: Want) -> None:
    check(_call(source, name, request_), 1, want)


ROTATION = "aws_secretsmanager_secret_rotation.db"
VERSION = "aws_secretsmanager_secret_version.db"
ROTATE_DB = "arn:aws:lambda:us-west-2:123456789012:function:rotate-db"
ROTATE_V2 = "arn:aws:lambda:us-west-2:123456789012:function:rotate-db-v2"
NEW_VERSION = "EXAMPLE4-90ab-cdef-fedc-ba987EXAMPLE"
# RotateSecret's response (botocore's model: ARN, Name, VersionId, "the ID of the new
# version of the secret"), in CloudTrail's lower camel case as PutSecretValue's is logged.
ROTATED = {"aRN": ARN, "name": "MyDatabaseSecret", "versionId": NEW_VERSION}
CURRENT_MOVED = {"version_stages": (["AWSCURRENT"], ["AWSPREVIOUS"])}
SLOWER = {"rotation_rules[0].automatically_after_days": (30, 365)}


def _rotate(request: dict[str, Any], estate: Estate = SEC, user_agent: str = "") -> Any:
    event = replace(
        _event("secretsmanager", "RotateSecret", request),
        response=ROTATED,
        actor=replace(records(DELETE)[0].actor, user_agent=user_agent),
    )
    return run_events(estate.index(), [event])


@pytest.mark.parametrize(
    ("request_", "estate", "want"),
    [
        pytest.param(
            {"secretId": ARN, "rotationRules": {"automaticallyAfterDays": 365}},
            SEC,
            # rotateImmediately absent is true: the rotation starts at once, and the version
            # state holds loses AWSCURRENT to the new one when the function finishes.
            {ROTATION: SLOWER, VERSION: CURRENT_MOVED},
            id="rotate-now-by-default-moves-current",
        ),
        pytest.param(
            {"secretId": ARN, "rotationLambdaARN": ROTATE_V2, "rotateImmediately": True},
            SEC,
            {ROTATION: {"rotation_lambda_arn": (ROTATE_DB, ROTATE_V2)}, VERSION: CURRENT_MOVED},
            id="rotate-now-new-function",
        ),
        pytest.param(
            {"secretId": "MyDatabaseSecret", "rotateImmediately": "true"},
            SEC,
            # No settings: the rotation runs with the stored ones, which stay as they were:
            # only the version's labels move, the rotation resource is not drift.
            {VERSION: CURRENT_MOVED},
            id="rotate-now-stored-settings",
        ),
        pytest.param(
            {"secretId": ARN, "rotationRules": {}},
            SEC,
            # An empty rules object sets nothing either.
            {VERSION: CURRENT_MOVED},
            id="rotate-now-empty-rules",
        ),
        pytest.param(
            {"secretId": ARN, "rotationRules": {"automaticallyAfterDays": 30}},
            SEC,
            # The stored rule restated: the rotation resource is as state says.
            {VERSION: CURRENT_MOVED},
            id="rotate-now-same-settings",
        ),
        pytest.param(
            {"secretId": ARN, "rotateImmediately": False},
            SEC,
            # Neither settings nor an immediate rotation: nothing Terraform would see.
            {},
            id="rotate-later-stored-settings",
        ),
        pytest.param(
            {"secretId": ARN, "rotationLambdaARN": ROTATE_V2, "rotateImmediately": "false"},
            SEC,
            # false only tests the function (a pending version made and removed): no label.
            {ROTATION: {"rotation_lambda_arn": (ROTATE_DB, ROTATE_V2)}},
            id="rotate-later-no-label-moves",
        ),
        pytest.param(
            {"secretId": ARN, "rotateImmediately": True},
            Estate("secrets", patch={VERSION: {"version_stages": ["AWSPREVIOUS", "v1"]}}),
            # The managed version held AWSPREVIOUS: it goes to the version AWSCURRENT leaves.
            {VERSION: {"version_stages": (["AWSPREVIOUS", "v1"], ["v1"])}},
            id="rotate-now-previous-version-loses-its-label",
        ),
        pytest.param(
            {"secretId": ARN, "rotateImmediately": True},
            Estate("secrets", patch={VERSION: {"version_stages": ["v1"]}}),
            # A version with neither label is not one a rotation moves.
            {},
            id="rotate-now-other-version-untouched",
        ),
        pytest.param(
            {"secretId": ARN, "rotationRules": {"automaticallyAfterDays": 365}},
            Estate("secrets", drop=(VERSION,)),
            {ROTATION: SLOWER},
            id="rotate-now-no-version-in-state",
        ),
        pytest.param(
            {"secretId": ARN, "rotateImmediately": True},
            Estate("secrets", drop=(ROTATION,)),
            # Rotating with the stored settings creates no rotation (one state does not hold
            # was made by an earlier call naming settings): the version's move alone.
            {VERSION: CURRENT_MOVED},
            id="rotate-now-stored-settings-rotation-not-in-state",
        ),
        pytest.param(
            {"secretId": ARN, "externalSecretRotationRoleArn": "arn:aws:iam::1:role/x"},
            SEC,
            # A setting the row cannot read (provider 5.100 has no attribute for it): resource
            # level, as the request-shape check says of any such call.
            {ROTATION: {}, VERSION: CURRENT_MOVED},
            id="rotate-now-unread-setting-resource-level",
        ),
    ],
)
def test_rotate_secret(
    request_: dict[str, Any], estate: Estate, want: dict[str, dict[str, tuple[Any, Any]]]
) -> None:
    outcome = _rotate(request_, estate)
    got = {
        d.resource.address: {c.path: (c.before, c.after) for c in d.changes} for d in outcome.open
    }
    assert got == want
    assert all(d.kind is Kind.MODIFIED for d in outcome.open)
    # A call that changes nothing Terraform holds is counted as such, not dropped.
    assert outcome.skipped == ({} if want else {"no_change": 1})


ROTATE_CALLS = [
    {"secretId": ARN, "rotationRules": {"automaticallyAfterDays": 365}, "rotateImmediately": True},
    {"secretId": ARN, "rotationLambdaARN": ROTATE_V2, "clientRequestToken": NEW_VERSION},
]


def _rotations(*calls: tuple[dict[str, Any], str]) -> list[Any]:
    """RotateSecret calls a minute apart, each (request, user agent)."""
    base = records(DELETE)[0]
    return [
        replace(
            _event("secretsmanager", "RotateSecret", request, id=f"rot{n}"),
            response=ROTATED,
            time=base.time.replace(minute=n),
            actor=replace(base.actor, user_agent=agent),
        )
        for n, (request, agent) in enumerate(calls)
    ]


SLOW = {"secretId": ARN, "rotationRules": {"automaticallyAfterDays": 365}}
AS_STORED = {"secretId": ARN, "rotateImmediately": True}
BACK = {"secretId": ARN, "rotationRules": {"automaticallyAfterDays": 30}}


def test_rotation_with_stored_settings_is_no_evidence_on_a_rotation_drift() -> None:
    # The settings changed by hand, then a rotation with the (new) stored settings: the
    # rotation drift keeps the first call as its evidence, the second only replayed, and stays
    # one a replay can prove undone.
    outcome = run_events(SEC.index(), _rotations((SLOW, ""), (AS_STORED, "")))
    drift = outcome.by_address(ROTATION)
    assert {c.path: (c.before, c.after) for c in drift.changes} == SLOWER
    assert ([e.id for e in drift.events], [e.id for e in drift.replayed]) == (["rot0"], ["rot1"])
    assert drift.unverifiable == ()


def test_terraform_revert_after_rotation_with_stored_settings_resolves() -> None:
    outcome = run_events(SEC.index(), _rotations((SLOW, ""), (AS_STORED, ""), (BACK, TERRAFORM_UA)))
    assert [d.resource.address for d in outcome.resolved] == [ROTATION]
    # The version's labels moved twice by hand; Terraform's call puts no label back.
    assert [d.resource.address for d in outcome.open] == [VERSION]


def test_rotation_keys_are_the_api_models() -> None:
    # The evidence moto cannot give: what the rotation tests feed the row is RotateSecret's
    # shape in botocore's model (the response's versionId is "the ID of the new version").
    op = row_operation("secretsmanager.amazonaws.com", "RotateSecret")
    assert op is not None
    fed = [("request", call) for call in ROTATE_CALLS] + [("response", ROTATED)]
    misfits = [
        judge(op, side, parts).reason
        for side, document in fed
        for parts in present_paths(document)
        if not judge(op, side, parts).ok
    ]
    assert misfits == []
    inputs, outputs = op.input_shape, op.output_shape
    assert inputs is not None and "RotateImmediately" in inputs.members
    assert outputs is not None and "VersionId" in outputs.members


def test_terraform_rotation_opens_no_drift() -> None:
    # Terraform's own rotation (aws_secretsmanager_secret_rotation, rotate_immediately).
    outcome = _rotate({"secretId": ARN, "rotationLambdaARN": ROTATE_DB}, user_agent=TERRAFORM_UA)
    assert outcome.open == [], outcome.open


MANAGED_VERSION = "EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE"
OTHER_VERSION = "EXAMPLE0-90ab-cdef-fedc-ba987EXAMPLE"


def _staged(stage: str, left: str = "", landed: str = "") -> dict[str, Any]:
    request = {"secretId": ARN, "versionStage": stage}
    request |= {"removeFromVersionId": left} if left else {}
    return request | ({"moveToVersionId": landed} if landed else {})


def _previous_only() -> Estate:
    return Estate("secrets", patch={VERSION: {"version_stages": ["AWSPREVIOUS"]}})


@pytest.mark.parametrize(
    ("request_", "estate", "want"),
    [
        pytest.param(
            _staged("AWSCURRENT", MANAGED_VERSION, NEW_VERSION),
            SEC,
            # A rotation's last step: AWSPREVIOUS lands on the version AWSCURRENT left.
            Want(Kind.MODIFIED, VERSION, Severity.HIGH, CURRENT_MOVED, reason="AWSCURRENT"),
            id="current-moved-off-the-managed-version",
        ),
        pytest.param(
            _staged("AWSCURRENT", OTHER_VERSION, MANAGED_VERSION),
            _previous_only(),
            Want(
                Kind.MODIFIED,
                VERSION,
                Severity.HIGH,
                {"version_stages": (["AWSPREVIOUS"], ["AWSCURRENT"])},
            ),
            id="current-moved-back-onto-the-managed-version",
        ),
        pytest.param(
            _staged("AWSCURRENT", OTHER_VERSION, NEW_VERSION),
            _previous_only(),
            # AWSPREVIOUS goes to the version AWSCURRENT left, away from the managed one.
            Want(Kind.MODIFIED, VERSION, Severity.HIGH, {"version_stages": (["AWSPREVIOUS"], [])}),
            id="current-moved-elsewhere-previous-leaves",
        ),
        pytest.param(
            _staged("STAGED", landed=MANAGED_VERSION),
            SEC,
            Want(
                Kind.MODIFIED,
                VERSION,
                Severity.MEDIUM,
                {"version_stages": (["AWSCURRENT"], ["AWSCURRENT", "STAGED"])},
            ),
            id="custom-label-added",
        ),
        pytest.param(
            _staged("AWSPENDING", landed=NEW_VERSION),
            SEC,
            # The rotation function's first step labels its new version: not the managed one.
            skip("no_change"),
            id="pending-label-on-another-version",
        ),
    ],
)
def test_update_secret_version_stage(request_: dict[str, Any], estate: Estate, want: Want) -> None:
    check(_call("secretsmanager", "UpdateSecretVersionStage", request_, estate), 1, want)


def test_rotation_and_its_last_step_agree() -> None:
    # RotateSecret reports the move its rotation makes; the function's UpdateSecretVersionStage,
    # logged later, makes exactly that move: one drift on the version, the same labels.
    rotate = replace(
        _event("secretsmanager", "RotateSecret", {"secretId": ARN}, id="rot"), response=ROTATED
    )
    finish = _event(
        "secretsmanager",
        "UpdateSecretVersionStage",
        _staged("AWSCURRENT", MANAGED_VERSION, NEW_VERSION),
        id="fin",
        time=rotate.time.replace(minute=59),
    )
    drift = run_events(SEC.index(), [rotate, finish]).by_address(VERSION)
    # The last step changes nothing where it sits (the rotation already said it): replayed.
    assert [e.id for e in drift.events] == ["rot"]
    assert [e.id for e in drift.replayed] == ["fin"]
    assert {c.path: (c.before, c.after) for c in drift.changes} == CURRENT_MOVED


def test_hidden_value_is_never_proven_undone_by_a_later_hand_call() -> None:
    put = {"name": "/app/db/password", "value": HIDDEN_SSM, "type": "SecureString"}
    first = _event("ssm", "PutParameter", put, id="p1")
    again = _event("ssm", "PutParameter", put, id="p2", time=first.time.replace(minute=59))
    outcome = run_events(SEC.index(), [first, again])
    assert outcome.resolved == []
    assert outcome.only().kind is Kind.MODIFIED


def test_terraform_put_after_hand_put_resolves() -> None:
    put = {"name": "/app/db/password", "value": HIDDEN_SSM, "type": "SecureString"}
    by_hand = _event("ssm", "PutParameter", put, id="p1")
    terraform = replace(
        _event("ssm", "PutParameter", put, id="p2", time=by_hand.time.replace(minute=59)),
        actor=replace(by_hand.actor, user_agent=TERRAFORM_UA),
    )
    outcome = run_events(SEC.index(), [by_hand, terraform])
    assert outcome.open == [], outcome.open
    assert len(outcome.resolved) == 1


def test_state_secret_never_in_the_drift() -> None:
    put = {"name": "/app/db/password", "value": HIDDEN_SSM, "type": "SecureString"}
    drift = run_events(SEC.index(), [_event("ssm", "PutParameter", put)]).only()
    shown = json.dumps([(c.path, c.before, c.after) for c in drift.changes], default=str)
    assert STATE_VALUE not in shown
    assert drift.changes, "the hidden change is reported"


def test_restore_after_scheduled_delete_resolves() -> None:
    delete = records(DELETE)[0]
    restore = _event(
        "secretsmanager",
        "RestoreSecret",
        {"secretId": "MyDatabaseSecret"},
        id="r1",
        time=delete.time.replace(minute=59),
    )
    outcome = run_events(SEC.index(), [delete, restore])
    assert outcome.open == [], outcome.open
    assert len(outcome.resolved) == 1

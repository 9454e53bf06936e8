"""ECS container ``environment`` values are secrets (database passwords, API keys end up there):
masked in every output, like other sensitive values, while their names stay visible.

A task definition for a family Terraform does not manage is registered by hand with a password
in its environment; the value must not appear in the drift's changes, its record (``detect``
output, webhooks, notification context), the ledger, the GitHub issue view or the remediation
patch, which refuses to write the hidden value into code.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.catalog.conftest import run_events
from tests.catalog.container_calls import ecs
from tests.catalog.test_real_containers import ECS
from tfdrift_gitops.core.record import drift_to_record
from tfdrift_gitops.core.redact import MASK, MASK_CHANGED, redact_change, redact_payload
from tfdrift_gitops.github.render import drift_view as github_view
from tfdrift_gitops.github.settings import GitHubSettings
from tfdrift_gitops.ledger.layout import encode_drift
from tfdrift_gitops.models import Change, Drift, Kind
from tfdrift_gitops.notify.view import template_context
from tfdrift_gitops.remediation import remediate

SECRET = "hunter2-db-pass"
API_KEY = "sk_live_0123456789abcdef"
ARN = "arn:aws:ecs:eu-west-1:111122223333:task-definition/billing:1"
CONTAINERS = [
    {
        "name": "billing",
        "image": "111122223333.dkr.ecr.eu-west-1.amazonaws.com/billing:1.4",
        "environment": [
            {"name": "DB_PASSWORD", "value": SECRET},
            {"name": "STRIPE_KEY", "value": API_KEY},
        ],
        "secrets": [
            {"name": "DB_URL", "valueFrom": "arn:aws:ssm:eu-west-1:111122223333:parameter/db"}
        ],
    }
]


def _drift() -> Drift:
    request = {"family": "billing", "containerDefinitions": CONTAINERS, "cpu": "256"}
    response = {
        "taskDefinition": {
            "family": "billing",
            "taskDefinitionArn": ARN,
            "containerDefinitions": CONTAINERS,
        }
    }
    outcome = run_events(ECS.index(), ecs("RegisterTaskDefinition", request, response))
    drift = outcome.only()
    assert (drift.kind, drift.resource.id) == (Kind.UNMANAGED, ARN)
    return drift


def test_changes_mask_environment_values_and_keep_names() -> None:
    drift = _drift()
    (change,) = [c for c in drift.changes if c.path == "container_definitions"]
    assert change.before is None
    container = json.loads(change.after)[0]
    # New values (nothing before): masked as changed.
    assert container["environment"] == [
        {"name": "DB_PASSWORD", "value": MASK_CHANGED},
        {"name": "STRIPE_KEY", "value": MASK_CHANGED},
    ]
    assert container["secrets"] == CONTAINERS[0]["secrets"]
    assert container["image"] == CONTAINERS[0]["image"]


def _outputs(drift: Drift, workdir: Path) -> dict[str, str]:
    result = remediate(drift, workdir, "import")
    return {
        "record": json.dumps(drift_to_record(drift)),
        "ledger": encode_drift(drift).decode(),
        "notification": json.dumps(template_context(drift, "opened"), default=str),
        "github": json.dumps(github_view(drift, GitHubSettings()), default=str),
        "remediation": json.dumps(result.to_dict()) + result.explanation(),
    }


def test_no_output_carries_the_values(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "main.tf").write_text('resource "aws_ecs_cluster" "web" {\n  name = "web"\n}\n')
    for where, text in _outputs(_drift(), tmp_path).items():
        assert SECRET not in text, where
        assert API_KEY not in text, where
        assert "DB_PASSWORD" in text or where in ("remediation", "github"), where


def test_remediation_never_writes_the_hidden_document(tmp_path: Path) -> None:
    """The import block is written without ``container_definitions`` (a mask is never code),
    and the result says it is to be set by hand."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "main.tf").write_text('resource "aws_ecs_cluster" "web" {\n  name = "web"\n}\n')
    result = remediate(_drift(), tmp_path, "import")
    written = "".join(result.files.values())
    assert 'resource "aws_ecs_task_definition"' in written
    assert "container_definitions" not in written
    assert "(hidden" not in written
    assert any("container_definitions" in n and "hidden" in n for n in result.notes)


@pytest.mark.parametrize(
    ("before", "after", "want_before", "want_after"),
    [
        pytest.param(
            '[{"name":"a","environment":[{"name":"K","value":"old"}]}]',
            '[{"name":"a","environment":[{"name":"K","value":"new"}]}]',
            [{"name": "a", "environment": [{"name": "K", "value": MASK}]}],
            [{"name": "a", "environment": [{"name": "K", "value": MASK_CHANGED}]}],
            id="value-changed",
        ),
        pytest.param(
            '[{"name":"a","environment":[{"name":"K","value":"same"}]}]',
            '[{"name":"a","environment":[{"name":"K","value":"same"}],"cpu":2}]',
            [{"name": "a", "environment": [{"name": "K", "value": MASK}]}],
            [{"name": "a", "environment": [{"name": "K", "value": MASK}], "cpu": 2}],
            id="value-kept",
        ),
    ],
)
def test_state_and_call_sides_of_a_change(
    before: str, after: str, want_before: object, want_after: object
) -> None:
    change = Change(path="container_definitions", before=before, after=after)
    masked = redact_change(change, rtype="aws_ecs_task_definition")
    assert json.loads(str(masked.before)) == want_before
    assert json.loads(str(masked.after)) == want_after


def test_a_document_that_does_not_parse_is_masked_whole() -> None:
    change = Change(path="container_definitions", before=None, after=f'[{{"value": "{SECRET}"')
    masked = redact_change(change, rtype="aws_ecs_task_definition")
    assert masked.after == MASK_CHANGED


def test_other_types_and_paths_are_left_alone() -> None:
    text = '[{"environment":[{"name":"K","value":"v"}]}]'
    change = Change(path="container_definitions", before=None, after=text)
    assert redact_change(change, rtype="aws_batch_job_definition").after == text
    payload = {"containerDefinitions": json.loads(text)}
    assert redact_payload("batch.amazonaws.com", payload) == payload
    masked = redact_payload("ecs.amazonaws.com", payload)
    assert masked["containerDefinitions"][0]["environment"][0] == {"name": "K", "value": MASK}

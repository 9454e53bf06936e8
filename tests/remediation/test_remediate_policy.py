"""Default strategy by severity, kind, resource type, attribute and actor; config validation."""

from __future__ import annotations

from typing import Any

import pytest

from tests.remediation.remediation_cases import make_drift
from tfdrift_gitops.config import parse_config
from tfdrift_gitops.errors import ConfigError
from tfdrift_gitops.models import Kind, Severity
from tfdrift_gitops.remediation import default_strategy
from tfdrift_gitops.remediation.policy import (
    RemediationSettings,
    choose_strategy,
    parse_remediation_section,
    settings_from,
)


@pytest.mark.parametrize(
    ("severity", "kind", "strategy"),
    [
        pytest.param(Severity.CRITICAL, Kind.MODIFIED, "revert", id="critical"),
        pytest.param(Severity.HIGH, Kind.DELETED, "revert", id="high"),
        pytest.param(Severity.MEDIUM, Kind.MODIFIED, "import", id="medium"),
        pytest.param(Severity.LOW, Kind.MODIFIED, "import", id="low"),
        pytest.param(Severity.CRITICAL, Kind.UNMANAGED, "import", id="unmanaged"),
    ],
)
def test_defaults(severity: Severity, kind: Kind, strategy: str) -> None:
    drift = make_drift("aws_s3_bucket.b", "aws_s3_bucket", kind=kind, severity=severity)
    decision = choose_strategy(drift, RemediationSettings())
    assert decision.strategy == strategy
    assert decision.reason


RULES: list[dict[str, Any]] = [
    {"strategy": "ignore", "actors": ["deploy-bot*"], "reason": "the bot is allowed"},
    {"strategy": "revert", "resource_types": ["aws_security_group"], "paths": ["ingress*"]},
    {
        "strategy": "import",
        "severities": ["critical"],
        "kinds": ["modified"],
        "addresses": ["module.legacy.*"],
    },
    {"strategy": "revert", "events": ["ModifyDB*"]},
]


@pytest.mark.parametrize(
    ("drift_kwargs", "strategy", "reason"),
    [
        pytest.param({"actor": "Deploy-Bot-7"}, "ignore", "the bot is allowed", id="actor-glob"),
        pytest.param(
            {
                "address": "aws_security_group.web",
                "rtype": "aws_security_group",
                "changes": [("ingress", [], [{}])],
            },
            "revert",
            "rule 2",
            id="type-and-path",
        ),
        pytest.param(
            {
                "address": "aws_security_group.web",
                "rtype": "aws_security_group",
                "changes": [("tags", {}, {"a": "b"})],
            },
            "import",
            "default",
            id="path-does-not-match",
        ),
        pytest.param(
            {"address": "module.legacy.aws_s3_bucket.b", "severity": Severity.CRITICAL},
            "import",
            "rule 3",
            id="address-and-severity",
        ),
        pytest.param(
            {"event_name": "ModifyDBInstance", "severity": Severity.LOW},
            "revert",
            "rule 4",
            id="event-glob",
        ),
    ],
)
def test_rules_first_match_wins(drift_kwargs: dict[str, Any], strategy: str, reason: str) -> None:
    settings = parse_remediation_section({"rules": RULES})
    kwargs = {"address": "aws_s3_bucket.b", "rtype": "aws_s3_bucket", **drift_kwargs}
    drift = make_drift(
        kwargs.pop("address"), kwargs.pop("rtype"), kwargs.pop("changes", ()), **kwargs
    )
    decision = choose_strategy(drift, settings)
    assert decision.strategy == strategy
    assert reason in decision.reason


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param([], "remediation: expected a mapping", id="not-a-mapping"),
        pytest.param({"imports": "x.tf"}, r"remediation\.imports: unknown key", id="unknown-key"),
        pytest.param({"imports_file": "../x.tf"}, "imports_file", id="imports-file-path"),
        pytest.param({"imports_file": "x.txt"}, "imports_file", id="imports-file-suffix"),
        pytest.param({"terraform_fmt": "yes"}, "terraform_fmt", id="fmt-flag"),
        pytest.param(
            {"defaults": {"urgent": "revert"}}, r"defaults\.urgent: unknown key", id="default-key"
        ),
        pytest.param({"defaults": {"high": "delete"}}, "not a strategy", id="default-value"),
        pytest.param({"rules": {}}, "expected a list", id="rules-type"),
        pytest.param(
            {"rules": [{"paths": ["x"]}]},
            r"rules\[0\]\.strategy: required",
            id="rule-without-strategy",
        ),
        pytest.param(
            {"rules": [{"strategy": "import", "severities": ["urgent"]}]},
            "not a severity",
            id="rule-severity",
        ),
        pytest.param(
            {"rules": [{"strategy": "import", "kinds": ["gone"]}]},
            "not a drift kind",
            id="rule-kind",
        ),
        pytest.param(
            {"rules": [{"strategy": "import", "actors": 3}]},
            r"rules\[0\]\.actors",
            id="rule-actors-type",
        ),
        pytest.param(
            {"rules": [{"strategy": "import", "colour": "red"}]},
            r"rules\[0\]\.colour: unknown key",
            id="rule-unknown-key",
        ),
    ],
)
def test_bad_sections_name_the_key(raw: Any, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_remediation_section(raw)


def test_section_is_registered_with_the_config_loader() -> None:
    config = parse_config(
        {"remediation": {"imports_file": "adopted.tf", "defaults": {"high": "import"}}}
    )
    settings = config.sections["remediation"]
    assert isinstance(settings, RemediationSettings)
    assert settings.imports_file == "adopted.tf"
    drift = make_drift("aws_s3_bucket.b", "aws_s3_bucket", severity=Severity.HIGH)
    assert default_strategy(drift, config=config).strategy == "import"
    with pytest.raises(ConfigError, match=r"remediation\.defaults\.high"):
        parse_config({"remediation": {"defaults": {"high": "nope"}}})


@pytest.mark.parametrize(
    "config",
    [
        pytest.param(None, id="none"),
        pytest.param({}, id="empty-section"),
        pytest.param({"ledger": "x", "states": []}, id="whole-config-without-section"),
        pytest.param({"remediation": None}, id="null-section"),
        pytest.param(RemediationSettings(), id="settings"),
    ],
)
def test_settings_from_what_callers_have(config: Any) -> None:
    assert settings_from(config) == RemediationSettings()


def test_decision_unpacks_like_a_tuple() -> None:
    drift = make_drift("aws_s3_bucket.b", "aws_s3_bucket", severity=Severity.LOW)
    strategy, reason = default_strategy(drift)
    assert (strategy, reason) == ("import", "default for low drift is import")

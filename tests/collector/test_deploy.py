"""The shipped Falco configuration snippet: the settings the collector depends on."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from tfdrift_gitops.falco.rules import REQUIRED_PLUGIN_VERSION

SNIPPET = Path(__file__).resolve().parents[2] / "deploy" / "falco" / "falco.yaml"


def _config() -> dict[str, Any]:
    document = yaml.safe_load(SNIPPET.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def test_every_matching_rule_fires() -> None:
    """With `first` (Falco's default) an earlier aws_cloudtrail rule swallows our events."""
    assert _config()["rule_matching"] == "all"


def test_json_alerts_carry_fields_not_the_output_string() -> None:
    config = _config()
    assert config["json_output"] is True
    assert config["json_include_output_property"] is False
    assert config["json_include_output_fields_property"] is True


def test_plugin_init_configs_are_json_for_both_queue_wirings() -> None:
    text = SNIPPET.read_text(encoding="utf-8")
    (plugin,) = _config()["plugins"]
    assert plugin["name"] == "cloudtrail"
    assert plugin["open_params"].startswith("sqs://")
    default = json.loads(plugin["init_config"])
    assert default.get("useS3SNS", False) is False  # CloudTrail's own SNS notifications
    commented = re.findall(r"^\s*#\s*init_config: '(.*)'$", text, flags=re.MULTILINE)
    assert [json.loads(c)["useS3SNS"] for c in commented] == [True]  # S3 events through SNS


def test_the_snippet_names_the_plugin_version_the_rules_require() -> None:
    assert f"({REQUIRED_PLUGIN_VERSION} or later" in SNIPPET.read_text(encoding="utf-8")

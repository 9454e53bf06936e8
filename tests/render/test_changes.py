"""The change model: sets, maps, policies, scalars and hidden values as lines people read."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tfdrift_gitops.models import Change
from tfdrift_gitops.render.changes import MAX_LINES, describe, rule_text, statement_text

HTTPS = {
    "cidr_blocks": ["0.0.0.0/0"],
    "description": "HTTPS",
    "from_port": 443,
    "ipv6_cidr_blocks": [],
    "prefix_list_ids": [],
    "protocol": "tcp",
    "security_groups": [],
    "self": False,
    "to_port": 443,
}
DEBUG = {**HTTPS, "description": "temp debug", "from_port": 22, "to_port": 22}


def _policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


READ = {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
WIDE = {"Sid": "Read", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}
ANYONE = {"Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject"], "Resource": "*"}

CASES = {
    "rule-added": (
        Change("ingress", [HTTPS], [HTTPS, DEBUG]),
        "set",
        ['+ 22/tcp from 0.0.0.0/0 "temp debug"'],
    ),
    "rule-removed": (
        Change("ingress", [HTTPS, DEBUG], [HTTPS]),
        "set",
        ['- 22/tcp from 0.0.0.0/0 "temp debug"'],
    ),
    "rule-all-traffic": (
        Change("egress", [], [{"protocol": "-1", "from_port": 0, "to_port": 0, "self": True}]),
        "set",
        ["+ all traffic from self"],
    ),
    "rule-range-vpc": (
        Change(
            "rules",
            None,
            [{"ip_protocol": "udp", "from_port": 1000, "to_port": 2000, "cidr_ipv4": "10.0.0.0/8"}],
        ),
        "set",
        ["+ 1000-2000/udp from 10.0.0.0/8"],
    ),
    "block-rewritten": (
        Change("versioning_configuration", [{"status": "Enabled"}], [{"status": "Suspended"}]),
        "set",
        ['status: "Enabled" → "Suspended"'],
    ),
    "object-element": (
        Change("lifecycle_rule", [], [{"id": "x", "enabled": True, "prefix": ""}]),
        "set",
        ['+ {enabled: true, id: "x"}'],
    ),
    "order-only": (
        Change("ids", [{"a": 1}, {"b": 2}], [{"b": 2}, {"a": 1}]),
        "set",
        ["order changed"],
    ),
    "scalar-list": (Change("subnets", ["a", "b"], ["b", "c"]), "list", ['+ "c"', '- "a"']),
    "map": (
        Change("tags", {"Env": "prod", "Old": "x"}, {"Env": "dev", "Owner": "alan"}),
        "map",
        ['+ Owner = "alan"', "- Old", 'Env: "prod" → "dev"'],
    ),
    "policy-widened": (
        Change("policy", _policy(READ), _policy(WIDE, ANYONE)),
        "policy",
        [
            "+ Allow s3:GetObject on * to *",
            "Read: Allow s3:GetObject on arn:aws:s3:::b/* → Allow s3:* on *",
        ],
    ),
    "policy-object": (
        Change("policy", {"Statement": [READ]}, {"Statement": []}),
        "policy",
        ["- Allow s3:GetObject on arn:aws:s3:::b/*"],
    ),
    "scalar": (Change("timeout", 30, 300), "scalar", ["30 → 300"]),
    "created": (Change("bucket", None, "acme"), "scalar", ['(none) → "acme"']),
    "hidden": (Change("password", "x", "<sensitiveDataRemoved>"), "hidden", ['"x" → (hidden)']),
    "masked-state": (
        Change("secret", "(hidden)", "<sensitiveDataRemoved>"),
        "hidden",
        ["(hidden) → (hidden)"],
    ),
}


@pytest.mark.parametrize(("change", "shape", "lines"), CASES.values(), ids=CASES.keys())
def test_lines(change: Change, shape: str, lines: list[str]) -> None:
    view = describe(change)
    assert view.shape == shape
    assert [line.render() for line in view.lines] == lines
    assert view.before == change.before
    assert view.after == change.after


def test_many_elements_are_counted_not_listed() -> None:
    after = [{"from_port": p, "to_port": p, "protocol": "tcp"} for p in range(MAX_LINES + 7)]
    view = describe(Change("ingress", [], after))
    assert len(view.lines) == MAX_LINES
    assert view.more == 7
    assert view.summary.endswith("…and 7 more")


def test_not_action_and_conditions_are_spelled_out() -> None:
    text = statement_text(
        {"Effect": "Allow", "NotAction": "iam:*", "NotResource": ["a"], "Condition": {"x": 1}}
    )
    assert text == "Allow all actions but iam:* on all resources but a (with conditions)"


def test_rule_without_protocol_names_the_port() -> None:
    assert rule_text({"from_port": 22, "cidr_blocks": ["0.0.0.0/0"]}) == "port 22 from 0.0.0.0/0"


def test_long_values_are_cut_to_one_line() -> None:
    view = describe(Change("description", "a", "b" * 5000))
    assert len(view.summary) < 300
    assert view.summary.endswith("…")

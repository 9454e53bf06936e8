"""The estate's known targets (``core.targets``) and their ``known_targets:`` configuration."""

from __future__ import annotations

from typing import Any

import pytest

from tfdrift_gitops.config import parse_config
from tfdrift_gitops.core.targets import KnownTargets
from tfdrift_gitops.errors import ConfigError

STATE: list[tuple[str, dict[str, Any]]] = [
    ("aws_lb", {"dns_name": "web-1.us-east-1.elb.amazonaws.com", "arn": "arn:aws:x"}),
    ("aws_instance", {"public_ip": "203.0.113.5", "private_ip": "10.0.1.7", "tags": {"n": "a b"}}),
    ("aws_vpc", {"cidr_block": "10.20.0.0/16", "ipv6_cidr_block": "2001:db8:1::/56"}),
    ("aws_security_group", {"ingress": [{"cidr_blocks": ["0.0.0.0/0", "192.0.2.0/24"]}]}),
    ("aws_route53_zone", {"name": "Example.COM."}),
    ("aws_s3_bucket", {"website_endpoint": "site.s3-website-us-east-1.amazonaws.com"}),
]
KNOWN = KnownTargets.build(STATE, ["*.cdn.example.net", "198.51.100.0/24", "192.0.2.77"])


@pytest.mark.parametrize(
    ("target", "known"),
    [
        pytest.param(
            "WEB-1.us-east-1.elb.amazonaws.com.", True, id="state-name-any-case-final-dot"
        ),
        pytest.param("dualstack.web-1.us-east-1.elb.amazonaws.com", True, id="dualstack-alias"),
        pytest.param("web-2.us-east-1.elb.amazonaws.com", False, id="another-load-balancer"),
        pytest.param("203.0.113.5", True, id="state-address"),
        pytest.param("10.20.9.9", True, id="inside-a-vpc-network"),
        pytest.param("2001:db8:1::10", True, id="inside-a-vpc-ipv6-network"),
        pytest.param("192.0.2.10", False, id="rule-cidrs-are-not-the-estate's"),
        pytest.param("192.0.2.77", True, id="configured-address"),
        pytest.param("198.51.100.200", True, id="configured-cidr"),
        pytest.param("a.cdn.example.net", True, id="configured-pattern"),
        pytest.param("cdn.example.net", False, id="pattern-needs-a-label"),
        pytest.param("mail.example.com", True, id="under-a-zone-in-state"),
        pytest.param("example.com", True, id="the-zone-itself"),
        pytest.param("badexample.com", False, id="not-under-the-zone"),
        pytest.param("s3-website-us-east-1.amazonaws.com", True, id="website-endpoint-of-a-bucket"),
        pytest.param("amazonaws.com", False, id="a-bare-suffix-is-no-endpoint"),
        pytest.param("8.8.8.8", False, id="unknown-address"),
    ],
)
def test_knows(target: str, known: bool) -> None:
    assert KNOWN.knows(target) is known


def test_arns_and_sentences_are_not_names() -> None:
    assert "arn:aws:x" not in KNOWN.names
    assert "a b" not in KNOWN.names


def test_known_targets_config() -> None:
    config = parse_config({"known_targets": ["*.example.net", "203.0.113.0/24", "2001:db8::1"]})
    assert config.policy.known_targets == ("*.example.net", "203.0.113.0/24", "2001:db8::1")
    assert parse_config({}).policy.known_targets == ()


@pytest.mark.parametrize(
    "entry",
    [
        pytest.param("10.0.0.0/33", id="bad-cidr"),
        pytest.param("my host", id="space"),
        pytest.param("arn:aws:s3:::bucket", id="arn"),
        pytest.param("", id="empty"),
    ],
)
def test_known_targets_config_refuses(entry: str) -> None:
    with pytest.raises(ConfigError, match="known_targets"):
        parse_config({"known_targets": [entry]})

"""The fast state reader (issue 14): the same resources, keys and secrets as the document
parser, instances kept as spans of the text, the index's storage, and the GC guard."""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tfdrift_gitops.adapters.state_source import StateSource
from tfdrift_gitops.core.state import (
    ParsedState,
    StateIndex,
    _address,
    parse_state,
    terraform_quoted,
    without_cyclic_gc,
)
from tfdrift_gitops.core.state_keys import DERIVED_KEY_TYPES, DERIVED_KEYS
from tfdrift_gitops.core.state_text import parse_state_text
from tfdrift_gitops.errors import StateError

PROVIDER = 'provider["registry.terraform.io/hashicorp/aws"]'
# Types with derived keys among them, so that random states exercise those functions too.
TYPES = [
    "aws_s3_bucket",
    "aws_security_group",
    "aws_iam_role_policy_attachment",
    "aws_lambda_permission",
    "aws_route",
    "aws_sqs_queue",
    "aws_cloudwatch_log_metric_filter",
]
ATTRIBUTE_NAMES = [
    "id",
    "arn",
    "name",
    "role",
    "policy_arn",
    "function_name",
    "statement_id",
    "route_table_id",
    "destination_cidr_block",
    "url",
    "log_group_name",
    "tags",
    "ingress",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.text(max_size=12),
    st.sampled_from(["arn:aws:iam::111111111111:role/app", "sg-1", "10.0.0.0/8"]),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
sensitive: st.SearchStrategy[list[Any]] = st.one_of(
    st.just([]),
    st.lists(
        st.lists(
            st.fixed_dictionaries(
                {"type": st.just("get_attr"), "value": st.sampled_from(ATTRIBUTE_NAMES)}
            ),
            min_size=1,
            max_size=2,
        ),
        max_size=2,
    ),
)
instances = st.fixed_dictionaries(
    {
        "schema_version": st.just(0),
        "attributes": st.dictionaries(st.sampled_from(ATTRIBUTE_NAMES), values, max_size=8),
        "sensitive_attributes": sensitive,
        "private": st.just("eyJzY2hlbWFfdmVyc2lvbiI6IjEifQ=="),
    },
    optional={
        "index_key": st.one_of(st.integers(0, 5), st.text(max_size=6)),
        "deposed": st.just("00000001"),
        "dependencies": st.lists(st.text(max_size=6), max_size=2),
    },
)
resources = st.fixed_dictionaries(
    {
        "mode": st.sampled_from(["managed", "managed", "data"]),
        "type": st.sampled_from(TYPES),
        "name": st.text(min_size=1, max_size=8),
        "provider": st.just(PROVIDER),
        "instances": st.lists(instances, max_size=3),
    },
    optional={"module": st.sampled_from(["module.a", 'module.b["x"]'])},
)
documents = st.fixed_dictionaries(
    {
        "version": st.just(4),
        "terraform_version": st.just("1.11.4"),
        "serial": st.integers(0, 99),
        "lineage": st.text(max_size=8),
        "outputs": st.dictionaries(st.text(max_size=4), values, max_size=2),
        "resources": st.lists(resources, max_size=5),
    }
)


def summary(parsed: ParsedState) -> list[tuple[Any, ...]]:
    return [
        (
            r.address,
            r.type,
            r.name,
            r.module,
            r.index_key,
            r.provider,
            r.serial,
            r.resource_id,
            r.account,
            r.region,
            r.sensitive,
            r.attributes,
            keys,
        )
        for r, keys in zip(parsed.resources, parsed.index_keys, strict=True)
    ]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=documents)
def test_the_text_reader_agrees_with_the_document_parser(document: dict[str, Any]) -> None:
    want = summary(parse_state(document, source="s"))
    for text in (
        json.dumps(document, indent=2),
        json.dumps(document),
        json.dumps(document, indent="\t").replace("\n", "\r\n"),
        json.dumps(document, ensure_ascii=False),
    ):
        assert summary(parse_state_text(text, source="s")) == want


def test_an_instance_is_kept_as_its_span_of_the_text() -> None:
    text = json.dumps(
        {
            "version": 4,
            "serial": 3,
            "resources": [
                {
                    "mode": "managed",
                    "type": "aws_s3_bucket",
                    "name": "logs",
                    "instances": [
                        {"attributes": {"id": "a", "tags": {"k": "v"}}},
                        {"index_key": 1, "attributes": None},
                    ],
                }
            ],
        },
        indent=2,
    )
    first, second = parse_state_text(text, source="s").resources
    assert first.text == text
    assert json.loads(text[first.start : first.end]) == {
        "attributes": {"id": "a", "tags": {"k": "v"}}
    }
    assert first.attributes == {"id": "a", "tags": {"k": "v"}}
    assert second.attributes == {}  # null attributes: nothing to decode, no error


WIDE = {
    "version": 4,
    "lineage": "é—🚀",
    "resources": [
        {
            "module": 'module.app["Zürich"]',
            "mode": "managed",
            "type": "aws_s3_bucket",
            "name": "b",
            "provider": PROVIDER,
            "instances": [
                {
                    "index_key": "東京",
                    "attributes": {"id": "logs-🚀", "bucket": "logs-🚀", "tags": {"Team": "a — b"}},
                    "sensitive_attributes": [[{"type": "get_attr", "value": "tags"}]],
                },
                {"index_key": "plain", "attributes": {"id": "ascii", "note": "caf\u00e9 ☕"}},
            ],
        }
    ],
}


def test_non_ascii_states_are_kept_one_byte_per_character(tmp_path: Path) -> None:
    """One emoji must not turn the kept text into 4 bytes a character: the reader keeps a
    Latin-1 view of the UTF-8 bytes and decodes non-ASCII values from their bytes."""
    raw = ("\ufeff" + json.dumps(WIDE, indent=2, ensure_ascii=False)).encode("utf-8")
    path = tmp_path / "wide.tfstate"
    path.write_bytes(raw)
    [parsed] = StateSource([str(path)]).load()
    want = parse_state(WIDE, source=parsed.source)
    assert summary(parsed) == summary(want)
    assert parsed.lineage == "é—🚀"
    assert [r.address for r in parsed.resources] == [
        'module.app["Zürich"].aws_s3_bucket.b["東京"]',
        'module.app["Zürich"].aws_s3_bucket.b["plain"]',
    ]
    first, second = parsed.resources
    assert first.attributes["tags"] == {"Team": "a — b"}
    assert second.attributes["note"] == "café ☕"
    assert sys.getsizeof(first.text) < len(raw) + 100  # one byte per character
    index = StateIndex([parsed])
    [found] = index.lookup("aws_s3_bucket", "bucket", "logs-🚀")
    assert found is first


@pytest.mark.parametrize("shift", [0, 1, 2, 3], ids=lambda n: f"cut-after-{n}-bytes")
def test_characters_cut_at_a_block_boundary(shift: int) -> None:
    """Non-ASCII bytes are found and checked per 64 KiB block: a character cut by a block's
    end, and values spanning blocks, still decode from their bytes."""
    head = '{"version": 4, "lineage": "'
    pad = "x" * (65536 - len(head.encode()) - shift)
    attributes = {"id": "ü" * 70_000 + "🚀", "bucket": "x"}
    # Non-ASCII only in the last block this instance spans (it starts in an ASCII one).
    late = {"note": "a" * 140_000, "id": "laté"}
    document: dict[str, Any] = {
        "version": 4,
        "lineage": pad + "🚀" + "é" * 40_000,
        "resources": [
            {
                "mode": "managed",
                "type": "aws_s3_bucket",
                "name": "b",
                "instances": [
                    {"index_key": 0, "attributes": attributes},
                    {"index_key": 1, "attributes": {"id": "pad", "note": "b" * 70_000}},
                    {"index_key": 2, "attributes": late},
                ],
            }
        ],
    }
    text = json.dumps(document, ensure_ascii=False)
    assert text.startswith(head)
    parsed = parse_state_text(text, source="s")
    assert parsed.lineage == document["lineage"]
    res, _, later = parsed.resources
    assert res.resource_id == "ü" * 70_000 + "🚀"
    assert res.attributes == attributes
    assert later.attributes == late
    assert later.resource_id == "laté"
    assert summary(parsed) == summary(parse_state(document, source="s"))


@pytest.mark.parametrize("at", [10, 65535, 65536, 200_000], ids=str)
def test_a_bad_byte_anywhere_is_a_clear_error(tmp_path: Path, at: int) -> None:
    text = json.dumps({"version": 4, "lineage": "a" * 300_000 + "é", "resources": []})
    raw = bytearray(text.encode())
    raw[at] = 0xFF
    path = tmp_path / "bad.tfstate"
    path.write_bytes(bytes(raw))
    with pytest.raises(StateError, match=r"bad\.tfstate: not valid JSON \(not UTF-8"):
        StateSource([str(path)]).load()


def test_a_character_cut_by_ascii_blocks_is_not_glued_to_a_later_one(tmp_path: Path) -> None:
    """A lead byte ending one block, an ASCII block, then continuation bytes: no character."""
    text = json.dumps({"version": 4, "lineage": "a" * 200_000, "resources": []})
    raw = bytearray(text.encode())
    raw[65535] = 0xE2
    raw[131072:131074] = b"\x80\x80"
    path = tmp_path / "glued.tfstate"
    path.write_bytes(bytes(raw))
    with pytest.raises(StateError, match="not UTF-8"):
        StateSource([str(path)]).load()


def test_a_state_that_is_not_utf8_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.tfstate"
    path.write_bytes(
        json.dumps({"version": 4, "lineage": "é"}, ensure_ascii=False).encode("latin-1")
    )
    with pytest.raises(StateError, match=r"latin1\.tfstate: not valid JSON \(not UTF-8"):
        StateSource([str(path)]).load()


def test_escaped_keys_and_odd_whitespace_take_the_slow_path() -> None:
    text = (
        '{"ver\\u0073ion":4,\t"resources" :\r\n[ {"mode":"managed","ty\\u0070e" : "aws_s3_bucket",'
        '"name":"b","instances":[ {"attributes":{"id":"x","bucket":"x"}} ] } ] }'
    )
    [res] = parse_state_text(text, source="s").resources
    assert (res.address, res.attributes) == ("aws_s3_bucket.b", {"id": "x", "bucket": "x"})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            '{"version": 4, "resources": [{"type": "a", "name": "b", "instances": [{}] "x": 1}]}',
            r"expected , or \}",
            id="missing-comma-in-resource",
        ),
        pytest.param(
            '{"version": 4, "resources": [{"type": "a", "name": "b", "instances": [{} {}]}]}',
            r"expected , or \]",
            id="missing-comma-between-instances",
        ),
        pytest.param(
            '{"version": 4, "resources": [{"type": "a", "name": "b",}]}',
            "expected a value",
            id="trailing-comma",
        ),
        pytest.param(
            '{"version": 4, "resources": [{"type": "a", "name": "b", "instances": [1]}]}',
            "an instance of a.b is not an object",
            id="instance-not-object",
        ),
        pytest.param(
            '{"version": 4, "resources": [{"type": "a", "name": "b", "instances": [{"attr',
            "not valid JSON",
            id="truncated-instance",
        ),
    ],
)
def test_broken_resources_are_clear_errors(text: str, message: str) -> None:
    with pytest.raises(StateError, match=message):
        parse_state_text(text, source="bad.tfstate")


@pytest.mark.parametrize(
    "key", ["blue", "a b", 'q"q', "back\\slash", "é", "\x7f", "\x1f", "~!#[]{}", ""], ids=repr
)
def test_for_each_addresses_quote_keys_as_terraform(key: str) -> None:
    assert _address("module.m", "aws_s3_bucket", "b", key) == (
        f"module.m.aws_s3_bucket.b[{terraform_quoted(key)}]"
    )


class _Anything(Mapping[str, Any]):
    """Attributes with a plausible value under every name a key function may read."""

    def __getitem__(self, key: str) -> Any:
        if key == "rule_number":
            return 100
        if key == "egress":
            return False
        if key in ("url", "queue_url"):
            return "https://sqs.eu-west-1.amazonaws.com/111111111111/q"
        if key == "network_interface":
            return [{"network_interface_id": "x-eni", "device_index": 1}]
        return f"x-{key}"

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


ALL_TYPES = sorted(
    {t for types in DERIVED_KEY_TYPES.values() for t in types} | {"aws_s3_bucket", "aws_instance"}
)


@pytest.mark.parametrize("key", sorted(DERIVED_KEYS), ids=str)
def test_derived_keys_apply_to_their_declared_types_only(key: str) -> None:
    derive, types = DERIVED_KEYS[key], DERIVED_KEY_TYPES[key]
    assert types
    for rtype in ALL_TYPES:
        found = derive(rtype, _Anything())
        if rtype in types:
            assert found, (key, rtype)
        else:
            assert found is None, (key, rtype)


def test_the_index_keeps_one_resource_or_a_list_per_value() -> None:
    def role(name: str, account: str) -> dict[str, Any]:
        arn = f"arn:aws:iam::{account}:role/app"
        return {
            "mode": "managed",
            "type": "aws_iam_role",
            "name": name,
            "instances": [{"attributes": {"id": "app", "name": "app", "arn": arn}}],
        }

    document = {"version": 4, "resources": [role("a", "111111111111"), role("b", "222222222222")]}
    other = {"version": 4, "resources": [role("c", "111111111111")]}
    index = StateIndex(
        [
            parse_state_text(json.dumps(document), source="one"),
            parse_state_text(json.dumps(other), source="two", workspace="blue"),
        ]
    )
    assert len(index) == 3
    assert [r.address for r in index] == ["aws_iam_role.a", "aws_iam_role.b", "aws_iam_role.c"]
    assert [r.name for r in index.lookup("aws_iam_role", "name", "app")] == ["a", "b", "c"]
    found = index.lookup("aws_iam_role", "arn", "arn:aws:iam::222222222222:role/app")
    assert [r.name for r in found] == ["b"]
    assert [r.name for r in index.lookup("aws_iam_role", "id", "app", account="1" * 12)] == [
        "a",
        "c",
    ]
    assert index.lookup("aws_iam_role", "name", "nope") == []
    assert index.lookup("aws_s3_bucket", "name", "app") == []
    blue = index.get("two", "blue", "aws_iam_role.c")
    assert blue is not None and blue.workspace == "blue"
    assert index.get("two", "default", "aws_iam_role.c") is None
    assert index.knows("app") and not index.knows("nope")


def test_a_key_with_several_values_finds_the_resource_by_each() -> None:
    # An instance launched with two interfaces (network_interface blocks, device index 0 and
    # 1) is found by either; a block without a whole device index is no attachment and is not
    # read, nor is a block without an interface id.
    blocks = [
        {"network_interface_id": "eni-a", "device_index": 0},
        {"network_interface_id": "eni-b", "device_index": 1},
        {"network_interface_id": "eni-c", "device_index": None},
        {"network_interface_id": "eni-d", "device_index": float("nan")},
        {"network_interface_id": "eni-e", "device_index": True},
        {"network_interface_id": "eni-f", "device_index": 2.0},
        {"network_interface_id": "", "device_index": 3},
        "not a block",
    ]
    instance = {"id": "i-1", "primary_network_interface_id": "eni-a", "network_interface": blocks}
    resource = {"mode": "managed", "type": "aws_instance", "name": "web"}
    document = {"version": 4, "resources": [resource | {"instances": [{"attributes": instance}]}]}
    index = StateIndex([parse_state_text(json.dumps(document), source="one")])
    key = "instance_by_launch_interface"
    for eni in ("eni-a", "eni-b", "eni-f", "eni-c", "eni-d", "eni-e", "", "i-1"):
        want = ["web"] if eni in ("eni-a", "eni-b", "eni-f") else []
        assert [r.name for r in index.lookup("aws_instance", key, eni)] == want, eni
    assert index.knows("eni-b")


def test_cyclic_gc_is_off_while_reading_and_restored_after() -> None:
    assert gc.isenabled()
    with without_cyclic_gc():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(StateError), without_cyclic_gc():
        parse_state_text("[]", source="bad")
    assert gc.isenabled()
    gc.disable()
    try:
        parse_state_text('{"version": 4, "resources": []}', source="s")
        assert not gc.isenabled()  # the caller's choice stands
    finally:
        gc.enable()

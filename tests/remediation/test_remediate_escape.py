"""Hostile values -> HCL literals that read back as exactly the same value.

Terraform (``terraform console``) is the authority for what a literal means; python-hcl2 must
also parse everything we write (it re-parses every patched file).
"""

from __future__ import annotations

import math
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.remediation.tf_console import evaluate, same
from tfdrift_gitops.errors import UnrepresentableValueError
from tfdrift_gitops.remediation import hcl_escape as esc
from tfdrift_gitops.remediation.hcl_tree import literal, parse, top_blocks

# --------------------------------------------------------------------------- strategies


def _representable(text: str) -> bool:
    try:
        esc.check_text(text)
    except UnrepresentableValueError:
        return False
    return True


# Bias towards the characters that matter: quotes, backslashes, template sigils, braces,
# newlines and controls, plus arbitrary Unicode.
_TRICKY = st.sampled_from(
    [
        "$",
        "{",
        "}",
        "%",
        "\\",
        '"',
        "\n",
        "\r",
        "\t",
        "${",
        "%{",
        "$${",
        "}\n",
        "\x00",
        "\u2028",
        "\u202e",
        "EOT",
        "<<",
        "#",
        "//",
        "/*",
        "é",
        "\U0001f600",
        "\ufeff",
    ]
)
texts = (
    st.lists(st.one_of(_TRICKY, st.text(max_size=6)), max_size=8)
    .map("".join)
    .filter(_representable)
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    texts,
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(texts, inner, max_size=4)),
    max_leaves=12,
)


# --------------------------------------------------------------------------- property tests


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(batch=st.lists(values, min_size=1, max_size=30))
def test_terraform_reads_back_exactly(
    batch: list[Any], terraform: str, tmp_path_factory: Any
) -> None:
    expressions = [esc.render_value(v, "  ") for v in batch]
    # python-hcl2 must parse what we write (every patched file is re-parsed with it).
    body = "locals {\n" + "".join(f"  v{i} = {e}\n" for i, e in enumerate(expressions)) + "}\n"
    parse(body, "batch.tf")
    got = evaluate(terraform, expressions, tmp_path_factory.mktemp("console"))
    for value, expression, back in zip(batch, expressions, got, strict=True):
        assert same(back, value), f"{expression!r} reads back as {back!r}, not {value!r}"


@settings(max_examples=150, deadline=None)
@given(value=values)
def test_our_reader_agrees_with_the_writer(value: Any) -> None:
    """The decoder used to verify patches reads every rendered literal back exactly."""
    text = f"locals {{\n  v = {esc.render_value(value, '  ')}\n}}\n"
    block = top_blocks(parse(text, "t.tf"))[0]
    attribute = block.attribute("v")
    assert attribute is not None
    assert same(literal(attribute.expr), _json_numbers(value))


def _json_numbers(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, list):
        return [_json_numbers(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_numbers(v) for k, v in value.items()}
    return value


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    bodies=st.lists(
        texts.map(lambda t: t + "\n").filter(esc.heredoc_safe), min_size=1, max_size=20
    ),
    trim=st.booleans(),
)
def test_heredocs_read_back_exactly(
    bodies: list[str], trim: bool, terraform: str, tmp_path_factory: Any
) -> None:
    expressions = [esc.render_heredoc(b, "  ", trim=trim) + "\n" for b in bodies]
    got = evaluate(terraform, expressions, tmp_path_factory.mktemp("heredoc"))
    for body, expression, back in zip(bodies, expressions, got, strict=True):
        assert back == body, f"{expression!r} reads back as {back!r}"
    # Our own decoder (used to verify patches) agrees with Terraform.
    for expression, back in zip(expressions, got, strict=True):
        text = f"locals {{\n  v = {expression}}}\n"
        attribute = top_blocks(parse(text, "h.tf"))[0].attribute("v")
        assert attribute is not None
        assert literal(attribute.expr) == back


# --------------------------------------------------------------------------- examples


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("plain", '"plain"', id="plain"),
        pytest.param('say "hi"', '"say \\"hi\\""', id="quotes"),
        pytest.param("a\\b", '"a\\\\b"', id="backslash"),
        pytest.param("line\nbreak\r\t", '"line\\nbreak\\r\\t"', id="whitespace-controls"),
        pytest.param("${var.x}", '"$${var.x}"', id="interpolation"),
        pytest.param("%{ if true }", '"%%{ if true }"', id="directive"),
        pytest.param("${unclosed", '"\\u0024{unclosed"', id="unclosed-interpolation"),
        pytest.param("%{", '"\\u0025{"', id="unclosed-directive"),
        pytest.param("$${x}", '"$$${x}"', id="already-escaped"),
        pytest.param("\x00\x7f", '"\\u0000\\u007F"', id="nul-del"),
        pytest.param("\u202eevil", '"\\u202Eevil"', id="bidi-override"),
        pytest.param("caf\u00e9 \U0001f600", '"caf\u00e9 \U0001f600"', id="unicode-kept"),
    ],
)
def test_quote_string(value: str, expected: str) -> None:
    assert esc.quote_string(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("e\u0301", id="not-nfc"),
        pytest.param("\ud800", id="lone-surrogate"),
        pytest.param("\U000e0080", id="unassigned"),
        pytest.param(math.inf, id="infinity"),
        pytest.param(math.nan, id="nan"),
        pytest.param({1: "x"}, id="non-string-key"),
        pytest.param({"k": object()}, id="unknown-type"),
    ],
)
def test_unrepresentable_values_are_refused(value: Any) -> None:
    with pytest.raises(UnrepresentableValueError):
        esc.render_value(value)


def test_nfc_text_is_accepted() -> None:
    assert esc.quote_string(unicodedata.normalize("NFC", "e\u0301")) == '"\u00e9"'


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        pytest.param("Name", "Name", id="identifier"),
        pytest.param("kubernetes.io/role", '"kubernetes.io/role"', id="dotted"),
        pytest.param("a-b", '"a-b"', id="dash"),
        pytest.param("9lives", '"9lives"', id="leading-digit"),
        pytest.param("null", '"null"', id="keyword-null"),
        pytest.param("for", '"for"', id="keyword-for"),
        pytest.param("${x}", '"$${x}"', id="template"),
        pytest.param("", '""', id="empty"),
    ],
)
def test_render_key(key: str, expected: str) -> None:
    assert esc.render_key(key) == expected


def test_injection_attempts_stay_inert_literals(terraform: str, tmp_path: Path) -> None:
    hostile = [
        '"\n}\nresource "x" "y" {',
        '${file("/etc/passwd")}',
        "%{ for x in y }${x}%{ endfor }",
    ]
    rendered = [esc.render_value(v) for v in hostile]
    text = "".join(f'resource "t" "r{i}" {{\n  v = {r}\n}}\n' for i, r in enumerate(rendered))
    blocks = top_blocks(parse(text, "t.tf"))
    assert [b.labels for b in blocks] == [("t", "r0"), ("t", "r1"), ("t", "r2")]
    assert evaluate(terraform, rendered, tmp_path) == hostile


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        pytest.param(["a", "b"], "EOT", id="free"),
        pytest.param(["EOT"], "EOT1", id="taken"),
        pytest.param(["  EOT  ", "EOT1"], "EOT2", id="taken-with-spaces"),
    ],
)
def test_heredoc_marker_cannot_be_forged(lines: list[str], expected: str) -> None:
    assert esc.heredoc_marker(lines) == expected


def test_heredoc_body_cannot_end_the_heredoc(terraform: str, tmp_path: Path) -> None:
    body = 'first\nEOT\n  EOT\nEOT1\n}\nresource "x" "y" {\n${var.x}\n'
    rendered = esc.render_heredoc(body)
    assert evaluate(terraform, [rendered + "\n"], tmp_path) == [body]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("\U0001f3fb\n", id="emoji-modifier"),
        pytest.param("\u0301x\nb\n", id="combining-mark"),
        pytest.param("\u00e9t\u00e9\n", id="accented"),
    ],
)
def test_trimmed_heredoc_keeps_line_leading_extenders(
    body: str, terraform: str, tmp_path: Path
) -> None:
    """Terraform trims ``<<-`` indentation by grapheme cluster: a leading emoji modifier or
    combining mark would join the indentation and vanish (found by hypothesis)."""
    rendered = esc.render_heredoc(body, "  ", trim=True)
    assert evaluate(terraform, [rendered + "\n"], tmp_path) == [body]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("no final newline", id="no-newline"),
        pytest.param("bell\x07\n", id="control"),
        pytest.param("e\u0301\n", id="not-nfc"),
    ],
)
def test_heredoc_refuses_what_it_cannot_hold(body: str) -> None:
    assert not esc.heredoc_safe(body)
    with pytest.raises(UnrepresentableValueError):
        esc.render_heredoc(body)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("alice", "alice", id="plain"),
        pytest.param("a\nb\r\nc", "a b c", id="newlines"),
        pytest.param("x\u2028y\u202ez", "x y z", id="separators-and-bidi"),
        pytest.param("x" * 300, "x" * 197 + "...", id="bounded"),
    ],
)
def test_comment_text(value: str, expected: str) -> None:
    assert esc.comment_text(value) == expected


def test_lists_and_objects_render_in_fmt_style() -> None:
    value = {"Name": "web", "a b": [1, 2], "nested": {"k": True}}
    assert esc.render_value(value) == (
        '{\n  Name = "web"\n  "a b" = [1, 2]\n  nested = {\n    k = true\n  }\n}'
    )
    long = ["x" * 40, "y" * 40]
    assert esc.render_value(long, "  ") == f'[\n    "{"x" * 40}",\n    "{"y" * 40}",\n  ]'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param('"x"', '`"x"`', id="plain"),
        pytest.param('"a`b"', '`` "a`b" ``', id="inner-backtick"),
        pytest.param('"```"', '```` "```" ````', id="fence-run"),
    ],
)
def test_values_in_explanations_cannot_break_code_spans(text: str, expected: str) -> None:
    from tfdrift_gitops.remediation.explain import code_span

    assert code_span(text) == expected

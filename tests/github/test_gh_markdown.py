"""The escaping functions, checked against GitHub's cmark-gfm."""

from __future__ import annotations

import html
import re

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from hypothesis import given, settings
from hypothesis import strategies as st

from tfdrift_gitops.github import markdown as md


def gfm(text: str) -> str:
    return str(cmarkgfm.github_flavored_markdown_to_html(text, options=Options.CMARK_OPT_UNSAFE))


def visible(value: str) -> str:
    """What a code span should show for ``value`` (controls made visible, markers defused)."""
    return md.defuse_markers(md._visible_controls(value))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1))
def test_code_span_shows_exactly_the_text(value: str) -> None:
    rendered = gfm(f"x {md.code_span(value)} y")
    codes = re.findall(r"<code>(.*?)</code>", rendered, flags=re.S)
    assert len(codes) == 1, rendered
    shown = html.unescape(codes[0])
    # cmark turns a NUL into U+FFFD; everything else must come through as is.
    assert shown == visible(value).replace("\0", "\ufffd")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=40), min_size=3, max_size=3))
def test_cells_never_split_a_table_row(values: list[str]) -> None:
    row = " | ".join(md.cell(v) for v in values)
    rendered = gfm(f"| a | b | c |\n|---|---|---|\n| {row} |\n")
    body = re.search(r"<tbody>(.*)</tbody>", rendered, flags=re.S)
    assert body is not None, rendered
    assert len(re.findall(r"<td[ >]", body.group(1))) == 3


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=80))
def test_text_never_makes_markup(value: str) -> None:
    rendered = gfm(f"Reason: {md.text(value)}")
    inner = re.sub(r"^<p>|</p>\n$", "", rendered)
    assert "<" not in inner.replace("&lt;", "").replace("<br />", "")
    assert not re.search(r"(?<![\w\u200d])@\w", html.unescape(inner))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("plain", "`plain`", id="plain"),
        pytest.param("a`b", "``a`b``", id="one-backtick"),
        pytest.param("``x", "``` ``x ```", id="leading-run"),
        pytest.param("", "—", id="empty"),
        pytest.param("a\nb", "`a\\nb`", id="newline-visible"),
        pytest.param(
            "<!-- tfdrift-gitops:x -->", "`<!\u200d-- tfdrift\u200d-gitops:x -->`", id="marker"
        ),
        pytest.param({"a": [1, None]}, '`{"a": [1, null]}`', id="json"),
    ],
)
def test_code_span_cases(value: object, expected: str) -> None:
    assert md.code_span(value) == expected


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        pytest.param("@everyone", "@\u200deveryone", id="mention"),
        pytest.param("@acme/team", "@\u200dacme/team", id="team"),
        pytest.param("#12", "\\#\u200d12", id="reference"),
        pytest.param("https://evil.example", "https:/\u200d/evil.example", id="autolink"),
        pytest.param("www.evil.example", "www\u200d.evil.example", id="www"),
        pytest.param("<b>", "&lt;b&gt;", id="html"),
        pytest.param("[x](y)", "\\[x\\]\\(y\\)", id="link"),
    ],
)
def test_text_cases(value: str, needle: str) -> None:
    assert needle in md.text(value)


def test_code_block_fence_outruns_the_content() -> None:
    block = md.code_block("a\n````\nb", "diff")
    assert block.startswith("`````diff\n")
    assert gfm(block).count("<pre") == 1


def test_truncate_closes_fence_and_details() -> None:
    body = "<!-- m -->\n<details><summary>x</summary>\n\n```\n" + "line\n" * 20000
    cut = md.truncate(body, 5000)
    assert md.utf16_len(cut) <= 5000
    rendered = gfm(cut)
    assert rendered.count("<details>") == rendered.count("</details>") == 1
    assert "cut to fit" in rendered.split("</pre>")[-1]


def test_truncate_leaves_short_bodies_alone() -> None:
    assert md.truncate("short") == "short"


def test_utf16_length_counts_astral_characters_twice() -> None:
    assert md.utf16_len("😀") == 2

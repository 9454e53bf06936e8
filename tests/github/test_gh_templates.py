"""Rendered issue/PR/comment bodies: golden files, and hostile CloudTrail text rendered by
GitHub's own Markdown engine (cmark-gfm) to prove it stays inert."""

from __future__ import annotations

import html
import re
from pathlib import Path

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from tests.github.gh_golden import GOLDEN_DIR, documents
from tests.github.gh_support import HOSTILE, drift
from tfdrift_gitops.github import markdown as md
from tfdrift_gitops.github.marker import parse_marker
from tfdrift_gitops.github.remedy import Decision, Strategy
from tfdrift_gitops.github.render import Renderer
from tfdrift_gitops.github.settings import GitHubSettings

DOCS = documents()
HOSTILE_DOCS = sorted(n for n in DOCS if n.startswith("hostile.") and n.endswith(".md"))
CONSOLE = re.compile(r"^https://[a-z]{2}(-[a-z]+)+-\d\.console\.aws\.amazon\.com/cloudtrailv2/")


def gfm(text: str) -> str:
    """HTML as GitHub's cmark-gfm makes it, raw HTML kept (so any leak shows)."""
    return str(cmarkgfm.github_flavored_markdown_to_html(text, options=Options.CMARK_OPT_UNSAFE))


def outside_code(rendered: str) -> str:
    return re.sub(r"<code>.*?</code>|<pre[^>]*>.*?</pre>", "", rendered, flags=re.S)


def skeleton(rendered: str) -> list[str]:
    """Block structure: the sequence of block-level tags."""
    blocks = r"h[1-6]|p|ul|ol|li|table|thead|tbody|tr|th|td|pre|details|summary|blockquote|hr"
    return re.findall(rf"</?(?:{blocks})\b", rendered)


@pytest.mark.parametrize("name", sorted(DOCS), ids=sorted(DOCS))
def test_golden(name: str) -> None:
    path = GOLDEN_DIR / name
    assert path.exists(), (
        f"missing golden file {name}: run python tests/github/regenerate_golden.py"
    )
    assert DOCS[name] == path.read_text(encoding="utf-8"), (
        f"{name} differs from its golden file; if intended, run regenerate_golden.py"
    )


def test_no_stale_golden_files() -> None:
    stale = {p.name for p in GOLDEN_DIR.glob("*") if p.suffix in (".md", ".txt")} - set(DOCS)
    assert stale == set()


@pytest.mark.parametrize("name", HOSTILE_DOCS, ids=HOSTILE_DOCS)
def test_hostile_values_stay_inert(name: str) -> None:
    body = DOCS[name]
    rendered = gfm(body)
    outside = outside_code(rendered)
    # No HTML from values: the only tags are the ones our templates write.
    tags = set(re.findall(r"<(/?[a-zA-Z][a-zA-Z0-9]*)", rendered))
    allowed = {
        "h2",
        "h3",
        "p",
        "ul",
        "li",
        "strong",
        "code",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "pre",
        "details",
        "summary",
        "sub",
        "hr",
        "a",
        "blockquote",
        "br",
        "em",
    }
    assert {t.lstrip("/") for t in tags} <= allowed, tags
    assert "<img" not in rendered
    # No link except the AWS console ones we build from checked values.
    for href in re.findall(r'href="([^"]*)"', rendered):
        assert CONSOLE.match(html.unescape(href)), href
    # No mention, team ping or issue reference outside code.
    assert not re.search(r"(?<![\w\u200d])@[A-Za-z0-9]", html.unescape(outside)), outside
    ours = ("pull request #7 already", "Closes #12")  # references the templates make on purpose
    text = html.unescape(outside)
    for reference in ours:
        text = text.replace(reference, "")
    assert not re.search(r"#\d", text)
    assert "www.evil" not in html.unescape(outside)
    # No marker but ours: exactly one on the first line (or none in evidence comments).
    markers = body.count("tfdrift-gitops:")
    assert markers == (1 if parse_marker(body) else 0)
    assert body.count("<!--") == markers
    # HTML blocks balanced; the text's own "</details>" never closes ours.
    assert rendered.count("<details>") == rendered.count("</details>")


@pytest.mark.parametrize(
    "name",
    [n.split(".", 1)[1] for n in HOSTILE_DOCS],
    ids=[n.split(".", 1)[1] for n in HOSTILE_DOCS],
)
def test_hostile_text_does_not_change_the_structure(name: str) -> None:
    """Same template, same number of events/changes: the same headings, lists, table rows and
    cells, whatever the values say."""
    plain = skeleton(gfm(DOCS[f"plain.{name}"]))
    hostile = skeleton(gfm(DOCS[f"hostile.{name}"]))
    assert hostile == plain


def test_table_rows_keep_their_cells() -> None:
    rendered = gfm(DOCS["hostile.issue.md"])
    for table in re.findall(r"<table>.*?</table>", rendered, flags=re.S):
        rows = re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)
        widths = {len(re.findall(r"<t[hd][ >]", row)) for row in rows}
        assert len(widths) == 1, widths


def test_titles_are_one_line_without_pings_or_markers() -> None:
    title = DOCS["hostile.title.txt"].rstrip("\n")
    assert "\n" not in title
    assert len(title) <= 200
    assert not re.search(r"@[A-Za-z]", title)
    assert "tfdrift-gitops:" not in title


def test_long_body_is_cut_to_the_limit_with_a_note() -> None:
    body = DOCS["long.issue.md"]
    assert md.utf16_len(body) <= md.GITHUB_BODY_LIMIT
    assert "cut to fit GitHub's 65,536-character limit" in body
    assert parse_marker(body) is not None


def test_user_template_overrides_one_file(tmp_path: Path) -> None:
    (tmp_path / "issue.md.j2").write_text("Custom: {{ drift.actor.name | code }}\n")
    renderer = Renderer(GitHubSettings(templates=str(tmp_path)))
    d = drift(1)
    issue = renderer.issue(d, Decision(Strategy.MANUAL, "x"))
    assert issue.body.splitlines()[1] == "Custom: `alan@acme.example`"
    assert (parse_marker(issue.body) or {})[
        "drift"
    ] == d.id  # the marker is ours, not the template's
    comment = renderer.pr_comment([d], 1, []).body  # not overridden: the shipped one
    assert "Applying this PR will revert the manual change" in comment


def test_hostile_drift_id_cannot_be_written(tmp_path: Path) -> None:
    from dataclasses import replace

    from tfdrift_gitops.errors import GitHubError

    bad = replace(drift(1), id="d-1 --> <img src=x>")
    with pytest.raises(GitHubError, match="unexpected characters"):
        Renderer(GitHubSettings()).issue(bad, Decision(Strategy.MANUAL, "x"))


def test_hostile_constant_covers_the_brief() -> None:
    for needle in (
        "@everyone",
        "@acme/platform-team",
        "<!-- tfdrift-gitops:drift=x -->",
        "</details>",
        "|",
        "``",
        "[x](https://evil",
        "<img src=x",
        "\n",
    ):
        assert needle in HOSTILE

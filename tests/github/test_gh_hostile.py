"""Characters that hide or reorder text, in every GitHub sink, end to end.

A caller can put a zero-width or bidi character in a value CloudTrail records (a policy
document, a description, a tag value); an issue then shows ``admin\\u2060`` as ``admin``, or
``\\u2067`` turns what follows around. Each case carries one such character inside a value that
reaches the issue title (the address), the body's code spans and table cells (actor, change),
its prose (a severity reason) and the job summary; the issue is opened on the fake GitHub
server. The check: the disguised text never arrives as is, and its visible ``\\uXXXX`` form
does.
"""

from __future__ import annotations

import html
import re
import unicodedata
from pathlib import Path

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from tests.github.fake_github import FakeGitHub
from tests.github.gh_support import SETTINGS, MakeClient, actor, drift, estate, event, new_ledger
from tfdrift_gitops.github.reconcile import Reconciler
from tfdrift_gitops.github.remedy import manual_only
from tfdrift_gitops.github.render import Renderer
from tfdrift_gitops.github.summary import summary_markdown, workflow_annotations
from tfdrift_gitops.models import Change

HIDDEN = [
    pytest.param("\u200b", "\\u200b", id="zero-width-space"),
    pytest.param("\u2060", "\\u2060", id="word-joiner"),
    pytest.param("\u2063", "\\u2063", id="invisible-separator"),
    pytest.param("\u2067", "\\u2067", id="rtl-isolate"),
    pytest.param("\u202e", "\\u202e", id="rtl-override"),
    pytest.param("\u061c", "\\u061c", id="arabic-letter-mark"),
    pytest.param("\u180e", "\\u180e", id="mongolian-vowel-separator"),
    pytest.param("\u00ad", "\\u00ad", id="soft-hyphen"),
    pytest.param("\ufeff", "\\ufeff", id="bom"),
    pytest.param("\U000e0041", "\\U000e0041", id="tag-character"),
    pytest.param("\u3164", "\\u3164", id="hangul-filler"),
    pytest.param("\u034f", "\\u034f", id="combining-grapheme-joiner"),
    # Not hidden but not text either: no UTF-8 form, so GitHub cannot store it, and the job
    # summary file (UTF-8) cannot be written with it.
    pytest.param("\udc80", "\\udc80", id="lone-surrogate"),
]


BLANK = {"\u034f", "\u115f", "\u1160", "\u17b4", "\u17b5", "\u3164", "\uffa0"}


def _hidden(text: str) -> list[str]:
    return [f"U+{ord(c):04X}" for c in text if unicodedata.category(c) == "Cf" or c in BLANK]


def gfm(text: str) -> str:
    return str(cmarkgfm.github_flavored_markdown_to_html(text, options=Options.CMARK_OPT_UNSAFE))


def _disguised(char: str) -> object:
    name = f"ad{char}min"
    who = actor(name, arn=f"arn:aws:sts::123456789012:assumed-role/ops/{name}")
    return drift(
        7,
        address=f'aws_security_group.web["{name}"]',
        events=(event("e0c1a2b3-0000-4000-8000-000000000007", who=who),),
        changes=(Change("tags", {"Owner": "web"}, {"Owner": name}),),
        reasons=(f"tagged by {name}",),
    )


@pytest.mark.parametrize(("char", "shown"), HIDDEN)
def test_issue_title_and_body_show_hidden_characters(
    fake: FakeGitHub, make_client: MakeClient, tmp_path: Path, char: str, shown: str
) -> None:
    fake.reset(estate(7))
    disguised = _disguised(char)
    store = new_ledger(tmp_path / "ledger", [disguised])  # type: ignore[list-item]
    client = make_client()
    report = Reconciler(client, store, Renderer(SETTINGS), manual_only(), SETTINGS).run()
    client.close()
    assert report.errors == []
    (issue,) = fake.issues()
    assert f"ad{char}min" not in issue["title"]
    assert f"ad{shown}min" in issue["title"]
    assert f"ad{char}min" not in issue["body"]
    (issue["title"] + issue["body"]).encode("utf-8")  # strict: no lone surrogate
    shown_html = html.unescape(gfm(issue["body"]))
    # the address, actor, ARN and change in code spans, the reason in prose
    assert shown_html.count(f"ad{shown}min") >= 5, shown_html


@pytest.mark.parametrize(("char", "shown"), HIDDEN)
def test_step_summary_shows_hidden_characters(char: str, shown: str) -> None:
    disguised = _disguised(char)
    text = summary_markdown(
        "tfdrift-gitops",
        {f"ad{char}min": 1},
        [disguised],  # type: ignore[list-item]
        errors=[(f"ad{char}min", f"bad ad{char}min")],
        notes=[f"note ad{char}min"],
    )
    assert f"ad{char}min" not in text
    text.encode("utf-8")  # strict: the summary file is written as UTF-8
    shown_html = html.unescape(gfm(text))
    # count key, address, actor, change, error place and message, note
    assert shown_html.count(f"ad{shown}min") == 7, shown_html


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("\x1b[31mok\x1b[0m", id="ansi-colour"),
        pytest.param("evil\rgood", id="carriage-return"),
        pytest.param("ad\u2060min", id="word-joiner"),
        pytest.param("\u202enimda", id="rtl-override"),
        pytest.param("x\n::add-mask::y", id="newline-command"),
        pytest.param("50%0A::error::forged", id="pre-escaped"),
        pytest.param("##[add-mask]alan", id="legacy-command"),
    ],
)
def test_annotations_are_one_plain_command(name: str) -> None:
    """``python -m tfdrift_gitops.github.summary`` writes these lines to stdout as they are."""
    who = actor(name)
    disguised = drift(8, events=(event("e0c1a2b3-0000-4000-8000-000000000008", who=who),))
    (line,) = workflow_annotations([disguised])
    # One line, one command: its title ends at the first "::" (the runner's rule).
    assert line.startswith("::error title=critical drift on aws_security_group.web8::")
    odd = [c for c in line if ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F]
    assert odd == [] and _hidden(line) == [], line


@pytest.mark.parametrize(
    "drift_id",
    [
        pytest.param("d-0123456789abcdef/../../main", id="dot-dot"),
        pytest.param("-d-0123456789abcdef", id="leading-dash"),
        pytest.param("d-0123456789abcdef~1", id="tilde"),
        pytest.param("d-0123456789abcdef^{}", id="caret"),
        pytest.param("d-0123:?*[\\", id="ref-punctuation"),
        pytest.param("d-0123456789abcdef.lock", id="lock-suffix"),
        pytest.param("d-0123456789abcdef\n", id="newline"),
    ],
)
def test_no_branch_is_named_after_anything_but_a_drift_id(drift_id: str) -> None:
    from tfdrift_gitops.errors import GitHubError
    from tfdrift_gitops.github.render import branch_name

    with pytest.raises(GitHubError, match="not a drift id"):
        branch_name(drift_id)
    assert branch_name("d-0123456789abcdef") == "tfdrift/d-0123456789abcdef"


def test_commit_message_names_the_address_on_one_plain_line(
    fake: FakeGitHub, make_client: MakeClient, tmp_path: Path
) -> None:
    """The remediation commit quotes the address; GitHub links ``#1`` in a commit message, and
    ``fixes #1`` there closes issue 1 when the commit reaches the default branch."""
    from dataclasses import replace

    from tests.github.gh_support import FileRemediator, write_tree
    from tfdrift_gitops.github.remedy import Decision
    from tfdrift_gitops.models import Drift

    files = estate(1)
    fake.reset(files)
    workdir = write_tree(tmp_path / "work", files)
    hostile = 'aws_security_group.web1["x\r\n\nfixes #1\n\nCo-authored-by: @acme/admins\u202e"]'
    disguised = drift(1, address=hostile)
    real = FileRemediator(workdir)

    def remediate(d: Drift) -> Decision:
        plain = replace(d.resource, address="aws_security_group.web1")
        return real(replace(d, resource=plain))

    store = new_ledger(tmp_path / "ledger", [disguised])
    client = make_client()
    report = Reconciler(
        client, store, Renderer(SETTINGS), remediate, SETTINGS, workdir=workdir
    ).run()
    client.close()
    assert report.errors == []
    messages = [c["message"] for c in fake.repo.commits.values() if c.get("message")]
    (message,) = [m for m in messages if m.startswith("tfdrift:")]
    subject, _, rest = message.partition("\n\n")
    assert "\n" not in subject and "\r" not in subject, message
    assert not re.search(r"(?<![\w\u200d])[#@]\w", subject), subject
    assert "\u202e" not in message
    assert rest.startswith("Drift d-0000000000000001, patch ")
    (pull,) = fake.pulls()
    assert "\n" not in pull["title"] and "\u202e" not in pull["title"]


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("$\\text{approved by security}$", id="inline-math"),
        pytest.param("$$\\color{green}{ok}$$", id="block-math"),
        pytest.param("$`\\sqrt{2}`$", id="backtick-math"),
    ],
)
def test_prose_starts_no_math(value: str) -> None:
    """GitHub renders $…$, $$…$$ and $`…`$ as math; in prose every $ is escaped (\\$)."""
    from tfdrift_gitops.github import markdown as md

    out = md.text(value)
    assert re.search(r"(?<!\\)\$", out) is None, out
    assert html.unescape(gfm(out)).replace("\u200d", "") == f"<p>{value}</p>\n"


# GitHub links these in issue and PR text and titles (and in commit messages): a mention
# notifies, a reference adds a "mentioned this" event to that issue, in any repository.
_GITHUB_REFERENCE = re.compile(
    r"(?<![\w/])#\d|(?i:\bgh-\d)|[\w.-]+/[\w.-]+#\d|(?<![\w\u200d])@[\w-]"
)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("see #12", id="issue"),
        pytest.param("GH-12", id="gh-reference"),
        pytest.param("fixes gh-7", id="gh-lower-case"),
        pytest.param("acme/infra#3", id="cross-repository"),
        pytest.param("@acme/admins", id="team-mention"),
        pytest.param("cc @alan", id="user-mention"),
    ],
)
def test_prose_and_titles_link_nothing(value: str) -> None:
    from tfdrift_gitops.github import markdown as md

    for sink, out in (("text", md.text(value)), ("title", md.title(value))):
        shown = html.unescape(gfm(out)) if sink == "text" else out
        assert _GITHUB_REFERENCE.search(shown) is None, (sink, out)
        assert shown.replace("\u200d", "").replace("\\", "") in (value, f"<p>{value}</p>\n")

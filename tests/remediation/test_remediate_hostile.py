"""Named hostile values in the HCL a remediation writes: a new file (tag values as quoted strings
in an object, policies as heredocs, header comments naming the actor) made by the code that
makes new files (``splice.format_new_file``, our own alignment), then read by Terraform.

Each case must come out as ``terraform fmt`` leaves it (fmt changes nothing) and read back by
``terraform console`` as exactly the value; the comment must stay one visible line: no control,
bidi or hidden character (``core.invisible``) may disguise who acted. One fmt and one console
call serve the whole table (module fixture); each case is still its own test.
"""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest

from tests.remediation.tf_console import evaluate
from tfdrift_gitops.remediation import fmt
from tfdrift_gitops.remediation import hcl_escape as esc
from tfdrift_gitops.remediation.hcl_tree import top_blocks
from tfdrift_gitops.remediation.splice import format_new_file

CASES = {
    "interpolation": '${file("/etc/passwd")}',
    "directive": "%{ for x in var.y }${x}%{ endfor }",
    "already-escaped": "$${x} %%{y}",
    "unclosed-interpolation": "${unclosed",
    "dollar-brace-at-end": "cost $",
    "triple-dollar": "$$${x}",
    "quote-and-brace-break-out": '"\n}\nresource "aws_iam_user" "x" {\n  name = "y',
    "backslashes": "C:\\path\\${x}\\",
    "escape-lookalike": "\\u0024{x} \\n",
    "heredoc-terminator": "EOT\n  EOT\nEOT1",
    "line-separator": "a\u2028b\u2029c",
    "controls": "\x00\x07\x1b[31mred\r\n\x7f\x85",
    "bidi-override": "\u202eevil\u202c",
    "zero-width": "ad\u200bmin\u2060",
    "tag-characters": "x\U000e0041",
    "astral": "\U0001f600 \U0001d11e",
    "comment-starts": "# not a comment // nor /* this */",
    "very-long": "${x}" * 4000 + "%{" + "y" * 20_000,
}
HEREDOCS = {
    "heredoc-template": '{\n  "a": "${aws:username}",\n  "b": "%{ if x }"\n}\n',
    "heredoc-marker-inside": "EOT\n  EOT  \nEOT1\n}\n",
    "heredoc-indented-marker": "x\n    EOT\n",
    "heredoc-dollars": "$$${x}\n$\n%%{\n",
}
ACTORS = {
    "actor-newline": "alan\n# approved by security",
    "actor-bidi": "\u202enimda",
    "actor-word-joiner": "ad\u2060min",
    "actor-zero-width": "ad\u200bmin",
    "actor-tag-characters": "admin\U000e0041",
    "actor-hangul-filler": "admin\u3164",
    "actor-carriage-return": "evil\rgood",
    "actor-ansi": "\x1b[2Kgood",
}
BLANK = {"\u034f", "\u115f", "\u1160", "\u17b4", "\u17b5", "\u3164", "\uffa0"}


@pytest.fixture(scope="module")
def written(terraform: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tags = {f"k{i}": value for i, value in enumerate(CASES.values())}
    docs = [esc.render_heredoc(body, "  ", trim=True) for body in HEREDOCS.values()]
    comments = [esc.comment_text(f"tfdrift-gitops: imported by {who}") for who in ACTORS.values()]
    text = "".join(f"# {c}\n" for c in comments)
    keys = {value: i for i, value in enumerate(CASES.values())}  # the values as tag keys
    text += "locals {\n  t = " + esc.render_object(tags, "  ") + "\n"
    text += "  u = " + esc.render_object(keys, "  ") + "\n"
    text += "".join(f"  h{i} = {doc}\n" for i, doc in enumerate(docs)) + "}\n"
    final, tree = format_new_file(text, "adopted.tf", use_terraform=False)
    formatted = fmt.terraform_fmt(final, origin="adopted.tf", binary=terraform)
    assert top_blocks(tree)[0].attribute("t") is not None  # python-hcl2 reads it too
    expressions = [f"local.t.k{i}" for i in range(len(tags))]
    expressions += [f"local.h{i}" for i in range(len(docs))] + ["local.u"]
    scratch = tmp_path_factory.mktemp("hostile")
    (scratch / "adopted.tf").write_text(final, encoding="utf-8")
    values = evaluate(terraform, expressions, scratch)
    lines = final.split("\n")
    return {
        "final": final,
        "formatted": formatted,
        "tags": dict(zip(CASES, values[: len(tags)], strict=True)),
        "heredocs": dict(zip(HEREDOCS, values[len(tags) : -1], strict=True)),
        "keys": values[-1],
        "comments": dict(zip(ACTORS, lines[: len(ACTORS)], strict=True)),
    }


def test_terraform_fmt_changes_nothing(written: dict[str, Any]) -> None:
    assert written["formatted"] == written["final"]


@pytest.mark.parametrize("name", list(CASES))
def test_quoted_value_reads_back_exactly(written: dict[str, Any], name: str) -> None:
    assert written["tags"][name] == CASES[name]


@pytest.mark.parametrize("name", list(CASES))
def test_object_key_reads_back_exactly(written: dict[str, Any], name: str) -> None:
    assert written["keys"].get(CASES[name]) == list(CASES).index(name)


@pytest.mark.parametrize("name", list(HEREDOCS))
def test_heredoc_reads_back_exactly(written: dict[str, Any], name: str) -> None:
    assert written["heredocs"][name] == HEREDOCS[name]


@pytest.mark.parametrize("name", list(ACTORS))
def test_comment_names_the_actor_visibly(written: dict[str, Any], name: str) -> None:
    line = written["comments"][name]
    assert line.startswith("# tfdrift-gitops: imported by ")
    hidden = [
        f"U+{ord(c):04X}"
        for c in line
        if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") or c in BLANK
    ]
    assert hidden == [], line


def test_refused_values_are_named_errors() -> None:
    from tfdrift_gitops.errors import UnrepresentableValueError

    for bad in ("e\u0301", "\udc80", "\U000e0080"):
        with pytest.raises(UnrepresentableValueError):
            esc.render_value({"Owner": bad})

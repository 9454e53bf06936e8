"""The built-in alignment (used when terraform is absent) does what ``terraform fmt`` does."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.remediation.remediation_cases import REPO
from tfdrift_gitops.remediation import fmt
from tfdrift_gitops.remediation.hcl_tree import parse

FILES = sorted(p for p in REPO.rglob("*") if p.suffix in (".tf", ".tfvars"))


def _squash(text: str) -> str:
    """Undo alignment: one space around ``=`` and before trailing comments."""
    out = []
    for line in text.split("\n"):
        squashed = re.sub(r"^(\s*[^\s=#/][^=]*?)\s+=(\s)", r"\1 =\2", line)
        out.append(re.sub(r'(["\w\])}])\s{2,}(#|//)', r"\1 \2", squashed))
    return "\n".join(out)


def _align_all(text: str) -> str:
    return fmt.align(text, parse(text, "t.tf"), set(range(1, text.count("\n") + 2)))


@pytest.mark.parametrize("path", [pytest.param(p, id=str(p.relative_to(REPO))) for p in FILES])
def test_alignment_restores_fmt_clean_files(path: Path) -> None:
    clean = path.read_text(encoding="utf-8")
    assert _align_all(_squash(clean)) == clean


SAMPLES = {
    "heredoc-in-run": "x {\n  a = 1\n  bbb = <<EOT\n  c = 2\nEOT\n  dd = 3\n}\n",
    "multi-line-value-breaks-run": "x {\n  a = [\n    1,\n  ]\n  bbbb = 2\n  c = {\n"
    "    dd = 1\n    e = 2\n  }\n}\n",
    "comment-line-breaks-run": "x {\n  a = 1\n  # note\n  bbbb = 2\n}\n",
    "trailing-comments": 'x {\n  a = 1 # one\n  bbbbbb = "two" // two\n  c = 3\n}\n',
    "objects-in-tuple": "x = [\n  {\n    a = 1\n    bbb = 2\n  },\n  { c = 3 },\n]\n",
    "one-line-object": "x {\n  tags = { a = 1 }\n  bb = 2\n}\n",
    "jsonencode": 'x {\n  p = jsonencode({\n    Version = "1"\n    S = [{ A = "b" }]\n  })\n'
    "  qq = 1\n}\n",
    "quoted-keys": 'x = {\n  "a b" = 1\n  c = 2\n  "kubernetes.io/role" = 3\n}\n',
    "tfvars": 'a = 1\nbbb = "x" # c\n\ncc = 2\n',
}


@pytest.mark.parametrize("text", [pytest.param(v, id=k) for k, v in SAMPLES.items()])
def test_alignment_matches_terraform(terraform: str, text: str) -> None:
    assert _align_all(text) == fmt.terraform_fmt(text, origin="t.tf", binary=terraform)


def test_only_runs_with_a_changed_line_are_realigned() -> None:
    text = "x {\n  a = 1\n  bbb = 2\n\n  c    = 3\n  dd = 4\n}\n"
    # Line 3 is dirty: its run (lines 2-3) is aligned; lines 5-6 stay as the author wrote them.
    assert fmt.align(text, parse(text, "t"), {3}) == (
        "x {\n  a   = 1\n  bbb = 2\n\n  c    = 3\n  dd = 4\n}\n"
    )


def test_terraform_fmt_rejects_invalid_code(terraform: str) -> None:
    from tfdrift_gitops.errors import RemediationError

    with pytest.raises(RemediationError, match="terraform fmt rejects"):
        fmt.terraform_fmt('x = "unterminated\n', origin="bad.tf", binary=terraform)

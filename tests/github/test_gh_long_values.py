"""A huge value (a 1 MB tag) is cut where it stands; the issue keeps every section."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.github.fake_github import FakeGitHub
from tests.github.gh_support import SETTINGS, MakeClient, drift, estate, new_ledger
from tfdrift_gitops.github.markdown import GITHUB_BODY_LIMIT, utf16_len
from tfdrift_gitops.github.reconcile import Reconciler
from tfdrift_gitops.github.remedy import manual_only
from tfdrift_gitops.github.render import Renderer
from tfdrift_gitops.models import Change

SECTIONS = ("### What changed", "### Severity:", "### Events (", "### Remediation:")


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param(
            (Change("tags", {"Name": "web"}, {"Name": "web", "Blob": "x" * (1 << 20)}),),
            id="one-1mb-tag",
        ),
        pytest.param(
            tuple(Change(f"tags.k{n}", None, "y" * 200_000) for n in range(12)),
            id="twelve-200kb-values",
        ),
    ],
)
def test_a_huge_value_is_cut_never_a_section(
    fake: FakeGitHub, make_client: MakeClient, tmp_path: Path, changes: tuple[Change, ...]
) -> None:
    fake.reset(estate(1))
    big = drift(1, changes=changes)
    doc = Renderer(SETTINGS).issue(big, manual_only()(big))
    assert utf16_len(doc.body) <= GITHUB_BODY_LIMIT
    for section in SECTIONS:
        assert section in doc.body, section
    assert "This text was cut" not in doc.body
    assert "characters in all" in doc.body  # the value says it was cut, and how long it was

    # And the issue GitHub receives is that body.
    store = new_ledger(tmp_path / "ledger", [big])
    client = make_client()
    report = Reconciler(client, store, Renderer(SETTINGS), manual_only(), SETTINGS).run()
    client.close()
    assert report.errors == []
    (issue,) = fake.issues()
    for section in SECTIONS:
        assert section in issue["body"], section

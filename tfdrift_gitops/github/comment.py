"""``comment --pr N``: one sticky comment naming who changed, by hand, what the PR touches.

The comment is found again by its marker and edited in place; it is created only when there is
drift to report, and once it exists it is updated to say so when no drift remains.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tfdrift_gitops.errors import GitHubError
from tfdrift_gitops.github.client import GitHubClient
from tfdrift_gitops.github.marker import parse_marker
from tfdrift_gitops.github.prscan import resources_in_pull
from tfdrift_gitops.github.reconcile import drifts_of
from tfdrift_gitops.github.render import Renderer
from tfdrift_gitops.github.tfblocks import ModuleMap, address_touched, build_module_map
from tfdrift_gitops.models import Drift

log = logging.getLogger(__name__)


@dataclass(slots=True)
class CommentResult:
    action: str
    """created | updated | unchanged | none (no drift and no earlier comment)."""
    url: str = ""
    drifts: list[Drift] = field(default_factory=list)
    touched: list[str] = field(default_factory=list)
    body: str = ""
    errors: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "url": self.url,
            "drifts": [d.id for d in self.drifts],
            "touched": self.touched,
            "body": self.body,
        }


def drifts_touched(drifts: list[Drift], touched: set[str]) -> list[Drift]:
    return [
        d for d in drifts if d.resource.address and address_touched(d.resource.address, touched)
    ]


def comment_on_pull(
    client: GitHubClient,
    ledger: Any,
    renderer: Renderer,
    pr_number: int,
    *,
    workdir: str | Path | None = None,
    dry_run: bool = False,
) -> CommentResult:
    """Create, update or leave the sticky comment. ``dry_run`` reads but writes nothing."""
    pull = client.get_pull(pr_number)
    if pull is None:
        raise GitHubError(f"pull request #{pr_number} not found in {client.repo}")
    modules = build_module_map(workdir) if workdir else ModuleMap(prefixes={})
    touched = resources_in_pull(client, pull, modules)
    open_drifts, corrupt = drifts_of(ledger.list_open())
    matching = sorted(drifts_touched(open_drifts, touched), key=lambda d: (-d.severity.rank, d.id))
    doc = renderer.pr_comment(matching, pr_number, sorted(touched))
    existing = _find_sticky(client, client.list_comments(pr_number))
    result = CommentResult("none", drifts=matching, touched=sorted(touched), body=doc.body)
    result.errors = [f"ledger: {c}" for c in corrupt]
    if existing is not None:
        result.url = str(existing.get("html_url") or "")
        if (parse_marker(str(existing.get("body") or "")) or {}).get("hash") == doc.hash:
            result.action = "unchanged"
            return result
        result.action = "updated"
        if not dry_run:
            data = client.edit_comment(int(existing["id"]), doc.body)
            result.url = str(data.get("html_url") or result.url)
        return result
    if not matching:
        return result
    result.action = "created"
    if not dry_run:
        data = client.create_comment(pr_number, doc.body)
        result.url = str(data.get("html_url") or "")
    return result


def _find_sticky(client: GitHubClient, comments: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Our comment: the first one whose first line is our ``comment=pr`` marker *and* whose
    author is the token's identity. Anyone can paste the marker (with a copied hash) into a
    comment of their own; such a comment is never edited nor trusted as our last word."""
    for comment in comments:
        marker = parse_marker(str(comment.get("body") or ""))
        if marker is None or marker.get("comment") != "pr":
            continue
        if client.is_ours(comment):
            return comment
        log.warning(
            "PR comment %s carries our marker but was not written by %s; ignored",
            comment.get("id"),
            client.identity(),
        )
    return None

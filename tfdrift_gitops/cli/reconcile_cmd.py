"""``tfdrift-gitops reconcile``: issues and remediation PRs for the ledger's open drifts."""

from __future__ import annotations

import click

from tfdrift_gitops.cli.github_common import github_options, load, open_the_ledger, token_from_env
from tfdrift_gitops.cli.output import echo, echo_command, echo_json
from tfdrift_gitops.errors import GitHubError
from tfdrift_gitops.github.plan import ActionKind
from tfdrift_gitops.github.remedy import Remediator, manual_only, module_remediator
from tfdrift_gitops.github.render import Renderer
from tfdrift_gitops.github.summary import publish, summary_markdown, workflow_annotations


@click.command("reconcile")
@github_options
@click.option(
    "--workdir",
    default=None,
    metavar="DIR",
    help="Checkout of the default branch; needed for remediation PRs (import/revert).",
)
@click.pass_context
def reconcile(
    ctx: click.Context,
    ledger: str | None,
    repo: str,
    github_url: str | None,
    template_dir: str | None,
    dry_run: bool,
    workdir: str | None,
) -> None:
    """Open, update, reopen and close one issue per drift, and one remediation PR per drift
    the policy says to import or revert. Exit code 9 when any drift failed."""
    config, settings = load(ctx)
    store = open_the_ledger(config, ledger)
    renderer = Renderer(settings, template_dir)
    remediator: Remediator = (
        module_remediator(workdir, config) if workdir else manual_only("no --workdir given")
    )
    if dry_run:
        from tfdrift_gitops.github.reconcile import plan_offline

        for action in plan_offline(store, renderer, remediator, settings):
            data = action.to_json()
            if "body" in data:
                data["body"] = data["body"].replace("<tfdrift-issue-number>", "#(new issue)")
            echo_json(data)
        return

    from tfdrift_gitops.github.client import GitHubClient
    from tfdrift_gitops.github.reconcile import Reconciler

    client = GitHubClient(
        repo, token=token_from_env(), base_url=github_url or "", settings=settings
    )
    try:
        report = Reconciler(client, store, renderer, remediator, settings, workdir=workdir).run()
    finally:
        client.close()
    for action in report.actions:
        target = f"#{action.number}" if action.number is not None else ""
        echo(f"{action.kind.value} {action.drift_id} {target}".rstrip())
    for note in report.notes:
        echo(f"note: {note}", err=True)
    for where, message in report.errors:
        echo(f"error: {where}: {message}", err=True)
    stats = client.stats
    echo(
        f"{report.drifts} open drift(s); GitHub API: {stats.reads} reads, {stats.writes} writes, "
        f"{stats.retries} retries",
        err=True,
    )
    counts = {
        "open drifts": report.drifts,
        "issues opened": report.count(ActionKind.OPEN_ISSUE),
        "issues updated": report.count(ActionKind.UPDATE_ISSUE),
        "issues reopened": report.count(ActionKind.REOPEN_ISSUE),
        "issues closed": report.count(ActionKind.CLOSE_ISSUE),
        "PRs opened": report.count(ActionKind.OPEN_PR),
        "PRs updated": report.count(ActionKind.UPDATE_PR),
        "PRs closed": report.count(ActionKind.CLOSE_PR),
        "API reads": stats.reads,
        "API writes": stats.writes,
        "errors": len(report.errors),
    }
    for line in publish(
        summary=summary_markdown(
            "tfdrift-gitops reconcile",
            counts,
            report.open_drifts,
            errors=report.errors,
            notes=report.notes,
            links=report.issue_urls,
        ),
        outputs={
            "drift-count": report.drifts,
            "issues-opened": counts["issues opened"],
            "prs-opened": counts["PRs opened"],
            "comment-url": "",
        },
        annotation_lines=workflow_annotations(report.open_drifts),
    ):
        echo_command(line)
    if report.errors:
        ctx.exit(GitHubError.exit_code)

"""``tfdrift-gitops comment --pr N``: the sticky comment on a PR that touches drifted resources."""

from __future__ import annotations

import click

from tfdrift_gitops.cli.github_common import github_options, load, open_the_ledger, token_from_env
from tfdrift_gitops.cli.output import echo, echo_command, echo_json
from tfdrift_gitops.errors import GitHubError
from tfdrift_gitops.github.render import Renderer
from tfdrift_gitops.github.summary import publish, summary_markdown, workflow_annotations


@click.command("comment")
@github_options
@click.option("--pr", "pr_number", type=click.IntRange(min=1), required=True, help="PR number.")
@click.option(
    "--workdir",
    default=".",
    show_default=True,
    metavar="DIR",
    help="Checkout used to resolve module calls to addresses.",
)
@click.pass_context
def comment(
    ctx: click.Context,
    ledger: str | None,
    repo: str,
    github_url: str | None,
    template_dir: str | None,
    dry_run: bool,
    pr_number: int,
    workdir: str,
) -> None:
    """Keep one comment on PR N naming who changed, by hand, the resources it touches.
    --dry-run reads the PR (GET only) and prints the comment it would write as JSON."""
    config, settings = load(ctx)
    store = open_the_ledger(config, ledger)
    renderer = Renderer(settings, template_dir)

    from tfdrift_gitops.github.client import GitHubClient
    from tfdrift_gitops.github.comment import comment_on_pull

    client = GitHubClient(
        repo, token=token_from_env(), base_url=github_url or "", settings=settings
    )
    try:
        result = comment_on_pull(
            client, store, renderer, pr_number, workdir=workdir, dry_run=dry_run
        )
    finally:
        client.close()
    if dry_run:
        echo_json(result.to_json())
        return
    echo(f"{result.action} {result.url}".rstrip())
    for error in result.errors:
        echo(f"error: {error}", err=True)
    counts: dict[str, int | str] = {
        "resources touched": len(result.touched),
        "drifts on them": len(result.drifts),
        "comment": result.action,
        "API reads": client.stats.reads,
        "API writes": client.stats.writes,
    }
    for line in publish(
        summary=summary_markdown(f"tfdrift-gitops: PR #{pr_number}", counts, result.drifts),
        outputs={
            "drift-count": len(result.drifts),
            "issues-opened": 0,
            "prs-opened": 0,
            "comment-url": result.url,
        },
        annotation_lines=workflow_annotations(result.drifts),
    ):
        echo_command(line)
    if result.errors:
        ctx.exit(GitHubError.exit_code)

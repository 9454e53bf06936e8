"""``tfdrift-gitops report``: the drift report page, one self-contained HTML file."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from tfdrift_gitops.cli.ledger_cmd import _open, ledger_options, report_corrupt
from tfdrift_gitops.cli.output import echo
from tfdrift_gitops.models import parse_time
from tfdrift_gitops.render.report import render_report


@click.command(name="report")
@ledger_options
@click.option(
    "--out",
    "out",
    default="drift-report.html",
    show_default=True,
    type=click.Path(dir_okay=False, writable=True),
    help="The HTML file to write.",
)
@click.option(
    "--repo",
    default="",
    metavar="OWNER/NAME",
    envvar="GITHUB_REPOSITORY",
    help="Link issues and pull requests in this GitHub repository (default: $GITHUB_REPOSITORY).",
)
@click.option(
    "--now",
    "now_text",
    default=None,
    metavar="TIME",
    help="Report as of this RFC 3339 time (default: now); the 90-day window ends here.",
)
@click.pass_context
def report(
    ctx: click.Context,
    ledger_url: str | None,
    s3_endpoint_url: str | None,
    s3_kms_key_id: str | None,
    out: str,
    repo: str,
    now_text: str | None,
) -> None:
    """Write the drift report page: open drifts by severity, service, account and actor kind,
    opened/resolved per day over 90 days, time to resolution, and a filterable table of every
    drift. No network is needed to view it."""
    store = _open(ctx, ledger_url, s3_endpoint_url, s3_kms_key_id)
    try:
        now = parse_time(now_text) if now_text else None
    except ValueError as exc:
        raise click.BadParameter(f"not a time: {exc}", param_hint="--now") from None
    listing = store.list(None)
    page = render_report(listing.drifts, now=now or datetime.now().astimezone(), repo=repo)
    Path(out).write_text(page, encoding="utf-8")
    echo(f"wrote {out}: {len(listing.drifts)} drifts, {len(page.encode()):,} bytes", err=True)
    report_corrupt(listing.corrupt, store.location)

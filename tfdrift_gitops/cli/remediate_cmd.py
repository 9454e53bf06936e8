"""``tfdrift-gitops remediate``: edit the Terraform code for one drift (import or revert).

Prints the unified diff on stdout and what a person must do on stderr. Exits 0 when the
remediation is complete (or nothing needs changing), 8 when part of it was refused (nothing is
written then, unless ``--partial``), and with the usual codes for a missing drift or bad config.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from tfdrift_gitops.cli.output import echo
from tfdrift_gitops.errors import InputError, NotFoundError, RemediationError, TfdriftError
from tfdrift_gitops.models import Drift


def _drift_from_file(path: str, drift_id: str) -> Drift:
    """A drift record by id from a JSON document, array, or JSON Lines file (``-``: stdin)."""
    from tfdrift_gitops.core.record import drift_from_record

    origin = "stdin" if path == "-" else path
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{origin}: cannot read: {exc}") from None
    records: list[Any] = []
    stripped = text.strip()
    try:
        if stripped.startswith("["):
            records = list(json.loads(stripped))
        elif stripped.startswith("{") and "\n{" not in stripped:
            records = [json.loads(stripped)]
        else:
            records = [json.loads(line) for line in text.splitlines() if line.strip()]
    except ValueError as exc:
        raise InputError(f"{origin}: not JSON or JSON Lines: {exc}") from None
    for position, record in enumerate(records):
        if isinstance(record, dict) and record.get("id") == drift_id:
            return drift_from_record(record, origin=f"{origin}#{position + 1}")
    raise NotFoundError(f"no drift {drift_id} in {origin}")


def _drift_from_ledger(
    ctx: click.Context, url: str | None, endpoint: str | None, drift_id: str
) -> Drift:
    from tfdrift_gitops.config import load_config
    from tfdrift_gitops.ledger import open_ledger

    config = load_config((ctx.obj or {}).get("config_path"))
    ledger = open_ledger(
        url or config.ledger, s3_endpoint_url=endpoint or config.s3_endpoint_url or None
    )
    return ledger.get(drift_id)


@click.command("remediate")
@click.argument("drift_id")
@click.option(
    "--ledger",
    "ledger_url",
    default=None,
    envvar="TFDRIFT_LEDGER",
    metavar="DIR|s3://BUCKET/PREFIX",
    help="The drift ledger (default: $TFDRIFT_LEDGER, config 'ledger', .tfdrift/ledger).",
)
@click.option(
    "--record",
    "record_path",
    default=None,
    metavar="FILE|-",
    help="Read the drift from drift records (detect/ledger --format json) instead.",
)
@click.option(
    "--workdir",
    required=True,
    type=click.Path(file_okay=False),
    help="The Terraform root module to edit.",
)
@click.option(
    "--strategy",
    type=click.Choice(["import", "revert", "auto"]),
    default="auto",
    show_default=True,
    help="auto: the configured default for this drift.",
)
@click.option(
    "--repo-root",
    default=None,
    type=click.Path(file_okay=False),
    help="Nothing outside this directory is read as code or written "
    "(default: the git root above --workdir).",
)
@click.option(
    "--write/--dry-run",
    "do_write",
    default=True,
    show_default=True,
    help="Write the files, or only print the diff.",
)
@click.option(
    "--partial", is_flag=True, help="Write the patch even when part of the drift was refused."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: one object with files, diff, refusals, commands.",
)
@click.option(
    "--s3-endpoint-url",
    default=None,
    envvar="TFDRIFT_S3_ENDPOINT_URL",
    metavar="URL",
    help="S3-compatible endpoint for an s3:// ledger.",
)
@click.pass_context
def remediate(
    ctx: click.Context,
    drift_id: str,
    ledger_url: str | None,
    record_path: str | None,
    workdir: str,
    strategy: str,
    repo_root: str | None,
    do_write: bool,
    partial: bool,
    fmt: str,
    s3_endpoint_url: str | None,
) -> None:
    """Import the manual change DRIFT_ID into the HCL, or mark its block for a revert."""
    try:
        code = _run(
            ctx,
            drift_id,
            ledger_url,
            record_path,
            workdir,
            strategy,
            repo_root,
            do_write,
            partial,
            fmt,
            s3_endpoint_url,
        )
    except TfdriftError as exc:
        echo(f"error: {exc}", err=True)
        ctx.exit(exc.exit_code)
    ctx.exit(code)


def _run(
    ctx: click.Context,
    drift_id: str,
    ledger_url: str | None,
    record_path: str | None,
    workdir: str,
    strategy: str,
    repo_root: str | None,
    do_write: bool,
    partial: bool,
    fmt: str,
    s3_endpoint_url: str | None,
) -> int:
    from tfdrift_gitops.config import load_config
    from tfdrift_gitops.remediation import remediate as compute
    from tfdrift_gitops.remediation import write

    config = load_config((ctx.obj or {}).get("config_path"))
    if record_path:
        drift = _drift_from_file(record_path, drift_id)
    else:
        drift = _drift_from_ledger(ctx, ledger_url, s3_endpoint_url, drift_id)
    result = compute(
        drift,
        Path(workdir),
        strategy,
        repo_root=repo_root,
        config=config.sections.get("remediation"),
    )
    written: list[Path] = []
    if do_write and result.changes and (result.ok or partial):
        written = write(result)
    if fmt == "json":
        document = result.to_dict()
        document["written"] = [str(p) for p in written]
        echo(json.dumps(document, sort_keys=True))
    else:
        if result.diff:
            echo(result.diff, nl=False)
        explanation = result.explanation()
        if explanation:
            echo(explanation, err=True)
        echo(_summary(result, written, do_write, partial), err=True)
    if not result.ok:
        return RemediationError.exit_code
    return 0


def _summary(result: Any, written: list[Path], do_write: bool, partial: bool) -> str:
    if result.strategy == "ignore":
        return f"{result.drift_id}: ignored ({result.reason})"
    head = f"{result.drift_id}: {result.strategy} {result.address}"
    if not result.changes:
        if result.cleanup_commands:
            return f"{head}: no code change; the commands above remove the resource"
        return f"{head}: no code change" + ("" if result.ok else " (see above)")
    files = ", ".join(result.files_changed)
    if written:
        return f"{head}: wrote {files}"
    if not do_write:
        return f"{head}: dry run, would change {files}"
    if not result.ok and not partial:
        return (
            f"{head}: nothing written because part of the drift was refused (--partial "
            "writes the rest)"
        )
    return f"{head}: would change {files}"

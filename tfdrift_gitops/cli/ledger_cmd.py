"""``tfdrift-gitops ledger``: read and steer the drift ledger.

``list`` and ``show`` print drifts (a table, or JSON Lines of the drift record with its status
history); ``ack``, ``ignore`` and ``resolve`` record a person's decision with a reason;
``compact`` finishes archive steps a stopped writer left undone (and, on a local ledger, removes
lock files nobody holds). Corrupt objects are printed to
stderr by key and make the command exit non-zero (after everything readable was printed).
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Sequence
from typing import Any

import click

from tfdrift_gitops.cli.output import echo, echo_json
from tfdrift_gitops.config import load_config
from tfdrift_gitops.core.record import drift_to_record
from tfdrift_gitops.errors import CorruptRecordError
from tfdrift_gitops.ledger import CorruptObject, StoredLedger, open_ledger
from tfdrift_gitops.ledger.local import LocalStorage
from tfdrift_gitops.models import Drift, Status, format_time
from tfdrift_gitops.render.text import render_drift, safe, value_text

OPEN_CHOICES = [s.value for s in Status if s.is_open]
STATUS_CHOICES = [s.value for s in Status] + ["all"]
COLUMNS = ("ID", "STATUS", "SEVERITY", "KIND", "ADDRESS", "ACTOR", "ACTOR KIND", "EVENT", "TIME")


def ledger_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """``--ledger`` and the S3 settings, on every subcommand."""
    decorators = [
        click.option(
            "--ledger",
            "ledger_url",
            default=None,
            envvar="TFDRIFT_LEDGER",
            metavar="DIR|s3://BUCKET/PREFIX",
            help="The drift ledger (default: $TFDRIFT_LEDGER, config 'ledger', .tfdrift/ledger).",
        ),
        click.option(
            "--s3-endpoint-url",
            default=None,
            envvar="TFDRIFT_S3_ENDPOINT_URL",
            metavar="URL",
            help="S3-compatible endpoint (MinIO, moto); boto3 also honours AWS_ENDPOINT_URL.",
        ),
        click.option(
            "--s3-kms-key-id",
            default=None,
            envvar="TFDRIFT_S3_KMS_KEY_ID",
            metavar="KEY",
            help="Encrypt written objects with SSE-KMS and this key (default: SSE-S3).",
        ),
    ]
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


def format_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help="json: one drift record (with its status history) per line.",
    )(function)


def _open(
    ctx: click.Context, ledger_url: str | None, endpoint: str | None, kms: str | None
) -> StoredLedger:
    config = load_config((ctx.obj or {}).get("config_path"))
    store = open_ledger(
        ledger_url or config.ledger,
        s3_endpoint_url=endpoint or config.s3_endpoint_url or None,
        kms_key_id=kms or config.s3_kms_key_id or None,
    )
    store.require()
    return store


def _address(drift: Drift) -> str:
    resource = drift.resource
    return resource.address or f"{resource.type}.{resource.id} (not in state)"


def table(drifts: Sequence[Drift]) -> str:
    """Aligned columns; every value from CloudTrail is made safe for a terminal."""
    rows = [COLUMNS] + [
        (
            d.id,
            d.status.value,
            d.severity.value,
            d.kind.value,
            safe(_address(d)),
            safe(d.actor.name or d.actor.arn or "-"),
            d.actor.kind.value,
            safe(d.event.name),
            format_time(d.event.time),
        )
        for d in drifts
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def details(drift: Drift) -> str:
    """``show``: the alert layout, then every folded event and the status history."""
    lines = [render_drift(drift), "", f"Events ({len(drift.events)}):"]
    lines += [
        f"  {format_time(e.time)}  {safe(e.name)}  {safe(e.id)}  "
        f"{safe(e.actor.name or e.actor.arn or '-')}"
        for e in drift.events
    ]
    lines += ["", "History:"]
    for step in drift.history:
        line = f"  {format_time(step.time)}  {step.status.value:<12}  by {safe(step.by)}"
        if step.reason:
            line += f": {safe(step.reason)}"
        if step.evidence:
            line += f"  {value_text(dict(step.evidence))}"
        lines.append(line)
    if drift.issue_number is not None or drift.pr_number is not None:
        lines += ["", f"GitHub: issue {drift.issue_number or '-'}  PR {drift.pr_number or '-'}"]
    return "\n".join(lines)


def echo_record(drift: Drift) -> None:
    """One JSON Lines record: the drift record, which includes its status history. (Line
    separators, valid unescaped in JSON, break str.splitlines: json_text escapes them.)"""
    echo_json(drift_to_record(drift))


def report_corrupt(corrupt: Sequence[CorruptObject], location: str) -> None:
    """Print every corrupt object, then fail: nothing is skipped silently."""
    if not corrupt:
        return
    for problem in corrupt:
        echo(f"error: corrupt ledger object {problem}", err=True)
    raise CorruptRecordError(
        f"{len(corrupt)} corrupt object(s) in {location} (listed above); "
        f"fix or remove them, or run 'ledger compact --quarantine-corrupt' for open ones"
    )


def default_actor() -> str:
    for name in ("GITHUB_ACTOR", "USER", "USERNAME"):
        if os.environ.get(name):
            return os.environ[name]
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@click.group("ledger")
def ledger() -> None:
    """Read and steer the drift ledger (a directory or s3://bucket/prefix)."""


@ledger.command("list")
@ledger_options
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(STATUS_CHOICES),
    help=f"Repeatable; 'all' for every status. Default: the open ones ({', '.join(OPEN_CHOICES)}).",
)
@format_option
@click.pass_context
def list_command(
    ctx: click.Context,
    ledger_url: str | None,
    s3_endpoint_url: str | None,
    s3_kms_key_id: str | None,
    statuses: tuple[str, ...],
    fmt: str,
) -> None:
    """List drifts, oldest first. Open ones cost one read each; closed ones read the archive."""
    store = _open(ctx, ledger_url, s3_endpoint_url, s3_kms_key_id)
    wanted = None if "all" in statuses else [Status(s) for s in statuses or OPEN_CHOICES]
    listing = store.list(wanted)
    if fmt == "json":
        for drift in listing.drifts:
            echo_record(drift)
    elif listing.drifts:
        echo(table(listing.drifts))
    else:
        what = "open drifts" if not statuses else "drifts with that status"
        echo(f"no {what} in {store.location}", err=True)
    if listing.pending_archive:
        echo(
            f"note: {listing.pending_archive} closed drift(s) still wait for their archive step "
            f"(a writer stopped midway); 'ledger compact' finishes it",
            err=True,
        )
    report_corrupt(listing.corrupt, store.location)


@ledger.command("show")
@ledger_options
@click.argument("drift_id")
@format_option
@click.pass_context
def show_command(
    ctx: click.Context,
    ledger_url: str | None,
    s3_endpoint_url: str | None,
    s3_kms_key_id: str | None,
    drift_id: str,
    fmt: str,
) -> None:
    """Show one drift: changes, every folded event and the status history."""
    drift = _open(ctx, ledger_url, s3_endpoint_url, s3_kms_key_id).get(drift_id)
    if fmt == "json":
        echo_record(drift)
    else:
        echo(details(drift))


def _decision(name: str, verb: str, help_text: str) -> click.Command:
    @ledger_options
    @click.argument("drift_id")
    @click.option("--reason", required=True, help="Why (stored in the drift's history).")
    @click.option("--by", default=None, help="Who (default: $GITHUB_ACTOR or the user name).")
    @format_option
    @click.pass_context
    def command(
        ctx: click.Context,
        ledger_url: str | None,
        s3_endpoint_url: str | None,
        s3_kms_key_id: str | None,
        drift_id: str,
        reason: str,
        by: str | None,
        fmt: str,
    ) -> None:
        store = _open(ctx, ledger_url, s3_endpoint_url, s3_kms_key_id)
        actor = by or default_actor()
        evidence = {"command": f"ledger {name}"}
        if name == "ack":
            drift = store.ack(drift_id, by=actor, reason=reason)
        else:
            status = Status.IGNORED if name == "ignore" else Status.RESOLVED
            drift = store.transition(drift_id, status, by=actor, reason=reason, evidence=evidence)
        if fmt == "json":
            echo_record(drift)
        else:
            echo(f"{drift.id} {verb} by {safe(actor)} (status {drift.status.value})")

    command.__doc__ = help_text
    return ledger.command(name)(command)


ack_command = _decision(
    "ack",
    "acknowledged",
    "Acknowledge a drift: a history entry with your reason; the status does not change.",
)
ignore_command = _decision(
    "ignore", "ignored", "Ignore a drift for good: it is archived with your reason."
)
resolve_command = _decision(
    "resolve",
    "resolved",
    "Mark a drift resolved by hand, with your reason: it is archived.",
)


@ledger.command("compact")
@ledger_options
@click.option(
    "--quarantine-corrupt",
    is_flag=True,
    help="Move corrupt open objects to quarantine/ (bytes kept) so their resources can "
    "take new drifts.",
)
@click.pass_context
def compact_command(
    ctx: click.Context,
    ledger_url: str | None,
    s3_endpoint_url: str | None,
    s3_kms_key_id: str | None,
    quarantine_corrupt: bool,
) -> None:
    """Finish the archive step of drifts a stopped writer closed but did not move (on a
    local ledger, also remove the lock files nobody holds)."""
    store = _open(ctx, ledger_url, s3_endpoint_url, s3_kms_key_id)
    report = store.compact(quarantine_corrupt=quarantine_corrupt)
    for drift_id in report.archived:
        echo(f"archived {drift_id}")
    for key in report.quarantined:
        echo(f"quarantined {key}")
    locks = ""
    if isinstance(store.storage, LocalStorage):
        locks = f", {store.storage.remove_idle_locks()} idle lock files removed"
    echo(
        f"{len(report.archived)} archived, {len(report.quarantined)} quarantined, "
        f"{len(report.corrupt)} corrupt left{locks}",
        err=True,
    )
    report_corrupt(report.corrupt, store.location)

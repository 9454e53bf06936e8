"""``tfdrift-gitops detect``: replay CloudTrail against Terraform state and print drift."""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import ExitStack
from functools import partial
from typing import Any

import click

from tfdrift_gitops.adapters.aws import make_s3_client
from tfdrift_gitops.adapters.events import iter_many
from tfdrift_gitops.adapters.parallel import LineWorkers
from tfdrift_gitops.adapters.shards import MAX_JOBS, replay_alone, run_sharded, shardable
from tfdrift_gitops.adapters.spool import spooled
from tfdrift_gitops.adapters.state_source import StateSource
from tfdrift_gitops.cli.output import echo, echo_trusted
from tfdrift_gitops.config import Config, load_config
from tfdrift_gitops.core.detector import Detector, Tally
from tfdrift_gitops.core.engine import Engine
from tfdrift_gitops.core.prefilter import make_prefilter
from tfdrift_gitops.core.record import drift_to_record
from tfdrift_gitops.examples_data import example_events, example_state
from tfdrift_gitops.gcpolicy import settle_for_replay
from tfdrift_gitops.models import Drift
from tfdrift_gitops.render.text import json_text, render_drift

EXIT_DRIFT = 2


@click.command()
@click.option(
    "--state",
    "states",
    multiple=True,
    metavar="PATH|s3://BUCKET/KEY",
    help="Terraform state (file, directory, or S3 backend key). Repeatable.",
)
@click.option(
    "--events",
    "event_specs",
    multiple=True,
    metavar="PATH|-|s3://BUCKET/PREFIX",
    help="CloudTrail files, directories, '-' for stdin, or an S3 prefix. Repeatable.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option(
    "--ledger",
    default=None,
    metavar="DIR|s3://BUCKET/PREFIX",
    help="Also record the drift in this ledger.",
)
@click.option("--exit-code", is_flag=True, help="Exit 2 when drift is found.")
@click.option(
    "--example",
    is_flag=True,
    help="Run on the bundled example estate (state, code and CloudTrail records).",
)
@click.option(
    "--workspace",
    "workspaces",
    multiple=True,
    help="S3 backend workspaces to load ('*' for all). Default: default only.",
)
@click.option("--workspace-key-prefix", default=None, help="S3 backend prefix (default env:).")
@click.option(
    "--s3-endpoint-url",
    default=None,
    envvar="TFDRIFT_S3_ENDPOINT_URL",
    help="S3-compatible endpoint (MinIO, moto).",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1, max=MAX_JOBS),
    default=1,
    show_default=True,
    help="Worker processes. Without --ledger each worker replays its own resources whole "
    "(records sharing a resource or event id stay together); stdin and S3 objects are first "
    "copied to a private temporary directory, removed afterwards. With --ledger records are "
    "decoded and evaluated in workers and folded in one process. Either way the output is the "
    "same as one process's.",
)
@click.pass_context
def detect(
    ctx: click.Context,
    states: tuple[str, ...],
    event_specs: tuple[str, ...],
    fmt: str,
    ledger: str | None,
    exit_code: bool,
    example: bool,
    workspaces: tuple[str, ...],
    workspace_key_prefix: str | None,
    s3_endpoint_url: str | None,
    jobs: int,
) -> None:
    """Replay CloudTrail records against Terraform state and print the drift found.

    --example runs on the bundled example: a small AWS estate's Terraform code and state, and
    a day of its CloudTrail records (no cloud account needed).
    """
    config = load_config(ctx.obj.get("config_path") if ctx.obj else None)
    endpoint = s3_endpoint_url or config.s3_endpoint_url or None
    factory = partial(make_s3_client, endpoint_url=endpoint)
    state_specs = states or config.states
    event_specs = event_specs or config.events
    if example:
        if states or event_specs:
            raise click.UsageError("--example replaces --state and --events; give one or the other")
        echo("Running on the bundled example (examples/ in the package).", err=True)
        state_specs = (str(example_state()),)
        event_specs = tuple(str(p) for p in example_events())
    if not state_specs:
        raise click.UsageError(
            "no Terraform state: give --state (or states: in .tfdrift.yml), "
            "or --example for the bundled example"
        )
    if not event_specs:
        raise click.UsageError("no CloudTrail input: give --events (or events: in .tfdrift.yml)")
    source = StateSource(
        state_specs,
        s3_client_factory=factory,
        workspaces=workspaces or config.workspaces,
        workspace_key_prefix=workspace_key_prefix or config.workspace_key_prefix,
    )
    engine = Engine(source.index(), policy=config.policy)
    settle_for_replay()
    render = _renderer(fmt)
    if jobs > 1 and ledger is None:
        texts, tally, summary = _sharded(engine, list(event_specs), jobs, render, factory)
    else:
        with ExitStack() as stack:
            # Forked now, before the ledger opens any connection; they learn what this
            # process knows (ids of unmanaged drifts) through the detector, below.
            workers = stack.enter_context(LineWorkers(engine, jobs)) if jobs > 1 else None
            store = _open_ledger(ledger, config, endpoint) if ledger else None
            detector = _detector(engine, store)
            if store is not None:
                # Group commit (docs/ledger.md): the drifts of the whole run are synced once
                # per directory, every BATCH_WRITES writes or BATCH_SECONDS, and all of them
                # before detect ends; a power cut takes back at most the last batch, which
                # the same input, still there, records again.
                stack.enter_context(store.batch())
            if workers is not None:
                workers.known = detector.knows
            detector.feed(
                iter_many(
                    list(event_specs),
                    s3_client_factory=factory,
                    stdin=sys.stdin.buffer,
                    prefilter=make_prefilter(engine.catalog, known=detector.knows),
                    lines=workers.handler if workers is not None else None,
                )
            )
        drifts = detector.drifts
        tally = detector.tally
        texts, summary = [render(d) for d in drifts], tally.summary_line(drifts)
    _print(texts, fmt)
    for error in tally.errors[:50]:
        echo(f"error: {error}", err=True)
    if len(tally.errors) > 50:
        echo(f"error: ... and {len(tally.errors) - 50} more bad records", err=True)
    echo(summary, err=True)
    if exit_code and texts:
        ctx.exit(EXIT_DRIFT)
    if tally.errors:
        ctx.exit(1)


def _sharded(
    engine: Engine,
    specs: list[str],
    jobs: int,
    render: Callable[[Drift], str],
    factory: Callable[[], Any],
) -> tuple[list[str], Tally, str]:
    """Each worker replays its share of the resources from the files themselves; stdin and
    S3 objects are copied to files first, and what the run says names them as one process
    does."""
    if shardable(specs):
        run = run_sharded(engine, specs, jobs, render=render)
        return run.rendered, run.tally, run.summary_line
    with spooled(specs, s3_client_factory=factory, stdin=sys.stdin.buffer) as spool:
        if spool.trouble:
            # Reading said what no file can say again (a listing or a read that failed, an
            # empty prefix): one process reads the copies, in order, as it reads the sources.
            detector = replay_alone(engine, lambda prefilter: spool.items(prefilter=prefilter))
            drifts = detector.drifts
            return [render(d) for d in drifts], detector.tally, detector.tally.summary_line(drifts)
        with spool.rewriting():
            run = run_sharded(engine, spool.specs, jobs, render=render)
        run.tally.errors = [spool.rename(error) for error in run.tally.errors]
        return run.rendered, run.tally, run.summary_line


def _detector(engine: Engine, store: Any) -> Detector:
    unmanaged: list[str] = []
    if store is not None:
        # A newer state may have imported (or Terraform reverted) what is open: resolve first.
        checked = store.reassess_open(engine)
        resolved = sum(1 for f in checked.changed if not f.drift or not f.drift.status.is_open)
        if checked.changed or checked.unchanged:
            echo(
                f"ledger: {len(checked.changed) + checked.unchanged} open drifts checked "
                f"against state, {resolved} resolved",
                err=True,
            )
        for bad in checked.corrupt:
            echo(f"error: ledger: {bad}", err=True)
        # Calls on resources created by hand in an earlier run must still find their drift.
        unmanaged = list(checked.unmanaged_ids)
    return Detector(engine, store, unmanaged_ids=unmanaged)


def _renderer(fmt: str) -> Callable[[Drift], str]:
    if fmt == "json":
        return lambda drift: json_text(drift_to_record(drift))
    colour = sys.stdout.isatty()
    return lambda drift: render_drift(drift, colour=colour)


def _print(texts: list[str], fmt: str) -> None:
    if fmt == "json":
        for text in texts:
            click.echo(text)
        return
    for number, text in enumerate(texts):
        if number:
            echo("")
        echo_trusted(text)


def _open_ledger(url: str, config: Config, endpoint: str | None) -> Any:
    from tfdrift_gitops.ledger import open_ledger

    return open_ledger(url, s3_endpoint_url=endpoint, kms_key_id=config.s3_kms_key_id or None)

"""``tfdrift-gitops collect``: the long-running Falco collector."""

from __future__ import annotations

import dataclasses
import os
import signal
import threading
from datetime import timedelta
from functools import partial
from pathlib import Path
from types import FrameType

import click

from tfdrift_gitops.adapters.aws import make_s3_client, make_sqs_client
from tfdrift_gitops.cli.output import echo
from tfdrift_gitops.config import load_config
from tfdrift_gitops.errors import CollectorError, ConfigError
from tfdrift_gitops.falco.collector import Collector, CollectorOptions
from tfdrift_gitops.falco.grpc_source import DEFAULT_ADDRESS, ClientTLS
from tfdrift_gitops.falco.http_protocol import HttpLimits
from tfdrift_gitops.falco.http_source import ServerTLS
from tfdrift_gitops.falco.pipeline import DropPolicy


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


@click.command()
@click.option(
    "--state", "states", multiple=True, metavar="PATH|s3://BUCKET/KEY|s3://BUCKET/PREFIX/",
    help="Terraform state (file, directory, S3 backend key, or every *.tfstate under an S3 "
    "prefix ending in /). Repeatable.",
)  # fmt: skip
@click.option(
    "--ledger", default=None, metavar="DIR|s3://BUCKET/PREFIX",
    help="Drift ledger (default: ledger from .tfdrift.yml, else .tfdrift/ledger).",
)  # fmt: skip
@click.option("--no-ledger", is_flag=True, help="Keep drifts in memory only (trials, benchmarks).")
@click.option(
    "--falco-grpc", default=None, metavar="ADDR",
    help=f"Falco gRPC output API (Falco 0.41-0.43): {DEFAULT_ADDRESS} or HOST:PORT (mutual TLS).",
)  # fmt: skip
@click.option("--grpc-cert", default=None, help="Client certificate (PEM) for gRPC over TCP.")
@click.option("--grpc-key", default=None, help="Client private key (PEM) for gRPC over TCP.")
@click.option("--grpc-ca", default=None, help="CA certificate (PEM) that signed Falco's.")
@click.option("--grpc-server-name", default="", help="Expected name in Falco's certificate.")
@click.option(
    "--listen", default=None, metavar="HOST:PORT",
    help="Serve POST /falco (Falco http_output, falcosidekick), /healthz, /readyz, /metrics.",
)  # fmt: skip
@click.option("--tls-cert", default=None, help="Server certificate (PEM) for --listen.")
@click.option("--tls-key", default=None, help="Server private key (PEM) for --listen.")
@click.option("--tls-client-ca", default=None, help="Require client certificates from this CA.")
@click.option(
    "--token-env", default=None, metavar="VAR",
    help="Require 'Authorization: Bearer <token>' on POST /falco; the token is read from VAR.",
)  # fmt: skip
@click.option(
    "--allow-unauthenticated", is_flag=True,
    help="Listen on a non-loopback address without --token-env or --tls-client-ca (only when "
    "a network policy already restricts who can connect).",
)  # fmt: skip
@click.option("--max-connections", type=click.IntRange(min=1), default=256, show_default=True,
              help="Open connections to --listen; more are answered 503.")  # fmt: skip
@click.option("--header-timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Seconds for a request's headers, in total (slow senders are cut).")  # fmt: skip
@click.option("--body-timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Seconds for a request's body, in total (answered 408 after).")  # fmt: skip
@click.option("--max-events", type=click.IntRange(min=1), default=None,
              help="Exit after this many alerts (tests, batch runs).")  # fmt: skip
@click.option("--state-refresh", type=click.FloatRange(min=0), default=60.0, show_default=True,
              help="Seconds between checks for a changed state (0: never).")  # fmt: skip
@click.option(
    "--backfill", default=None, metavar="s3://BUCKET/AWSLogs/...|DIR",
    help="Read CloudTrail log files from the ledger cursor on, at start and after reconnects.",
)  # fmt: skip
@click.option(
    "--backfill-lookback", type=click.FloatRange(min=0), default=60.0, show_default=True,
    help="Minutes before the cursor to re-read (CloudTrail delivers late).",
)  # fmt: skip
@click.option("--queue-size", type=click.IntRange(min=1), default=10_000, show_default=True)
@click.option(
    "--drop-policy", type=click.Choice([p.value for p in DropPolicy]),
    default=DropPolicy.BLOCK.value, show_default=True,
    help="When the queue is full: block the intake (backpressure) or drop the new alert.",
)  # fmt: skip
@click.option(
    "--sqs-queue-url", default=None, metavar="URL",
    help="Read the CloudTrail log files announced on this SQS queue (CloudTrail's SNS "
    "notifications or S3 event notifications); replicas may share it.",
)  # fmt: skip
@click.option(
    "--sqs-visibility-timeout", type=click.IntRange(min=1, max=43_200), default=60,
    show_default=True,
    help="Seconds a received message stays hidden; extended while its file is read.",
)  # fmt: skip
@click.option("--sqs-wait", type=click.IntRange(min=0, max=20), default=20, show_default=True,
              help="Long-poll seconds per receive.")  # fmt: skip
@click.option(
    "--ledger-listing-seconds", type=click.FloatRange(min=0), default=None,
    help="Seconds a listing of the ledger's open drifts answers for Terraform's calls instead "
    "of a read each (default: 0 fed by Falco, whose alerts may be spread over replicas; 30 "
    "in SQS mode, listed again before each file). Set it when one collector alone writes "
    "the ledger.",
)  # fmt: skip
@click.option("--workspace", "workspaces", multiple=True, help="S3 backend workspaces ('*').")
@click.option("--s3-endpoint-url", default=None, envvar="TFDRIFT_S3_ENDPOINT_URL",
              help="S3-compatible endpoint (MinIO, moto).")  # fmt: skip
@click.pass_context
def collect(
    ctx: click.Context,
    states: tuple[str, ...],
    ledger: str | None,
    no_ledger: bool,
    falco_grpc: str | None,
    grpc_cert: str | None,
    grpc_key: str | None,
    grpc_ca: str | None,
    grpc_server_name: str,
    listen: str | None,
    tls_cert: str | None,
    tls_key: str | None,
    tls_client_ca: str | None,
    token_env: str | None,
    allow_unauthenticated: bool,
    max_connections: int,
    header_timeout: float,
    body_timeout: float,
    max_events: int | None,
    state_refresh: float,
    backfill: str | None,
    backfill_lookback: float,
    queue_size: int,
    drop_policy: str,
    workspaces: tuple[str, ...],
    s3_endpoint_url: str | None,
    sqs_queue_url: str | None,
    sqs_visibility_timeout: int,
    sqs_wait: int,
    ledger_listing_seconds: float | None,
) -> None:
    """Watch Falco's CloudTrail alerts (or a trail's SQS notifications) and record drift as it
    happens.

    SIGTERM or SIGINT stops intake, drains the queue and flushes notifications before exit.
    """
    config = load_config(ctx.obj.get("config_path") if ctx.obj else None)
    endpoint = s3_endpoint_url or config.s3_endpoint_url or None
    if endpoint:
        config = dataclasses.replace(config, s3_endpoint_url=endpoint)
    if workspaces:
        config = dataclasses.replace(config, workspaces=workspaces)
    state_specs = states or config.states
    if not state_specs:
        raise click.UsageError("--state is required (or states: in .tfdrift.yml)")
    options = CollectorOptions(
        states=tuple(state_specs),
        ledger=None if no_ledger else (ledger or config.ledger),
        falco_grpc=falco_grpc,
        grpc_tls=_client_tls(falco_grpc, grpc_cert, grpc_key, grpc_ca, grpc_server_name),
        listen=listen,
        server_tls=_server_tls(tls_cert, tls_key, tls_client_ca),
        token=_token(token_env),
        allow_unauthenticated=allow_unauthenticated,
        http_limits=HttpLimits(
            max_connections=max_connections,
            header_timeout=header_timeout,
            body_timeout=body_timeout,
        ),
        max_events=max_events,
        state_refresh=state_refresh,
        backfill=backfill,
        backfill_lookback=timedelta(minutes=backfill_lookback),
        queue_size=queue_size,
        drop_policy=DropPolicy(drop_policy),
        sqs_queue_url=sqs_queue_url,
        sqs_wait_seconds=sqs_wait,
        sqs_visibility=sqs_visibility_timeout,
        settle_gc=True,
        ledger_listing_seconds=ledger_listing_seconds,
    )
    collector = Collector(
        options,
        config,
        env=os.environ,
        s3_client_factory=partial(make_s3_client, endpoint_url=endpoint),
        sqs_client_factory=partial(make_sqs_client, endpoint_url=endpoint),
    )
    _install_signal_handlers(collector)
    collector.start()
    where = f" on {collector.http.address[0]}:{collector.http.port}" if collector.http else ""
    echo(f"collector running{where}", err=True)
    collector.wait()
    drained = collector.shutdown()
    handled = collector.pipeline.handled if collector.pipeline else 0
    echo(f"collector stopped after {handled} alerts", err=True)
    if collector.sqs is not None:
        echo(collector.sqs.summary(), err=True)
    if not drained:
        raise CollectorError("stopped with alerts unprocessed (see the log)")


def _client_tls(
    address: str | None, cert: str | None, key: str | None, ca: str | None, name: str
) -> ClientTLS | None:
    given = [v for v in (cert, key, ca) if v]
    if not given:
        return None
    if len(given) != 3:
        raise ConfigError("--grpc-cert, --grpc-key and --grpc-ca go together")
    if address and address.startswith("unix:"):
        raise ConfigError("--grpc-cert/--grpc-key/--grpc-ca apply to HOST:PORT, not a unix socket")
    paths = [Path(str(cert)), Path(str(key)), Path(str(ca))]
    for flag, path in zip(("--grpc-cert", "--grpc-key", "--grpc-ca"), paths, strict=True):
        if not path.is_file():
            raise ConfigError(f"{flag} {path}: file not found")
    return ClientTLS(paths[0], paths[1], paths[2], server_name=name)


def _server_tls(cert: str | None, key: str | None, client_ca: str | None) -> ServerTLS | None:
    if not cert and not key:
        if client_ca:
            raise ConfigError("--tls-client-ca needs --tls-cert and --tls-key")
        return None
    if not cert or not key:
        raise ConfigError("--tls-cert and --tls-key go together")
    return ServerTLS(Path(cert), Path(key), _path(client_ca))


def _token(var: str | None) -> str | None:
    if not var:
        return None
    value = os.environ.get(var, "")
    if not value:
        raise ConfigError(f"--token-env {var}: the variable is not set or empty")
    return value


def _install_signal_handlers(collector: Collector) -> None:
    if threading.current_thread() is not threading.main_thread():
        return  # signal handlers can only be installed from the main thread (tests)

    def stop(signum: int, frame: FrameType | None) -> None:
        collector.request_stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

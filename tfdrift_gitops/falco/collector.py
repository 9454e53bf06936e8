"""The collector, assembled: state watcher, ledger, pipeline, notifications and the intakes.

``collect`` (the CLI command), the tests and the benchmark all build a :class:`Collector` from
:class:`CollectorOptions`; nothing here parses flags or touches signals.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from tfdrift_gitops.adapters.state_source import StateSource
from tfdrift_gitops.config import Config
from tfdrift_gitops.core.detector import MemoryStore
from tfdrift_gitops.core.engine import Engine
from tfdrift_gitops.core.state import StateIndex
from tfdrift_gitops.errors import ConfigError, NotCloudTrailError, RecordError, TfdriftError
from tfdrift_gitops.falco.backfill import DEFAULT_LOOKBACK, Backfill
from tfdrift_gitops.falco.grpc_process import ProcessGrpcSource
from tfdrift_gitops.falco.grpc_source import Backoff, ClientTLS, GrpcSource, is_unix
from tfdrift_gitops.falco.http_protocol import HttpLimits
from tfdrift_gitops.falco.http_source import HttpIntake, ServerTLS, check_exposure
from tfdrift_gitops.falco.intake import grpc_event
from tfdrift_gitops.falco.metrics import CollectorMetrics
from tfdrift_gitops.falco.pipeline import DropPolicy, Item, Pipeline, Store
from tfdrift_gitops.falco.sqs_intake import SqsIntake
from tfdrift_gitops.falco.statewatch import StateWatcher
from tfdrift_gitops.gcpolicy import resettle, settle_for_replay
from tfdrift_gitops.notify.channel import Channel
from tfdrift_gitops.notify.dispatcher import Dispatcher, RetryPolicy
from tfdrift_gitops.notify.settings import NotifySettings, build_channels

log = logging.getLogger(__name__)

GRPC_INTAKE = "grpc"


@dataclass(frozen=True, slots=True)
class CollectorOptions:
    states: tuple[str, ...]
    ledger: str | None = None
    """Directory or s3:// URL; None keeps drifts in memory (benchmarks, trials)."""
    falco_grpc: str | None = None
    grpc_tls: ClientTLS | None = None
    listen: str | None = None
    server_tls: ServerTLS | None = None
    token: str | None = None
    allow_unauthenticated: bool = False
    """Listen on a non-loopback address without a token or client certificates."""
    http_limits: HttpLimits = field(default_factory=HttpLimits)
    max_events: int | None = None
    state_refresh: float = 60.0
    backfill: str | None = None
    backfill_lookback: timedelta = DEFAULT_LOOKBACK
    queue_size: int = 10_000
    drop_policy: DropPolicy = DropPolicy.BLOCK
    grpc_poll_interval: float = 0.1
    grpc_backoff_base: float = 0.5
    grpc_backoff_cap: float = 30.0
    grpc_in_process: bool = False
    """Read the gRPC stream on a thread of this process instead of a child process."""
    notify_retry: RetryPolicy = field(default_factory=RetryPolicy)
    drain_timeout: float = 30.0
    sqs_queue_url: str | None = None
    sqs_wait_seconds: int = 20
    sqs_visibility: int = 60
    sqs_max_in_flight: int = 10
    ledger_listing_seconds: float | None = None
    """How long a listing of the ledger's open drifts is trusted (``ledger/open_keys.py``);
    None: 0 fed by Falco (alerts may be spread over replicas one by one), the ledger's default
    in SQS mode (listed again before each log file)."""
    settle_gc: bool = False
    """Keep the cyclic GC off the state index (frozen, and frozen again after each reload;
    see ``gcpolicy``). Process-wide, so only ``collect`` (a process of its own) sets it."""


class Collector:
    def __init__(
        self,
        options: CollectorOptions,
        config: Config | None = None,
        *,
        env: Mapping[str, str] | None = None,
        channels: Sequence[Channel] | None = None,
        s3_client_factory: Callable[[], Any] | None = None,
        sqs_client_factory: Callable[[str], Any] | None = None,
        on_notified: Callable[[float], None] | None = None,
    ) -> None:
        """``on_notified`` gets the seconds from an alert's arrival to its notification having
        been delivered (also in the ``tfdrift_notification_seconds`` histogram)."""
        if not (options.falco_grpc or options.listen or options.backfill or options.sqs_queue_url):
            raise ConfigError(
                "nothing to collect from: give --falco-grpc, --listen and/or --sqs-queue-url"
            )
        if options.falco_grpc and not is_unix(options.falco_grpc) and options.grpc_tls is None:
            raise ConfigError(
                f"--falco-grpc {options.falco_grpc}: Falco serves gRPC over the network only "
                "with mutual TLS; give --grpc-cert, --grpc-key and --grpc-ca (or use the unix "
                "socket)"
            )
        if options.listen:
            check_exposure(
                options.listen,
                token=options.token,
                tls=options.server_tls,
                allow_unauthenticated=options.allow_unauthenticated,
            )
        self.options = options
        self.config = config or Config()
        self.metrics = CollectorMetrics()
        self._factory = s3_client_factory
        self._stopped = threading.Event()
        self.ledger: Any = None
        self.store: Store
        self.state = StateWatcher(
            StateSource(
                options.states,
                s3_client_factory=s3_client_factory,
                workspaces=self.config.workspaces,
                workspace_key_prefix=self.config.workspace_key_prefix,
            ),
            self._make_engine,
            refresh=options.state_refresh,
            on_reload=self.metrics.state_reloads.inc,
            on_swap=self._on_state_swap,
        )
        if channels is None:
            settings = self.config.sections.get("notify")
            if not isinstance(settings, NotifySettings):
                settings = NotifySettings()
            channels = build_channels(settings, env if env is not None else {})
            timeout = settings.timeout
        else:
            timeout = 5.0
        self._on_notified = on_notified
        self.dispatcher = Dispatcher(
            channels,
            timeout=timeout,
            policy=options.notify_retry,
            on_outcome=self._notification_outcome,
            on_sent=self._notified,
        )
        self.grpc: GrpcSource | ProcessGrpcSource | None = None
        self.http: HttpIntake | None = None
        self.backfill: Backfill | None = None
        self.sqs: SqsIntake | None = None
        self.sqs_client_factory = sqs_client_factory
        self.pipeline: Pipeline | None = None
        self._settled = 0
        """The state generation the cyclic GC was last settled for (``settle_gc``)."""
        self.metrics.ready.bind(lambda: 1.0 if self.readiness()[0] else 0.0)

    # ------------------------------------------------------------------ assembly

    def _make_engine(self, index: StateIndex) -> Engine:
        return Engine(index, policy=self.config.policy)

    def _engine(self) -> Engine:
        """The engine for the next alert (the pipeline's worker asks before each one). With
        ``settle_gc``, the first ask after a reload settles the cyclic GC again: the worker
        holds no engine between alerts, the watcher dropped the old one when it swapped, so
        the old index is gone before the new one is frozen."""
        generation = self.state.generation  # read first: the watcher swaps, then counts
        engine = self.state.engine
        if generation != self._settled and self.options.settle_gc:
            self._settled = generation
            resettle()
        return engine

    def _on_state_swap(self, engine: Engine) -> None:
        """A new state may show drift imported or removed: let the ledger resolve it."""
        ledger = self.ledger
        if ledger is None or self.state.generation <= 1:
            return
        try:
            reassessed = ledger.reassess_open(engine)
        except TfdriftError as exc:
            log.warning("cannot reassess open drifts against the new state: %s", exc)
            return
        for folded in reassessed.changed:
            if folded.drift is not None:
                log.info("drift %s %s by the new state", folded.drift.id, folded.result.value)

    def _notification_outcome(self, channel: str, outcome: str) -> None:
        self.metrics.notifications.inc(channel, outcome)
        if outcome in ("retried", "failed", "dropped"):
            self.metrics.notification_failures.inc(channel)

    def _notified(self, seconds: float) -> None:
        self.metrics.notification_latency.observe(seconds)
        if self._on_notified is not None:
            self._on_notified(seconds)

    def _open_store(self) -> Store:
        if self.options.ledger is None:
            log.warning("no ledger: drifts are kept in memory and lost at exit")
            return MemoryStore()
        from tfdrift_gitops.ledger import open_ledger

        client = self._factory() if self._factory is not None else None
        self.ledger = open_ledger(
            self.options.ledger,
            s3_endpoint_url=self.config.s3_endpoint_url or None,
            kms_key_id=self.config.s3_kms_key_id or None,
            s3_client=client,
            open_listing_max_age=self._listing_seconds(),
        )
        return self.ledger  # type: ignore[no-any-return]

    def _listing_seconds(self) -> float | None:
        chosen = self.options.ledger_listing_seconds
        if chosen is not None:
            return chosen
        # Falco's alerts may be spread over replicas one by one: no listing is trusted unless
        # asked (ledger/open_keys.py); in SQS mode one is made before each log file.
        return None if self.options.sqs_queue_url else 0.0

    def start(self) -> None:
        """Load state (errors propagate), open the ledger, start every part."""
        options = self.options
        self.state.load()
        if options.settle_gc:
            settle_for_replay()
            self._settled = self.state.generation
        self.store = self._open_store()
        self.pipeline = Pipeline(
            self._engine,
            self.store,
            self.metrics,
            notifier=self.dispatcher if self.dispatcher.channels else None,
            queue_size=options.queue_size,
            drop_policy=options.drop_policy,
            max_events=options.max_events,
            cursor=self.ledger,
        )
        self.pipeline.start()
        self.state.start()
        if options.backfill:
            self.backfill = Backfill(
                options.backfill,
                self.pipeline,
                self.metrics,
                cursor=self.ledger,
                lookback=options.backfill_lookback,
                s3_client_factory=self._factory,
            )
            self.backfill.start()
            self.backfill.request()
        if options.sqs_queue_url:
            self._start_sqs(options.sqs_queue_url)
        if options.listen:
            self.http = HttpIntake(
                options.listen,
                self.pipeline,
                self.metrics,
                ready=self.readiness,
                token=options.token,
                tls=options.server_tls,
                limits=options.http_limits,
                allow_unauthenticated=options.allow_unauthenticated,
            )
            self.http.start()
        if options.falco_grpc:
            source = GrpcSource if options.grpc_in_process else ProcessGrpcSource
            self.grpc = source(
                options.falco_grpc,
                self._on_grpc_alert,
                tls=options.grpc_tls,
                poll_interval=options.grpc_poll_interval,
                backoff=Backoff(base=options.grpc_backoff_base, cap=options.grpc_backoff_cap),
                on_reconnect=self._on_grpc_reconnect,
            )
            self.grpc.start()

    def _start_sqs(self, url: str) -> None:
        from tfdrift_gitops.adapters.aws import make_s3_client, make_sqs_client
        from tfdrift_gitops.adapters.sqs_source import SqsQueue

        assert self.pipeline is not None
        options = self.options
        sqs_factory = self.sqs_client_factory or make_sqs_client
        self.sqs = SqsIntake(
            SqsQueue(
                sqs_factory(url),
                url,
                wait_seconds=options.sqs_wait_seconds,
                visibility=options.sqs_visibility,
            ),
            self.pipeline,
            self.metrics,
            s3_client=self._factory() if self._factory is not None else make_s3_client(),
            max_in_flight=options.sqs_max_in_flight,
            on_file=self.ledger.refresh_open_listing if self.ledger is not None else None,
        )
        self.sqs.start()

    def _on_grpc_alert(self, response: Any) -> None:
        pipeline = self.pipeline
        assert pipeline is not None
        received = time.perf_counter()
        try:
            event = grpc_event(response, "falco-grpc")
        except NotCloudTrailError as exc:
            self.metrics.alerts.inc(GRPC_INTAKE, "ignored")
            log.debug("%s", exc)
            pipeline.handled_elsewhere()
            return
        except RecordError as exc:
            self.metrics.alerts.inc(GRPC_INTAKE, "invalid")
            log.warning("%s", exc)
            pipeline.handled_elsewhere()
            return
        if pipeline.offer(Item(event, received, GRPC_INTAKE)):
            self.metrics.alerts.inc(GRPC_INTAKE, "accepted")

    def _on_grpc_reconnect(self) -> None:
        self.metrics.reconnects.inc(GRPC_INTAKE)
        if self.backfill is not None:
            self.backfill.request()

    # ------------------------------------------------------------------ running

    def readiness(self) -> tuple[bool, str]:
        if not self.state.loaded:
            return False, "Terraform state not loaded"
        if self.grpc is not None and self.grpc.connected:
            return True, ""
        if self.http is not None:
            return True, ""
        if self.grpc is not None:
            return False, f"not connected to Falco at {self.grpc.address}"
        return True, ""

    def request_stop(self) -> None:
        self._stopped.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until ``request_stop`` or ``max_events``; True when it ended that way."""
        deadline = None if timeout is None else time.monotonic() + timeout
        done = self.pipeline.done if self.pipeline is not None else threading.Event()
        while not self._stopped.is_set() and not done.is_set():
            if deadline is not None and time.monotonic() >= deadline:
                return False
            self._stopped.wait(0.05)
        return True

    def shutdown(self) -> bool:
        """Stop intake, drain the queue, flush notifications. True when nothing was lost."""
        if self.grpc is not None:
            self.grpc.stop()
        if self.http is not None:
            self.http.stop()
        if self.backfill is not None:
            self.backfill.stop()
        if self.sqs is not None:
            self.sqs.stop()
        self.state.stop()
        drained = True
        if self.pipeline is not None:
            drained = self.pipeline.close(self.options.drain_timeout)
        if self.sqs is not None:
            self.sqs.finish()
        self.dispatcher.close(timeout=min(10.0, self.options.drain_timeout))
        return drained

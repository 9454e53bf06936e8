"""The collector's Prometheus metrics, on prometheus_client.

Each collector owns a ``CollectorRegistry`` (never the process-global one), so two collectors in
one process (tests, benchmarks) count apart and a library importing us adds nothing to anybody
else's ``/metrics``. The small wrappers below only fix the label names per metric and let the
call sites pass label values positionally (``alerts.inc("http", "accepted")``); the registry,
the thread safety, the histograms and the exposition (text format 0.0.4, or OpenMetrics when
the scraper asks for it) are prometheus_client's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import prometheus_client
from prometheus_client import CollectorRegistry
from prometheus_client.exposition import choose_encoder

CONTENT_TYPE = prometheus_client.CONTENT_TYPE_PLAIN_0_0_4

# Alert handling takes well under a millisecond when the ledger is local and seconds when S3
# or a webhook is slow: buckets from 0.5 ms to 30 s.
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 30)


class Counter:
    def __init__(
        self, registry: CollectorRegistry, name: str, help_text: str, labels: Sequence[str] = ()
    ) -> None:
        self.name = name
        self.label_names = tuple(labels)
        self._registry = registry
        self._metric = prometheus_client.Counter(
            name, help_text, self.label_names, registry=registry
        )

    def inc(self, *labels: str, amount: float = 1.0) -> None:
        if self.label_names:
            self._metric.labels(*labels).inc(amount)
        else:
            self._metric.inc(amount)

    def value(self, *labels: str) -> float:
        """The current count for these label values (0 when never incremented)."""
        names = dict(zip(self.label_names, labels, strict=True))
        return self._registry.get_sample_value(self.name, names) or 0.0


class Gauge:
    """A gauge read from a callback at scrape time (queue depth, readiness, open connections)."""

    def __init__(
        self, registry: CollectorRegistry, name: str, help_text: str, read: Callable[[], float]
    ) -> None:
        self._metric = prometheus_client.Gauge(name, help_text, registry=registry)
        self._metric.set_function(read)

    def bind(self, read: Callable[[], float]) -> None:
        """Point the gauge at the live value once its owner exists."""
        self._metric.set_function(read)


class Histogram:
    def __init__(
        self,
        registry: CollectorRegistry,
        name: str,
        help_text: str,
        buckets: Sequence[float] = LATENCY_BUCKETS,
    ) -> None:
        self.name = name
        self._registry = registry
        self._metric = prometheus_client.Histogram(
            name, help_text, registry=registry, buckets=buckets
        )

    def observe(self, value: float) -> None:
        self._metric.observe(value)

    @property
    def count(self) -> int:
        return int(self._registry.get_sample_value(f"{self.name}_count") or 0)


class CollectorMetrics:
    """The collector's metrics, by name. ``queue_depth``, ``ready`` and ``connections`` read
    live values."""

    def __init__(
        self,
        queue_depth: Callable[[], float] = lambda: 0.0,
        ready: Callable[[], float] = lambda: 0.0,
    ) -> None:
        self.registry = registry = CollectorRegistry()
        self.alerts = Counter(
            registry,
            "tfdrift_alerts_total",
            "Falco alerts received, by intake (grpc, http, backfill, sqs) and outcome.",
            ("source", "outcome"),
        )
        self.skips = Counter(
            registry,
            "tfdrift_events_skipped_total",
            "CloudTrail events that were not drift, by reason.",
            ("reason",),
        )
        self.drifts = Counter(
            registry,
            "tfdrift_drifts_total",
            "Drifts opened or escalated, by kind and severity.",
            ("kind", "severity", "result"),
        )
        self.notifications = Counter(
            registry,
            "tfdrift_notifications_total",
            "Notification deliveries, by channel and outcome (sent, failed, retried, dropped).",
            ("channel", "outcome"),
        )
        self.notification_failures = Counter(
            registry,
            "tfdrift_notification_failures_total",
            "Notification attempts that failed, by channel.",
            ("channel",),
        )
        self.reconnects = Counter(
            registry,
            "tfdrift_source_reconnects_total",
            "Reconnects to Falco, by intake.",
            ("source",),
        )
        self.errors = Counter(
            registry,
            "tfdrift_processing_errors_total",
            "Errors while processing alerts, by stage.",
            ("stage",),
        )
        self.state_reloads = Counter(
            registry,
            "tfdrift_state_reloads_total",
            "Terraform state reloads, by outcome.",
            ("outcome",),
        )
        self.http_refused = Counter(
            registry,
            "tfdrift_http_refused_total",
            "HTTP connections or requests the intake ended before reading an alert, by reason "
            "(too_many_connections, header_timeout, body_timeout, bad_request, unauthorised, "
            "stopping).",
            ("reason",),
        )
        self.sqs_messages = Counter(
            registry,
            "tfdrift_sqs_messages_total",
            "SQS notifications handled, by outcome: done (deleted after the ledger write), "
            "failed and invalid (left to the queue's redrive policy).",
            ("outcome",),
        )
        self.latency = Histogram(
            registry,
            "tfdrift_processing_seconds",
            "Seconds from receiving an alert to having recorded (and queued notifications for) it.",
        )
        self.notification_latency = Histogram(
            registry,
            "tfdrift_notification_seconds",
            "Seconds from receiving an alert to a delivered notification about it.",
        )
        self.http_request_latency = Histogram(
            registry,
            "tfdrift_http_request_seconds",
            "Seconds from a POST /falco request's headers to its answer (body read, parsed, "
            "queued).",
        )
        self.http_body_bytes = Histogram(
            registry,
            "tfdrift_http_body_bytes",
            "Sizes of the POST /falco bodies read.",
            buckets=(256, 1024, 4096, 16384, 65536, 262144, 1048576),
        )
        self.queue_depth = Gauge(
            registry,
            "tfdrift_queue_depth",
            "Alerts waiting between intake and processing.",
            queue_depth,
        )
        self.ready = Gauge(
            registry,
            "tfdrift_ready",
            "1 when state is loaded and a source is connected.",
            ready,
        )
        self.http_connections = Gauge(
            registry,
            "tfdrift_http_connections",
            "Open connections to the HTTP intake.",
            lambda: 0.0,
        )

    def render(self, accept: str | None = None) -> tuple[bytes, str]:
        """The exposition for a scrape with this ``Accept`` header: (body, content type)."""
        encoder, content_type = choose_encoder(accept or "")
        return encoder(self.registry), content_type

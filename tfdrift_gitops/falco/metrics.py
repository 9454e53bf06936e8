"""A small Prometheus registry: counters, gauges and histograms in the text exposition format.

Written here rather than pulled in as a dependency: the collector needs five metrics, and the
text format (version 0.0.4) is a few lines. All updates take one lock per metric; the hot path
(one alert) touches three of them.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable, Sequence

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

LabelValues = tuple[str, ...]


def _escape_label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels_text(names: Sequence[str], values: Sequence[str], extra: str = "") -> str:
    parts = [f'{n}="{_escape_label(v)}"' for n, v in zip(names, values, strict=True)]
    if extra:
        parts.append(extra)
    return "{" + ",".join(parts) + "}" if parts else ""


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


class _Metric:
    kind = ""

    def __init__(self, name: str, help_text: str, labels: Sequence[str] = ()) -> None:
        self.name = name
        self.help = help_text
        self.label_names = tuple(labels)
        self._lock = threading.Lock()

    def _key(self, labels: Sequence[str]) -> LabelValues:
        if len(labels) != len(self.label_names):
            raise ValueError(f"{self.name}: expected labels {self.label_names}, got {labels}")
        return tuple(str(v) for v in labels)

    def header(self) -> list[str]:
        return [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} {self.kind}"]

    def render(self) -> list[str]:
        raise NotImplementedError


class Counter(_Metric):
    kind = "counter"

    def __init__(self, name: str, help_text: str, labels: Sequence[str] = ()) -> None:
        super().__init__(name, help_text, labels)
        self._values: dict[LabelValues, float] = {}

    def inc(self, *labels: str, amount: float = 1.0) -> None:
        key = self._key(labels)
        with self._lock:
            self._values[key] = self._values.get(key, 0.0) + amount

    def value(self, *labels: str) -> float:
        with self._lock:
            return self._values.get(self._key(labels), 0.0)

    def total(self) -> float:
        with self._lock:
            return sum(self._values.values())

    def render(self) -> list[str]:
        with self._lock:
            items = sorted(self._values.items())
        lines = self.header()
        lines += [f"{self.name}{_labels_text(self.label_names, k)} {_number(v)}" for k, v in items]
        return lines


class Gauge(_Metric):
    """A gauge whose value is read from a callback at scrape time (queue depth, readiness)."""

    kind = "gauge"

    def __init__(self, name: str, help_text: str, read: Callable[[], float]) -> None:
        super().__init__(name, help_text)
        self._read = read

    def bind(self, read: Callable[[], float]) -> None:
        """Point the gauge at the live value once its owner exists."""
        self._read = read

    def render(self) -> list[str]:
        return [*self.header(), f"{self.name} {_number(float(self._read()))}"]


DEFAULT_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Histogram(_Metric):
    kind = "histogram"

    def __init__(
        self, name: str, help_text: str, buckets: Iterable[float] = DEFAULT_BUCKETS
    ) -> None:
        super().__init__(name, help_text)
        self.buckets = tuple(sorted(buckets))
        self._counts = [0] * (len(self.buckets) + 1)
        self._sum = 0.0
        self._count = 0

    def observe(self, value: float) -> None:
        position = len(self.buckets)
        for index, bound in enumerate(self.buckets):
            if value <= bound:
                position = index
                break
        with self._lock:
            self._counts[position] += 1
            self._sum += value
            self._count += 1

    @property
    def count(self) -> int:
        with self._lock:
            return self._count

    def render(self) -> list[str]:
        with self._lock:
            counts = list(self._counts)
            total, count = self._sum, self._count
        lines = self.header()
        running = 0
        for bound, bucket_count in zip((*self.buckets, math.inf), counts, strict=True):
            running += bucket_count
            lines.append(f'{self.name}_bucket{{le="{_number(bound)}"}} {running}')
        lines.append(f"{self.name}_sum {_number(total)}")
        lines.append(f"{self.name}_count {count}")
        return lines


class Registry:
    def __init__(self) -> None:
        self._metrics: list[_Metric] = []

    def register(self, metric: _Metric) -> None:
        self._metrics.append(metric)

    def render(self) -> str:
        lines: list[str] = []
        for metric in self._metrics:
            lines.extend(metric.render())
        return "\n".join(lines) + "\n"


class CollectorMetrics:
    """The collector's metrics, by name. ``queue_depth`` and ``ready`` read live values."""

    def __init__(
        self,
        queue_depth: Callable[[], float] = lambda: 0.0,
        ready: Callable[[], float] = lambda: 0.0,
    ) -> None:
        self.registry = Registry()
        self.alerts = Counter(
            "tfdrift_alerts_total",
            "Falco alerts received, by intake (grpc, http, backfill) and outcome.",
            ("source", "outcome"),
        )
        self.skips = Counter(
            "tfdrift_events_skipped_total",
            "CloudTrail events that were not drift, by reason.",
            ("reason",),
        )
        self.drifts = Counter(
            "tfdrift_drifts_total",
            "Drifts opened or escalated, by kind and severity.",
            ("kind", "severity", "result"),
        )
        self.notifications = Counter(
            "tfdrift_notifications_total",
            "Notification deliveries, by channel and outcome (sent, failed, retried, dropped).",
            ("channel", "outcome"),
        )
        self.notification_failures = Counter(
            "tfdrift_notification_failures_total",
            "Notification attempts that failed, by channel.",
            ("channel",),
        )
        self.reconnects = Counter(
            "tfdrift_source_reconnects_total", "Reconnects to Falco, by intake.", ("source",)
        )
        self.errors = Counter(
            "tfdrift_processing_errors_total",
            "Errors while processing alerts, by stage.",
            ("stage",),
        )
        self.state_reloads = Counter(
            "tfdrift_state_reloads_total", "Terraform state reloads, by outcome.", ("outcome",)
        )
        self.latency = Histogram(
            "tfdrift_processing_seconds",
            "Seconds from receiving an alert to having recorded (and queued notifications for) it.",
        )
        self.notification_latency = Histogram(
            "tfdrift_notification_seconds",
            "Seconds from receiving an alert to a delivered notification about it.",
        )
        self.queue_depth = Gauge(
            "tfdrift_queue_depth", "Alerts waiting between intake and processing.", queue_depth
        )
        self.ready = Gauge(
            "tfdrift_ready", "1 when state is loaded and a source is connected.", ready
        )
        for metric in (
            self.alerts,
            self.skips,
            self.drifts,
            self.notifications,
            self.notification_failures,
            self.reconnects,
            self.errors,
            self.state_reloads,
            self.latency,
            self.notification_latency,
            self.queue_depth,
            self.ready,
        ):
            self.registry.register(metric)

    def render(self) -> str:
        return self.registry.render()

"""Delivering notifications: per-channel minimum severity, timeouts, retries, redaction.

A few worker threads take deliveries from a time-ordered heap. A 429 is retried after its
``Retry-After``; a 5xx, a timeout or a connection error after an exponential, jittered backoff;
other 4xx answers are final (retrying a wrong URL does not help). A delivery that keeps failing
stays queued (retried later, never blocking the collector) until it is older than ``max_age``;
the drift itself is in the ledger either way, so a lost chat message never loses a drift.

Webhook URLs carry their credential in the path (Slack, Discord), so no URL is ever logged or
put into an error: messages name the channel, and every string that leaves this module passes
through :func:`redact`. httpx logs each request URL at INFO; a filter on its logger redacts.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import random
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

import httpx

from tfdrift_gitops.models import Drift
from tfdrift_gitops.notify.channel import Channel, wants

log = logging.getLogger(__name__)

Outcome = Callable[[str, str], None]
"""Called with (channel name, outcome): sent, retried, failed, dropped."""


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


class _RedactingFilter(logging.Filter):
    """Rewrites records of a third-party logger (httpx) so no secret reaches any handler."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            cleaned = redact(message, self.secrets)
            if cleaned != message:
                record.msg, record.args = cleaned, ()
        return True


_HTTPX_FILTER = _RedactingFilter()


def _install_log_redaction(secrets: Iterable[str]) -> None:
    _HTTPX_FILTER.secrets.update(s for s in secrets if s)
    for name in ("httpx", "httpcore"):
        logger = logging.getLogger(name)
        if _HTTPX_FILTER not in logger.filters:
            logger.addFilter(_HTTPX_FILTER)


def retry_after_seconds(value: str | None, *, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds: an integer, or an HTTP date."""
    if not value:
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


@dataclass(order=True, slots=True)
class _Delivery:
    due: float
    seq: int
    channel: Channel = field(compare=False)
    drift: Drift = field(compare=False)
    result: str = field(compare=False)
    created: float = field(compare=False)
    received: float | None = field(compare=False, default=None)
    attempts: int = field(compare=False, default=0)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    backoff_base: float = 1.0
    backoff_cap: float = 300.0
    max_retry_after: float = 600.0
    max_age: float = 6 * 3600.0
    max_pending: int = 10_000


class Dispatcher:
    def __init__(
        self,
        channels: Sequence[Channel],
        *,
        timeout: float = 5.0,
        workers: int = 2,
        policy: RetryPolicy | None = None,
        on_outcome: Outcome | None = None,
        on_sent: Callable[[float], None] | None = None,
        client: httpx.Client | None = None,
    ) -> None:
        self.channels = tuple(channels)
        self.policy = policy or RetryPolicy()
        self._on_outcome = on_outcome or (lambda _channel, _outcome: None)
        self._on_sent = on_sent
        self._secrets = tuple(s for c in self.channels for s in c.secrets())
        _install_log_redaction(self._secrets)
        self._client = client or httpx.Client(timeout=timeout, follow_redirects=False)
        self._heap: list[_Delivery] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._in_flight = 0
        self._stopping = False
        self._random = random.Random()  # noqa: S311 - backoff jitter, not a secret
        self._threads = [
            threading.Thread(target=self._run, name=f"notify-{n}", daemon=True)
            for n in range(max(1, workers) if self.channels else 0)
        ]
        for thread in self._threads:
            thread.start()

    # ------------------------------------------------------------------ producer side

    def submit(self, drift: Drift, result: str, *, received: float | None = None) -> int:
        """Queue one notification per interested channel; returns how many were queued.

        ``received`` (a ``time.perf_counter()`` reading) lets ``on_sent`` report how long the
        alert took from arrival to a delivered notification.
        """
        queued = 0
        now = time.monotonic()
        with self._cond:
            for channel in self.channels:
                if not wants(channel, drift):
                    continue
                self._push(_Delivery(now, next(self._seq), channel, drift, result, now, received))
                queued += 1
            if queued:
                self._cond.notify_all()
        return queued

    def _push(self, delivery: _Delivery) -> None:
        heapq.heappush(self._heap, delivery)
        if len(self._heap) > self.policy.max_pending:
            oldest = min(self._heap, key=lambda d: d.created)
            self._heap.remove(oldest)
            heapq.heapify(self._heap)
            self._dropped(oldest, "the retry queue is full")

    @property
    def pending(self) -> int:
        with self._cond:
            return len(self._heap) + self._in_flight

    # ------------------------------------------------------------------ workers

    def _run(self) -> None:
        while True:
            with self._cond:
                delivery = self._next_due()
                if delivery is None:
                    return
                self._in_flight += 1
            try:
                self._attempt(delivery)
            except Exception as exc:  # whatever one delivery breaks, the worker lives on
                self._on_outcome(delivery.channel.name, "failed")
                log.error(
                    "%s: notification for drift %s failed: %s: %s (the drift is in the ledger)",
                    delivery.channel.name,
                    delivery.drift.id,
                    type(exc).__name__,
                    self._clean(exc),
                )
            finally:
                with self._cond:
                    self._in_flight -= 1
                    self._cond.notify_all()

    def _next_due(self) -> _Delivery | None:
        """Block until a delivery is due (None when stopping). Caller holds the lock."""
        while True:
            if self._stopping and not self._heap:
                return None
            now = time.monotonic()
            if self._heap and self._heap[0].due <= now:
                return heapq.heappop(self._heap)
            if self._stopping and self._heap and self._heap[0].due > now:
                return None
            wait = self._heap[0].due - now if self._heap else None
            self._cond.wait(timeout=wait)

    def _attempt(self, delivery: _Delivery) -> None:
        channel = delivery.channel
        delivery.attempts += 1
        try:
            request = channel.build(delivery.drift, delivery.result)
        except Exception as exc:  # a broken user template must not kill the worker
            self._fail(delivery, f"cannot build the message: {self._clean(exc)}")
            return
        try:
            response = self._client.post(
                request.url.reveal(), content=request.body, headers=request.headers
            )
        except httpx.TimeoutException:
            self._retry(delivery, "timed out", None)
            return
        except httpx.HTTPError as exc:
            self._retry(delivery, f"{type(exc).__name__}: {self._clean(exc)}", None)
            return
        except Exception as exc:  # InvalidURL and the like: retrying does not help
            self._fail(delivery, f"cannot send: {type(exc).__name__}: {self._clean(exc)}")
            return
        status = response.status_code
        if 200 <= status < 300:
            self._on_outcome(channel.name, "sent")
            if self._on_sent is not None and delivery.received is not None:
                self._on_sent(time.perf_counter() - delivery.received)
            log.debug("%s: sent drift %s (%s)", channel.name, delivery.drift.id, delivery.result)
            return
        if status == 429:
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            self._retry(delivery, "HTTP 429 (rate limited)", wait)
        elif status >= 500 or status == 408:
            self._retry(delivery, f"HTTP {status}", None)
        else:
            self._fail(delivery, f"HTTP {status}: {self._clean(response.text[:200])}")

    def _retry(self, delivery: _Delivery, why: str, wait: float | None) -> None:
        channel = delivery.channel
        self._on_outcome(channel.name, "retried")
        if wait is None:
            exp = self.policy.backoff_base * (2 ** (delivery.attempts - 1))
            wait = min(self.policy.backoff_cap, exp) * (0.5 + self._random.random() / 2)
        wait = min(wait, self.policy.max_retry_after)
        now = time.monotonic()
        if now + wait - delivery.created > self.policy.max_age:
            self._dropped(delivery, f"still failing after {delivery.attempts} attempts ({why})")
            return
        log.warning(
            "%s: notification for drift %s failed (%s); retrying in %.1fs",
            channel.name,
            delivery.drift.id,
            why,
            wait,
        )
        delivery.due = now + wait
        with self._cond:
            heapq.heappush(self._heap, delivery)
            self._cond.notify_all()

    def _fail(self, delivery: _Delivery, why: str) -> None:
        self._on_outcome(delivery.channel.name, "failed")
        log.error(
            "%s: notification for drift %s failed for good: %s (the drift is in the ledger)",
            delivery.channel.name,
            delivery.drift.id,
            why,
        )

    def _dropped(self, delivery: _Delivery, why: str) -> None:
        self._on_outcome(delivery.channel.name, "dropped")
        log.error(
            "%s: gave up notifying drift %s: %s (the drift is in the ledger)",
            delivery.channel.name,
            delivery.drift.id,
            why,
        )

    def _clean(self, value: object) -> str:
        return redact(str(value), self._secrets)

    # ------------------------------------------------------------------ shutdown

    def flush(self, timeout: float) -> bool:
        """Wait until nothing is due or in flight; True when the queue is empty."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._heap or self._in_flight:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(timeout=min(remaining, 0.05))
            return True

    def close(self, timeout: float = 5.0) -> None:
        """Give queued deliveries up to ``timeout`` seconds, then stop; report what is left."""
        self.flush(timeout)
        with self._cond:
            self._stopping = True
            left = list(self._heap)
            self._heap.clear()
            self._cond.notify_all()
        for delivery in left:
            self._dropped(delivery, "the collector stopped before it could be delivered")
        for thread in self._threads:
            thread.join(timeout=max(0.1, timeout))
        self._client.close()

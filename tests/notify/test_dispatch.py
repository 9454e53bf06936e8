"""Delivering to real local receivers: payloads, signatures, severities, retries, redaction."""

from __future__ import annotations

import itertools
import json
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.collector.receivers import Receiver, Reply
from tests.notify.drifts import make_drift
from tfdrift_gitops.core.record import drift_to_record
from tfdrift_gitops.models import Severity
from tfdrift_gitops.notify.channel import Channel, Secret
from tfdrift_gitops.notify.discord import DiscordChannel
from tfdrift_gitops.notify.dispatcher import Dispatcher, RetryPolicy, retry_after_seconds
from tfdrift_gitops.notify.slack import SlackChannel
from tfdrift_gitops.notify.webhook import SIGNATURE_HEADER, WebhookChannel, sign, verify
from tfdrift_gitops.templating import Templates

FAST = RetryPolicy(backoff_base=0.05, backoff_cap=0.2, max_age=30)
SECRET_PATH = "/services/T0AAAAAAA/B0BBBBBBB/s3cretW3bh00kT0ken"


class Outcomes:
    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def __call__(self, channel: str, outcome: str) -> None:
        self.seen.append((channel, outcome))


@pytest.fixture
def dispatchers() -> Iterator[Callable[..., tuple[Dispatcher, Outcomes]]]:
    made: list[Dispatcher] = []

    def make(channels: list[Channel], policy: RetryPolicy = FAST) -> tuple[Dispatcher, Outcomes]:
        outcomes = Outcomes()
        dispatcher = Dispatcher(channels, timeout=2.0, policy=policy, on_outcome=outcomes)
        made.append(dispatcher)
        return dispatcher, outcomes

    yield make
    for dispatcher in made:
        dispatcher.close(timeout=1.0)


def test_slack_and_discord_payloads_arrive(
    receivers: Callable[..., Receiver], dispatchers: Callable[..., Any]
) -> None:
    slack_rx, discord_rx = receivers(), receivers()
    templates = Templates()
    slack = SlackChannel(Secret(slack_rx.url(SECRET_PATH)), templates)
    discord = DiscordChannel(Secret(discord_rx.url("/api/webhooks/1/tok")), templates)
    dispatcher, outcomes = dispatchers([slack, discord])
    drift = make_drift(actor_name="<!channel> @everyone")
    assert dispatcher.submit(drift, "opened") == 2
    [slack_req] = slack_rx.wait_for(1)
    [discord_req] = discord_rx.wait_for(1)
    assert slack_req.path == SECRET_PATH
    assert slack_req.headers["Content-Type"] == "application/json"
    assert slack_req.json() == slack.payload(drift, "opened")
    text = json.dumps(slack_req.json())
    assert "<!channel>" not in text
    assert "&lt;!channel&gt;" in text
    body = discord_req.json()
    assert body["allowed_mentions"] == {"parse": []}
    assert "@everyone" not in json.dumps(body, ensure_ascii=False)
    assert body["embeds"][0]["color"] == 0xE8912D
    assert dispatcher.flush(5)
    assert sorted(outcomes.seen) == [("discord", "sent"), ("slack", "sent")]


def test_webhook_is_the_signed_drift_record(
    receivers: Callable[..., Receiver], dispatchers: Callable[..., Any]
) -> None:
    rx = receivers()
    secret = "whsec-test-0123456789"
    dispatcher, _ = dispatchers([WebhookChannel(Secret(rx.url()), Secret(secret))])
    drift = make_drift()
    dispatcher.submit(drift, "escalated")
    [request] = rx.wait_for(1)
    assert json.loads(request.body) == json.loads(json.dumps(drift_to_record(drift)))
    assert request.headers["X-Tfdrift-Event"] == "escalated"
    header = request.headers[SIGNATURE_HEADER]
    assert verify(secret, header, request.body)
    assert not verify("another-secret", header, request.body)
    assert not verify(secret, header, request.body + b" ")
    timestamp = int(header.split(",")[0].removeprefix("t="))
    assert not verify(secret, header, request.body, now=timestamp + 3600)


def test_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    import hashlib
    import hmac

    expected = hmac.new(b"key", b"1700000000.{}", hashlib.sha256).hexdigest()
    assert sign("key", 1700000000, b"{}") == f"t=1700000000,v1={expected}"


@pytest.mark.parametrize(
    ("severity", "expected"),
    [
        pytest.param(Severity.LOW, {"all"}, id="low"),
        pytest.param(Severity.MEDIUM, {"all"}, id="medium"),
        pytest.param(Severity.HIGH, {"all", "high-up"}, id="high"),
        pytest.param(Severity.CRITICAL, {"all", "high-up", "critical-only"}, id="critical"),
    ],
)
def test_per_channel_minimum_severity(
    receivers: Callable[..., Receiver],
    dispatchers: Callable[..., Any],
    severity: Severity,
    expected: set[str],
) -> None:
    rx = receivers()
    channels: list[Channel] = [
        WebhookChannel(Secret(rx.url("/all")), name="all", min_severity=Severity.LOW),
        WebhookChannel(Secret(rx.url("/high-up")), name="high-up", min_severity=Severity.HIGH),
        WebhookChannel(
            Secret(rx.url("/critical-only")), name="critical-only", min_severity=Severity.CRITICAL
        ),
    ]
    dispatcher, _ = dispatchers(channels)
    assert dispatcher.submit(make_drift(severity=severity), "opened") == len(expected)
    assert dispatcher.flush(5)
    assert {r.path.lstrip("/") for r in rx.requests} == expected


def test_429_retry_after_is_honoured(
    receivers: Callable[..., Receiver], dispatchers: Callable[..., Any]
) -> None:
    rx = receivers([Reply(429, {"Retry-After": "1"}, b"rate limited")])
    dispatcher, outcomes = dispatchers([WebhookChannel(Secret(rx.url()))])
    dispatcher.submit(make_drift(), "opened")
    first, second = rx.wait_for(2, timeout=5)
    assert second.at - first.at >= 0.95
    assert dispatcher.flush(5)
    assert outcomes.seen == [("webhook", "retried"), ("webhook", "sent")]


def test_5xx_backs_off_then_succeeds(
    receivers: Callable[..., Receiver], dispatchers: Callable[..., Any]
) -> None:
    rx = receivers([Reply(503), Reply(500), Reply(502)])
    dispatcher, outcomes = dispatchers([WebhookChannel(Secret(rx.url()))])
    dispatcher.submit(make_drift(), "opened")
    requests = rx.wait_for(4, timeout=5)
    gaps = [b.at - a.at for a, b in itertools.pairwise(requests)]
    assert all(gap >= 0.02 for gap in gaps)  # backoff, not a hot loop
    assert dispatcher.flush(5)
    assert outcomes.seen == [("webhook", "retried")] * 3 + [("webhook", "sent")]
    # every attempt carries the same record
    assert len({r.body for r in requests}) == 1


def test_other_4xx_is_final(
    receivers: Callable[..., Receiver], dispatchers: Callable[..., Any]
) -> None:
    rx = receivers([Reply(404, body=b"no such hook")])
    dispatcher, outcomes = dispatchers([WebhookChannel(Secret(rx.url()))])
    dispatcher.submit(make_drift(), "opened")
    rx.wait_for(1)
    assert dispatcher.flush(5)
    time.sleep(0.2)
    assert len(rx.requests) == 1
    assert outcomes.seen == [("webhook", "failed")]


def test_unreachable_receiver_is_retried_then_dropped_with_the_drift_named(
    dispatchers: Callable[..., Any], caplog: pytest.LogCaptureFixture, refused_url: str
) -> None:
    url = f"{refused_url}{SECRET_PATH}"
    policy = RetryPolicy(backoff_base=0.05, backoff_cap=0.1, max_age=0.4)
    dispatcher, outcomes = dispatchers([SlackChannel(Secret(url), Templates())], policy)
    caplog.set_level(logging.DEBUG)
    dispatcher.submit(make_drift(drift_id="d-lost-but-in-ledger"), "opened")
    deadline = time.monotonic() + 5
    while ("slack", "dropped") not in outcomes.seen and time.monotonic() < deadline:
        time.sleep(0.02)
    assert ("slack", "dropped") in outcomes.seen
    assert ("slack", "retried") in outcomes.seen
    assert "d-lost-but-in-ledger" in caplog.text
    assert "s3cretW3bh00kT0ken" not in caplog.text


def test_urls_and_secrets_never_reach_the_logs(
    receivers: Callable[..., Receiver],
    dispatchers: Callable[..., Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    rx = receivers([Reply(500, body=f"bad {SECRET_PATH}".encode()), Reply(400, body=b"nope")])
    caplog.set_level(logging.DEBUG)  # httpx logs every request URL at INFO
    secret = "whsec-never-log-me"
    channels: list[Channel] = [
        SlackChannel(Secret(rx.url(SECRET_PATH)), Templates()),
        WebhookChannel(Secret(rx.url("/w/tok3n-in-path")), Secret(secret), name="hook"),
    ]
    dispatcher, _ = dispatchers(channels)
    dispatcher.submit(make_drift(), "opened")
    rx.wait_for(3, timeout=5)
    assert dispatcher.flush(5)
    assert "HTTP Request: POST ***" in caplog.text  # httpx's own log line, redacted
    for leaked in ("s3cretW3bh00kT0ken", "tok3n-in-path", secret):
        assert leaked not in caplog.text
    assert repr(channels[0].url) == "Secret('***')"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("3", 3.0, id="seconds"),
        pytest.param(None, None, id="absent"),
        pytest.param("soon", None, id="garbage"),
        pytest.param("Wed, 21 Oct 2015 07:28:00 GMT", 0.0, id="past-date"),
    ],
)
def test_retry_after_parsing(value: str | None, expected: float | None) -> None:
    assert retry_after_seconds(value) == expected


def test_close_reports_what_is_left(
    dispatchers: Callable[..., Any], caplog: pytest.LogCaptureFixture, refused_url: str
) -> None:
    policy = RetryPolicy(backoff_base=5.0, backoff_cap=5.0, max_age=60)
    url = f"{refused_url}/x"
    dispatcher, outcomes = dispatchers([WebhookChannel(Secret(url))], policy)
    dispatcher.submit(make_drift(drift_id="d-pending"), "opened")
    deadline = time.monotonic() + 5
    while ("webhook", "retried") not in outcomes.seen and time.monotonic() < deadline:
        time.sleep(0.02)
    dispatcher.close(timeout=0.2)
    assert ("webhook", "dropped") in outcomes.seen
    assert "d-pending" in caplog.text

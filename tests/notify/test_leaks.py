"""Webhook URLs and tokens never leak, in any form; a bad URL is a start-up error; a worker
survives whatever one delivery throws."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import Any

import pytest

from tests.collector.receivers import Receiver, Reply
from tests.notify.drifts import make_drift
from tfdrift_gitops.errors import ConfigError
from tfdrift_gitops.notify.channel import Channel, Secret
from tfdrift_gitops.notify.discord import DiscordChannel
from tfdrift_gitops.notify.dispatcher import Dispatcher, RetryPolicy
from tfdrift_gitops.notify.settings import build_channels, parse_notify_section
from tfdrift_gitops.notify.slack import SlackChannel
from tfdrift_gitops.notify.webhook import WebhookChannel
from tfdrift_gitops.templating import Templates

FAST = RetryPolicy(backoff_base=0.05, backoff_cap=0.2, max_age=30)
TOKEN = "XyZ0s3cretT0kenAbC"


def test_every_form_of_the_url_is_redacted(
    receivers: Callable[..., Receiver], caplog: pytest.LogCaptureFixture
) -> None:
    # The receiver echoes what it was sent to; httpx logs the URL it normalised (scheme and
    # host lower case, default port dropped, percent-escapes normalised).
    rx = receivers(
        [Reply(500, body=b"nope"), Reply(400, body=b"bad: /services/T0/B0/" + TOKEN.encode())]
    )
    caplog.set_level(logging.DEBUG)
    base = rx.url("").replace("http://127.0.0.1", "HTTP://ops:Pa55w0rdHere@127.0.0.1")
    url = f"{base}/services/T0/B0/{TOKEN}?token=Qu3ryT0ken%21&x=1"
    dispatcher = Dispatcher(
        [WebhookChannel(Secret(url), Secret("whsec-x"), name="hook")],
        timeout=2.0,
        policy=FAST,
    )
    try:
        dispatcher.submit(make_drift(), "opened")
        rx.wait_for(2, timeout=5)
        assert dispatcher.flush(5)
    finally:
        dispatcher.close(timeout=1.0)
    assert "HTTP Request: POST" in caplog.text  # httpx did log the request
    for leaked in (TOKEN, "Pa55w0rdHere", "Qu3ryT0ken", "ops:Pa55", "/services/T0/B0"):
        assert leaked not in caplog.text, leaked


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("https://hooks.example .com/services/" + TOKEN, id="space"),
        pytest.param("https://[::1/services/" + TOKEN, id="broken-ipv6"),
        pytest.param("https:///services/" + TOKEN, id="no-host"),
        pytest.param("https://hooks.example.com/services/\x1b" + TOKEN, id="control-char"),
    ],
)
def test_malformed_url_is_a_configuration_error_at_start_up(url: str) -> None:
    settings = parse_notify_section({"channels": [{"type": "slack", "url_env": "HOOK"}]})
    with pytest.raises(ConfigError, match="notify") as caught:
        build_channels(settings, {"HOOK": url}, Templates())
    assert TOKEN not in str(caught.value)


def test_a_worker_survives_any_exception(receivers: Callable[..., Receiver]) -> None:
    good_rx = receivers()

    class Exploding(SlackChannel):
        def build(self, drift: Any, result: str) -> Any:
            raise RecursionError("a template that never ends")

    channels: list[Channel] = [
        # Built by hand, past the start-up check: what used to kill the worker thread.
        SlackChannel(Secret("http://[::1/services/" + TOKEN), Templates(), name="broken"),
        Exploding(Secret(good_rx.url("/x")), Templates(), name="exploding"),
        SlackChannel(Secret(good_rx.url("/services/ok")), Templates(), name="good"),
    ]
    outcomes: list[tuple[str, str]] = []
    dispatcher = Dispatcher(
        channels,
        timeout=2.0,
        workers=1,
        policy=FAST,
        on_outcome=lambda c, o: outcomes.append((c, o)),
    )
    try:
        for n in range(3):
            dispatcher.submit(make_drift(drift_id=f"d-{n:016x}"), "opened")
        good_rx.wait_for(3, timeout=5)
        assert dispatcher.flush(5)
        assert all(t.is_alive() for t in dispatcher._threads)
    finally:
        dispatcher.close(timeout=1.0)
    assert outcomes.count(("good", "sent")) == 3
    assert outcomes.count(("broken", "failed")) == 3
    assert outcomes.count(("exploding", "failed")) == 3
    assert threading.active_count() >= 1


def test_a_lone_surrogate_reaches_every_receiver_as_valid_json(
    receivers: Callable[..., Receiver],
) -> None:
    rx = receivers()
    templates = Templates()
    channels: list[Channel] = [
        SlackChannel(Secret(rx.url("/slack")), templates, name="slack"),
        DiscordChannel(Secret(rx.url("/discord")), templates, name="discord"),
        WebhookChannel(Secret(rx.url("/hook")), Secret("whsec-x"), name="hook"),
    ]
    outcomes: list[tuple[str, str]] = []
    dispatcher = Dispatcher(
        channels, timeout=2.0, policy=FAST, on_outcome=lambda c, o: outcomes.append((c, o))
    )
    try:
        dispatcher.submit(make_drift(actor_name="mallory\udc80"), "opened")
        got = rx.wait_for(3, timeout=5)
        assert dispatcher.flush(5)
    finally:
        dispatcher.close(timeout=1.0)
    assert sorted(outcomes) == [("discord", "sent"), ("hook", "sent"), ("slack", "sent")]
    for request in got:
        text = request.body.decode("utf-8")  # strict: valid UTF-8
        json.loads(text)
        if request.path == "/hook":  # the record, exact: the surrogate as its JSON escape
            assert "mallory\\udc80" in text
        else:  # chat: no surrogate escape (PHP's and serde's JSON refuse one), shown as U+FFFD
            assert "\\ud" not in text.lower()
            assert "mallory\ufffd" in text

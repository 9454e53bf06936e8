"""The HTTP intake with real POSTs: bodies of every form, hostile ones, TLS, tokens, metrics."""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from tests.collector.falco_alerts import SG_ADDRESS, cloudtrail_record, falco_alert, syscall_alert
from tests.collector.pki import Pki
from tests.collector.rawhttp import RawClient, chunked, request
from tests.collector.test_pipeline import GatedStore
from tfdrift_gitops.falco.collector import Collector, CollectorOptions
from tfdrift_gitops.falco.http_source import ServerTLS
from tfdrift_gitops.models import Drift


def _start(state_file: Path, **overrides: Any) -> Collector:
    options = CollectorOptions(
        states=(str(state_file),), listen="127.0.0.1:0", state_refresh=0, **overrides
    )
    collector = Collector(options, channels=[])
    collector.start()
    return collector


@pytest.fixture
def collector(state_file: Path) -> Iterator[Collector]:
    running = _start(state_file)
    yield running
    running.shutdown()


def _url(collector: Collector, path: str = "/falco", scheme: str = "http") -> str:
    assert collector.http is not None
    return f"{scheme}://127.0.0.1:{collector.http.port}{path}"


def _drift(collector: Collector, timeout: float = 15.0, events: int = 1) -> Drift:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        store: Any = collector.store
        for drift in store.open.values():
            if drift.resource.address == SG_ADDRESS and len(drift.events) >= events:
                return drift  # type: ignore[no-any-return]
        time.sleep(0.01)
    raise AssertionError(f"no drift with {events} events on {SG_ADDRESS}")


def _alert(event_id: str, **kwargs: Any) -> dict[str, Any]:
    return falco_alert(cloudtrail_record(event_id, **kwargs))


def _eventbridge(record: Any) -> dict[str, Any]:
    """What an EventBridge API destination POSTs for a rule matching CloudTrail's API calls."""
    return {
        "version": "0",
        "id": "c0ffee00-0000-4000-8000-000000000001",
        "detail-type": "AWS API Call via CloudTrail",
        "source": "aws.ec2",
        "account": "123456789012",
        "time": "2026-11-20T09:15:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": record,
    }


def _lines(*alerts: dict[str, Any]) -> bytes:
    return b"\n".join(json.dumps(a).encode() for a in alerts) + b"\n"


@pytest.mark.parametrize(
    ("body", "status", "counts"),
    [
        pytest.param(
            json.dumps(_alert("one")).encode(), 200, (1, 0, 0), id="one-alert-per-request"
        ),
        pytest.param(
            json.dumps([_alert("a1"), syscall_alert(), _alert("a2")]).encode(),
            200,
            (2, 1, 0),
            id="json-array-with-a-syscall-alert",
        ),
        pytest.param(_lines(_alert("l1"), _alert("l2")), 200, (2, 0, 0), id="json-lines"),
        pytest.param(
            json.dumps({k: v for k, v in _alert("no-output").items() if k != "output"}).encode(),
            200,
            (1, 0, 0),
            id="without-output-property",  # json_include_output_property: false
        ),
        pytest.param(json.dumps(syscall_alert()).encode(), 200, (0, 1, 0), id="other-source"),
        pytest.param(
            json.dumps(_eventbridge(cloudtrail_record("eb1"))).encode(),
            200,
            (1, 0, 0),
            id="eventbridge-api-destination",
        ),
        pytest.param(
            json.dumps([_eventbridge(cloudtrail_record("eb2")), _alert("a3")]).encode(),
            200,
            (2, 0, 0),
            id="eventbridge-event-next-to-an-alert",
        ),
        pytest.param(
            json.dumps(_eventbridge({"note": "no record"})).encode(),
            422,
            (0, 0, 1),
            id="eventbridge-event-without-a-record",
        ),
        pytest.param(
            json.dumps({"rule": "x", "source": "aws_cloudtrail", "output_fields": {}}).encode(),
            422,
            (0, 0, 1),
            id="cloudtrail-alert-without-fields",
        ),
    ],
)
def test_bodies(
    collector: Collector, body: bytes, status: int, counts: tuple[int, int, int]
) -> None:
    answer = httpx.post(_url(collector), content=body)
    assert answer.status_code == status, answer.text
    payload = answer.json()
    assert (payload["accepted"], payload["ignored"], payload["invalid"]) == counts


@pytest.mark.parametrize(
    ("fields", "check"),
    [
        pytest.param(
            {"ct.error": "<NA>", "ct.readonly": "false"}, "opened", id="na-and-string-bool"
        ),
        pytest.param({"ct.error": None, "ct.time": None}, "opened", id="nulls-evt-time-ns"),
        pytest.param(
            {"ct.response": "null", "ct.originaluser": "<NA>"}, "opened", id="json-null-string"
        ),
        pytest.param({"ct.error": "AccessDenied"}, "failed_call", id="failed-call"),
    ],
)
def test_falco_value_forms(collector: Collector, fields: dict[str, Any], check: str) -> None:
    alert = _alert("forms-1")
    alert["output_fields"].update(fields)
    answer = httpx.post(_url(collector), json=alert)
    assert answer.status_code == 200
    if check == "opened":
        drift = _drift(collector)
        assert drift.event.id == "forms-1"
        assert drift.event.time.isoformat() == "2026-11-20T09:15:00+00:00"
    else:
        deadline = time.monotonic() + 5
        while collector.metrics.skips.value(check) < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert collector.metrics.skips.value(check) == 1


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"{not json", id="broken-object"),
        pytest.param(b"\xff\xfe\x00", id="not-utf8"),
        pytest.param(b"", id="empty"),
        pytest.param(b"42", id="scalar"),
        pytest.param(_lines(_alert("ok-1")) + b"{broken\n", id="bad-json-line"),
    ],
)
def test_malformed_bodies_are_400_and_use_nothing(collector: Collector, body: bytes) -> None:
    answer = httpx.post(_url(collector), content=body)
    assert answer.status_code == 400
    assert answer.json()["error"]
    assert collector.metrics.alerts.value("http", "malformed") == 1
    assert collector.metrics.alerts.value("http", "accepted") == 0


def test_oversized_body_is_413_without_reading_it(collector: Collector) -> None:
    assert collector.http is not None
    with RawClient(collector.http.port) as client:
        client.send(request("POST", headers=("Content-Length: 2097152",)) + b"[" * 1000)
        answer = client.answer()
        assert answer.status == 413
        assert answer.headers["connection"] == "close"
        client.rest()  # the server closes: the rest of the body is never read
    assert collector.metrics.alerts.value("http", "too_large") == 1


def test_a_client_that_sends_the_whole_oversized_body_still_reads_the_413(
    collector: Collector,
) -> None:
    """The server answers before reading the body, then lingers, dropping the rest. Closing at
    once resets the connection while the client is still sending (8 MiB is more than the
    loopback socket buffers take), and the client never reads the 413."""
    assert collector.http is not None
    size = 8 * collector.http.max_body
    with RawClient(collector.http.port) as client:
        client.send(request("POST", headers=(f"Content-Length: {size}",)) + b" " * size)
        answer = client.answer()
        assert answer.status == 413
        assert answer.headers["connection"] == "close"
        assert client.rest() == b""
    assert collector.metrics.alerts.value("http", "too_large") == 1


def test_oversized_chunked_body_is_413(collector: Collector) -> None:
    assert collector.http is not None
    size = collector.http.max_body + 1
    with RawClient(collector.http.port) as client:
        head = request("POST", headers=("Transfer-Encoding: chunked",))
        client.send(head + f"{size:x}\r\n".encode() + b" " * size)
        assert client.answer().status == 413
        client.rest()
    assert collector.metrics.alerts.value("http", "too_large") == 1


def test_chunked_body_is_read(collector: Collector) -> None:
    assert collector.http is not None
    body = json.dumps(_alert("chunked-1")).encode()
    with RawClient(collector.http.port) as client:
        head = request("POST", headers=("Transfer-Encoding: chunked",))
        client.send(head + chunked(body[:100], body[100:]))
        answer = client.answer()
    assert answer.status == 200, answer.body
    assert _drift(collector).event.id == "chunked-1"


def test_missing_length_is_411(collector: Collector) -> None:
    assert collector.http is not None
    with RawClient(collector.http.port) as client:
        client.send(request("POST"))
        assert client.answer().status == 411
        client.rest()


def test_keep_alive_serves_several_requests_on_one_connection(collector: Collector) -> None:
    assert collector.http is not None
    bodies = [json.dumps(_alert(f"ka-{n}", group_id=f"sg-ka{n:05d}")).encode() for n in range(3)]
    with RawClient(collector.http.port) as client:
        for body in bodies:  # pipelined: all three sent before any answer is read
            client.send(request("POST", headers=(f"Content-Length: {len(body)}",)) + body)
        statuses = [client.answer().status for _ in bodies]
    assert statuses == [200, 200, 200]
    assert collector.metrics.alerts.value("http", "accepted") == 3


def test_concurrent_posts_all_arrive(collector: Collector) -> None:
    errors: list[str] = []

    def post(worker: int) -> None:
        with httpx.Client() as client:  # one keep-alive connection per sender
            for n in range(25):
                # a group that is not in state: cheap to evaluate, counted by reason
                alert = _alert(f"c-{worker}-{n}", group_id=f"sg-{worker:04d}{n:04d}")
                answer = client.post(_url(collector), json=alert)
                if answer.status_code != 200:
                    errors.append(answer.text)

    threads = [threading.Thread(target=post, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert collector.metrics.alerts.value("http", "accepted") == 200
    deadline = time.monotonic() + 10
    while collector.metrics.skips.value("not_in_state") < 200 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert collector.metrics.skips.value("not_in_state") == 200


@pytest.mark.parametrize(
    ("path", "method", "status"),
    [
        pytest.param("/healthz", "GET", 200, id="healthz"),
        pytest.param("/readyz", "GET", 200, id="readyz"),
        pytest.param("/metrics", "GET", 200, id="metrics"),
        pytest.param("/falco", "GET", 405, id="get-falco"),
        pytest.param("/elsewhere", "POST", 404, id="post-elsewhere"),
        pytest.param("/nothing", "GET", 404, id="get-nothing"),
        pytest.param("/falco", "DELETE", 405, id="delete-falco"),
    ],
)
def test_routes(collector: Collector, path: str, method: str, status: int) -> None:
    answer = httpx.request(method, _url(collector, path), content=b"{}")
    assert answer.status_code == status


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_metrics_exposition(collector: Collector) -> None:
    httpx.post(_url(collector), json=_alert("m-1"))
    httpx.post(_url(collector), json=syscall_alert())
    _drift(collector)
    answer = httpx.get(_url(collector, "/metrics"))
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    samples = _samples(answer.text)
    assert samples[("tfdrift_alerts_total", (("outcome", "accepted"), ("source", "http")))] == 1
    assert samples[("tfdrift_alerts_total", (("outcome", "ignored"), ("source", "http")))] == 1
    opened = (("kind", "modified"), ("result", "opened"), ("severity", "medium"))
    assert samples[("tfdrift_drifts_total", opened)] == 1
    assert samples[("tfdrift_queue_depth", ())] == 0
    assert samples[("tfdrift_processing_seconds_bucket", (("le", "+Inf"),))] == 1
    assert samples[("tfdrift_processing_seconds_count", ())] == 1
    assert samples[("tfdrift_http_request_seconds_count", ())] == 2
    assert samples[("tfdrift_http_body_bytes_count", ())] == 2
    assert samples[("tfdrift_ready", ())] == 1
    assert samples[("tfdrift_http_connections", ())] >= 1  # the scrape's own
    assert "# TYPE tfdrift_processing_seconds histogram" in answer.text
    # each collector has a registry of its own: nothing lands in the process-global one
    assert (
        REGISTRY.get_sample_value("tfdrift_alerts_total", {"source": "http", "outcome": "accepted"})
        is None
    )


def test_metrics_in_openmetrics_when_asked(collector: Collector) -> None:
    accept = {"Accept": "application/openmetrics-text; version=1.0.0"}
    answer = httpx.get(_url(collector, "/metrics"), headers=accept)
    assert answer.headers["content-type"].startswith("application/openmetrics-text")
    assert answer.text.endswith("# EOF\n")


def test_bearer_token(state_file: Path) -> None:
    collector = _start(state_file, token="s3cret-token")
    try:
        url = _url(collector)
        assert httpx.post(url, json=_alert("t-1")).status_code == 401
        wrong = {"Authorization": "Bearer nope"}
        assert httpx.post(url, json=_alert("t-1"), headers=wrong).status_code == 401
        right = {"Authorization": "Bearer s3cret-token"}
        assert httpx.post(url, json=_alert("t-1"), headers=right).status_code == 200
        # health and metrics stay open for probes and Prometheus
        assert httpx.get(_url(collector, "/healthz")).status_code == 200
    finally:
        collector.shutdown()


def test_tls(state_file: Path, pki: Pki) -> None:
    tls = ServerTLS(pki.server.cert, pki.server.key)
    collector = _start(state_file, server_tls=tls)
    try:
        context = ssl.create_default_context(cafile=str(pki.ca))
        answer = httpx.post(_url(collector, scheme="https"), json=_alert("tls-1"), verify=context)
        assert answer.status_code == 200
        assert _drift(collector).event.id == "tls-1"
    finally:
        collector.shutdown()


def test_mutual_tls_requires_a_client_certificate(state_file: Path, pki: Pki) -> None:
    tls = ServerTLS(pki.server.cert, pki.server.key, client_ca=pki.ca)
    collector = _start(state_file, server_tls=tls)
    try:
        url = _url(collector, scheme="https")
        anonymous = ssl.create_default_context(cafile=str(pki.ca))
        with pytest.raises(httpx.TransportError):
            httpx.post(url, json=_alert("m-1"), verify=anonymous)
        rogue = ssl.create_default_context(cafile=str(pki.ca))
        rogue.load_cert_chain(str(pki.rogue_client.cert), str(pki.rogue_client.key))
        with pytest.raises(httpx.TransportError):
            httpx.post(url, json=_alert("m-1"), verify=rogue)
        trusted = ssl.create_default_context(cafile=str(pki.ca))
        trusted.load_cert_chain(str(pki.client.cert), str(pki.client.key))
        answer = httpx.post(url, json=_alert("m-1"), verify=trusted)
        assert answer.status_code == 200
        # a stalled handshake does not block other clients
        with socket.create_connection(("127.0.0.1", collector.http.port)):  # type: ignore[union-attr]
            answer = httpx.post(url, json=_alert("m-2"), verify=trusted)
            assert answer.status_code == 200
    finally:
        collector.shutdown()


def test_a_full_queue_holds_posts_back_but_not_the_probes(state_file: Path) -> None:
    """``--drop-policy block``: a POST waits for room in the queue (backpressure to Falco) on a
    worker thread, while the event loop keeps answering the probes; nothing is lost."""
    collector = _start(state_file, queue_size=1)
    assert collector.pipeline is not None and collector.http is not None
    gate = GatedStore()
    collector.pipeline.store = gate
    statuses: list[int] = []

    def post(n: int) -> None:
        alert = _alert(f"bp-{n}", cidr=f"10.9.{n}.0/24")
        statuses.append(httpx.post(_url(collector), json=alert, timeout=30).status_code)

    senders = [threading.Thread(target=post, args=(n,)) for n in range(4)]
    try:
        for sender in senders:
            sender.start()
        # the worker holds one alert at the gate, one waits in the queue, the rest wait for room
        deadline = time.monotonic() + 15
        while collector.pipeline.queue.qsize() < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert collector.pipeline.queue.qsize() == 1
        assert any(sender.is_alive() for sender in senders)
        assert httpx.get(_url(collector, "/healthz"), timeout=5).status_code == 200
        gate.gate.set()
        for sender in senders:
            sender.join(30)
        assert statuses == [200] * 4
        deadline = time.monotonic() + 15
        while collector.pipeline.handled < 4 and time.monotonic() < deadline:
            time.sleep(0.01)
        (drift,) = gate.inner.open.values()
        assert sorted(event.id for event in drift.events) == [f"bp-{n}" for n in range(4)]
        assert collector.metrics.alerts.value("http", "accepted") == 4
    finally:
        gate.gate.set()
        collector.shutdown()

"""Collector benchmarks (run by hand; prints its figures).

    python bench/bench_collector.py                 # all, with default sizes
    python bench/bench_collector.py grpc http latency
    python bench/bench_collector.py memory --memory-alerts 1000000

- grpc:    Falco gRPC intake -> ledger-less processing, alerts/s (target >= 10,000).
- http:    POST /falco from one keep-alive client, alerts/s (target >= 2,000).
- latency: alert received -> Slack-style notification delivered to a local receiver, p50/p99
           (target p99 < 50 ms).
- memory:  RSS while streaming many alerts against a 50,000-resource state (target: flat,
           < 10 % growth after warm-up).

Falco and the HTTP client run in child processes (this script with --serve / --post) so they do
not share the collector's interpreter lock; everything talks over loopback or a unix socket.
The alert mix is what the generated Falco rule lets through: write calls only, most of them
Terraform's own (trusted) or on resources outside the state, 10 % real drift on managed groups
drawn from a fixed pool (so drifts stop growing once every pool member is open).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent import futures
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

ACCOUNT = "123456789012"
REGION = "eu-west-1"
DRIFT_POOL = 1000


# ----------------------------------------------------------------------------- alert stream


def _sg_id(n: int) -> str:
    return f"sg-{n:017x}"  # as bench/gen_data.py names managed groups


def alert_fields(n: int) -> dict[str, Any]:
    """Output fields of alert ``n`` (typed, as in Falco's JSON output)."""
    roll = n % 10
    if roll == 9:  # drift: a fixed pool, so ids repeat after the first pass
        slot = (n // 10) % DRIFT_POOL
        event_id, group = f"drift-{slot:06d}", _sg_id(slot)
        agent, cidr = "console.ec2.amazonaws.com", "0.0.0.0/0"
    elif roll < 6:  # Terraform applying its own plan on a managed group (not a drifted one)
        event_id, group = f"tf-{n:012d}", _sg_id(DRIFT_POOL + n % 4000)
        agent, cidr = (
            "APN/1.0 HashiCorp/1.0 Terraform/1.11.4 (+https://www.terraform.io)",
            "10.0.0.0/8",
        )
    else:  # a group Terraform does not manage
        event_id, group = f"other-{n:012d}", f"sg-ffff{n:013x}"
        agent, cidr = "aws-cli/2.15.0", "10.1.0.0/16"
    request = {
        "groupId": group,
        "ipPermissions": {
            "items": [
                {
                    "ipProtocol": "tcp",
                    "fromPort": 443,
                    "toPort": 443,
                    "ipRanges": {"items": [{"cidrIp": cidr}]},
                }
            ]
        },
    }
    seconds = 1_795_000_000 + n // 100
    return {
        "ct.id": event_id,
        "ct.time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds)),
        "ct.name": "AuthorizeSecurityGroupIngress",
        "ct.src": "ec2.amazonaws.com",
        "ct.shortsrc": "ec2",
        "ct.region": REGION,
        "ct.srcip": "203.0.113.42",
        "ct.useragent": agent,
        "ct.user": "Admin",
        "ct.originaluser": f"user{n % 50}@acme.example",
        "ct.user.arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/Admin/user{n % 50}@acme.example",
        "ct.user.identitytype": "AssumedRole",
        "ct.user.accountid": ACCOUNT,
        "ct.user.principalid": f"AROAEXAMPLE:user{n % 50}@acme.example",
        "ct.request": json.dumps(request),
        "ct.response": '{"_return": true}',
        "ct.error": None,
        "ct.readonly": "false",
        "evt.time": seconds * 1_000_000_000,
    }


def json_alert(n: int) -> bytes:
    return json.dumps(
        {
            "hostname": "falco-0",
            "output": "Terraform drift candidate",
            "priority": "Notice",
            "rule": "Terraform drift candidate (tfdrift-gitops)",
            "source": "aws_cloudtrail",
            "tags": ["aws", "cloud"],
            "time": "2026-11-20T09:15:00.000000000Z",
            "output_fields": alert_fields(n),
        }
    ).encode()


# ----------------------------------------------------------------------------- child: Falco


def serve(address: str, count: int, start: int) -> None:
    """A Falco stand-in: streams ``count`` alerts over ``sub`` as fast as it is asked."""
    import grpc

    from tfdrift_gitops.falco._pb import (
        falco_outputs_pb2,
        falco_outputs_pb2_grpc,
        falco_version_pb2,
        falco_version_pb2_grpc,
    )

    def message(n: int) -> Any:
        fields = {
            k: ("<NA>" if v is None else v if isinstance(v, str) else json.dumps(v))
            for k, v in alert_fields(n).items()
        }
        out = falco_outputs_pb2.response(rule="r", source="aws_cloudtrail", output="o")
        out.output_fields.update(fields)
        out.time.FromSeconds(1_795_000_000)
        return out

    # Building a message costs more than sending it, and Falco does not build in Python: keep a
    # pool of prepared messages and only give each alert its own event id.
    pool_size = min(count, 50_000)
    pool = [message(start + n) for n in range(pool_size)]

    class Outputs(falco_outputs_pb2_grpc.serviceServicer):  # type: ignore[misc]
        def sub(self, requests: Iterator[Any], context: Any) -> Iterator[Any]:
            sent = 0
            for _ in requests:
                while sent < count:
                    n = start + sent
                    out = pool[sent % pool_size]
                    if n % 10 != 9:  # drift-pool ids repeat on purpose; the others are unique
                        out.output_fields["ct.id"] = f"{'tf' if n % 10 < 6 else 'other'}-{n:012d}"
                    yield out
                    sent += 1

    class Version(falco_version_pb2_grpc.serviceServicer):  # type: ignore[misc]
        def version(self, request: Any, context: Any) -> Any:
            return falco_version_pb2.response(version="0.41.3", major=0, minor=41, patch=3)

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    falco_outputs_pb2_grpc.add_serviceServicer_to_server(Outputs(), server)
    falco_version_pb2_grpc.add_serviceServicer_to_server(Version(), server)
    server.add_insecure_port(address)
    server.start()
    print("ready", flush=True)
    sys.stdin.read()  # until the parent closes our stdin
    server.stop(None)


# ----------------------------------------------------------------------------- child: client


def post(port: int, count: int, start: int, rate: float, *, drift_only: bool = False) -> None:
    """One keep-alive connection, one alert per request; prints the elapsed seconds.
    ``drift_only``: only the stream's drift alerts (numbers 9, 19, 29, ...)."""
    import http.client

    numbers = [(start + n) * 10 + 9 if drift_only else start + n for n in range(count)]
    bodies = [json_alert(n) for n in numbers]
    connection = http.client.HTTPConnection("127.0.0.1", port)
    headers = {"Content-Type": "application/json"}
    began = time.perf_counter()
    for number, body in enumerate(bodies):
        if rate:
            delay = began + number / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        connection.request("POST", "/falco", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"HTTP {response.status}")
    print(f"{time.perf_counter() - began:.6f}", flush=True)


# ----------------------------------------------------------------------------- parent


def _child(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, __file__, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def _state(directory: Path, resources: int) -> Path:
    from gen_data import make_state  # bench/gen_data.py: the detect benchmark's estate

    path = directory / f"state-{resources}.tfstate"
    if not path.exists():
        path.write_text(json.dumps(make_state(resources)))
    return path


def _collector(state: Path, **options: Any) -> Any:
    from tfdrift_gitops.falco.collector import Collector, CollectorOptions

    channels = options.pop("channels", [])
    on_notified = options.pop("on_notified", None)
    options.setdefault("settle_gc", True)  # as `collect` runs: GC settled after each load
    return Collector(
        CollectorOptions(states=(str(state),), state_refresh=0, **options),
        channels=channels,
        on_notified=on_notified,
    )


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def _wait_handled(collector: Any, target: int, timeout: float) -> float:
    """When ``target`` alerts were handled (polled every 20 ms: finer polling would steal the
    interpreter lock from the collector being measured)."""
    deadline = time.monotonic() + timeout
    while collector.pipeline.handled < target:
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out at {collector.pipeline.handled}/{target} alerts")
        time.sleep(0.02)
    return time.perf_counter()


def bench_grpc(workdir: Path, state: Path, count: int) -> None:
    address = f"unix://{workdir}/falco-grpc.sock"
    falco = _child("--serve", address, str(count))
    assert falco.stdout is not None
    falco.stdout.readline()
    collector = _collector(state, falco_grpc=address, grpc_poll_interval=0.01)
    first: list[float] = []
    original = collector._on_grpc_alert

    def timed(response: Any) -> None:
        if not first:
            first.append(time.perf_counter())
        original(response)

    collector._on_grpc_alert = timed
    collector.start()
    cpu_before = {
        "collector": _cpu_seconds(os.getpid()),
        "falco stand-in": _cpu_seconds(falco.pid),
    }
    done = _wait_handled(collector, count, timeout=600)
    child = collector.grpc._child  # the receiver process (see falco/grpc_process.py)
    cpu = {
        "collector": _cpu_seconds(os.getpid()) - cpu_before["collector"],
        "gRPC receiver child": _cpu_seconds(child.pid) if child is not None else 0.0,
        "falco stand-in": _cpu_seconds(falco.pid) - cpu_before["falco stand-in"],
    }
    elapsed = done - first[0]
    rate = count / elapsed
    print(f"grpc: {count} alerts in {elapsed:.2f}s = {rate:,.0f} alerts/s "
          f"(target >= 10,000)")  # fmt: skip
    usage = ", ".join(f"{name} {seconds / elapsed:.2f}" for name, seconds in cpu.items())
    print(f"  CPU cores busy: {usage} (machine: {os.cpu_count()} cores)")
    collector.shutdown()
    falco.communicate("")


def bench_http(workdir: Path, state: Path, count: int) -> None:
    collector = _collector(state, listen="127.0.0.1:0")
    collector.start()
    port = collector.http.port
    warm = _child("--post", str(port), "200", "0", "0")
    warm.communicate()
    client = _child("--post", str(port), str(count), "1000000", "0")
    out, _ = client.communicate()
    elapsed = float(out.strip())
    _wait_handled(collector, count + 200, timeout=120)
    print(f"http: {count} POSTs on one keep-alive connection in {elapsed:.2f}s = "
          f"{count / elapsed:,.0f} alerts/s (target >= 2,000)")  # fmt: skip
    collector.shutdown()


def bench_latency(workdir: Path, state: Path, count: int, rate: float) -> None:
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from tfdrift_gitops.notify.channel import Secret
    from tfdrift_gitops.notify.slack import SlackChannel
    from tfdrift_gitops.templating import Templates

    class Receiver(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            # As a real webhook endpoint does; without it every keep-alive reply waits 40 ms
            # for a delayed ACK (the stdlib writes headers and body separately).
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{receiver.server_address[1]}/services/T0/B0/x"
    samples: list[float] = []
    channel = SlackChannel(Secret(url), Templates())
    collector = _collector(
        state, listen="127.0.0.1:0", channels=[channel], on_notified=samples.append
    )
    collector.start()
    # Only every 10th alert of the stream is drift: send those, each opens a new drift (the
    # pool has DRIFT_POOL groups, so at most that many notifications).
    count = min(count, DRIFT_POOL)
    port = collector.http.port
    client = _child("--post", str(port), str(count), "0", str(rate), "--drift-only")
    client.communicate()
    deadline = time.monotonic() + 60
    while len(samples) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    collector.shutdown()
    receiver.shutdown()
    samples.sort()
    p50 = samples[len(samples) // 2] * 1000
    p99 = samples[int(len(samples) * 0.99) - 1] * 1000
    print(f"latency: {len(samples)} notifications at {rate:.0f} alerts/s: p50 {p50:.1f} ms, "
          f"p99 {p99:.1f} ms, max {samples[-1] * 1000:.1f} ms (target p99 < 50 ms)")  # fmt: skip


def bench_memory(workdir: Path, state: Path, count: int) -> None:
    address = f"unix://{workdir}/falco-mem.sock"
    falco = _child("--serve", address, str(count))
    assert falco.stdout is not None
    falco.stdout.readline()
    collector = _collector(state, falco_grpc=address, grpc_poll_interval=0.01)
    collector.start()  # loads the state
    loaded = _rss_mb()
    # The pipeline remembers the last 200,000 event ids: memory grows until that set is full.
    marks = sorted({int(count * f) for f in (0.1, 0.3, 0.5, 0.7, 0.9, 1.0)})
    readings = []
    began = time.perf_counter()
    for mark in marks:
        _wait_handled(collector, mark, timeout=3600)
        readings.append((mark, _rss_mb()))
    elapsed = time.perf_counter() - began
    collector.shutdown()
    falco.communicate("")
    print(f"memory: {count:,} alerts against {state.name} in {elapsed:.0f}s; RSS after "
          f"state load {loaded:.0f} MB")  # fmt: skip
    for mark, rss in readings:
        print(f"  after {mark:>9,} alerts: {rss:7.1f} MB")
    base = readings[1][1]
    growth = (readings[-1][1] - base) / base * 100
    print(f"  growth from {readings[1][0]:,} to {readings[-1][0]:,} alerts: {growth:+.1f} % "
          "(target < 10 %)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("which", nargs="*", default=["grpc", "http", "latency", "memory"])
    parser.add_argument("--resources", type=int, default=50_000)
    parser.add_argument("--grpc-alerts", type=int, default=200_000)
    parser.add_argument("--http-alerts", type=int, default=10_000)
    parser.add_argument("--latency-alerts", type=int, default=1_000)
    parser.add_argument("--latency-rate", type=float, default=100.0)
    parser.add_argument("--memory-alerts", type=int, default=1_000_000)
    parser.add_argument("--serve", nargs=2, metavar=("ADDRESS", "COUNT"))
    parser.add_argument("--post", nargs=4, metavar=("PORT", "COUNT", "START", "RATE"))
    parser.add_argument("--drift-only", action="store_true")
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]), 0)
        return
    if args.post:
        port, count, start, rate = args.post
        post(int(port), int(count), int(start), float(rate), drift_only=args.drift_only)
        return
    import logging

    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="tfdrift-bench-") as tmp:
        workdir = Path(tmp)
        state = _state(workdir, args.resources)
        print(f"state: {args.resources:,} resources ({state.stat().st_size / 1e6:.0f} MB)")
        if "grpc" in args.which:
            bench_grpc(workdir, state, args.grpc_alerts)
        if "http" in args.which:
            bench_http(workdir, state, args.http_alerts)
        if "latency" in args.which:
            bench_latency(workdir, state, args.latency_alerts, args.latency_rate)
        if "memory" in args.which:
            bench_memory(workdir, state, args.memory_alerts)


if __name__ == "__main__":
    main()

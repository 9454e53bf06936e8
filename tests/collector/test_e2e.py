"""End to end through the real command line: alerts in, ledger records and notifications out."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from tests.collector.fake_falco import FakeFalco, response
from tests.collector.falco_alerts import (
    SG_ADDRESS,
    cloudtrail_record,
    falco_alert,
    grpc_fields,
    syscall_alert,
)
from tests.collector.receivers import Receiver
from tfdrift_gitops.cli import cli
from tfdrift_gitops.ledger import open_ledger
from tfdrift_gitops.notify.webhook import SIGNATURE_HEADER, verify

REPO = Path(__file__).resolve().parents[2]
WEBHOOK_SECRET = "whsec-e2e-secret"


def _env(extra: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


class Spawned:
    """A collector process whose stderr goes to a file: read while it runs, kept after it exits."""

    def __init__(self, proc: subprocess.Popen[str], log: Path) -> None:
        self.proc = proc
        self.log = log

    def stderr(self) -> str:
        return self.log.read_text(encoding="utf-8")

    def finish(self, timeout: float = 60.0) -> str:
        """Wait for the process to exit; its whole stderr."""
        self.proc.communicate(timeout=timeout)
        return self.stderr()

    def listening_port(self, timeout: float = 60.0) -> int:
        """The port the collector bound for ``--listen HOST:0``, from its log line."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = LISTENING.search(self.stderr())
            if found:
                return int(found.group(1))
            if self.proc.poll() is not None:
                raise AssertionError(f"collector exited early: {self.finish()}")
            time.sleep(0.05)
        raise AssertionError(f"collector never said where it listens: {self.stderr()}")

    def wait_ready(self, timeout: float = 60.0) -> int:
        """Once /readyz answers 200: the port it listens on."""
        port = self.listening_port(timeout)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"collector exited early: {self.finish()}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    return port
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise AssertionError("collector never became ready")


# The collector logs the address it bound (so --listen HOST:0 works; no port is guessed free).
LISTENING = re.compile(r"listening on 127\.0\.0\.1:(\d+)")


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Callable[..., Spawned]]:
    spawned: list[Spawned] = []

    def start(args: list[str], env: dict[str, str]) -> Spawned:
        log = tmp_path / f"collector-{len(spawned)}.log"
        with log.open("w", encoding="utf-8") as stderr:
            proc = subprocess.Popen(
                [sys.executable, "-m", "tfdrift_gitops", "-v", "collect", *args],
                cwd=tmp_path,
                env=_env(env),
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                text=True,
            )
        spawned.append(Spawned(proc, log))
        return spawned[-1]

    yield start
    for one in spawned:
        if one.proc.poll() is None:
            one.proc.kill()
            one.proc.communicate(timeout=10)


def _alerts() -> list[dict[str, Any]]:
    steps = [("203.0.113.0/24", 22), ("198.51.100.0/24", 443), ("0.0.0.0/0", 3389)]
    alerts = [
        falco_alert(
            cloudtrail_record(
                f"e2e-{n}",
                cidr=cidr,
                port=port,
                when=f"2026-11-20T09:1{n}:00Z",
                session="<!channel> @everyone",
            )
        )
        for n, (cidr, port) in enumerate(steps)
    ]
    alerts.append(syscall_alert())
    alerts.append(falco_alert(cloudtrail_record("e2e-denied", error="AccessDenied")))
    return alerts


def test_http_alerts_to_ledger_and_notifications(
    state_file: Path,
    tmp_path: Path,
    receivers: Callable[..., Receiver],
    spawn: Callable[..., Spawned],
) -> None:
    slack, discord, hook = receivers(), receivers(), receivers()
    ledger_dir = tmp_path / "ledger"
    alerts = _alerts()
    proc = spawn(
        [
            "--state", str(state_file), "--ledger", str(ledger_dir),
            "--listen", "127.0.0.1:0", "--max-events", str(len(alerts)),
            "--state-refresh", "0",
        ],
        {
            "TFDRIFT_SLACK_WEBHOOK_URL": slack.url("/services/T0/B0/secret"),
            "TFDRIFT_DISCORD_WEBHOOK_URL": discord.url("/api/webhooks/1/secret"),
            "TFDRIFT_WEBHOOK_URL": hook.url("/drift"),
            "TFDRIFT_WEBHOOK_SECRET": WEBHOOK_SECRET,
        },
    )  # fmt: skip
    port = proc.wait_ready()
    with httpx.Client() as client:
        for alert in alerts:
            answer = client.post(f"http://127.0.0.1:{port}/falco", json=alert)
            assert answer.status_code == 200, answer.text
    stderr = proc.finish()
    assert proc.proc.returncode == 0, stderr
    assert f"collector stopped after {len(alerts)} alerts" in stderr
    assert "/services/T0/B0/secret" not in stderr

    drifts = open_ledger(str(ledger_dir)).list_open().drifts
    assert [d.resource.address for d in drifts] == [SG_ADDRESS]
    drift = drifts[0]
    assert drift.severity.value == "critical"
    assert sorted(e.id for e in drift.events) == ["e2e-0", "e2e-1", "e2e-2"]

    for receiver in (slack, discord, hook):
        assert len(receiver.requests) == 2, "one per new drift and one per escalation"
    slack_texts = [r.body.decode() for r in slack.requests]
    assert all("<!channel>" not in text for text in slack_texts)
    assert all("@everyone" not in r.body.decode() for r in discord.requests)
    # Two workers deliver (and retries reorder): which arrives first is not promised.
    events = sorted(r.headers["X-Tfdrift-Event"] for r in hook.requests)
    assert events == ["escalated", "opened"]
    for request in hook.requests:
        assert verify(WEBHOOK_SECRET, request.headers[SIGNATURE_HEADER], request.body)
        assert request.json()["id"] == drift.id


def test_sigterm_drains_and_flushes(
    state_file: Path,
    tmp_path: Path,
    receivers: Callable[..., Receiver],
    spawn: Callable[..., Spawned],
) -> None:
    hook = receivers()
    ledger_dir = tmp_path / "ledger"
    proc = spawn(
        ["--state", str(state_file), "--ledger", str(ledger_dir),
         "--listen", "127.0.0.1:0", "--state-refresh", "0"],
        {"TFDRIFT_WEBHOOK_URL": hook.url("/drift")},
    )  # fmt: skip
    port = proc.wait_ready()
    body = "\n".join(json.dumps(falco_alert(cloudtrail_record(f"t-{n}"))) for n in range(20))
    answer = httpx.post(f"http://127.0.0.1:{port}/falco", content=body)
    assert answer.json()["accepted"] == 20
    proc.proc.send_signal(signal.SIGTERM)
    stderr = proc.finish()
    assert proc.proc.returncode == 0, stderr
    assert "collector stopped after 20 alerts" in stderr  # drained, none lost
    (drift,) = open_ledger(str(ledger_dir)).list_open().drifts
    # One call changed the rule set; the 19 repeats changed nothing: the same call again,
    # so only one of them is kept to be replayed (core.fold.with_replayed).
    assert len(drift.events) == 1
    assert len(drift.replayed) == 1
    assert {e.id for e in (*drift.events, *drift.replayed)} <= {f"t-{n}" for n in range(20)}
    assert len(hook.requests) == 1  # flushed before exit


def test_grpc_unix_socket_to_ledger(
    state_file: Path, tmp_path: Path, spawn: Callable[..., Spawned]
) -> None:
    address = f"unix://{tmp_path}/falco.sock"
    alerts = [response(grpc_fields(cloudtrail_record(f"g-{n}"))) for n in range(10)]
    server = FakeFalco(address, alerts).start()
    try:
        ledger_dir = tmp_path / "ledger"
        proc = spawn(
            ["--state", str(state_file), "--ledger", str(ledger_dir),
             "--falco-grpc", address, "--max-events", "10", "--state-refresh", "0"],
            {},
        )  # fmt: skip
        stderr = proc.finish()
        assert proc.proc.returncode == 0, stderr
        assert "connected to Falco 0.41.3" in stderr
        assert "collector stopped after 10 alerts" in stderr
        (drift,) = open_ledger(str(ledger_dir)).list_open().drifts
        assert (len(drift.events), len(drift.replayed)) == (1, 1)  # 9 equal repeats: one kept
    finally:
        server.kill()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--falco-grpc", "falco:5060"], "mutual TLS", id="tcp-without-tls"),
        pytest.param(
            ["--listen", "127.0.0.1:0", "--tls-cert", "x.pem"], "go together", id="half-tls"
        ),
        pytest.param(
            ["--listen", "127.0.0.1:0", "--token-env", "NOPE_UNSET"],
            "NOPE_UNSET",
            id="token-variable-unset",
        ),
        pytest.param([], "nothing to collect from", id="no-source"),
        pytest.param(
            [
                "--falco-grpc",
                "falco:5060",
                "--grpc-cert",
                "c.pem",
                "--grpc-key",
                "k.pem",
                "--grpc-ca",
                "ca.pem",
            ],
            "--grpc-cert c.pem: file not found",
            id="missing-certificate",
        ),
        pytest.param(
            ["--falco-grpc", "unix:///run/falco.sock", "--grpc-cert", "c.pem"],
            "go together",
            id="partial-grpc-tls",
        ),
    ],
)
def test_configuration_errors_are_one_line(state_file: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["collect", "--state", str(state_file), "--no-ledger", *args])
    assert result.exit_code == 3, result.output
    assert message in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_port_in_use_is_a_clear_error(state_file: Path, spawn: Callable[..., Spawned]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = spawn(
            ["--state", str(state_file), "--no-ledger", "--listen", f"127.0.0.1:{port}"], {}
        )
        stderr = proc.finish()
    assert proc.proc.returncode == 3, stderr
    assert "cannot listen" in stderr
    assert "Traceback" not in stderr

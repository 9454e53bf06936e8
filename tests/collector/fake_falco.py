"""A real grpcio server speaking Falco's output and version services, for tests and benchmarks.

Like Falco, it answers every ``request`` on the ``sub`` stream with the outputs queued since the
last one (up to ``batch`` per request here, so a test can kill it mid-stream). It records which
alerts it has *written*: an alert counts once the generator is resumed after yielding it, i.e.
once gRPC finished sending it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from concurrent import futures
from datetime import datetime
from typing import Any

import grpc

from tfdrift_gitops.falco._pb import (
    falco_outputs_pb2,
    falco_outputs_pb2_grpc,
    falco_version_pb2,
    falco_version_pb2_grpc,
)


def _event_time(fields: dict[str, str]) -> datetime | None:
    try:
        return datetime.fromisoformat(fields.get("ct.time", "").replace("Z", "+00:00"))
    except ValueError:
        return None


def response(
    fields: dict[str, str],
    *,
    source: str = "aws_cloudtrail",
    rule: str = "r",
    when: datetime | None = None,
) -> Any:
    """One ``falco.outputs.response``. Its ``time`` is the event's timestamp, as Falco's (for the
    cloudtrail plugin the record's eventTime): ``when``, else ``ct.time``, else a fixed instant."""
    message = falco_outputs_pb2.response(
        rule=rule,
        output="Terraform drift candidate",
        hostname="falco-0",
        source=source,
        priority=falco_outputs_pb2.NOTICE,
        source_deprecated=falco_outputs_pb2.PLUGIN,
    )
    message.output_fields.update(fields)
    message.tags.extend(["aws", "tfdrift_gitops"])
    stamp = when or _event_time(fields)
    if stamp is not None:
        message.time.FromDatetime(stamp)
    else:
        message.time.FromSeconds(1_700_000_000)
    return message


class _Outputs(falco_outputs_pb2_grpc.serviceServicer):  # type: ignore[misc]
    def __init__(self, owner: FakeFalco) -> None:
        self.owner = owner

    def sub(self, request_iterator: Iterator[Any], context: Any) -> Iterator[Any]:
        owner = self.owner
        owner.subscribed.set()
        in_flight: int | None = None
        try:
            for _request in request_iterator:
                owner.requests += 1
                for _ in range(owner.batch):
                    with owner.lock:
                        if owner.requeued:
                            index = owner.requeued.pop(0)
                        elif owner.cursor < len(owner.alerts):
                            index = owner.cursor
                            owner.cursor += 1
                        else:
                            break
                    in_flight = index
                    yield owner.alerts[index]
                    in_flight = None
                    with owner.lock:
                        owner.written.append(index)
                        reached = (
                            owner.kill_after is not None and len(owner.written) >= owner.kill_after
                        )
                    if reached:
                        owner.kill_point.set()
                        # Hold the stream until the test kills the server, so that "mid-stream"
                        # does not depend on how fast threads are scheduled on a busy machine.
                        owner.killed.wait(30)
                        return
        finally:
            # The subscriber went away while this one was being sent: the next one gets it.
            if in_flight is not None:
                with owner.lock:
                    owner.requeued.append(in_flight)

    def get(self, request: Any, context: Any) -> Iterator[Any]:
        yield from self.owner.alerts


class _Version(falco_version_pb2_grpc.serviceServicer):  # type: ignore[misc]
    def __init__(self, version: str) -> None:
        self.falco_version = version

    def version(self, request: Any, context: Any) -> Any:
        major, minor, patch = (int(p) for p in self.falco_version.split(".")[:3])
        return falco_version_pb2.response(
            version=self.falco_version, major=major, minor=minor, patch=patch
        )


class FakeFalco:
    def __init__(
        self,
        address: str,
        alerts: Sequence[Any],
        *,
        credentials: grpc.ServerCredentials | None = None,
        batch: int = 1000,
        kill_after: int | None = None,
        version: str = "0.41.3",
    ) -> None:
        self.address = address
        self.alerts = list(alerts)
        self.batch = batch
        self.kill_after = kill_after
        self.cursor = 0
        self.requests = 0
        self.written: list[int] = []
        self.requeued: list[int] = []
        self.lock = threading.Lock()
        self.kill_point = threading.Event()
        self.killed = threading.Event()
        self.subscribed = threading.Event()
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        falco_outputs_pb2_grpc.add_serviceServicer_to_server(_Outputs(self), self.server)
        falco_version_pb2_grpc.add_serviceServicer_to_server(_Version(version), self.server)
        if credentials is None:
            self.port = self.server.add_insecure_port(address)
        else:
            self.port = self.server.add_secure_port(address, credentials)

    def add(self, alerts: Sequence[Any]) -> None:
        with self.lock:
            self.alerts.extend(alerts)

    def start(self) -> FakeFalco:
        self.server.start()
        return self

    def kill(self) -> None:
        """Stop at once: streams are cancelled mid-flight, like a crashed Falco."""
        stopped = self.server.stop(grace=None)  # aborts the held streams: a crash, not an end
        self.killed.set()
        stopped.wait()

    def written_ids(self) -> list[str]:
        with self.lock:
            return [self.alerts[i].output_fields["ct.id"] for i in self.written]

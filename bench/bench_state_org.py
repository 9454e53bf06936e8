"""Benchmark org-scale state: 300 workspaces x 200 resources from an S3 backend on moto.

    python bench/bench_state_org.py [--states 300] [--resources 200]

Prints the time to list and load every workspace (``--workspace '*'``) cold, the time of a
refresh when nothing changed (HEAD per state: the collector's fingerprint), and of a reload
after one workspace changed (conditional GETs: one 200, the rest 304, then the index rebuilt).
The moto server runs in its own process; its CPU shares the machine with the loader.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import socket
import sys
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.collector.state_org_support import org_state  # noqa: E402
from tfdrift_gitops.adapters import state_source  # noqa: E402
from tfdrift_gitops.adapters.aws import make_s3_client  # noqa: E402
from tfdrift_gitops.adapters.state_source import StateSource  # noqa: E402


def serve_moto(port: int, ready: Any) -> None:
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    ready.set()
    while True:
        time.sleep(3600)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--states", type=int, default=300)
    parser.add_argument("--resources", type=int, default=200)
    parser.add_argument(
        "--workers", type=int, default=state_source.MAX_WORKERS, help="pool size (1: sequential)"
    )
    args = parser.parse_args()
    state_source.MAX_WORKERS = args.workers
    for name, value in (
        ("AWS_ACCESS_KEY_ID", "bench"),
        ("AWS_SECRET_ACCESS_KEY", "bench"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
    ):
        os.environ.setdefault(name, value)
    port = free_port()
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    server = context.Process(target=serve_moto, args=(port, ready), daemon=True)
    server.start()
    if not ready.wait(60):
        raise SystemExit("the moto server did not start")
    endpoint = f"http://127.0.0.1:{port}"
    try:
        client = make_s3_client(endpoint_url=endpoint)
        bucket = f"states-{uuid.uuid4().hex[:10]}"
        client.create_bucket(Bucket=bucket)
        names = [f"ws{n:03d}" for n in range(args.states)]
        bodies = {f"env:/{n}/org/terraform.tfstate": org_state(n, args.resources) for n in names}
        bodies["org/terraform.tfstate"] = org_state("default", 0)  # '*' includes default
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(lambda kv: client.put_object(Bucket=bucket, Key=kv[0], Body=kv[1]),
                          bodies.items()))  # fmt: skip
        size = sum(len(b) for b in bodies.values())
        print(
            f"{args.states} states x {args.resources} resources ({size / 1e6:.1f} MB) on moto "
            f"at {endpoint}; {os.cpu_count()} CPUs; pool of {args.workers}"
        )
        calls: Counter[tuple[str, int]] = Counter()

        def count(http_response: Any, model: Any, **_: Any) -> None:
            calls.update([(model.name, http_response.status_code)])

        client.meta.events.register("after-call.s3", count)
        source = StateSource(
            [f"s3://{bucket}/org/terraform.tfstate"],
            s3_client_factory=lambda: client,
            workspaces=("*",),
        )

        def timed(label: str, work: Any) -> Any:
            calls.clear()
            load = os.getloadavg()[0]
            started = time.perf_counter()
            result = work()
            elapsed = time.perf_counter() - started
            requests = ", ".join(f"{op} {status}: {n}" for (op, status), n in sorted(calls.items()))
            print(f"{label:<44} {elapsed:7.2f} s  ({requests}; load average {load:.1f})")
            return result

        index = timed("cold: list + load + index every workspace", source.index)
        assert len(index) == args.states * args.resources, len(index)
        timed("refresh check, nothing changed (fingerprint)", source.fingerprint)
        key = f"env:/{names[7]}/org/terraform.tfstate"
        client.put_object(Bucket=bucket, Key=key, Body=org_state(names[7], args.resources, 2))
        timed("reload after one workspace changed", source.index)
    finally:
        server.kill()
        server.join()


if __name__ == "__main__":
    main()

"""Shared fixtures: a clean environment for every test and one moto S3 server per session."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# A copy of the shared corpus (licences and sources in its README): the suite never reads ../shared.
CORPUS = FIXTURES / "corpus"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's AWS or GitHub credentials, regions or endpoints."""
    for name in list(os.environ):
        if name.startswith(("AWS_", "GITHUB_", "TFDRIFT_")):
            monkeypatch.delenv(name, raising=False)
    # boto3 needs *some* credentials to sign requests to the local moto server.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")


@pytest.fixture
def refused_url() -> Iterator[str]:
    """``http://127.0.0.1:PORT`` where a connection is refused: the port stays bound (without
    listening) for the whole test, so no other server can take it meanwhile."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture(autouse=True, scope="session")
def _aws_endpoints_read_once() -> Iterator[None]:
    """botocore's list of every AWS endpoint (~1 MB of JSON) and the listing of its service
    models are read once for this process, not once per client: make_s3_client starts a new
    session, so a new loader, for every client, and the S3 tests make several clients each
    (fixtures; ledgers opened anew as a second process would open them). Only these two,
    which botocore reads and never changes, are shared; the service models are not (botocore
    edits a client's S3 model in place, and the moto server here reads its own). Subprocesses
    are not touched."""
    from botocore import loaders

    shared: dict[tuple[str, ...], Any] = {}
    load_data_with_path = loaders.Loader.load_data_with_path
    list_available_services = loaders.Loader.list_available_services

    def endpoints_once(self: loaders.Loader, name: str) -> Any:
        if name != "endpoints":
            return load_data_with_path(self, name)
        key = ("endpoints", *self.search_paths)
        if key not in shared:
            shared[key] = load_data_with_path(self, name)
        return shared[key]

    def listing_once(self: loaders.Loader, type_name: str) -> Any:
        key = ("services", type_name, *self.search_paths)
        if key not in shared:
            shared[key] = list_available_services(self, type_name)
        return shared[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(loaders.Loader, "load_data_with_path", endpoints_once)
        patch.setattr(loaders.Loader, "list_available_services", listing_once)
        yield


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """A real moto S3 server over HTTP: the same path boto3 takes to MinIO or AWS."""
    from moto.server import ThreadedMotoServer

    # Port 0: the server binds a port the kernel picks, then says which.
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_client(moto_endpoint: str) -> Any:
    from tfdrift_gitops.adapters.aws import make_s3_client

    return make_s3_client(endpoint_url=moto_endpoint)


@pytest.fixture
def s3_bucket(s3_client: Any) -> str:
    """A fresh, empty bucket per test."""
    name = f"test-{uuid.uuid4().hex[:20]}"
    s3_client.create_bucket(Bucket=name)
    return name


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    assert CORPUS.is_dir(), f"corpus fixtures missing at {CORPUS}"
    return CORPUS


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Under CI=true a skip (a missing tool or fixture) is a failure: CI must check, not pass."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.skipped and _ci() and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"skipped under CI=true (a skip checks nothing): {reason}"

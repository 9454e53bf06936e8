"""The contract fixtures: every ledger test runs against a local directory and against S3 on the
session's moto server (over HTTP, the same path boto3 takes to AWS)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tfdrift_gitops.ledger import StoredLedger, open_ledger

LedgerFactory = Callable[..., StoredLedger]


@pytest.fixture(params=[pytest.param("local", id="local"), pytest.param("s3", id="s3")])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def ledger_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if backend == "local":
        return str(tmp_path / "ledger")
    bucket = request.getfixturevalue("s3_bucket")
    return f"s3://{bucket}/team/ledger"


@pytest.fixture
def endpoint(backend: str, request: pytest.FixtureRequest) -> str | None:
    return str(request.getfixturevalue("moto_endpoint")) if backend == "s3" else None


@pytest.fixture
def make_ledger(ledger_url: str, endpoint: str | None) -> LedgerFactory:
    """A new ledger object on the same location each call (as a second process would have)."""

    def make(**kwargs: Any) -> StoredLedger:
        return open_ledger(ledger_url, s3_endpoint_url=endpoint, **kwargs)

    return make


@pytest.fixture
def ledger(make_ledger: LedgerFactory) -> StoredLedger:
    return make_ledger()

"""Fixtures for the oracle: terraform with the real AWS provider, one moto server per module.

Every test here carries the ``oracle`` marker. Without terraform or the provider the tests
skip with the reason, except under ``CI=true`` where they fail (CI must check, not pass).
"""

from __future__ import annotations

import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.oracle.harness import Outcome, build
from tests.oracle.terraform import Terraform, TerraformError, cli_config, find_mirror

HERE = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every oracle test; drop a check that has no case of its kinds in a module (an
    empty parameter set would be reported as a skip, and under CI=true a skip fails).

    scripts/test runs ``--dist loadfile``: a module's tests share one worker, so its estate
    is built once, not once per worker."""
    empty: list[pytest.Item] = []
    for item in items:
        path = Path(str(item.fspath)).resolve()
        if path.parent != HERE:
            continue
        item.add_marker(pytest.mark.oracle)
        skip = item.get_closest_marker("skip")
        if skip is not None and str(skip.kwargs.get("reason", "")).startswith(
            "got empty parameter set"
        ):
            empty.append(item)
    if empty:
        config.hook.pytest_deselected(items=empty)
        items[:] = [i for i in items if i not in empty]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    cases = getattr(metafunc.module, "CASES", None)
    if "case" in metafunc.fixturenames and cases is not None:
        wanted = getattr(metafunc.function, "kinds", None)
        strategy = getattr(metafunc.function, "strategy", None)
        chosen = [
            c
            for c in cases
            if (wanted is None or c.kind in wanted)
            and (strategy is None or strategy in c.strategies)
        ]
        name = metafunc.function.__name__
        params = [
            pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=c.known[name]))
            if name in c.known
            else c
            for c in chosen
        ]
        metafunc.parametrize("case", params, ids=[c.id for c in chosen])


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _unavailable(reason: str) -> None:
    if _ci():
        pytest.fail(f"under CI=true the oracle must run: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def terraform(tmp_path_factory: pytest.TempPathFactory) -> Terraform:
    """terraform on PATH with a CLI config of our own (scripts/test points the variable at
    /dev/null): the filesystem mirror if this machine has one, else the registry."""
    from tests.oracle.terraform import terraform_binary

    binary = terraform_binary()
    if binary is None:
        _unavailable("terraform is not on PATH")
    assert binary is not None
    root = tmp_path_factory.mktemp("terraform")
    # One cache for every working directory (and, when TF_PLUGIN_CACHE_DIR names one, for
    # every worker and run: on CI the provider is then downloaded once).
    shared = os.environ.get("TF_PLUGIN_CACHE_DIR", "").strip()
    cache = Path(shared) if shared else root / "plugin-cache"
    cache.mkdir(parents=True, exist_ok=True)
    config = root / "cli.tfrc"
    config.write_text(cli_config(find_mirror(), cache))
    tf = Terraform(binary, config)
    probe = root / "probe"
    probe.mkdir()
    (probe / "main.tf").write_text(
        'terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n'
        '      version = "5.100.0"\n    }\n  }\n}\n'
    )
    try:
        tf.init(probe)
    except TerraformError as exc:
        _unavailable(f"the AWS provider 5.100.0 cannot be installed: {exc}")
    return tf


@pytest.fixture(scope="module")
def moto_server() -> Iterator[str]:
    """One moto server per module (all services), on a port the kernel picks, empty: moto keeps
    its accounts in the process, so a module run after another in the same worker would see
    that module's resources (test_oracle_eks's DB instances made test_oracle_rds's apply fail
    with "couldn't find resource" when a worker ran eks, then rds)."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        url = f"http://{host}:{port}"
        with urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST")):
            pass
        yield url
    finally:
        server.stop()


@pytest.fixture(scope="module")
def outcome(
    request: pytest.FixtureRequest,
    terraform: Terraform,
    moto_server: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Outcome:
    cases = request.module.CASES
    root = tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1])
    return build(cases, root, terraform, moto_server)

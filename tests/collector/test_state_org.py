"""Org-scale state: every *.tfstate under an S3 prefix, hundreds of workspaces loaded on a
bounded pool sharing one client, and reloads that re-read only what changed (If-None-Match)."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest

from tests.collector.state_org_support import org_state, sg_id
from tfdrift_gitops.adapters import state_source
from tfdrift_gitops.adapters.state_source import StateSource
from tfdrift_gitops.errors import StateError


class Requests:
    """Counts S3 calls by operation and answer status, and the threads that made them."""

    def __init__(self, client: Any) -> None:
        self.calls: Counter[tuple[str, int]] = Counter()
        self.threads: set[int] = set()
        self._lock = threading.Lock()
        client.meta.events.register("after-call.s3", self._after)

    def _after(self, http_response: Any, model: Any, **_: Any) -> None:
        with self._lock:
            self.calls[(model.name, http_response.status_code)] += 1
            self.threads.add(threading.get_ident())

    def take(self) -> Counter[tuple[str, int]]:
        with self._lock:
            taken, self.calls = self.calls, Counter()
            return taken


def _source(s3_client: Any, spec: str, **kwargs: Any) -> tuple[StateSource, list[int]]:
    made: list[int] = []

    def factory() -> Any:
        made.append(1)
        return s3_client

    return StateSource([spec], s3_client_factory=factory, **kwargs), made


def test_every_tfstate_under_a_prefix(s3_client: Any, s3_bucket: str) -> None:
    layout = {
        "org/network/terraform.tfstate": "default",
        "org/apps/billing.tfstate": "default",
        "org/env:/staging/apps/billing.tfstate": "staging",
        "org/env:/prod/network/terraform.tfstate": "prod",
    }
    for key in layout:
        s3_client.put_object(Bucket=s3_bucket, Key=key, Body=org_state(key, 3))
    for other in ("org/network/terraform.tfstate.tflock", "org/README.md", "elsewhere/x.tfstate"):
        s3_client.put_object(Bucket=s3_bucket, Key=other, Body=b"{}")
    source, _ = _source(s3_client, f"s3://{s3_bucket}/org/")
    found = {loc.url.split("/", 3)[3]: loc.workspace for loc in source.locations()}
    assert found == layout
    index = source.index()
    assert len(index) == 4 * 3
    assert {s.workspace for s in index.states} == {"default", "staging", "prod"}
    staging, _ = _source(s3_client, f"s3://{s3_bucket}/org/", workspaces=("staging",))
    assert [loc.workspace for loc in staging.locations()] == ["staging"]


def test_an_empty_prefix_is_a_clear_error(s3_client: Any, s3_bucket: str) -> None:
    source, _ = _source(s3_client, f"s3://{s3_bucket}/nothing-here/")
    with pytest.raises(StateError, match=r"no \*\.tfstate objects under this prefix"):
        source.locations()


@pytest.mark.parametrize("spec_kind", ["workspaces", "prefix"])
def test_many_states_load_concurrently_and_reload_only_what_changed(
    s3_client: Any, s3_bucket: str, spec_kind: str
) -> None:
    count = 60
    names = [f"team{n:03d}" for n in range(count)]
    s3_client.put_object(Bucket=s3_bucket, Key="live/terraform.tfstate", Body=org_state("d", 2))
    for name in names:
        key = f"env:/{name}/live/terraform.tfstate"
        s3_client.put_object(Bucket=s3_bucket, Key=key, Body=org_state(name, 5))
    if spec_kind == "workspaces":
        spec, kwargs = f"s3://{s3_bucket}/live/terraform.tfstate", {"workspaces": ("*",)}
    else:
        spec, kwargs = f"s3://{s3_bucket}/", {}
    source, made = _source(s3_client, spec, **kwargs)
    requests = Requests(s3_client)
    index = source.index()
    assert len(index) == 2 + count * 5
    assert index.lookup("aws_security_group", "id", sg_id("team007", 3))
    assert made == [1]  # one client for the whole pool
    assert len(requests.threads) > 1  # read on several threads
    first = requests.take()
    assert first[("GetObject", 200)] == count + 1
    assert source.reads == count + 1

    # one workspace applied: only it is read again; the others answer 304
    changed = f"env:/{names[5]}/live/terraform.tfstate"
    s3_client.put_object(Bucket=s3_bucket, Key=changed, Body=org_state(names[5], 6, serial=2))
    requests.take()
    index = source.index()
    again = requests.take()
    assert again[("GetObject", 200)] == 1
    assert again[("GetObject", 304)] == count
    assert source.reads == count + 2
    assert len(index) == 2 + count * 5 + 1


def test_the_pool_is_bounded() -> None:
    assert 1 < state_source.MAX_WORKERS <= 32

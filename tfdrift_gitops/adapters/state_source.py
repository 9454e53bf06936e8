"""Reading Terraform state: local files / directories and the S3 backend layout (workspaces).

S3 backend layout: the default workspace lives at ``key``; workspace ``ws`` lives at
``<workspace_key_prefix>/<ws>/<key>`` (prefix default ``env:``). Lock files (``<key>.tflock``)
are never read or touched. ``s3://bucket/prefix/`` (a trailing slash) means every ``*.tfstate``
under the prefix: an organisation's states, whatever their keys.

Org scale: hundreds of states load concurrently on a bounded thread pool sharing one boto3
client (clients are thread-safe; sessions are not, so the client is made once, before the
pool). Each state is remembered with its ETag (or mtime and size): a reload asks S3 with
``If-None-Match`` and reuses what answers 304, so a refresh re-reads only what changed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from tfdrift_gitops.adapters.aws import aws_error_text, split_s3_url
from tfdrift_gitops.adapters.state_names import (
    local_state_name,
    s3_state_name,
    unique_local_names,
)
from tfdrift_gitops.core.state import ParsedState, StateIndex
from tfdrift_gitops.core.state_text import parse_state_view, utf8_view
from tfdrift_gitops.errors import StateError

log = logging.getLogger(__name__)

S3ClientFactory = Callable[[], Any]
ALL_WORKSPACES = "*"
STATE_SUFFIX = ".tfstate"
MAX_WORKERS = 16
"""Concurrent S3 reads: enough to hide request latency, few enough to stay polite to S3."""


@dataclass(frozen=True, slots=True)
class StateLocation:
    """One state object: where it is, which workspace it belongs to, and its name in drift
    records (``state_names``; the URL when unnamed)."""

    url: str
    workspace: str = "default"
    name: str = ""

    @property
    def label(self) -> str:
        return self.name or self.url


def _local_locations(path: Path, workspaces: tuple[str, ...]) -> list[StateLocation]:
    if path.is_dir():
        # A Terraform working directory with local state: default + terraform.tfstate.d/<ws>/.
        found = []
        default = path / "terraform.tfstate"
        if default.is_file() and (not workspaces or "default" in workspaces or "*" in workspaces):
            found.append(StateLocation(str(default)))
        ws_dir = path / "terraform.tfstate.d"
        if ws_dir.is_dir():
            for child in sorted(ws_dir.iterdir()):
                state_file = child / "terraform.tfstate"
                wanted = not workspaces or "*" in workspaces or child.name in workspaces
                if state_file.is_file() and wanted:
                    found.append(StateLocation(str(state_file), child.name))
        if not found:
            raise StateError(f"{path}: no terraform.tfstate found in this directory")
        return found
    if not path.exists():
        raise StateError(f"{path}: state file not found")
    return [StateLocation(str(path))]


def _s3_locations(
    url: str, client: Any, workspaces: tuple[str, ...], prefix: str
) -> list[StateLocation]:
    bucket, key = split_s3_url(url)
    if not key or key.endswith("/"):
        return _s3_prefix_locations(url, client, workspaces, prefix)
    if key.endswith(".tflock"):
        raise StateError(f"{url}: that is a lock file, not a state")
    names = list(workspaces) or ["default"]
    if ALL_WORKSPACES in names:
        names = ["default", *sorted(_discover_workspaces(client, bucket, key, prefix))]
    locations = []
    for name in dict.fromkeys(names):
        object_key = key if name == "default" else f"{prefix.rstrip('/')}/{name}/{key}"
        locations.append(StateLocation(f"s3://{bucket}/{object_key}", name))
    return locations


def _s3_prefix_locations(
    url: str, client: Any, workspaces: tuple[str, ...], prefix: str
) -> list[StateLocation]:
    """Every ``*.tfstate`` under ``s3://bucket/prefix/``; a key with a ``<prefix>/<ws>/``
    segment (``env:/staging/…``) belongs to that workspace, any other to ``default``."""
    bucket, base = split_s3_url(url)
    marker = prefix.rstrip("/") + "/"
    wanted = set(workspaces) if workspaces and ALL_WORKSPACES not in workspaces else None
    found: list[StateLocation] = []
    try:
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=base):
            for obj in page.get("Contents", []):
                key = str(obj["Key"])
                if not key.endswith(STATE_SUFFIX):
                    continue
                head, sep, rest = key.partition(marker)
                workspace = "default"
                if sep and (not head or head.endswith("/")) and "/" in rest:
                    workspace = rest.split("/", 1)[0]
                if wanted is None or workspace in wanted:
                    found.append(StateLocation(f"s3://{bucket}/{key}", workspace))
    except Exception as exc:  # botocore errors carry no common base we can import here
        raise StateError(f"{url}: cannot list states: {aws_error_text(exc)}") from exc
    if not found:
        raise StateError(f"{url}: no *{STATE_SUFFIX} objects under this prefix")
    return found


def _discover_workspaces(client: Any, bucket: str, key: str, prefix: str) -> set[str]:
    base = prefix.rstrip("/") + "/"
    found: set[str] = set()
    paginator = client.get_paginator("list_objects_v2")
    try:
        for page in paginator.paginate(Bucket=bucket, Prefix=base):
            for obj in page.get("Contents", []):
                rest = obj["Key"][len(base) :]
                workspace, _, tail = rest.partition("/")
                if workspace and tail == key:
                    found.add(workspace)
    except Exception as exc:  # botocore errors carry no common base we can import here
        raise StateError(f"s3://{bucket}/{base}: cannot list workspaces: {exc}") from exc
    return found


def _read_s3(url: str, client: Any, etag: str = "") -> tuple[bytes | None, str]:
    """The object's bytes and ETag; ``(None, etag)`` when it still has ``etag`` (304)."""
    bucket, key = split_s3_url(url)
    request: dict[str, str] = {"Bucket": bucket, "Key": key}
    if etag:
        request["IfNoneMatch"] = etag
    try:
        response = client.get_object(**request)
        body = response["Body"].read()
    except Exception as exc:
        if etag and _status(exc) == 304:
            return None, etag
        raise StateError(f"{url}: cannot read state: {aws_error_text(exc)}") from exc
    return body, str(response.get("ETag", ""))


def _status(exc: Exception) -> int:
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return 0
    return int(response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)


class StateSource:
    """The states a run watches: resolves specs to locations, loads them, fingerprints them."""

    def __init__(
        self,
        specs: Iterable[str],
        *,
        s3_client_factory: S3ClientFactory | None = None,
        workspaces: Iterable[str] = (),
        workspace_key_prefix: str = "env:",
    ) -> None:
        self.specs = tuple(specs)
        if not self.specs:
            raise StateError("no Terraform state given (--state PATH or s3://bucket/key)")
        self._factory = s3_client_factory
        self._client: Any = None
        self._client_lock = threading.Lock()
        self.workspaces = tuple(workspaces)
        self.prefix = workspace_key_prefix
        # (url, workspace, name) -> (ETag or mtime:size, the state parsed from it): what a
        # reload may reuse.
        self._parsed: dict[tuple[str, str, str], tuple[str, ParsedState]] = {}
        self.reads = 0
        """States read and parsed (not reused) so far: for tests and benchmarks."""

    def _s3(self) -> Any:
        with self._client_lock:
            if self._client is None:
                if self._factory is None:
                    from tfdrift_gitops.adapters.aws import make_s3_client

                    self._client = make_s3_client()
                else:
                    self._client = self._factory()
            return self._client

    def locations(self) -> list[StateLocation]:
        out: list[StateLocation] = []
        for spec in self.specs:
            if spec.startswith("s3://"):
                out.extend(_s3_locations(spec, self._s3(), self.workspaces, self.prefix))
            else:
                out.extend(_local_locations(Path(spec), self.workspaces))
        return _named(out)

    def load(self) -> list[ParsedState]:
        locations = self.locations()
        if any(location.url.startswith("s3://") for location in locations):
            self._s3()  # made once, before the pool: the threads share it
        states = _map(self._load_one, locations)
        current = {_cache_key(location) for location in locations}
        for gone in set(self._parsed) - current:
            del self._parsed[gone]
        return states

    def _load_one(self, location: StateLocation) -> ParsedState:
        cached = self._parsed.get(_cache_key(location))
        if location.url.startswith("s3://"):
            raw, mark = _read_s3(location.url, self._s3(), cached[0] if cached else "")
        else:
            path = Path(location.url)
            try:
                stat = path.stat()
                mark = f"{stat.st_mtime_ns}:{stat.st_size}"
                raw = None if cached and cached[0] == mark else path.read_bytes()
            except OSError as exc:
                raise StateError(f"{location.url}: cannot read state: {exc}") from exc
        if raw is None and cached is not None:
            return cached[1]
        assert raw is not None  # a conditional read answers None only when something is cached
        view = utf8_view(raw, location.label)
        # The view is what the index keeps: the bytes must not live through the parse, where
        # they were a third of the peak RSS of a 40 MB state (issue 14).
        del raw
        state = parse_state_view(view, source=location.label, workspace=location.workspace)
        state = replace(state, origin=_origin(location))
        self._parsed[_cache_key(location)] = (mark, state)
        self.reads += 1
        log.info(
            "loaded %s (workspace %s, serial %s, %d resources)",
            location.url,
            location.workspace,
            state.serial,
            len(state.resources),
        )
        return state

    def index(self) -> StateIndex:
        return StateIndex(self.load())

    def fingerprint(self) -> tuple[str, ...]:
        """Cheap change detection: file mtime+size, or the S3 ETag (HEAD only)."""
        locations = self.locations()
        if any(location.url.startswith("s3://") for location in locations):
            self._s3()
        return tuple(_map(self._mark, locations))

    def _mark(self, location: StateLocation) -> str:
        if location.url.startswith("s3://"):
            bucket, key = split_s3_url(location.url)
            try:
                head = self._s3().head_object(Bucket=bucket, Key=key)
            except Exception as exc:
                why = aws_error_text(exc)
                raise StateError(f"{location.url}: cannot stat state: {why}") from exc
            return f"{location.url}@{head.get('ETag', '')}"
        try:
            stat = Path(location.url).stat()
        except OSError as exc:
            raise StateError(f"{location.url}: cannot stat state: {exc}") from exc
        return f"{location.url}@{stat.st_mtime_ns}:{stat.st_size}"


def _origin(location: StateLocation) -> str:
    if location.url.startswith("s3://"):
        return s3_state_name(location.url)
    return str(Path(location.url).resolve())


def _cache_key(location: StateLocation) -> tuple[str, str, str]:
    return (location.url, location.workspace, location.label)


def _named(locations: list[StateLocation]) -> list[StateLocation]:
    """Each location with its name (``state_names``); a state given twice (the same object,
    or the same file by another path) is kept once, or its resources would be found twice."""
    local = [
        local_state_name(location.url)
        for location in locations
        if not location.url.startswith("s3://")
    ]
    local_names = iter(zip(local, unique_local_names(local), strict=True))
    seen: set[tuple[str, str]] = set()
    out = []
    for location in locations:
        if location.url.startswith("s3://"):
            name = s3_state_name(location.url)
            identity = name
        else:
            found, name = next(local_names)
            identity = str(found.real)
        if (identity, location.workspace) not in seen:
            seen.add((identity, location.workspace))
            out.append(StateLocation(location.url, location.workspace, name))
    return out


def _map(work: Callable[[StateLocation], Any], locations: list[StateLocation]) -> list[Any]:
    """``work`` over ``locations`` in order; a bounded pool when there are several. The first
    error (a StateError naming its state) propagates."""
    if len(locations) <= 1:
        return [work(location) for location in locations]
    with ThreadPoolExecutor(max_workers=min(MAX_WORKERS, len(locations))) as pool:
        return list(pool.map(work, locations))

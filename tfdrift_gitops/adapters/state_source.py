"""Reading Terraform state: local files / directories and the S3 backend layout (workspaces).

S3 backend layout: the default workspace lives at ``key``; workspace ``ws`` lives at
``<workspace_key_prefix>/<ws>/<key>`` (prefix default ``env:``). Lock files (``<key>.tflock``)
are never read or touched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tfdrift_gitops.adapters.aws import split_s3_url
from tfdrift_gitops.core.state import ParsedState, StateIndex
from tfdrift_gitops.core.state_text import parse_state_text
from tfdrift_gitops.errors import StateError

log = logging.getLogger(__name__)

S3ClientFactory = Callable[[], Any]
ALL_WORKSPACES = "*"


@dataclass(frozen=True, slots=True)
class StateLocation:
    """One state object: where it is and which workspace it belongs to."""

    url: str
    workspace: str = "default"


def _decode(raw: bytes, where: str, workspace: str) -> ParsedState:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StateError(f"{where}: not valid JSON (not UTF-8: {exc})") from exc
    del raw  # the text is what the index keeps; halve the peak for large states
    return parse_state_text(text, source=where, workspace=workspace)


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
        raise StateError(f"{url}: an S3 state URL names the object key (s3://bucket/path/key)")
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


def _read_s3(url: str, client: Any) -> tuple[bytes, str]:
    bucket, key = split_s3_url(url)
    try:
        response = client.get_object(Bucket=bucket, Key=key)
        body = response["Body"].read()
    except Exception as exc:
        raise StateError(f"{url}: cannot read state: {_aws_error(exc)}") from exc
    return body, str(response.get("ETag", ""))


def _aws_error(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        error = response.get("Error", {})
        return f"{error.get('Code', 'Error')}: {error.get('Message', '')}".strip()
    return str(exc)


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
        self.workspaces = tuple(workspaces)
        self.prefix = workspace_key_prefix

    def _s3(self) -> Any:
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
        return out

    def load(self) -> list[ParsedState]:
        states = []
        for location in self.locations():
            if location.url.startswith("s3://"):
                raw, _ = _read_s3(location.url, self._s3())
            else:
                try:
                    raw = Path(location.url).read_bytes()
                except OSError as exc:
                    raise StateError(f"{location.url}: cannot read state: {exc}") from exc
            state = _decode(raw, location.url, location.workspace)
            log.info(
                "loaded %s (workspace %s, serial %s, %d resources)",
                location.url,
                location.workspace,
                state.serial,
                len(state.resources),
            )
            states.append(state)
        return states

    def index(self) -> StateIndex:
        return StateIndex(self.load())

    def fingerprint(self) -> tuple[str, ...]:
        """Cheap change detection: file mtime+size, or the S3 ETag (HEAD only)."""
        marks = []
        for location in self.locations():
            if location.url.startswith("s3://"):
                bucket, key = split_s3_url(location.url)
                try:
                    head = self._s3().head_object(Bucket=bucket, Key=key)
                except Exception as exc:
                    why = _aws_error(exc)
                    raise StateError(f"{location.url}: cannot stat state: {why}") from exc
                marks.append(f"{location.url}@{head.get('ETag', '')}")
            else:
                try:
                    stat = Path(location.url).stat()
                except OSError as exc:
                    raise StateError(f"{location.url}: cannot stat state: {exc}") from exc
                marks.append(f"{location.url}@{stat.st_mtime_ns}:{stat.st_size}")
        return tuple(marks)

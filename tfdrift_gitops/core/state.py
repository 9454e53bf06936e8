"""Terraform state v4 -> StateIndex (cloud id / ARN / name -> resource address).

The parsed-state model (``StateResource``, ``ParsedState``), its reading from a decoded v4
document (``parse_state``, ``StateBuilder``: addresses, sensitive paths) and the index over it
(``StateIndex``). Which keys each resource is filed under is ``state_keys``.

Pure: takes decoded documents (``state_text`` reads raw text). Reading files or S3 objects is
the job of
``tfdrift_gitops.adapters.state_source``.
"""

from __future__ import annotations

import gc
import json
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from tfdrift_gitops.core.jsontext import loads as loads_json
from tfdrift_gitops.core.redact import ANY, SensitivePath
from tfdrift_gitops.core.state_keys import IndexKeys, index_keys
from tfdrift_gitops.errors import StateError

log = logging.getLogger(__name__)

SUPPORTED_STATE_VERSION = 4


@dataclass(slots=True, eq=False)
class StateResource:
    """One instance of one managed resource in one state file.

    The instance stays as JSON text (``text[start:end]``, a slice of the state file shared by
    every instance, holding an object whose ``attributes`` member is the resource's) and its
    attributes are decoded on demand: a 50,000-resource state is indexed without keeping
    50,000 decoded attribute trees in memory. ``text`` is ASCII JSON or a Latin-1 view of
    the file's UTF-8 bytes (``state_text.utf8_view``), so the slice's bytes are the JSON.

    Read-only by convention; not ``frozen`` because a frozen dataclass sets each of its fields
    through ``object.__setattr__``, which doubled the cost of building one (issue 14).
    """

    address: str
    type: str
    name: str
    module: str
    index_key: int | str | None
    provider: str
    source: str
    workspace: str
    serial: int
    text: str
    start: int
    end: int
    account: str = ""
    region: str = ""
    resource_id: str = ""
    """The ``id`` attribute, kept decoded: findings name it without decoding the rest."""
    sensitive: tuple[SensitivePath, ...] = ()
    """Attribute paths the state lists as sensitive (``sensitive_attributes``)."""

    @property
    def attributes(self) -> dict[str, Any]:
        # The slice's characters are its bytes (ASCII, or a Latin-1 view of UTF-8).
        instance = loads_json(self.text[self.start : self.end].encode("latin-1"))
        value = instance.get("attributes") if isinstance(instance, dict) else None
        return value if isinstance(value, dict) else {}

    @property
    def cloud_id(self) -> str:
        return self.resource_id


@dataclass(frozen=True, slots=True)
class ParsedState:
    source: str
    workspace: str
    serial: int
    lineage: str
    terraform_version: str
    resources: tuple[StateResource, ...]
    index_keys: tuple[IndexKeys, ...] = ()
    """Per resource, the (key, value) pairs it is found by, flat; consumed by StateIndex.add."""
    origin: str = ""
    """What the state is, whatever it is named: the resolved absolute path of a local file or
    ``s3://bucket/key`` (set where it loads). Records written before states were named as
    people know them carry a path; the ledger recognises them by it (``ledger.state_aliases``)."""


def _address(module: str, rtype: str, name: str, index_key: int | str | None) -> str:
    base = f"{module}.{rtype}.{name}" if module else f"{rtype}.{name}"
    if index_key is None:
        return base
    if isinstance(index_key, int) and not isinstance(index_key, bool):
        return f"{base}[{index_key}]"
    key = str(index_key)
    if _PLAIN_KEY.fullmatch(key):  # nothing to escape: skip the per-character loop
        return f'{base}["{key}"]'
    return f"{base}[{terraform_quoted(key)}]"


_PLAIN_KEY = re.compile(r"[ !#&-\[\]-~]*")
"""Printable ASCII but ``"``, ``\\``, ``$`` and ``%``: written as it is by Terraform."""

_KEY_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", '"': '\\"', "\\": "\\\\"}


def terraform_quoted(key: str) -> str:
    """``key`` quoted as Terraform prints an instance key (``addrs.StringKey``): HCL escapes,
    ``${``/``%{`` doubled, non-printable characters as ``\\uXXXX``/``\\UXXXXXXXX``, printable
    Unicode as it is, so our addresses equal ``terraform state list`` and plan JSON."""
    out = ['"']
    for position, char in enumerate(key):
        escaped = _KEY_ESCAPES.get(char)
        if escaped is not None:
            out.append(escaped)
        elif char in "$%":
            out.append(char + char if key.startswith("{", position + 1) else char)
        elif char.isprintable():
            out.append(char)
        elif ord(char) < 0x10000:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    out.append('"')
    return "".join(out)


class StateBuilder:
    """Collects managed instances while a state document is read, validating as it goes."""

    def __init__(self, source: str, workspace: str) -> None:
        self.source = source
        self.workspace = workspace
        self.serial = 0
        self.resources: list[StateResource] = []
        self.keys: list[IndexKeys] = []
        self._intern: dict[str, str] = {}

    def _shared(self, value: str) -> str:
        return self._intern.setdefault(value, value)

    def header(self, res: Mapping[str, Any], position: int) -> tuple[str, str, str, str] | None:
        """(type, name, module, provider) of a managed resource; None for data sources."""
        if res.get("mode", "managed") != "managed":
            return None  # data sources are read, never drift targets
        rtype, name = res.get("type"), res.get("name")
        if not isinstance(rtype, str) or not isinstance(name, str):
            raise StateError(f"{self.source}: resources[{position}] lacks a type or name")
        module = res.get("module") or ""
        if not isinstance(module, str):
            raise StateError(f"{self.source}: resources[{position}].module is not a string")
        provider = str(res.get("provider") or "")
        return self._shared(rtype), name, self._shared(module), self._shared(provider)

    def instance(
        self,
        header: tuple[str, str, str, str],
        inst: Mapping[str, Any],
        attrs: Any,
        text: str,
        span: tuple[int, int],
    ) -> None:
        rtype, name, module, provider = header
        if inst.get("deposed"):
            return  # a deposed object is on its way out; the current one is the target
        index_key = inst.get("index_key")
        if index_key is not None and (
            isinstance(index_key, bool) or not isinstance(index_key, int | str)
        ):
            raise StateError(f"{self.source}: {rtype}.{name} has index_key {index_key!r}")
        if attrs is None and isinstance(inst.get("attributes_flat"), Mapping):
            raise StateError(f"{self.source}: {rtype}.{name} uses flat attributes (state v3)")
        if not isinstance(attrs, Mapping):
            attrs, text, span = {}, "{}", (0, 2)
        arn = attrs.get("arn")
        account, region = arn_account_region(arn) if isinstance(arn, str) else ("", "")
        sensitive = inst.get("sensitive_attributes")
        masked = sensitive_paths(sensitive) if sensitive not in (None, []) else ()
        resource_id = attrs.get("id")
        self.resources.append(
            StateResource(
                address=_address(module, rtype, name, index_key),
                type=rtype,
                name=name,
                module=module,
                index_key=index_key,
                provider=provider,
                source=self.source,
                workspace=self.workspace,
                serial=self.serial,
                text=text,
                start=span[0],
                end=span[1],
                account=self._shared(account),
                region=self._shared(region),
                resource_id=resource_id if isinstance(resource_id, str) else "",
                sensitive=masked,
            )
        )
        self.keys.append(index_keys(rtype, attrs))

    def done(self, doc: Mapping[str, Any]) -> ParsedState:
        return ParsedState(
            source=self.source,
            workspace=self.workspace,
            serial=self.serial,
            lineage=str(doc.get("lineage") or ""),
            terraform_version=str(doc.get("terraform_version") or ""),
            resources=tuple(self.resources),
            index_keys=tuple(self.keys),
        )


_MAX_PATH_STEPS = 64


def _step(step: Any) -> str | int | None:
    """One cty path step: ``{"type": "get_attr", "value": name}`` or ``{"type": "index",
    "value": {"value": key, "type": "number" | "string"}}``; ``None`` when unreadable."""
    if not isinstance(step, Mapping):
        return None
    value = step.get("value")
    if step.get("type") == "get_attr" and isinstance(value, str):
        return value
    if step.get("type") == "index":
        key = value.get("value") if isinstance(value, Mapping) else value
        if isinstance(key, bool):
            return None
        if isinstance(key, int | float) and float(key).is_integer():
            return int(key)
        if isinstance(key, str):
            return key
    return None


def _marked(tree: Any, prefix: tuple[str | int, ...], out: list[SensitivePath]) -> None:
    """The ``sensitive_values`` form (``terraform show -json``): ``true`` marks a secret."""
    if tree is True:
        out.append(prefix)
    elif len(prefix) < _MAX_PATH_STEPS and isinstance(tree, Mapping):
        for key, value in tree.items():
            _marked(value, (*prefix, str(key)), out)
    elif len(prefix) < _MAX_PATH_STEPS and isinstance(tree, list):
        for index, value in enumerate(tree):
            _marked(value, (*prefix, index), out)


def sensitive_paths(raw: Any) -> tuple[SensitivePath, ...]:
    """Paths from an instance's ``sensitive_attributes``.

    Terraform 0.15 to 1.x (the statefile format of today) writes a list of cty paths, each a
    list of steps. The nested ``true`` markers of ``sensitive_values`` and dotted strings are
    read too. An unreadable step fails closed: the path is cut there, so everything under
    the readable part is masked (all attributes when nothing is readable).
    """
    out: list[SensitivePath] = []
    if isinstance(raw, Mapping):
        _marked(raw, (), out)
    elif isinstance(raw, list):
        for path in raw:
            if isinstance(path, str):
                out.append(tuple(part for part in path.split(".") if part))
                continue
            if not isinstance(path, list):
                out.append(())
                continue
            steps: list[str | int | None] = []
            for step in path[:_MAX_PATH_STEPS]:
                parsed = _step(step)
                if parsed is None:
                    break
                steps.append(parsed)
            out.append(tuple(steps))
    elif raw is not None:
        out.append(())
    # An empty path (the whole object) masks every attribute.
    return tuple(path if path else (ANY,) for path in dict.fromkeys(out))


def check_version(doc: Mapping[str, Any], source: str) -> int:
    version = doc.get("version")
    if version != SUPPORTED_STATE_VERSION:
        raise StateError(
            f"{source}: unsupported state format version {version!r}; "
            f"only version {SUPPORTED_STATE_VERSION} (Terraform >= 0.12) is supported"
        )
    serial = doc.get("serial")
    return serial if isinstance(serial, int) and not isinstance(serial, bool) else 0


def list_of(value: Any, what: str, source: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise StateError(f"{source}: {what} is not a list")
    return value


def parse_state(doc: object, *, source: str, workspace: str = "default") -> ParsedState:
    """Validate a decoded state document and flatten its managed resource instances."""
    if not isinstance(doc, Mapping):
        raise StateError(f"{source}: not a Terraform state (top level is not a JSON object)")
    builder = StateBuilder(source, workspace)
    builder.serial = check_version(doc, source)
    for position, res in enumerate(list_of(doc.get("resources"), "'resources'", source)):
        if not isinstance(res, Mapping):
            raise StateError(f"{source}: resources[{position}] is not an object")
        header = builder.header(res, position)
        if header is None:
            continue
        where = f"resources[{position}].instances"
        for inst in list_of(res.get("instances"), where, source):
            if not isinstance(inst, Mapping):
                raise StateError(
                    f"{source}: an instance of {header[0]}.{header[1]} is not an object"
                )
            attrs = inst.get("attributes")
            text = json.dumps({"attributes": attrs}, separators=(",", ":"), sort_keys=True)
            builder.instance(header, inst, attrs, text, (0, len(text)))
    return builder.done(doc)


def arn_account_region(arn: str) -> tuple[str, str]:
    """(account, region) from an ARN; empty strings where the ARN has none (IAM, S3)."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return "", ""
    return parts[4], parts[3]


class StateIndex:
    """Lookup of managed resources by (type, identifying attribute, value).

    Stored as ``{(type, key): {value: resource or [resources]}}``: a list only where a value
    names several resources, and no (type, key, value) tuple per entry, which made the index
    of a 50,000-resource state ~1.5x larger than the resources themselves (issue 14).
    """

    def __init__(self, states: Iterable[ParsedState] = ()) -> None:
        self._by_key: dict[tuple[str, str], dict[str, StateResource | list[StateResource]]] = {}
        self._by_address: dict[tuple[str, str], dict[str, StateResource]] = {}
        self._values: set[str] = set()
        self._states: list[ParsedState] = []
        for state in states:
            self.add(state)

    def add(self, state: ParsedState) -> None:
        # Keep the state's metadata only: the per-resource keys are consumed here.
        self._states.append(replace(state, resources=(), index_keys=()))
        keys_per_resource = state.index_keys or tuple(
            index_keys(res.type, res.attributes) for res in state.resources
        )
        with without_cyclic_gc():
            self._add(state, keys_per_resource)

    def _add(self, state: ParsedState, keys_per_resource: tuple[IndexKeys, ...]) -> None:
        by_key, values, by_address = self._by_key, self._values, self._by_address
        for res, keys in zip(state.resources, keys_per_resource, strict=True):
            addresses = by_address.get((res.source, res.workspace))
            if addresses is None:
                addresses = by_address[(res.source, res.workspace)] = {}
            addresses[res.address] = res
            for at in range(0, len(keys), 2):
                key, value = keys[at], keys[at + 1]
                values.add(value)
                entries = by_key.get((res.type, key))
                if entries is None:
                    entries = by_key[(res.type, key)] = {}
                found = entries.get(value)
                if found is None:
                    entries[value] = res
                elif isinstance(found, list):
                    found.append(res)
                else:
                    entries[value] = [found, res]

    @property
    def states(self) -> tuple[ParsedState, ...]:
        return tuple(self._states)

    def __len__(self) -> int:
        return sum(len(resources) for resources in self._by_address.values())

    def __iter__(self) -> Iterator[StateResource]:
        for resources in self._by_address.values():
            yield from resources.values()

    def knows(self, value: str) -> bool:
        """Is ``value`` an identifying value of any resource, of any type (a cheap pre-check)?"""
        return value in self._values

    def get(self, source: str, workspace: str, address: str) -> StateResource | None:
        resources = self._by_address.get((source, workspace))
        return resources.get(address) if resources is not None else None

    def lookup(
        self, rtype: str, key: str, value: str, *, account: str = "", region: str = ""
    ) -> list[StateResource]:
        """Resources of ``rtype`` whose ``key`` attribute equals ``value``.

        When the resource's ARN names an account or region, it must agree with the event's:
        the same bucket name or role name in two accounts is two different resources.
        """
        entries = self._by_key.get((rtype, key))
        found = entries.get(value) if entries is not None else None
        if found is None:
            return []
        return [
            res
            for res in (found if isinstance(found, list) else (found,))
            if not (account and res.account and res.account != account)
            and not (region and res.region and res.region != region)
        ]


@contextmanager
def without_cyclic_gc() -> Iterator[None]:
    """Cyclic GC off while a state is read and indexed: the documents are trees (freed by
    reference counting), but the collector re-scanned the growing index on every generation-2
    pass, a third of the load time of a 50,000-resource state. Restored afterwards, unless it
    was already off (another load in a thread, or the caller's choice)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()

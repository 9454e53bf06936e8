"""Terraform state v4 -> StateIndex (cloud id / ARN / name -> resource address).

Pure: takes already-decoded JSON documents. Reading files or S3 objects is the job of
``tfdrift_gitops.adapters.state_source``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from tfdrift_gitops.errors import StateError

log = logging.getLogger(__name__)

SUPPORTED_STATE_VERSION = 4

# Attributes that name a resource somewhere in CloudTrail. Indexed for every type; catalog
# rules say which one to look up. Extend here when a rule needs a new key.
IDENTIFYING_KEYS: tuple[str, ...] = (
    "id",
    "arn",
    "name",
    "bucket",
    "identifier",
    "function_name",
    "key_id",
    "role",
    "user",
    "security_group_id",
    "security_group_rule_id",
    "instance_id",
    "policy_arn",
    "target_key_id",
    "alias_name",
    "cluster_identifier",
)


def lambda_function_ref(value: str) -> tuple[str, str]:
    """(function name, qualifier) from a Lambda function name, full ARN or partial ARN.

    ``my-fn``, ``my-fn:live``, ``123456789012:function:my-fn`` and
    ``arn:aws:lambda:eu-west-1:123456789012:function:my-fn:live`` all name ``my-fn``.
    """
    text = value.strip()
    if ":function:" in text:
        text = text.split(":function:", 1)[1]
    name, _, qualifier = text.partition(":")
    return name, qualifier


def _lambda_permission_key(rtype: str, attrs: Mapping[str, Any]) -> str | None:
    """``name[:qualifier]/statement_id``: a statement id alone repeats across functions."""
    if rtype != "aws_lambda_permission":
        return None
    function, sid = attrs.get("function_name"), attrs.get("statement_id") or attrs.get("id")
    if not isinstance(function, str) or not function or not isinstance(sid, str) or not sid:
        return None
    name, qualifier = lambda_function_ref(function)
    qualifier = str(attrs.get("qualifier") or "") or qualifier
    return f"{name}:{qualifier}/{sid}" if qualifier else f"{name}/{sid}"


def _lambda_function_url_key(rtype: str, attrs: Mapping[str, Any]) -> str | None:
    """``name[:qualifier]``: ``function_name`` may hold a name or an ARN."""
    if rtype != "aws_lambda_function_url":
        return None
    function = attrs.get("function_name")
    if not isinstance(function, str) or not function:
        return None
    name, qualifier = lambda_function_ref(function)
    qualifier = str(attrs.get("qualifier") or "") or qualifier
    return f"{name}:{qualifier}" if qualifier else name


# Keys computed from several attributes, for resources that no single attribute names.
DERIVED_KEYS: dict[str, Callable[[str, Mapping[str, Any]], str | None]] = {
    "lambda_permission": _lambda_permission_key,
    "lambda_function_url": _lambda_function_url_key,
}


@dataclass(frozen=True, slots=True)
class StateResource:
    """One instance of one managed resource in one state file."""

    address: str
    type: str
    name: str
    module: str
    index_key: int | str | None
    provider: str
    source: str
    workspace: str
    serial: int
    attributes_json: str

    @property
    def attributes(self) -> dict[str, Any]:
        """Decoded on demand: the index keeps compact JSON to stay small for huge states."""
        value = json.loads(self.attributes_json)
        return value if isinstance(value, dict) else {}

    @property
    def cloud_id(self) -> str:
        return str(self.attributes.get("id") or "")


@dataclass(frozen=True, slots=True)
class ParsedState:
    source: str
    workspace: str
    serial: int
    lineage: str
    terraform_version: str
    resources: tuple[StateResource, ...]


def _address(module: str, rtype: str, name: str, index_key: int | str | None) -> str:
    base = f"{module}.{rtype}.{name}" if module else f"{rtype}.{name}"
    if index_key is None:
        return base
    if isinstance(index_key, int) and not isinstance(index_key, bool):
        return f"{base}[{index_key}]"
    return f"{base}[{json.dumps(str(index_key))}]"


def parse_state(doc: object, *, source: str, workspace: str = "default") -> ParsedState:
    """Validate a decoded state document and flatten its managed resource instances."""
    if not isinstance(doc, Mapping):
        raise StateError(f"{source}: not a Terraform state (top level is not a JSON object)")
    version = doc.get("version")
    if version != SUPPORTED_STATE_VERSION:
        raise StateError(
            f"{source}: unsupported state format version {version!r}; "
            f"only version {SUPPORTED_STATE_VERSION} (Terraform >= 0.12) is supported"
        )
    raw_resources = doc.get("resources")
    if raw_resources is None:
        raw_resources = []
    if not isinstance(raw_resources, list):
        raise StateError(f"{source}: 'resources' is not a list")
    serial = doc.get("serial")
    serial_int = serial if isinstance(serial, int) and not isinstance(serial, bool) else 0
    out: list[StateResource] = []
    for position, res in enumerate(raw_resources):
        if not isinstance(res, Mapping):
            raise StateError(f"{source}: resources[{position}] is not an object")
        if res.get("mode", "managed") != "managed":
            continue  # data sources are read, never drift targets
        rtype, name = res.get("type"), res.get("name")
        if not isinstance(rtype, str) or not isinstance(name, str):
            raise StateError(f"{source}: resources[{position}] lacks a type or name")
        module = res.get("module") or ""
        if not isinstance(module, str):
            raise StateError(f"{source}: resources[{position}].module is not a string")
        instances = res.get("instances")
        if instances is None:
            instances = []
        if not isinstance(instances, list):
            raise StateError(f"{source}: resources[{position}].instances is not a list")
        for inst in instances:
            if not isinstance(inst, Mapping):
                raise StateError(f"{source}: an instance of {rtype}.{name} is not an object")
            if inst.get("deposed"):
                continue  # a deposed object is on its way out; the current one is the target
            index_key = inst.get("index_key")
            if index_key is not None and not isinstance(index_key, int | str):
                raise StateError(f"{source}: {rtype}.{name} has index_key {index_key!r}")
            attrs = inst.get("attributes")
            if attrs is None and isinstance(inst.get("attributes_flat"), Mapping):
                raise StateError(f"{source}: {rtype}.{name} uses flat attributes (state v3)")
            if not isinstance(attrs, Mapping):
                attrs = {}
            out.append(
                StateResource(
                    address=_address(module, rtype, name, index_key),
                    type=rtype,
                    name=name,
                    module=module,
                    index_key=index_key,
                    provider=str(res.get("provider") or ""),
                    source=source,
                    workspace=workspace,
                    serial=serial_int,
                    attributes_json=json.dumps(attrs, separators=(",", ":"), sort_keys=True),
                )
            )
    return ParsedState(
        source=source,
        workspace=workspace,
        serial=serial_int,
        lineage=str(doc.get("lineage") or ""),
        terraform_version=str(doc.get("terraform_version") or ""),
        resources=tuple(out),
    )


def arn_account_region(arn: str) -> tuple[str, str]:
    """(account, region) from an ARN; empty strings where the ARN has none (IAM, S3)."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return "", ""
    return parts[4], parts[3]


@dataclass(frozen=True, slots=True)
class _Entry:
    resource: StateResource
    account: str
    region: str


class StateIndex:
    """Lookup of managed resources by (type, identifying attribute, value)."""

    def __init__(self, states: Iterable[ParsedState] = ()) -> None:
        self._by_key: dict[tuple[str, str, str], list[_Entry]] = {}
        self._by_address: dict[tuple[str, str, str], StateResource] = {}
        self._states: list[ParsedState] = []
        for state in states:
            self.add(state)

    def add(self, state: ParsedState) -> None:
        self._states.append(state)
        for res in state.resources:
            attrs = json.loads(res.attributes_json)
            arn = attrs.get("arn")
            account, region = arn_account_region(arn) if isinstance(arn, str) else ("", "")
            entry = _Entry(res, account, region)
            self._by_address[(res.source, res.workspace, res.address)] = res
            for key in IDENTIFYING_KEYS:
                value = attrs.get(key)
                if isinstance(value, str) and value:
                    self._by_key.setdefault((res.type, key, value), []).append(entry)
            for key, derive in DERIVED_KEYS.items():
                derived = derive(res.type, attrs)
                if derived:
                    self._by_key.setdefault((res.type, key, derived), []).append(entry)

    @property
    def states(self) -> tuple[ParsedState, ...]:
        return tuple(self._states)

    def __len__(self) -> int:
        return len(self._by_address)

    def __iter__(self) -> Iterator[StateResource]:
        return iter(self._by_address.values())

    def get(self, source: str, workspace: str, address: str) -> StateResource | None:
        return self._by_address.get((source, workspace, address))

    def lookup(
        self, rtype: str, key: str, value: str, *, account: str = "", region: str = ""
    ) -> list[StateResource]:
        """Resources of ``rtype`` whose ``key`` attribute equals ``value``.

        When the resource's ARN names an account or region, it must agree with the event's:
        the same bucket name or role name in two accounts is two different resources.
        """
        entries = self._by_key.get((rtype, key, value), [])
        return [
            e.resource
            for e in entries
            if not (account and e.account and e.account != account)
            and not (region and e.region and e.region != region)
        ]

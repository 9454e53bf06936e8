"""A saved plan (``terraform plan -out``) read directly: the parts of ``terraform show -json``
the oracle reads, without another terraform run (a ``show`` costs ~1.1 s of CPU attached to a
running provider, ~2.7 s starting one).

A plan file is a zip: ``tfplan`` is Terraform's ``tfplan.Plan`` protobuf message (format
version 3), whose resource values are cty values in msgpack, encoded with the resource type's
schema. The descriptors below declare only the fields read, by number (names and numbers as
Terraform's planfile.proto defines them); protobuf skips the others. The values are decoded
with the provider's schema, because two encodings need it: a number that is neither an exact
int64 nor an exact float64 (``0.1`` read back from a state file) is a msgpack string, and an
attribute of dynamic type is a ``[type JSON, value]`` pair.

:func:`read_plan` returns ``resource_changes`` and ``resource_drift`` as ``show -json`` lists
them, each entry with ``address``, ``mode``, ``type``, ``name``, ``provider_name``,
``action_reason`` (when there is one) and ``change``: ``actions``, ``before``, ``after``,
``replace_paths`` and ``importing`` (when there are). Nothing else (no ``after_unknown``, no
``*_sensitive``, no ``configuration``): extend this and tests/oracle/test_planfile.py, which
holds the decoder to ``show -json`` on real plans, before reading more. Entries are in address
order (show orders data sources differently); ``replace_paths`` is in the file's order (show's
comes from a hash set): both are unordered for every reader here. What this does not handle
(module addresses, count/for_each keys, deposed objects, deferred changes, import by identity)
raises :class:`PlanFileError` instead of reading differently.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Final

import msgpack
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

FORMAT_VERSION: Final = 3
"""The ``tfplan`` format version of Terraform 1.x: another one is refused."""

SchemaOf = Callable[[str, str, str], Mapping[str, Any]]
"""(provider source, mode, type) -> the type's schema block, as ``terraform providers schema
-json`` prints it (``attributes``, ``block_types``)."""


class PlanFileError(ValueError):
    """The plan holds something this reader does not decode as ``show -json`` would."""


# --- tfplan: the fields read, by number -----------------------------------------------------

_FIELDS: Final[dict[str, list[tuple[str, int, str, bool]]]] = {
    # message: (field, number, type: a scalar or a message of this table, repeated)
    "Plan": [
        ("version", 1, "uint64", False),
        ("resource_changes", 3, "ResourceInstanceChange", True),
        ("terraform_version", 14, "string", False),
        ("ui_mode", 17, "int32", False),
        ("resource_drift", 18, "ResourceInstanceChange", True),
        ("errored", 20, "bool", False),
        ("deferred_changes", 27, "bytes", True),
    ],
    "ResourceInstanceChange": [
        ("deposed_key", 7, "string", False),
        ("provider", 8, "string", False),
        ("change", 9, "Change", False),
        ("required_replace", 11, "Path", True),
        ("action_reason", 12, "int32", False),
        ("addr", 13, "string", False),
        ("prev_run_addr", 14, "string", False),
    ],
    "Change": [
        ("action", 1, "int32", False),
        ("values", 2, "DynamicValue", True),
        ("importing", 5, "Importing", False),
        ("generated_config", 6, "string", False),
    ],
    "DynamicValue": [("msgpack", 1, "bytes", False)],
    "Path": [("steps", 1, "Step", True)],
    "Step": [("attribute_name", 1, "string", False), ("element_key", 2, "DynamicValue", False)],
    "Importing": [
        ("id", 1, "string", False),
        ("unknown", 2, "bool", False),
        ("identity", 3, "DynamicValue", False),
    ],
}
_PACKAGE: Final = "tfdrift_oracle.tfplan"


def _plan_class() -> Any:
    file = descriptor_pb2.FileDescriptorProto(
        name="tfdrift_oracle_tfplan.proto", package=_PACKAGE, syntax="proto3"
    )
    scalar = descriptor_pb2.FieldDescriptorProto
    kinds = {
        "uint64": scalar.TYPE_UINT64,
        "int32": scalar.TYPE_INT32,
        "bool": scalar.TYPE_BOOL,
        "string": scalar.TYPE_STRING,
        "bytes": scalar.TYPE_BYTES,
    }
    for name, fields in _FIELDS.items():
        message = file.message_type.add(name=name)
        for field, number, kind, repeated in fields:
            entry = message.field.add(
                name=field,
                number=number,
                label=scalar.LABEL_REPEATED if repeated else scalar.LABEL_OPTIONAL,
            )
            if kind in kinds:
                entry.type = kinds[kind]
            else:
                entry.type = scalar.TYPE_MESSAGE
                entry.type_name = f".{_PACKAGE}.{kind}"
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{_PACKAGE}.Plan"))


_PLAN: Final = _plan_class()

# Action enum -> show's list form; and which of ``values`` holds before and after (Terraform
# writes one value for no-op, create, delete and forget, two otherwise).
_ACTIONS: Final[dict[int, tuple[list[str], int | None, int | None]]] = {
    0: (["no-op"], 0, 0),
    1: (["create"], None, 0),
    2: (["read"], 0, 1),
    3: (["update"], 0, 1),
    5: (["delete"], 0, None),
    6: (["delete", "create"], 0, 1),
    7: (["create", "delete"], 0, 1),
    8: (["forget"], 0, None),
    9: (["create", "forget"], 0, 1),
}
_DELETE: Final = 5
_REFRESH_ONLY: Final = 2
_REASONS: Final = {
    1: "replace_because_tainted",
    2: "replace_by_request",
    3: "replace_because_cannot_update",
    4: "delete_because_no_resource_config",
    5: "delete_because_wrong_repetition",
    6: "delete_because_count_index",
    7: "delete_because_each_key",
    8: "delete_because_no_module",
    9: "replace_by_triggers",
    10: "read_because_config_unknown",
    11: "read_because_dependency_pending",
    12: "delete_because_no_move_target",
    13: "read_because_check_nested",
}

# A root-module, unkeyed instance: what every oracle configuration declares.
_ADDRESS: Final = re.compile(r"(?:(data)\.)?([a-zA-Z_][\w-]*)\.([a-zA-Z_][\w-]*)")
_PROVIDER: Final = re.compile(r'provider\["([^"]+)"\](?:\.[a-zA-Z_][\w-]*)?')


# --- cty values ------------------------------------------------------------------------------


class _Unknown:
    """cty's unknown value (msgpack extension 0; 12 when it carries refinements)."""

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN: Final = _Unknown()
_UNKNOWN_CODES: Final = frozenset({0, 12})


def _ext(code: int, data: bytes) -> _Unknown:
    if code in _UNKNOWN_CODES:
        return UNKNOWN
    raise PlanFileError(f"msgpack extension {code} is not a cty value this reader knows")


def _unpack(data: bytes) -> Any:
    return msgpack.unpackb(data, raw=False, ext_hook=_ext, strict_map_key=False)


def implied_type(block: Mapping[str, Any]) -> Any:
    """The cty type (JSON form, as ``providers schema -json`` writes attribute types) of a
    schema block's value: an object of its attributes and nested blocks."""
    attrs: dict[str, Any] = {}
    for name, attr in (block.get("attributes") or {}).items():
        if "type" in attr:
            attrs[name] = attr["type"]
        else:
            nested = attr["nested_type"]
            attrs[name] = _nest(nested["nesting_mode"], implied_type(nested))
    for name, nested in (block.get("block_types") or {}).items():
        attrs[name] = _nest(nested["nesting_mode"], implied_type(nested.get("block") or {}))
    return ["object", attrs]


def _nest(mode: str, inner: Any) -> Any:
    if mode in ("single", "group"):
        return inner
    if mode in ("list", "set", "map"):
        return [mode, inner]
    raise PlanFileError(f"nesting mode {mode!r}")


def typed(value: Any, ty: Any, where: str) -> Any:
    """A decoded msgpack value as the cty value of type ``ty`` in JSON form (``UNKNOWN`` kept):
    numbers sent as strings parsed, dynamic values unwrapped, object attributes checked."""
    if value is None or value is UNKNOWN:
        return value
    # cty sends no value as msgpack bin but a dynamic value's type: [type JSON, value].
    if isinstance(value, list) and len(value) == 2 and isinstance(value[0], bytes):
        return typed(value[1], json.loads(value[0]), where)
    if ty == "dynamic":
        raise PlanFileError(f"{where}: a dynamic value without its type")
    if ty == "number":
        return _number(value, where)
    if ty == "string":
        return _expect(value, str, where)
    if ty == "bool":
        return _expect(value, bool, where)
    kind, inner = ty[0], ty[1]
    if kind in ("list", "set"):
        items = _expect(value, list, where)
        return [typed(v, inner, f"{where}[{n}]") for n, v in enumerate(items)]
    if kind == "tuple":
        items = _expect(value, list, where)
        if len(items) != len(inner):
            raise PlanFileError(f"{where}: {len(items)} elements for a {len(inner)}-tuple")
        pairs = enumerate(zip(items, inner, strict=True))
        return [typed(v, t, f"{where}[{n}]") for n, (v, t) in pairs]
    if kind == "map":
        members = _expect(value, dict, where)
        return {k: typed(v, inner, f"{where}[{k!r}]") for k, v in members.items()}
    if kind == "object":
        members = _expect(value, dict, where)
        if set(members) != set(inner):
            raise PlanFileError(
                f"{where}: attributes {sorted(set(members) ^ set(inner))} differ from the schema"
            )
        return {k: typed(v, inner[k], f"{where}.{k}") for k, v in members.items()}
    raise PlanFileError(f"{where}: type {ty!r}")


def _expect(value: Any, kind: type, where: str) -> Any:
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise PlanFileError(f"{where}: {value!r} is not a {kind.__name__}")
    return value


_NUMBER_TEXT: Final = re.compile(r"-?\d+(\.\d+)?")


def _number(value: Any, where: str) -> Any:
    """A cty number as ``json.loads`` reads show's text of it (``big.Float.Text('f', -1)``)."""
    if isinstance(value, str):
        if not _NUMBER_TEXT.fullmatch(value):
            raise PlanFileError(f"{where}: {value!r} is not a number")
        return json.loads(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)  # beyond int64: show prints the digits, which json reads as an int
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PlanFileError(f"{where}: {value!r} is not a number")
    return value


def known(value: Any, where: str) -> Any:
    """``value`` as show prints a value that must be wholly known (``before``)."""
    if value is UNKNOWN:
        raise PlanFileError(f"{where}: unknown")
    if isinstance(value, list):
        return [known(v, f"{where}[{n}]") for n, v in enumerate(value)]
    if isinstance(value, dict):
        return {k: known(v, f"{where}.{k}") for k, v in value.items()}
    return value


def omit_unknowns(value: Any) -> Any:
    """``after`` as show prints it: unknown object and map members left out, unknown elements
    of lists and sets as null (their position is how ``after_unknown`` is matched)."""
    if isinstance(value, list):
        return [None if v is UNKNOWN else omit_unknowns(v) for v in value]
    if isinstance(value, dict):
        return {k: omit_unknowns(v) for k, v in value.items() if v is not UNKNOWN}
    return value


# --- the document ---------------------------------------------------------------------------


def read_plan(path: Path, schema_of: SchemaOf) -> dict[str, Any]:
    """The ``show -json`` parts of the saved plan at ``path`` (see the module docstring)."""
    with zipfile.ZipFile(path) as archive:
        raw = archive.read("tfplan")
    plan = _PLAN.FromString(raw)
    if plan.version != FORMAT_VERSION:
        raise PlanFileError(f"{path}: tfplan format {plan.version}, not {FORMAT_VERSION}")
    if plan.errored:
        raise PlanFileError(f"{path}: the plan errored")
    if len(plan.deferred_changes):
        raise PlanFileError(f"{path}: deferred changes")
    doc: dict[str, Any] = {"terraform_version": plan.terraform_version}
    changes = [_resource_change(rc, schema_of) for rc in plan.resource_changes]
    # show leaves out a data source's delete (state clean-up) and, outside refresh-only
    # mode, drift with no action (a move only).
    changes = [
        c for c in changes if not (c["mode"] == "data" and c["change"]["actions"] == ["delete"])
    ]
    drift = [
        _resource_change(rc, schema_of)
        for rc in plan.resource_drift
        if plan.ui_mode == _REFRESH_ONLY or rc.change.action != 0
    ]
    for key, entries in (("resource_drift", drift), ("resource_changes", changes)):
        if entries:
            doc[key] = sorted(entries, key=lambda e: str(e["address"]))
    return doc


def _resource_change(rc: Any, schema_of: SchemaOf) -> dict[str, Any]:
    address = rc.addr
    if rc.deposed_key:
        raise PlanFileError(f"{address}: deposed object {rc.deposed_key}")
    parsed = _ADDRESS.fullmatch(address)
    if parsed is None:
        raise PlanFileError(f"{address}: not a root-module resource without an index key")
    provider = _PROVIDER.fullmatch(rc.provider)
    if provider is None:
        raise PlanFileError(f"{address}: provider configuration {rc.provider!r}")
    data, rtype, name = parsed.groups()
    mode = "data" if data else "managed"
    ty = implied_type(schema_of(provider.group(1), mode, rtype))
    change = rc.change
    if change.action not in _ACTIONS:
        raise PlanFileError(f"{address}: action {change.action}")
    actions, before_at, after_at = _ACTIONS[change.action]
    values = [
        typed(_unpack(v.msgpack), ty, address) if v.msgpack else _missing(address)
        for v in change.values
    ]
    if len(values) != len({before_at, after_at} - {None}):
        raise PlanFileError(f"{address}: {len(values)} values for {actions}")
    out: dict[str, Any] = {
        "actions": list(actions),
        "before": None if before_at is None else known(values[before_at], f"{address} before"),
    }
    after = None if after_at is None else values[after_at]
    if after is not UNKNOWN:  # a wholly unknown value: show prints no "after"
        out["after"] = omit_unknowns(after)
    if len(rc.required_replace):
        out["replace_paths"] = [_path(p, address) for p in rc.required_replace]
    if change.HasField("importing"):
        out["importing"] = _importing(change.importing, address)
    if change.generated_config:
        out["generated_config"] = change.generated_config
    entry: dict[str, Any] = {
        "address": address,
        "mode": mode,
        "type": rtype,
        "name": name,
        "provider_name": provider.group(1),
        "change": out,
    }
    if rc.prev_run_addr and rc.prev_run_addr != address:
        entry["previous_address"] = rc.prev_run_addr
    if rc.action_reason:
        if rc.action_reason not in _REASONS:
            raise PlanFileError(f"{address}: action reason {rc.action_reason}")
        entry["action_reason"] = _REASONS[rc.action_reason]
    return entry


def _missing(address: str) -> Any:
    raise PlanFileError(f"{address}: a value without its msgpack form")


def _path(path: Any, address: str) -> list[Any]:
    steps: list[Any] = []
    for step in path.steps:
        if step.HasField("element_key"):
            key = _unpack(step.element_key.msgpack)
            if isinstance(key, bool) or not isinstance(key, str | int):
                raise PlanFileError(f"{address}: replace path key {key!r}")
            steps.append(key)
        else:
            steps.append(step.attribute_name)
    return steps


def _importing(importing: Any, address: str) -> dict[str, Any]:
    if importing.unknown:
        return {"unknown": True}
    if not importing.id:
        raise PlanFileError(f"{address}: an import by identity")
    return {"id": importing.id}

"""What a catalog row reads, and its verdict against the AWS API model.

- :func:`static_reads`: every ``req``/``resp`` path reachable from the row's objects;
- :func:`reads_of`: every key path the row's own code looks up in a call (a logging probe);
- :func:`check_row`: both judged by :func:`tests.catalog.api_model.judge`, over the calls the
  catalog tests feed the row (tests/fixtures/api_shapes/observed.json) and a call built from
  the operation's model, with the known exceptions of api_exceptions.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.catalog.api_exceptions import DEAD_READS, DELIBERATE, RECORDED_EXTRAS, listed
from tests.catalog.api_model import call_event, judge, model_call, present_paths, row_operation
from tfdrift_gitops.core.catalog.model import Rule, deep_copy_attrs
from tfdrift_gitops.core.shape import _probe
from tfdrift_gitops.models import CloudEvent

Read = tuple[str, tuple[str, ...]]
"""("request" | "response", key path)."""

Group = frozenset[Read]
"""Alternatives a row reads one value from (``first(req(a), resp(b))``): the row reads a key
the API has when at least one of them is a member of the operation's shapes (a helper shared
by several calls tries each call's key; the others are dead for this call, not misread)."""


def static_reads(root: object) -> set[Group]:
    """Every ``req(...)``/``resp(...)`` path reachable from a row (its targets, effects,
    severity checks and id extractors, through closures and dataclass fields), grouped by
    ``first(...)``; an ``item_list(extractor, field)`` reads ``field`` in each item
    (``path.*.field``)."""
    return _reads_of(root, {})


def _cells(fn: Any) -> dict[str, Any]:
    names = fn.__code__.co_freevars
    return {
        name: cell.cell_contents
        for name, cell in zip(names, fn.__closure__ or (), strict=True)
        if _filled(cell)
    }


def _filled(cell: Any) -> bool:
    try:
        cell.cell_contents  # noqa: B018 - an empty cell raises
    except ValueError:
        return False
    return True


def _function_reads(fn: Any, seen: dict[int, set[Group]]) -> set[Group]:
    qualname = getattr(fn, "__qualname__", "")
    cells = _cells(fn)
    if qualname in ("req.<locals>.extract", "resp.<locals>.extract"):
        side = "request" if qualname.startswith("req.") else "response"
        return {frozenset({(side, tuple(cells["parts"]))})}
    if qualname == "item_list.<locals>.extract" and isinstance(cells.get("field_path"), str):
        extra = tuple(cells["field_path"].split("."))
        return {
            frozenset((side, (*parts, "*", *extra)) for side, parts in group)
            for group in _reads_of(cells["extractor"], seen)
        }
    if qualname == "first.<locals>.extract":
        inner = _reads_of(cells["extractors"], seen)
        return {frozenset(read for group in inner for read in group)} if inner else set()
    found: set[Group] = set()
    defaults = (*(fn.__defaults__ or ()), *(getattr(fn, "__kwdefaults__", None) or {}).values())
    for value in (*cells.values(), *defaults):
        found |= _reads_of(value, seen)
    return found


def _reads_of(obj: object, seen: dict[int, set[Group]]) -> set[Group]:
    """Memoised by object (extractors are shared between rows and effects); a cycle reads
    nothing more the second time round."""
    if isinstance(obj, str | bytes | int | float | bool | type(None)):
        return set()
    if id(obj) in seen:
        return seen[id(obj)]
    seen[id(obj)] = set()
    found = _uncached_reads(obj, seen)
    seen[id(obj)] = found
    return found


def _uncached_reads(obj: object, seen: dict[int, set[Group]]) -> set[Group]:
    if callable(obj) and hasattr(obj, "__code__"):
        return _function_reads(obj, seen)
    found: set[Group] = set()
    if hasattr(obj, "__func__") and hasattr(obj, "__self__"):  # a bound method
        return _reads_of(obj.__func__, seen) | _reads_of(obj.__self__, seen)
    values: Iterable[Any] = ()
    if hasattr(obj, "func") and hasattr(obj, "args") and hasattr(obj, "keywords"):  # partial
        values = (obj.func, *obj.args, *obj.keywords.values())
    elif isinstance(obj, Mapping):
        values = obj.values()
    elif isinstance(obj, list | tuple | set | frozenset):
        values = obj
    elif hasattr(obj, "__dataclass_fields__"):
        values = [getattr(obj, name, None) for name in obj.__dataclass_fields__]
    for value in values:
        found |= _reads_of(value, seen)
    return found


def reads_of(rule: Rule, event: CloudEvent) -> set[str]:
    """Key paths the row looks up in the call (``request:a.b``, list items as ``*``)."""
    probe, log = _probe(event)
    calls: list[Any] = []
    if rule.matches is not None:
        matches = rule.matches
        calls.append(lambda: matches(probe))
    if rule.known_ids is not None:
        known_ids = rule.known_ids
        calls.append(lambda: known_ids(probe))
    for target in rule.targets:
        calls.append(lambda t=target: t.id(probe))
        if target.import_id is not None:
            calls.append(lambda t=target: t.import_id(probe))
        if target.hidden is not None:
            calls.append(lambda t=target: t.hidden(probe))
        scratch: dict[str, Any] = deep_copy_attrs({})
        for effect in target.effects:
            calls.append(lambda e=effect, s=scratch: e.apply(s, probe))
    for check in rule.severity_checks:
        calls.append(lambda c=check: c(probe, {}))
    for call in calls:
        try:
            call()
        except Exception:  # an effect over empty attributes may refuse; its reads are logged
            continue
    return {path.rstrip(".") for path in log.asked}


SHAPES = Path(__file__).resolve().parents[1] / "fixtures" / "api_shapes"
OBSERVED = SHAPES / "observed.json"
"""What the catalog tests feed each row and what the row reads from it; written by
``scripts/regen_api_shapes.py`` (tests/catalog/record_shapes.py)."""
ORACLE = SHAPES / "oracle.json"
"""The same for the records the Terraform oracle writes (``regen_api_shapes.py --oracle``,
slow: every oracle module runs); read when present."""


@dataclass
class RowCheck:
    """One row against its operation's model."""

    operation: str = ""
    """``service:Operation``, empty when no model has the row's event."""
    fed: bool = False
    """The catalog tests feed the row calls (their keys are judged too)."""
    model_reads: int = 0
    """Key paths the row looked up in a call built from the API model (every member set)."""
    request_keys: int = 0
    """Distinct request key paths judged: read by the row or present in its test calls."""
    response_keys: int = 0
    problems: list[str] = field(default_factory=list)
    excused: set[str] = field(default_factory=set)
    """``side:path`` the model lacks that DEAD_READS, RECORDED_EXTRAS or DELIBERATE excuse."""

    @property
    def checked(self) -> bool:
        """Every read seen (statically, on the tests' calls, on a model-built call) fits."""
        return bool(self.operation) and not self.problems


def observed_rows(*paths: Path) -> dict[tuple[str, str, str], Mapping[str, Any]]:
    """Per row, the calls the recorded files hold (default: observed.json, and oracle.json
    when present), merged."""
    merged: dict[tuple[str, str, str], dict[str, Any]] = {}
    files = paths or tuple(p for p in (OBSERVED, ORACLE) if p.is_file())
    for path in files:
        for row in json.loads(path.read_text(encoding="utf-8")):
            key = (row["source"], row["event"], row["discriminator"] or "")
            into = merged.setdefault(key, {**row, "calls": []})
            into["calls"] = [*into["calls"], *row["calls"]]
    return dict(merged)


def _shapes(rule: Rule, calls: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """Key paths present in the calls and looked up by the row in them (replayed now), each
    with the first test that showed it."""
    found: dict[str, dict[str, str]] = {"request": {}, "response": {}, "read": {}}
    for call in calls:
        event = call_event(call["name"], rule.source, call["request"], call["response"])
        for side in ("request", "response"):
            for parts in present_paths(call[side]):
                found[side].setdefault(".".join(parts), call["test"])
        for name in reads_of(rule, event):
            found["read"].setdefault(name, call["test"])
    return found


def check_row(rule: Any, seen: Mapping[str, Any] | None) -> RowCheck:
    """The row's reads (``req``/``resp`` paths reachable from it, and every key path its
    extractors looked up in the calls the tests fed it) and the calls' own keys, judged
    against the operation's input and output shapes."""
    op = row_operation(rule.source, rule.event, rule.discriminator)
    result = RowCheck()
    if op is None:
        result.problems.append(f"{rule.event}: no operation of that name in botocore's model")
        return result
    result.operation = f"{op.service_model.service_name}:{op.name}"
    judged: set[str] = set()
    alternatives: set[str] = set()
    for group in static_reads(rule):
        verdicts = {read: judge(op, *read) for read in group}
        names = {f"{side}:{'.'.join(parts)}" for side, parts in group}
        judged |= names
        if any(v.ok for v in verdicts.values()):
            # A lookup stops at the first absent key: a prefix of an alternative is one too.
            alternatives |= {
                f"{side}:{'.'.join(parts[:n])}"
                for side, parts in group
                for n in range(1, len(parts) + 1)
            }
            continue
        for read, verdict in sorted(verdicts.items()):
            name = f"{read[0]}:{'.'.join(read[1])}"
            if listed(DEAD_READS, op, name):
                result.excused.add(name)
            else:
                result.problems.append(f"reads {name}: {verdict.reason}")
    built = "a call built from the API model"
    model_read = dict.fromkeys(reads_of(rule, model_call(op, rule.event)), built)
    model = {"request": {}, "response": {}, "read": model_read}
    result.model_reads = len(model_read)
    result.fed = bool(seen and seen["calls"])
    sources = [model, _shapes(rule, seen["calls"])] if seen else [model]
    for fed in sources:
        for kind in ("read", "request", "response"):
            for path, test in fed[kind].items():
                name = path if kind == "read" else f"{kind}:{path}"
                side, _, dotted = name.partition(":")
                if not dotted or name in alternatives:
                    continue
                judged.add(name)
                verdict = judge(op, side, tuple(dotted.split(".")))
                if verdict.ok:
                    continue
                if (
                    listed(RECORDED_EXTRAS, op, name)
                    or test in DELIBERATE
                    or (kind == "read" and listed(DEAD_READS, op, name))
                ):
                    result.excused.add(name)
                    continue
                what = "reads" if kind == "read" else "is fed"
                result.problems.append(f"{what} {name} ({test}): {verdict.reason}")
    result.request_keys = sum(1 for n in judged if n.startswith("request:"))
    result.response_keys = sum(1 for n in judged if n.startswith("response:"))
    return result

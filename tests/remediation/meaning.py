"""What remediated code means: the attributes a remediation wrote, read back independently.

Each attribute on a drift's path is read from the patched file twice: by python-hcl2 (its
structure, numbers, booleans and plain strings; it keeps escapes raw, so it is not trusted with
those: DESIGN.md "HCL editing") and by ``terraform console`` (every literal, exactly). An import
must read back as the drift's observed value; a revert, and every path a remediation refused,
must read back as the untouched code.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hcl2

from tests.remediation.tf_console import evaluate, same
from tfdrift_gitops.models import Drift, Kind
from tfdrift_gitops.remediation import RemediationResult
from tfdrift_gitops.remediation.hcl_tree import Attribute, Block, body_items, parse, span
from tfdrift_gitops.remediation.hcl_tree import top_blocks as tree_blocks
from tfdrift_gitops.remediation.result import FileChange

# Attributes the provider computes: observed in CloudTrail or state, never written to code.
COMPUTED = frozenset({"arn", "id", "tags_all", "security_group_rule_id"})
_PATH_PART = re.compile(r'\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|([^.\[\]]+)')


@dataclass(frozen=True)
class Expr:
    """An attribute's expression, as source text."""

    text: str


def path_parts(path: str) -> list[str | int]:
    """``metadata_options[0].http_tokens`` -> ["metadata_options", 0, "http_tokens"]."""
    parts: list[str | int] = []
    for index, key, name in _PATH_PART.findall(path):
        parts.append(int(index) if index else json.loads(f'"{key}"') if key else name)
    return parts


def resource_labels(drift: Drift) -> tuple[str, str]:
    """The resource block's labels: the address's last type.name, instance keys dropped."""
    address = re.sub(r'\[(?:\d+|"(?:[^"\\]|\\.)*")\]', "", drift.resource.address)
    rtype, name = address.split(".")[-2:]
    return rtype, name


def find_block(text: str, labels: tuple[str, str]) -> Block | None:
    blocks = tree_blocks(parse(text, "reread.tf"))
    return next((b for b in blocks if b.type == "resource" and b.labels == labels), None)


def block_view(block: Block, text: str) -> dict[str, Any]:
    """Attributes as ``Expr`` (source text); nested blocks as lists of views."""
    view: dict[str, Any] = {}
    for item in body_items(block.body):
        if isinstance(item, Attribute):
            start, end = span(item.expr)
            view[item.name] = Expr(text[start:end].strip())
        else:
            view.setdefault(item.type, []).append(block_view(item, text))
    return view


def at_path(view: Any, parts: list[str | int]) -> tuple[Any, list[str | int]]:
    """The view under ``parts`` and what is left of the path once it reaches an expression."""
    for position, part in enumerate(parts):
        if isinstance(view, Expr):
            return view, parts[position:]
        view = view[part]
    return view, []


def expressions(view: Any) -> list[Expr]:
    if isinstance(view, Expr):
        return [view]
    if isinstance(view, dict):
        return [e for v in view.values() for e in expressions(v)]
    if isinstance(view, list):
        return [e for v in view for e in expressions(v)]
    return []


def materialise(view: Any, values: dict[Expr, Any]) -> Any:
    if isinstance(view, Expr):
        return values[view]
    if isinstance(view, dict):
        return {k: materialise(v, values) for k, v in view.items()}
    if isinstance(view, list):
        return [materialise(v, values) for v in view]
    return view


def descend(value: Any, parts: list[str | int]) -> Any:
    for part in parts:
        value = value[part]
    return value


def _empty(value: Any) -> bool:
    return value is None or value is False or value in ("", [], {})


def _json(text: str) -> Any:
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict | list) else None


def means(code: Any, observed: Any) -> bool:
    """Whether ``code`` (as read back) says ``observed``: blocks may leave out empty arguments,
    sets of blocks match in any order, JSON documents match as JSON."""
    if isinstance(code, str) and isinstance(observed, str):
        if code == observed:
            return True
        document = _json(code)
        return document is not None and document == _json(observed)
    if isinstance(code, dict) and isinstance(observed, dict):
        return all(k in observed and means(v, observed[k]) for k, v in code.items()) and all(
            _empty(v) for k, v in observed.items() if k not in code
        )
    if isinstance(code, list) and isinstance(observed, list):
        if len(code) != len(observed):
            return False
        if all(isinstance(v, dict) for v in (*code, *observed)):
            left = list(observed)
            for item in code:
                match = next((o for o in left if means(item, o)), None)
                if match is None:
                    return False
                left.remove(match)
            return True
        return all(means(c, o) for c, o in zip(code, observed, strict=True))
    return same(code, observed)


# --------------------------------------------------------------------------- python-hcl2


def hcl2_resource(text: str, labels: tuple[str, str]) -> dict[str, Any]:
    """python-hcl2's dict for one resource block (labels come back quoted)."""
    rtype, name = (f'"{label}"' for label in labels)
    found = [
        r[rtype][name]
        for r in hcl2.loads(text).get("resource", [])
        if rtype in r and name in r[rtype]
    ]
    assert len(found) == 1, f"{labels}: {len(found)} blocks"
    resource: dict[str, Any] = found[0]
    return resource


def hcl2_plain(value: Any) -> Any:
    """What python-hcl2 reads reliably, or ``UNREAD``: a plain quoted string (no escapes, no
    template sigils), numbers, booleans, and lists, objects and blocks made of those."""
    if isinstance(value, str):
        if re.fullmatch(r'"[^"\\$%]*"', value):
            return value[1:-1]
        return UNREAD
    if isinstance(value, dict):
        keys = {k: hcl2_plain(k) if k.startswith('"') else k for k in value}
        if UNREAD in keys.values():
            return UNREAD
        return {keys[k]: hcl2_plain(v) for k, v in value.items() if not k.startswith("__")}
    if isinstance(value, list):
        return [hcl2_plain(v) for v in value]
    return value


class _Unread:
    def __repr__(self) -> str:
        return "UNREAD"


UNREAD: Any = _Unread()


def agrees(hcl2_value: Any, exact: Any) -> bool:
    """python-hcl2's reading agrees with Terraform's wherever python-hcl2 can be trusted."""
    if hcl2_value is UNREAD:
        return True
    if isinstance(hcl2_value, dict) and isinstance(exact, dict):
        return hcl2_value.keys() == exact.keys() and all(
            agrees(v, exact[k]) for k, v in hcl2_value.items()
        )
    if isinstance(hcl2_value, list) and isinstance(exact, list):
        return len(hcl2_value) == len(exact) and all(
            agrees(h, e) for h, e in zip(hcl2_value, exact, strict=True)
        )
    return same(hcl2_value, exact)


# --------------------------------------------------------------------------- the checks


def read_back(
    text: str, labels: tuple[str, str], paths: list[str], terraform: str, scratch: Path
) -> dict[str, tuple[Any, Any]]:
    """Each path's value in one resource block: (Terraform's reading, python-hcl2's)."""
    block = find_block(text, labels)
    assert block is not None, f"no resource {labels}"
    view = block_view(block, text)
    selected = {path: at_path(view, path_parts(path)) for path in paths}
    wanted = list(dict.fromkeys(e for sub, _ in selected.values() for e in expressions(sub)))
    read = evaluate(terraform, [e.text + "\n" for e in wanted], scratch) if wanted else []
    values = dict(zip(wanted, read, strict=True))
    parsed = hcl2_plain(hcl2_resource(text, labels))
    readings: dict[str, tuple[Any, Any]] = {}
    for path, (sub, rest) in selected.items():
        loose = parsed
        for part in path_parts(path):
            loose = UNREAD if loose is UNREAD else loose[part]
        readings[path] = (descend(materialise(sub, values), rest), loose)
    return readings


def source_at(text: str, labels: tuple[str, str], path: str) -> Any:
    """The code under ``path`` as source text (nested blocks as lists of views)."""
    block = find_block(text, labels)
    assert block is not None, f"no resource {labels}"
    return at_path(block_view(block, text), path_parts(path))


def hcl2_meaning(text: str) -> Any:
    """A file as python-hcl2 reads it, without its comments: what Terraform acts on."""
    return _without_comments(hcl2.loads(text))


def _without_comments(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _without_comments(v)
            for k, v in value.items()
            if not (k.startswith("__") and "comments" in k)
        }
    if isinstance(value, list):
        return [_without_comments(v) for v in value]
    return value


def check_import(
    drift: Drift, result: RemediationResult, terraform: str, scratch: Path
) -> list[str]:
    """An import's patched attributes read back as the observed values; refused ones are
    untouched. Returns the paths checked against Terraform's reading."""
    refused = {r.path for r in result.refusals}
    if drift.kind is Kind.DELETED:
        check_removed(drift, result)
        return []
    if drift.kind is Kind.UNMANAGED:
        created = [c for c in result.changes if c.old is None]
        if not created:
            return []
        [change] = created
        [block] = [b for b in tree_blocks(parse(change.new, change.path)) if b.type == "resource"]
        labels = (block.labels[0], block.labels[1])
        assert block.labels[0] == drift.resource.type
        old_text = None
    else:
        labels = resource_labels(drift)
        found = changed_file(result, labels)
        if found is None:  # nothing written: every change needs a person
            assert {c.path for c in drift.changes} <= refused | {""} or "" in refused
            return []
        change = found
        old_text = change.old
    written = block_view(_block(change.new, labels), change.new)
    checked: list[str] = []
    for observed in drift.changes:
        top = path_parts(observed.path)[0]
        if observed.path in refused or "" in refused:
            assert old_text is not None, f"{observed.path}: refused in a new file"
            assert source_at(change.new, labels, observed.path) == source_at(
                old_text, labels, observed.path
            ), f"{observed.path} was refused but its code changed"
        elif top not in written:
            assert top in COMPUTED, f"{observed.path} is observed but not written"
        else:
            checked.append(observed.path)
    readings = read_back(change.new, labels, checked, terraform, scratch)
    for observed in drift.changes:
        if observed.path in readings:
            exact, loose = readings[observed.path]
            assert means(exact, observed.after), (
                f"{observed.path}: Terraform reads {exact!r}, the drift observed {observed.after!r}"
            )
            assert agrees(loose, exact), f"{observed.path}: python-hcl2 reads {loose!r}"
    return checked


def changed_file(result: RemediationResult, labels: tuple[str, str]) -> FileChange | None:
    holding = [c for c in result.changes if find_block(c.new, labels) is not None]
    assert len(holding) <= 1, [c.path for c in holding]
    return holding[0] if holding else None


def _block(text: str, labels: tuple[str, str]) -> Block:
    block = find_block(text, labels)
    assert block is not None, f"no resource {labels}"
    return block


def check_removed(drift: Drift, result: RemediationResult) -> None:
    """A deleted resource's block is gone, a ``removed`` block names it, nothing else moved."""
    labels = resource_labels(drift)
    holding = [c for c in result.changes if c.old and find_block(c.old, labels)]
    if not holding:
        return
    [change] = holding
    assert change.old is not None
    assert find_block(change.new, labels) is None, "the deleted resource is still declared"
    before, after = hcl2_meaning(change.old), hcl2_meaning(change.new)
    removed = after.pop("removed", [])
    assert [r["from"] for r in removed] == ["${" + ".".join(labels) + "}"]
    rtype, name = (f'"{label}"' for label in labels)
    before["resource"] = [r for r in before["resource"] if not (rtype in r and name in r[rtype])]
    assert before == after, "removing the block changed other code"


def check_untouched(result: RemediationResult) -> None:
    """A revert (or an ignore) changes no meaning: at most comments are added."""
    for change in result.changes:
        assert change.old is not None, f"{change.path}: a revert created a file"
        assert hcl2_meaning(change.old) == hcl2_meaning(change.new), change.path


def check_meaning(drift: Drift, result: RemediationResult, terraform: str, scratch: Path) -> None:
    if result.strategy == "import":
        check_import(drift, result, terraform, scratch)
    else:
        check_untouched(result)

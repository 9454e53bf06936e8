"""One change model for every output: what a reviewer needs to read a drift at a glance.

A ``Change`` holds two whole values (state's and the observed one). Shown side by side they
hide the difference: two 40-line JSON arrays that differ by one rule. ``describe`` turns a
change into *lines*, each an operation and one line of plain text:

* sets and lists of objects: the elements added (``+``) and removed (``-``), each named by what
  identifies it (a security group rule by port range, protocol, sources and description;
  anything else by its non-empty fields);
* maps (tags, environment variables): keys added, removed, changed;
* JSON policy documents (IAM, bucket, key, queue policies): statements added, removed, changed,
  each spelled as ``Allow s3:* on *`` so that a widening is visible;
* lists of scalars: items added and removed;
* scalars: ``before → after``;
* hidden values (CloudTrail's ``<sensitiveDataRemoved>``, our redaction): ``(hidden)``.

Every renderer (terminal, GitHub issue/PR/comment, job summary, Slack, Discord, report page)
takes these lines and escapes them for its medium; the full values stay in the view for media
that can collapse them. Pure: no I/O, no template engine.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from tfdrift_gitops.models import Change

Op = Literal["+", "-", "~"]

HIDDEN_TEXT: Final = "(hidden)"
NONE_TEXT: Final = "(none)"
MAX_LINE_CHARS: Final = 240
"""One line of a change: a value longer than this is cut with an ellipsis (the full value
stays available in the collapsed block)."""
MAX_LINES: Final = 50
"""Lines per change; a rewrite of a 5,000-element list says how many more there are."""

# CloudTrail's placeholders, the catalog's (core/catalog/hidden.py) and the ledger's redaction
# (ledger/redact.py); spelled out here so that rendering does not load the catalog.
_HIDDEN_MARKERS: Final = frozenset(
    {
        "<sensitiveDataRemoved>",
        "HIDDEN_DUE_TO_SECURITY_REASONS",
        "<sensitiveDataRemoved; written by Terraform>",
        "<redacted by tfdrift-gitops>",
    }
)
# What core/redact.py writes in place of a secret from state: already words, shown as they are.
_MASKS: Final = frozenset({"(hidden)", "(hidden, changed)", "(hidden by CloudTrail)"})
_RULE_KEYS: Final = frozenset({"from_port", "to_port", "protocol", "ip_protocol"})
_PROTOCOLS: Final = {"-1": "all", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}


@dataclass(frozen=True, slots=True)
class Line:
    op: Op
    text: str

    def render(self) -> str:
        return f"{self.op} {self.text}" if self.op != "~" else self.text


@dataclass(frozen=True, slots=True)
class ChangeView:
    """``shape``: set | map | policy | list | scalar | hidden."""

    path: str
    shape: str
    lines: tuple[Line, ...]
    before: Any
    after: Any
    more: int = 0

    @property
    def summary(self) -> str:
        """Every line on one line, ``; ``-separated (table cells, chat fields)."""
        text = "; ".join(line.render() for line in self.lines)
        return text + (f"; …and {self.more} more" if self.more else "")

    @property
    def structured(self) -> bool:
        """Whether the full values say more than the lines (then they are worth a fold)."""
        return self.shape not in {"scalar", "hidden"}

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "shape": self.shape,
            "lines": [{"op": line.op, "text": line.text} for line in self.lines],
            "summary": self.summary,
            "more": self.more,
        }


def cut(text: str, limit: int = MAX_LINE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_hidden(value: Any) -> bool:
    return isinstance(value, str) and (value.strip() in _HIDDEN_MARKERS or value in _MASKS)


def scalar_text(value: Any) -> str:
    """A value on one line: ``(none)``, ``(hidden)``, JSON otherwise (strings quoted)."""
    if value is None:
        return NONE_TEXT
    if is_hidden(value):
        return value if value in _MASKS else HIDDEN_TEXT
    return cut(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str))


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


# ------------------------------------------------------------------------- set elements


def _strings(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value if v not in (None, "")]
    if value in (None, "", False):
        return []
    return [str(value)]


def rule_text(rule: Mapping[str, Any]) -> str:
    """A security group rule as people say it: ``22/tcp from 0.0.0.0/0 "temp debug"``."""
    protocol = str(rule.get("protocol", rule.get("ip_protocol", "")) or "")
    protocol = _PROTOCOLS.get(protocol, protocol.lower())
    low, high = rule.get("from_port"), rule.get("to_port")
    if protocol == "all":
        where = "all traffic"
    elif low in (None, "") and high in (None, ""):
        where = protocol or "?"
    else:
        ports = f"{low}" if low == high or high in (None, "") else f"{low}-{high}"
        where = f"{ports}/{protocol}" if protocol else f"port {ports}"
    sources = [
        *_strings(rule.get("cidr_blocks")),
        *_strings(rule.get("ipv6_cidr_blocks")),
        *_strings(rule.get("cidr_ipv4")),
        *_strings(rule.get("cidr_ipv6")),
        *_strings(rule.get("prefix_list_ids")),
        *_strings(rule.get("prefix_list_id")),
        *_strings(rule.get("security_groups")),
        *_strings(rule.get("referenced_security_group_id")),
    ]
    if rule.get("self") is True:
        sources.append("self")
    text = where + (f" from {', '.join(sources)}" if sources else "")
    description = rule.get("description")
    if isinstance(description, str) and description:
        text += " " + json.dumps(description, ensure_ascii=False)
    return text


def element_text(value: Any) -> str:
    """One element of a set or list: a rule by its identity, an object by its set fields."""
    if isinstance(value, Mapping):
        if value.keys() & _RULE_KEYS and ("from_port" in value or "protocol" in value):
            return cut(rule_text(value))
        shown = {k: v for k, v in value.items() if v not in (None, "", [], {}, False)}
        body = ", ".join(f"{k}: {scalar_text(v)}" for k, v in sorted(shown.items()))
        return cut("{" + body + "}")
    return scalar_text(value)


def _set_lines(before: Sequence[Any], after: Sequence[Any]) -> tuple[list[Line], str]:
    old = [_key(v) for v in before]
    new = [_key(v) for v in after]
    old_set, new_set = set(old), set(new)
    added = [v for v, k in zip(after, new, strict=True) if k not in old_set]
    removed = [v for v, k in zip(before, old, strict=True) if k not in new_set]
    objects = any(isinstance(v, Mapping) for v in (*before, *after))
    shape = "set" if objects else "list"
    if (
        objects
        and len(added) == 1
        and len(removed) == 1
        and isinstance(added[0], Mapping)
        and isinstance(removed[0], Mapping)
        and not (added[0].keys() & _RULE_KEYS)
    ):
        # One block rewritten (``versioning_configuration``): its fields, not two objects.
        fields = _map_lines(removed[0], added[0])
        if fields:
            return fields, shape
    lines = [Line("+", element_text(v)) for v in added]
    lines += [Line("-", element_text(v)) for v in removed]
    if not lines and old != new:
        lines = [Line("~", "order changed")]
    return lines, shape


# --------------------------------------------------------------------------------- maps


def _map_lines(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Line]:
    lines = [Line("+", f"{k} = {scalar_text(after[k])}") for k in sorted(after) if k not in before]
    lines += [Line("-", f"{k}") for k in sorted(before) if k not in after]
    lines += [
        Line("~", f"{k}: {scalar_text(before[k])} → {scalar_text(after[k])}")
        for k in sorted(before)
        if k in after and _key(before[k]) != _key(after[k])
    ]
    return lines


# ----------------------------------------------------------------------- policy documents


def policy_document(value: Any) -> Mapping[str, Any] | None:
    """The policy a value holds (a JSON string or an object with ``Statement``), else None."""
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    if isinstance(value, Mapping) and "Statement" in value:
        return value
    return None


def _statements(document: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    if document is None:
        return []
    raw = document.get("Statement")
    items = raw if isinstance(raw, list) else [raw]
    return [s for s in items if isinstance(s, Mapping)]


def _joined(value: Any) -> str:
    items = _strings(value) if not isinstance(value, Mapping) else [_principal(value)]
    return ", ".join(items) if items else "?"


def _principal(value: Mapping[str, Any]) -> str:
    parts = []
    for kind, who in sorted(value.items()):
        parts += [f"{kind}:{w}" if kind != "AWS" else w for w in _strings(who)]
    return ", ".join(parts)


def statement_text(statement: Mapping[str, Any]) -> str:
    """``Allow s3:* on *``; ``NotAction``/``NotResource`` spelled ``all but``; the principal
    (resource policies) as ``to …``; conditions only noted (their text is in the fold)."""
    effect = str(statement.get("Effect") or "?")
    if "NotAction" in statement:
        actions = "all actions but " + _joined(statement.get("NotAction"))
    else:
        actions = _joined(statement.get("Action"))
    if "NotResource" in statement:
        resources = "all resources but " + _joined(statement.get("NotResource"))
    else:
        resources = _joined(statement.get("Resource"))
    text = f"{effect} {actions} on {resources}"
    principal = statement.get("Principal")
    if principal is not None:
        text += f" to {principal if isinstance(principal, str) else _joined(principal)}"
    if statement.get("Condition"):
        text += " (with conditions)"
    return cut(text)


def _policy_lines(before: Any, after: Any) -> list[Line]:
    old = _statements(policy_document(before))
    new = _statements(policy_document(after))
    by_sid_old = {str(s["Sid"]): s for s in old if s.get("Sid")}
    by_sid_new = {str(s["Sid"]): s for s in new if s.get("Sid")}
    lines: list[Line] = []
    for sid in sorted(by_sid_old.keys() & by_sid_new.keys()):
        if _key(by_sid_old[sid]) != _key(by_sid_new[sid]):
            was, now = statement_text(by_sid_old[sid]), statement_text(by_sid_new[sid])
            detail = f"{was} → {now}" if was != now else f"{now} (conditions changed)"
            lines.append(Line("~", f"{sid}: {detail}"))
    paired = by_sid_old.keys() & by_sid_new.keys()
    old_keys = {_key(s) for s in old}
    new_keys = {_key(s) for s in new}
    lines[:0] = [
        Line("+", statement_text(s))
        for s in new
        if _key(s) not in old_keys and str(s.get("Sid") or "") not in paired
    ]
    lines[len(lines) :] = [
        Line("-", statement_text(s))
        for s in old
        if _key(s) not in new_keys and str(s.get("Sid") or "") not in paired
    ]
    return lines


# ------------------------------------------------------------------------------ describe


def describe(change: Change) -> ChangeView:
    before, after = change.before, change.after
    lines: list[Line]
    if is_hidden(before) or is_hidden(after):
        shape = "hidden"
        lines = [Line("~", f"{scalar_text(before)} → {scalar_text(after)}")]
    elif policy_document(after) is not None or policy_document(before) is not None:
        shape, lines = "policy", _policy_lines(before, after)
    elif isinstance(after, list | type(None)) and isinstance(before, list | type(None)):
        if before is None and after is None:
            shape, lines = "scalar", []
        else:
            lines, shape = _set_lines(before or [], after or [])
    elif isinstance(after, Mapping | type(None)) and isinstance(before, Mapping | type(None)):
        shape, lines = "map", _map_lines(before or {}, after or {})
    else:
        shape, lines = "scalar", []
    if not lines:
        shape = shape if shape != "set" else "scalar"
        lines = [Line("~", f"{scalar_text(before)} → {scalar_text(after)}")]
    more = max(0, len(lines) - MAX_LINES)
    return ChangeView(change.path, shape, tuple(lines[:MAX_LINES]), before, after, more)


def describe_all(changes: Sequence[Change]) -> list[ChangeView]:
    return [describe(c) for c in changes]

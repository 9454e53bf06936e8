"""The drift report page: one self-contained HTML file (``tfdrift-gitops report``).

No network at all: CSS, SVG charts and a few lines of plain JavaScript are inline. Everything a
CloudTrail caller controls is escaped: control characters, bidi overrides and lone surrogates
are made visible (``\\uXXXX``, as on the terminal), the page is rendered by jinja2 with
autoescape on, and
the table's data travels as JSON inside ``<script type="application/json">`` with ``<``, ``>``
and ``&`` written as ``\\u`` escapes, then shown through ``textContent`` only (the script never
writes HTML). Links are built in the page only from checked parts (a GitHub ``owner/name``
checked here, issue and PR numbers, region and event id matching strict patterns), never from
raw text.

The table's rows are compact arrays with shared lookup lists (actors, accounts, services), so
5,000 drifts stay well under 2 MB; a row's details are built when it is opened.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

import jinja2
from markupsafe import Markup

from tfdrift_gitops.models import ActorKind, Drift, Severity, Status, format_time
from tfdrift_gitops.render.changes import describe
from tfdrift_gitops.render.labels import ACTOR_KIND_LABEL, KIND_LABEL, VIA_LABEL, state_label
from tfdrift_gitops.render.text import safe
from tfdrift_gitops.templating import search_path

TEMPLATE: Final = "report.html.j2"
DAYS: Final = 90
MAX_CHANGE_CHARS: Final = 300
"""What a row carries of its changes; the ledger holds the rest (``ledger show``)."""
_REPO: Final = re.compile(r"[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}")
SEVERITY_COLOUR: Final = {
    Severity.CRITICAL: "#c62828",
    Severity.HIGH: "#ef6c00",
    Severity.MEDIUM: "#f9a825",
    Severity.LOW: "#1e88e5",
}
RESOLUTION_BUCKETS: Final = (
    ("< 1 hour", timedelta(hours=1)),
    ("< 1 day", timedelta(days=1)),
    ("< 1 week", timedelta(days=7)),
    ("< 30 days", timedelta(days=30)),
    ("30 days or more", timedelta.max),
)


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    count: int
    width: float
    """Share of the largest bar, 0..100 (percent of the chart width)."""
    colour: str = "#5c6bc0"


def _bars(
    counts: Counter[str],
    colours: dict[str, str] | None = None,
    limit: int = 12,
    *,
    keep_order: bool = False,
) -> list[Bar]:
    items = list(counts.items()) if keep_order else counts.most_common()
    if len(items) > limit:
        rest = sum(c for _, c in items[limit - 1 :])
        items = [*items[: limit - 1], (f"{len(items) - limit + 1} others", rest)]
    top = max((c for _, c in items), default=1) or 1
    return [
        Bar(label, count, 100 * count / top, (colours or {}).get(label, "#5c6bc0"))
        for label, count in items
    ]


def service_of(drift: Drift) -> str:
    """``ec2`` from ``ec2.amazonaws.com``; the resource type's prefix when the source is odd."""
    source = drift.event.source
    if source.endswith(".amazonaws.com"):
        return source.split(".", 1)[0]
    return drift.resource.type.removeprefix("aws_").split("_", 1)[0] or "unknown"


def account_of(drift: Drift) -> str:
    return drift.event.account_id or drift.actor.account_id or "unknown"


def opened_at(drift: Drift) -> datetime:
    """When the drift began: its first call (detection may come much later, on a backfill)."""
    return drift.events[0].time


def resolved_at(drift: Drift) -> datetime | None:
    if drift.status is not Status.RESOLVED:
        return None
    return next((t.time for t in reversed(drift.history) if t.status is Status.RESOLVED), None)


def _duration(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    if hours < 1:
        return f"{max(1, round(hours * 60))} min"
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:.1f} days"


def script_json(value: Any) -> Markup:
    """JSON safe inside ``<script>``: no ``</script>``, ``<!--`` or entity can form."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))  # noqa: S704


class _Table:
    """Shared lookup lists: an actor, account or service repeated across rows is sent once."""

    def __init__(self) -> None:
        self.lists: dict[str, list[Any]] = {
            "actors": [],
            "accounts": [],
            "services": [],
            "states": [],
            "kinds": [],
            "events": [],
            "regions": [],
        }
        self._index: dict[tuple[str, str], int] = {}

    def ref(self, name: str, value: Any) -> int:
        key = (name, json.dumps(value, sort_keys=True))
        if key not in self._index:
            self._index[key] = len(self.lists[name])
            self.lists[name].append(value)
        return self._index[key]


def _second(value: datetime) -> str:
    return format_time(value.replace(microsecond=0))


def _row(drift: Drift, table: _Table) -> list[Any]:
    actor = drift.actor
    actor_ref = table.ref(
        "actors",
        [
            safe(actor.name),
            safe(actor.arn),
            actor.kind.value,
            safe(actor.kind_evidence),
            VIA_LABEL[actor.via],
            safe(actor.source_ip),
            safe(actor.user_agent[:200]),
        ],
    )
    lines: list[str] = []
    for change in drift.changes:
        for line in describe(change).lines:
            lines.append(safe(f"{change.path}: {line.render()}"))
    changes = "\n".join(lines)
    if len(changes) > MAX_CHANGE_CHARS:
        changes = changes[: MAX_CHANGE_CHARS - 1] + "…"
    resolved = resolved_at(drift)
    state = (
        f"{state_label(drift.resource.state)} ({drift.resource.workspace})"
        if drift.resource.state
        else ""
    )
    return [
        safe(drift.id),
        drift.severity.value,
        drift.status.value,
        table.ref("kinds", KIND_LABEL[drift.kind]),
        safe(drift.resource.address or f"{drift.resource.type} {drift.resource.id} (not in state)"),
        table.ref("services", safe(service_of(drift))),
        table.ref("accounts", safe(account_of(drift))),
        actor_ref,
        _second(drift.event.time),
        changes,
        drift.issue_number or 0,
        drift.pr_number or 0,
        _second(resolved) if resolved else "",
        table.ref("regions", safe(drift.event.region)),
        table.ref("states", safe(state)),
        table.ref("events", safe(drift.event.name)),
        safe(drift.event.id),
    ]


_SURROGATE: Final = re.compile("[\ud800-\udfff]")
ROW_FIELDS: Final = (
    "id",
    "severity",
    "status",
    "kind",
    "address",
    "service",
    "account",
    "actor",
    "time",
    "changes",
    "issue",
    "pr",
    "resolved",
    "region",
    "state",
    "event",
    "event_id",
)


def report_context(
    drifts: Sequence[Drift], *, now: datetime, repo: str = "", days: int = DAYS
) -> dict[str, Any]:
    """Everything the template shows, computed from the drifts (pure)."""
    open_drifts = [d for d in drifts if d.status.is_open]
    severities = Counter({s.value: 0 for s in sorted(Severity, key=lambda s: -s.rank)})
    severities.update(d.severity.value for d in open_drifts)
    kinds = Counter(ACTOR_KIND_LABEL[d.actor.kind] for d in open_drifts)
    today = now.astimezone(UTC).date()
    first = today - timedelta(days=days - 1)
    opened: Counter[date] = Counter()
    resolved: Counter[date] = Counter()
    durations: list[timedelta] = []
    for drift in drifts:
        day = opened_at(drift).astimezone(UTC).date()
        if first <= day <= today:
            opened[day] += 1
        done = resolved_at(drift)
        if done is not None:
            durations.append(max(done - opened_at(drift), timedelta(0)))
            if first <= done.astimezone(UTC).date() <= today:
                resolved[done.astimezone(UTC).date()] += 1
    per_day = [(first + timedelta(days=i)) for i in range(days)]
    peak = max([*opened.values(), *resolved.values(), 1])
    buckets: Counter[str] = Counter({label: 0 for label, _ in RESOLUTION_BUCKETS})
    for duration in durations:
        buckets[next(label for label, limit in RESOLUTION_BUCKETS if duration < limit)] += 1
    ordered = sorted(durations)
    table = _Table()
    rows = [_row(d, table) for d in sorted(drifts, key=lambda d: (-d.severity.rank, d.id))]
    return {
        "generated": format_time(now.replace(microsecond=0)),
        "total": len(drifts),
        "open_total": len(open_drifts),
        "resolved_total": sum(1 for d in drifts if d.status is Status.RESOLVED),
        "severity": [
            Bar(b.label, b.count, b.width, SEVERITY_COLOUR[Severity(b.label)])
            for b in _bars(severities, limit=10, keep_order=True)
            if b.label in {s.value for s in Severity}
        ],
        "service": _bars(Counter(safe(service_of(d)) for d in open_drifts)),
        "account": _bars(Counter(safe(account_of(d)) for d in open_drifts)),
        "actor_kind": _bars(kinds),
        "days": [
            {
                "date": day.isoformat(),
                "opened": opened[day],
                "resolved": resolved[day],
                "opened_h": 60 * opened[day] / peak,
                "resolved_h": 60 * resolved[day] / peak,
            }
            for day in per_day
        ],
        "day_count": days,
        "opened_in_window": sum(opened.values()),
        "resolved_in_window": sum(resolved.values()),
        "resolution": {
            "count": len(durations),
            "median": _duration(ordered[len(ordered) // 2]) if ordered else "—",
            "p90": _duration(ordered[int(0.9 * (len(ordered) - 1))]) if ordered else "—",
            "buckets": _bars(buckets, limit=10, keep_order=True),
        },
        "severities": [s.value for s in sorted(Severity, key=lambda s: -s.rank)],
        "statuses": [s.value for s in Status],
        "actor_kinds": [(k.value, ACTOR_KIND_LABEL[k]) for k in ActorKind],
        "data": script_json(
            {
                "fields": ROW_FIELDS,
                "rows": rows,
                # Links are built in the page from checked parts only.
                "repo": repo if _REPO.fullmatch(repo) else "",
                **table.lists,
            }
        ),
    }


def render_report(
    drifts: Sequence[Drift],
    *,
    now: datetime | None = None,
    repo: str = "",
    template_dir: str | None = None,
) -> str:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in search_path(template_dir)]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    context = report_context(drifts, now=now or datetime.now(UTC), repo=repo)
    page = env.get_template(TEMPLATE).render(context)
    # A lone surrogate (valid in JSON input) has no UTF-8 form: write its escape instead, which
    # is the same string inside the JSON block and visible text elsewhere.
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", page)

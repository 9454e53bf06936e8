"""Regenerate tfdrift_gitops/data/evidence.json: which catalog rows a *recorded* CloudTrail
record backs, and which modelled rows are checked against the AWS API model
(``tfdrift-gitops catalog`` shows ``evidence: recorded | modelled, checked against the API
model | modelled``).

    python scripts/regen_evidence.py [--check]

A row is recorded when a real, published record of a successful call (a fixture under
``tests/fixtures/cloudtrail/real/`` or ``tests/fixtures/corpus/``, sources and licences next to
them) is one of its calls, as the catalog itself picks the row (ELB classic and ELBv2 share
names), and a test replays that fixture: some ``tests/**/test_*.py`` names a one-record
fixture, or reaches a many-record one (by name or by globbing its directory) and names the
call too. Failed calls do not count (they show a request, never the shape of a change that
happened). A row that is not recorded is checked against the API model when
tests/catalog/api_model.py finds every key it reads (its req/resp paths, its lookups in the
calls the catalog tests feed it and in a call built from the API model) and every key of the
fed calls in botocore's model of its call (tests/fixtures/api_shapes/observed.json: run
scripts/regen_api_shapes.py first when rows or their tests changed); every other row is
modelled only.
``--check`` exits 1 when the file is stale (tests/cli/test_catalog.py runs the comparison).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tfdrift_gitops.core.catalog import Catalog  # noqa: E402
from tfdrift_gitops.core.names import strip_version_suffix  # noqa: E402
from tfdrift_gitops.core.normalize import normalize_record  # noqa: E402
from tfdrift_gitops.errors import RecordError  # noqa: E402

OUT = ROOT / "tfdrift_gitops" / "data" / "evidence.json"
FIXTURES = ROOT / "tests" / "fixtures"
RECORD_ROOTS = (FIXTURES / "cloudtrail" / "real", FIXTURES / "corpus")
TESTS = ROOT / "tests"


def raw_records(path: Path) -> Iterator[Mapping[str, Any]]:
    """Records of a fixture: ``{"Records": [...]}``, a bare array, or the panther corpus
    (``{event name: [{"record": ...}]}``)."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(doc, Mapping) and isinstance(doc.get("Records"), list):
        yield from (r for r in doc["Records"] if isinstance(r, Mapping))
    elif isinstance(doc, list):
        yield from (r for r in doc if isinstance(r, Mapping))
    elif isinstance(doc, Mapping):
        for entries in doc.values():
            for entry in entries if isinstance(entries, list) else []:
                if isinstance(entry, Mapping) and isinstance(entry.get("record"), Mapping):
                    yield entry["record"]


def test_texts() -> dict[str, str]:
    return {
        str(p.relative_to(ROOT)): p.read_text(encoding="utf-8")
        for p in sorted(TESTS.rglob("test_*.py"))
    }


def names_file(path: Path, text: str) -> bool:
    return path.name in text or f'"{path.stem}"' in text


def replays(path: Path, single: bool, call: str, texts: Mapping[str, str]) -> bool:
    """Some test module names this one-record fixture, or reaches a many-record fixture (by
    name or by globbing its directory) and names the call too."""
    glob = f'"{path.parent.name}").glob('
    for text in texts.values():
        if names_file(path, text) and single:
            return True
        if (names_file(path, text) or glob in text) and call in text:
            return True
    return False


def recorded_rows() -> list[dict[str, Any]]:
    catalog = Catalog.default()
    texts = test_texts()
    rows: dict[tuple[str, str, str], set[str]] = {}
    for root in RECORD_ROOTS:
        for path in sorted(root.rglob("*.json")):
            found = list(raw_records(path))
            for position, raw in enumerate(found):
                try:
                    event = normalize_record(raw, f"{path.name}#{position}")
                except RecordError:
                    continue
                if event.error_code or event.read_only:
                    continue
                rule = catalog.rule_for(event)
                if rule is None:
                    continue
                call = strip_version_suffix(event.name)
                if not replays(path, len(found) == 1, call, texts):
                    continue
                key = (rule.source, rule.event, rule.discriminator)
                rows.setdefault(key, set()).add(str(path.relative_to(ROOT)))
    return [
        {
            "source": s,
            "event": e,
            "discriminator": d or None,
            "evidence": "recorded",
            "records": sorted(files),
        }
        for (s, e, d), files in sorted(rows.items())
    ]


def api_checked_rows(recorded: set[tuple[str, str, str]]) -> list[dict[str, Any]]:
    """Rows not recorded whose reads and fed calls fit botocore's model of their call."""
    from tests.catalog.api_rows import check_row, observed_rows

    observed = observed_rows()
    out = []
    for rule in sorted(Catalog.default(), key=lambda r: (r.source, r.event, r.discriminator)):
        key = (rule.source, rule.event, rule.discriminator)
        if key in recorded:
            continue
        result = check_row(rule, observed.get(key))
        if result.checked:
            out.append(
                {
                    "source": rule.source,
                    "event": rule.event,
                    "discriminator": rule.discriminator or None,
                    "evidence": "api-model",
                    "operation": result.operation,
                    "fed_by_tests": result.fed,
                }
            )
    return out


def render() -> str:
    recorded = recorded_rows()
    keys = {(r["source"], r["event"], r["discriminator"] or "") for r in recorded}
    return json.dumps(recorded + api_checked_rows(keys), indent=1) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print(f"{OUT.relative_to(ROOT)} is stale: run scripts/{Path(__file__).name}")
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    entries = json.loads(text)
    checked = sum(1 for e in entries if e["evidence"] == "api-model")
    print(
        f"wrote {OUT.relative_to(ROOT)} ({len(entries) - checked} recorded rows, {checked} "
        "modelled rows checked against the API model)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Rewrite the older-ledger fixtures: ``python tests/ledger/regenerate_older_names.py``.

They are objects as versions before 7d570f1 (state names as people know them) stored them,
taken from that era's own golden output (``git show 3b1a39b:tests/fixtures/ledger/...``): the
open drift of ``module.fleet.aws_thing.member[1]`` (two events, an ack) and its reference in
``index/``; the archived drift of ``member[4]`` (reverted by Terraform) and the index entry of
its second event. The state name (an S3 URL in the golden) and everything derived from it are
placeholders the tests fill in: ``@STATE@`` (the name the older version gave the state, such
as the absolute path of the file), ``@ID@`` (the drift id, a hash of the resource key),
``@RK@`` (the open object's key hash) and ``@CLAIM@`` (an event's claim).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

OLDER = "3b1a39b"
ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fixtures" / "ledger" / "older_state_names"
ADDRESS = "module.fleet.aws_thing.member[1]"
ARCHIVED = "module.fleet.aws_thing.member[4]"


def _index_entry(claim: str, event_id: str, when: str) -> dict[str, str]:
    """The shape of layout.encode_index at that commit."""
    return {
        "schema": "tfdrift-gitops/index/v1",
        "claim": claim,
        "drift_id": "@ID@",
        "rk": "@RK@",
        "event_id": event_id,
        "recorded_at": when,
    }


def main() -> None:
    golden = subprocess.run(
        ["git", "show", f"{OLDER}:tests/fixtures/ledger/list_all.jsonl"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    records = {r["resource"]["address"]: r for r in map(json.loads, golden.splitlines())}
    record, archived = records[ADDRESS], records[ARCHIVED]
    for one in (record, archived):
        one["id"] = "@ID@"
        one["resource"]["state"] = "@STATE@"
    first = record["history"][0]["evidence"]["event_id"]
    reference = _index_entry("@ID@", first, record["detected_at"])
    second = _index_entry("@CLAIM@", archived["events"][1]["id"], archived["detected_at"])
    meta = {"schema": "tfdrift-gitops/ledger/v1", "layout": 1, "created_at": record["detected_at"]}
    OUT.mkdir(parents=True, exist_ok=True)
    for name, document in [
        ("open_drift.json", record),
        ("reference.json", reference),
        ("ledger.json", meta),
        ("archived_drift.json", archived),
        ("archived_index.json", second),
    ]:
        (OUT / name).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {OUT / name}")


if __name__ == "__main__":
    main()

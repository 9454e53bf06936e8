"""Reconcile N open drifts against the local GitHub API server; print calls and time per drift.

    python bench/bench_reconcile.py [--drifts 500]

First run: every drift is new and gets an issue and a remediation PR with a review request
(the most expensive path; target <= 6 calls per new drift). Re-run with no ledger change:
target 0 writes and <= 1 read per 100 drifts. Counts come from the server's own request log
and are cross-checked with the client's counter. The server is the test suite's fake GitHub
(real HTTP on 127.0.0.1, PyGithub as the client) and the ledger is the tests' in-memory port, so
wall time is local overhead only: against
github.com, writes are spaced by ``seconds_between_writes`` (1 s by default).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.github.fake_github import TOKEN, FakeGitHubServer  # noqa: E402
from tests.github.gh_support import (  # noqa: E402
    FileRemediator,
    drift,
    estate,
    new_ledger,
    write_tree,
)
from tfdrift_gitops.github.client import GitHubClient  # noqa: E402
from tfdrift_gitops.github.reconcile import LedgerPort, Reconciler  # noqa: E402
from tfdrift_gitops.github.render import Renderer  # noqa: E402
from tfdrift_gitops.github.settings import GitHubSettings  # noqa: E402

SETTINGS = GitHubSettings(
    users=(("*alan@acme.example", "alan-acme"),),
    seconds_between_writes=0.0,
    seconds_between_requests=0.0,
)


def one_run(server: FakeGitHubServer, store: LedgerPort, workdir: Path) -> dict[str, float]:
    server.fake.clear_log()
    client = GitHubClient("acme/infra", token=TOKEN, base_url=server.url, settings=SETTINGS)
    started = time.perf_counter()
    report = Reconciler(
        client,
        store,
        Renderer(SETTINGS),
        FileRemediator(workdir),
        SETTINGS,
        workdir=workdir,
    ).run()
    elapsed = time.perf_counter() - started
    client.close()
    if report.errors:
        raise SystemExit(f"errors: {report.errors[:3]}")
    counts = server.fake.counts()
    # The fake counts identity lookups (GET /user, GraphQL viewer) apart.
    made = sum(counts.values()) + server.fake.identity_lookups()
    assert client.stats.total == made, "client and server disagree"
    per_run = {
        "list_issues",
        "list_labels",
        "create_label",
        "get_repo",
        "get_ref",
        "get_commit",
        "get_tree",
        "list_pulls",
    }
    by_call = dict(sorted(client.stats.by_call.items()))
    print(f"  calls by kind: {by_call}")
    return {
        "per_drift_calls": sum(v for k, v in by_call.items() if k not in per_run),
        "reads": counts["GET"],
        "writes": sum(n for m, n in counts.items() if m != "GET"),
        "seconds": elapsed,
        "actions": len(report.actions),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--drifts", type=int, default=500)
    args = parser.parse_args()
    n = args.drifts
    server = FakeGitHubServer().start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            files = estate(n)
            server.fake.reset(files)
            workdir = write_tree(Path(tmp) / "work", files)
            store = new_ledger(Path(tmp) / "ledger", [drift(i) for i in range(1, n + 1)])
            first = one_run(server, store, workdir)
            second = one_run(server, store, workdir)
    finally:
        server.stop()
    for name, run in (("first run", first), ("re-run", second)):
        calls = run["reads"] + run["writes"]
        print(
            f"{name:9}: {n} drifts, {int(run['reads'])} reads, {int(run['writes'])} writes, "
            f"{calls / n:.3f} calls/drift, {run['reads'] * 100 / n:.2f} reads/100 drifts, "
            f"{run['seconds']:.2f} s total, {run['seconds'] * 1000 / n:.1f} ms/drift"
        )
        print(
            f"{'':9}  per-drift calls (excluding once-per-run reads/label creation): "
            f"{run['per_drift_calls'] / n:.3f}/drift"
        )
    ok_first = first["per_drift_calls"] / n <= 6
    ok_second = second["writes"] == 0 and second["reads"] * 100 / n <= 1
    print(
        f"targets: first run <= 6 calls per new drift: {ok_first}; re-run 0 writes and "
        f"<= 1 read/100 drifts: {ok_second}"
    )


if __name__ == "__main__":
    main()

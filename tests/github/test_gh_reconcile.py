"""reconcile against the fake GitHub server through the real PyGithub client."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.github.fake_github import FakeGitHub
from tests.github.gh_support import (
    SETTINGS,
    FileRemediator,
    MakeClient,
    drift,
    estate,
    event,
    fold_in,
    new_ledger,
    resolve,
    write_tree,
)
from tfdrift_gitops.github.client import GitHubClient
from tfdrift_gitops.github.marker import parse_marker
from tfdrift_gitops.github.plan import ActionKind
from tfdrift_gitops.github.reconcile import LedgerPort, Reconciler, Report
from tfdrift_gitops.github.remedy import Decision, Remediator, manual_only
from tfdrift_gitops.github.render import Renderer
from tfdrift_gitops.models import Drift, Severity, Status


def run(
    make_client: MakeClient,
    store: LedgerPort,
    workdir: Path | None = None,
    remediator: Remediator | None = None,
) -> tuple[Report, GitHubClient]:
    client = make_client()
    rem = remediator or (FileRemediator(workdir) if workdir else manual_only())
    report = Reconciler(client, store, Renderer(SETTINGS), rem, SETTINGS, workdir=workdir).run()
    client.close()
    return report, client


@pytest.fixture
def world(fake: FakeGitHub, tmp_path: Path) -> tuple[FakeGitHub, Path, Path]:
    files = estate(3)
    fake.reset(files)
    workdir = write_tree(tmp_path / "work", files)
    return fake, workdir, tmp_path / "ledger"


def test_first_run_opens_issue_and_pr_then_rerun_writes_nothing(
    world: tuple[FakeGitHub, Path, Path], make_client: MakeClient
) -> None:
    fake, workdir, ledger_dir = world
    store = new_ledger(ledger_dir, [drift(1), drift(2, severity=Severity.MEDIUM)])

    report, client = run(make_client, store, workdir)

    assert report.errors == []
    assert [a.kind for a in report.actions].count(ActionKind.OPEN_ISSUE) == 2
    assert [a.kind for a in report.actions].count(ActionKind.OPEN_PR) == 2
    issues = fake.issues()
    assert len(issues) == 2
    first = issues[0]
    assert (parse_marker(first["body"]) or {})["drift"] == drift(1).id
    assert set(first["labels"]) == {"tfdrift", "severity:critical", "kind:modified"}
    assert first["assignees"] == ["alan-acme"]
    pulls = fake.pulls()
    assert [p["pull"]["head"] for p in pulls] == [
        f"tfdrift/{drift(1).id}",
        f"tfdrift/{drift(2).id}",
    ]
    assert pulls[0]["pull"]["requested_reviewers"] == ["alan-acme"]
    assert f"Closes #{first['number']}" in pulls[0]["body"]
    branch = fake.branch_files(f"tfdrift/{drift(1).id}")
    assert "from_port   = 22" in branch["sg/web1.tf"]
    assert branch["sg/web2.tf"] == estate(3)["sg/web2.tf"]  # only the drift's file changes
    assert fake.branch_files("main") == estate(3)  # nothing committed to the default branch
    # The ledger records issue and PR numbers.
    stored = store.get(drift(1).id)
    assert stored.issue_number == first["number"]
    assert stored.pr_number == pulls[0]["number"]
    assert stored.status is Status.PR_OPENED
    # Our counter agrees with the server's, request for request.
    assert client.stats.reads + client.stats.writes == len(fake.requests)
    # Per new drift: issue, tree, commit, ref, pull, review request.
    assert client.stats.writes - client.stats.by_call["create_label"] == 12

    fake.clear_log()
    report2, client2 = run(make_client, store, workdir)
    assert report2.errors == []
    assert report2.actions == []
    assert fake.writes() == 0
    assert fake.reads() == 1  # the one page of open tfdrift issues
    # ... and, once per run, who the token is (an issue is ours only when we wrote it).
    assert fake.identity_lookups() == 1
    assert client2.stats.total == 2


def test_rerun_finds_issue_by_marker_when_ledger_lost_the_number(
    world: tuple[FakeGitHub, Path, Path], make_client: MakeClient
) -> None:
    fake, _, ledger_dir = world
    d = drift(1)
    store = new_ledger(ledger_dir, [d])
    run(make_client, store)
    # A second, empty ledger knows nothing about the issue: the marker finds it.
    other = new_ledger(ledger_dir.parent / "ledger2", [d])
    fake.clear_log()
    report, _ = run(make_client, other)
    assert report.actions == []
    assert fake.writes() == 0
    assert len(fake.issues()) == 1
    assert other.get(d.id).issue_number == fake.issues()[0]["number"]


def test_folded_events_update_the_issue_and_the_pr(
    world: tuple[FakeGitHub, Path, Path], make_client: MakeClient
) -> None:
    fake, workdir, ledger_dir = world
    d = drift(1)
    store = new_ledger(ledger_dir, [d])
    run(make_client, store, workdir)
    issue_before = fake.issues()[0]["body"]
    head_before = fake.repo.refs[f"heads/tfdrift/{d.id}"]

    fold_in(store, d.id, event("e0c1a2b3-0000-4000-8000-00000000ffff", minutes=30))
    fake.clear_log()
    report, _ = run(make_client, store, workdir)

    assert report.errors == []
    assert [a.kind for a in report.actions] == [ActionKind.UPDATE_ISSUE, ActionKind.UPDATE_PR]
    issue = fake.issues()[0]
    assert issue["body"] != issue_before
    assert "e0c1a2b3-0000-4000-8000-00000000ffff" in issue["body"]
    assert "Events (2)" in issue["body"]
    # The patch changed (a second rule), so the branch moved; still one PR, one issue.
    assert fake.repo.refs[f"heads/tfdrift/{d.id}"] != head_before
    assert "from_port   = 23" in fake.branch_files(f"tfdrift/{d.id}")["sg/web1.tf"]
    assert len(fake.pulls()) == 1
    assert len(fake.issues()) == 1
    # And then it is quiet again.
    fake.clear_log()
    run(make_client, store, workdir)
    assert fake.writes() == 0


def test_resolution_closes_issue_and_pr_with_evidence(
    world: tuple[FakeGitHub, Path, Path], make_client: MakeClient
) -> None:
    fake, workdir, ledger_dir = world
    store = new_ledger(ledger_dir, [drift(1), drift(2)])
    run(make_client, store, workdir)
    resolve(store, drift(1).id)

    fake.clear_log()
    report, _ = run(make_client, store, workdir)

    assert report.errors == []
    assert [a.kind for a in report.actions] == [ActionKind.CLOSE_ISSUE, ActionKind.CLOSE_PR]
    issue = next(i for i in fake.issues() if drift(1).id in i["body"])
    assert issue["state"] == "closed"
    assert issue["state_reason"] == "completed"
    evidence = fake.comments_on(issue["number"])[-1]["body"]
    assert "state now matches the observed values" in evidence
    assert "serial" in evidence
    pull = fake.pulls()[0]
    assert pull["state"] == "closed"
    assert "no longer needed" in fake.comments_on(pull["number"])[-1]["body"]
    assert f"heads/tfdrift/{drift(1).id}" not in fake.repo.refs  # branch deleted
    other = next(i for i in fake.issues() if drift(2).id in i["body"])
    assert other["state"] == "open"

    fake.clear_log()
    run(make_client, store, workdir)
    assert fake.writes() == 0


def test_closed_issue_of_open_drift_is_reopened(
    world: tuple[FakeGitHub, Path, Path], make_client: MakeClient
) -> None:
    fake, _, ledger_dir = world
    store = new_ledger(ledger_dir, [drift(1)])
    run(make_client, store)
    number = fake.issues()[0]["number"]
    fake.repo.items[number]["state"] = "closed"  # someone closed it by hand

    report, _ = run(make_client, store)
    assert [a.kind for a in report.actions] == [ActionKind.REOPEN_ISSUE]
    assert fake.issues()[0]["state"] == "open"
    assert "Reopened" in fake.comments_on(number)[-1]["body"]
    assert len(fake.issues()) == 1


def test_human_pr_on_the_resource_means_no_remediation_pr(
    world: tuple[FakeGitHub, Path, Path], make_client: MakeClient
) -> None:
    fake, workdir, ledger_dir = world
    changed = estate(3)["sg/web1.tf"].replace('name = "web1"', 'name = "web1-renamed"')
    human = fake.open_human_pull("carol/rename", {"sg/web1.tf": changed})
    store = new_ledger(ledger_dir, [drift(1), drift(2)])

    report, _ = run(make_client, store, workdir)

    assert report.errors == []
    heads = [p["pull"]["head"] for p in fake.pulls()]
    assert heads == ["carol/rename", f"tfdrift/{drift(2).id}"]
    issue = next(i for i in fake.issues() if drift(1).id in i["body"])
    assert f"#{human}" in issue["body"]
    assert "already changes this resource" in issue["body"]


def test_one_failing_drift_does_not_stop_the_rest(
    world: tuple[FakeGitHub, Path, Path], make_client: MakeClient
) -> None:
    fake, _, ledger_dir = world
    store = new_ledger(ledger_dir, [drift(1), drift(2), drift(3)])
    # Creating the first issue fails with a 502: a create is never repeated (GitHub may
    # have made it), the error is recorded, the other drifts go on.
    fake.inject("POST", r"/issues$", 502, times=1)
    report, _ = run(make_client, store)
    assert len(report.errors) == 1
    assert report.errors[0][0] == drift(1).id
    assert "502" in report.errors[0][1]
    assert sum(1 for m, p in fake.requests if m == "POST" and p.endswith("/issues")) == 3
    assert len(fake.issues()) == 2
    # The next run repairs it.
    report2, _ = run(make_client, store)
    assert report2.errors == []
    assert len(fake.issues()) == 3


def test_workdir_not_at_default_branch_refuses_the_pr(
    world: tuple[FakeGitHub, Path, Path], make_client: MakeClient
) -> None:
    fake, workdir, ledger_dir = world
    (workdir / "sg" / "web1.tf").write_text(estate(3)["sg/web1.tf"] + "# local edit\n")
    store = new_ledger(ledger_dir, [drift(1)])
    report, _ = run(make_client, store, workdir)
    assert len(report.errors) == 1
    assert "differs from main" in report.errors[0][1]
    assert fake.pulls() == []
    assert len(fake.issues()) == 1  # the issue is still there


def test_with_the_real_remediation_module(
    fake: FakeGitHub, tmp_path: Path, make_client: MakeClient
) -> None:
    """The example estate, the remediation module's configured defaults (critical: revert,
    low: import), real HCL edits committed through the Git Data API; a re-run is quiet."""
    from tfdrift_gitops.github.remedy import module_remediator
    from tfdrift_gitops.models import Change

    example = Path(__file__).resolve().parents[2] / "examples" / "terraform"
    files = {p.relative_to(example).as_posix(): p.read_text() for p in example.rglob("*.tf")}
    fake.reset(files)
    workdir = write_tree(tmp_path / "work", files)
    tags = Change("tags", {"Team": "platform"}, {"Team": "platform", "Owner": "alan"})
    low = drift(1, address="aws_security_group.web", severity=Severity.LOW, changes=(tags,))
    store = new_ledger(tmp_path / "ledger", [low])
    remediator = module_remediator(workdir, None)

    report, _ = run(make_client, store, workdir, remediator)
    assert report.errors == []
    assert [a.kind for a in report.actions] == [ActionKind.OPEN_ISSUE, ActionKind.OPEN_PR]
    pull = fake.pulls()[0]
    assert pull["title"].startswith("tfdrift: Import manual change to aws_security_group.web")
    assert 'Owner = "alan"' in fake.branch_files(f"tfdrift/{low.id}")["main.tf"]
    assert '+    Owner = "alan"' in pull["body"]

    fake.clear_log()
    run(make_client, store, workdir, module_remediator(workdir, None))
    assert fake.writes() == 0


def test_long_rate_limit_stops_the_run_with_an_error(
    world: tuple[FakeGitHub, Path, Path], make_client: MakeClient
) -> None:
    fake, _, ledger_dir = world
    store = new_ledger(ledger_dir, [drift(1), drift(2)])
    fake.inject(
        "POST",
        r"/issues$",
        403,
        headers={"Retry-After": "3600"},
        message="You have exceeded a secondary rate limit",
    )
    report, _ = run(make_client, store)
    assert report.errors[0][0] == drift(1).id
    assert "max_rate_limit_wait" in report.errors[0][1]
    assert report.errors[-1] == ("run", "stopped early: GitHub rate limit; re-run later")
    assert fake.issues() == []  # drift 2 was not attempted into the storm


def test_a_crashing_remediator_costs_only_the_pr(
    world: tuple[FakeGitHub, Path, Path], make_client: MakeClient
) -> None:
    fake, _, ledger_dir = world
    store = new_ledger(ledger_dir, [drift(1), drift(2)])

    def broken(d: Drift) -> Decision:
        if d.id == drift(1).id:
            raise AttributeError("'str' object has no attribute 'text'")
        return manual_only()(d)

    report, _ = run(make_client, store, remediator=broken)
    assert [e[0] for e in report.errors] == [drift(1).id]
    assert "remediation failed: AttributeError" in report.errors[0][1]
    assert len(fake.issues()) == 2

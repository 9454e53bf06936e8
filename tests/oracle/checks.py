"""The judgements every oracle module makes (imported by name into each ``test_*`` module)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from tests.oracle.compare import canon_at, top, touched
from tests.oracle.harness import Case, Outcome
from tests.oracle.planfile import read_plan
from tests.oracle.terraform import Terraform, changes_by_address
from tfdrift_gitops.core.paths import get_path
from tfdrift_gitops.remediation.blocks import normal_field

F = TypeVar("F", bound=Callable[..., Any])


def kinds(*names: str, strategy: str | None = None) -> Callable[[F], F]:
    """Parametrise a check over the cases of these kinds only (and, with ``strategy``, only
    those whose remediation by that strategy is judged); see conftest."""

    def mark(fn: F) -> F:
        fn.kinds = names  # type: ignore[attr-defined]
        fn.strategy = strategy  # type: ignore[attr-defined]
        return fn

    return mark


@kinds("modified", "noop")
def test_changes_agree_with_terraform(outcome: Outcome, case: Case) -> None:
    """Our drift's changes and Terraform's resource_drift name the same arguments, with the
    same before and after values."""
    ours = outcome.ours(case)
    theirs = outcome.terraform.get(case.address)
    if case.kind == "noop":
        assert ours == [], f"we report drift for a no-op call: {ours}"
        assert theirs is None or not touched(case.rtype, theirs["before"], theirs["after"])
        return
    assert theirs is not None, f"Terraform sees no drift on {case.address}"
    assert theirs["actions"] == ["update"], theirs["actions"]
    tf_names = touched(case.rtype, theirs["before"], theirs["after"])
    assert tf_names, f"Terraform's drift on {case.address} touches no configurable argument"
    assert len(ours) == 1, f"expected one drift on {case.address}, got {ours}"
    drift = ours[0]
    assert drift["kind"] == "modified"
    changes = drift["changes"]
    assert {top(c["path"]) for c in changes} == tf_names, (changes, tf_names)
    for change in changes:
        path = change["path"]
        tf_before = get_path(theirs["before"], path)
        tf_after = get_path(theirs["after"], path)
        assert canon_at(case.rtype, path, change["before"]) == canon_at(
            case.rtype, path, tf_before
        ), f"{path} before: ours {change['before']!r}, Terraform {tf_before!r}"
        assert canon_at(case.rtype, path, change["after"]) == canon_at(
            case.rtype, path, tf_after
        ), f"{path} after: ours {change['after']!r}, Terraform {tf_after!r}"


@kinds("deleted")
def test_deletion_agrees_with_terraform(outcome: Outcome, case: Case) -> None:
    theirs = outcome.terraform.get(case.address)
    assert theirs is not None and theirs["actions"] == ["delete"], theirs
    ours = outcome.ours(case)
    assert [d["kind"] for d in ours] == ["deleted"], ours


@kinds("unmanaged")
def test_unmanaged_is_outside_terraform(outcome: Outcome, case: Case) -> None:
    ours = outcome.ours(case)
    assert len(ours) == 1, ours
    assert ours[0]["resource"]["type"] == case.rtype
    assert ours[0]["resource"]["id"]
    managed_ids = {
        str(i["attributes"].get("id"))
        for r in outcome.after["resources"]
        for i in r["instances"]
        if r["type"] == case.rtype
    }
    assert ours[0]["resource"]["id"] not in managed_ids


def test_no_drift_outside_the_cases(outcome: Outcome) -> None:
    """Neither judge reports drift on a resource no case changed (moto noise, false hits).

    Terraform's view is a normal plan of the unchanged code against the refreshed state (the
    revert copy: its edits are comments): optional+computed arguments the code leaves unset,
    such as ``aws_s3_bucket.versioning`` beside an ``aws_s3_bucket_versioning``, follow the
    remote value there and plan nothing."""
    expected = {c.address for c in outcome.cases.values() if c.kind in ("modified", "deleted")}
    normal = outcome.remedies["revert"].plan
    tf_noise = {
        c["address"]: c["change"]["actions"]
        for c in normal.get("resource_changes") or ()
        if c["address"] not in expected and c["change"]["actions"] not in (["no-op"], ["read"])
    }
    assert not tf_noise, tf_noise
    unmanaged = sum(1 for c in outcome.cases.values() if c.kind == "unmanaged")
    ours = [d for d in outcome.drifts if d["kind"] != "unmanaged"]
    assert {d["resource"]["address"] for d in ours} <= expected
    assert len([d for d in outcome.drifts if d["kind"] == "unmanaged"]) == unmanaged


def _remedy(outcome: Outcome, strategy: str, case: Case) -> tuple[Mapping[str, Any], Any]:
    remedy = outcome.remedies.get(strategy)
    assert remedy is not None, f"no {strategy} remediation ran"
    result = remedy.results.get(case.id)
    assert result is not None, f"{case.id}: no {strategy} remediation (no drift?)"
    assert result["exit_code"] == 0, result
    assert not result.get("refusals"), result["refusals"]
    return result, remedy


@kinds("modified", strategy="import")
def test_import_plans_no_change(outcome: Outcome, case: Case) -> None:
    """After ``remediate --strategy import`` the code matches the refreshed state."""
    _, remedy = _remedy(outcome, "import", case)
    change = changes_by_address(remedy.plan).get(case.address)
    assert change is not None and change["actions"] == ["no-op"], change


@kinds("modified", strategy="revert")
def test_revert_plans_the_drift_back(outcome: Outcome, case: Case) -> None:
    """After ``remediate --strategy revert`` the plan changes exactly the drifted arguments,
    back to the values Terraform saw before the manual change. The plan is an update, or a
    replacement only where our remediation said it would be one (and for the arguments the
    plan's ``replace_paths`` name)."""
    result, remedy = _remedy(outcome, "revert", case)
    change = changes_by_address(remedy.plan).get(case.address)
    assert change is not None, f"the revert plan does not touch {case.address}"
    expected = result.get("expected_plan") or {}
    if change["actions"] in (["delete", "create"], ["create", "delete"]):
        assert expected.get("action") == "replace", (change["actions"], expected)
        forced = {str(p[0]) for p in change.get("replace_paths") or ()}
        assert forced and forced <= set(expected.get("replaced_because") or ()), (
            forced,
            expected,
        )
    else:
        assert change["actions"] == ["update"], change
        assert expected.get("action") == "update", expected
    drifted = outcome.terraform[case.address]
    names = planned_changes(case.rtype, change["before"], change["after"])
    assert names == touched(case.rtype, drifted["before"], drifted["after"])
    assert names == set(expected.get("arguments") or ()), (names, expected)
    for name in names:
        planned = canon_at(case.rtype, name, change["after"].get(name))
        old = canon_at(case.rtype, name, drifted["before"].get(name))
        assert unset_matches(planned, old, name), (name, planned, old)


def planned_changes(rtype: str, before: Mapping[str, Any], after: Mapping[str, Any]) -> set[str]:
    """Arguments a plan really changes: those whose planned value does not match the current
    one (a replacement's plan lists every argument, the unset ones as null)."""
    return {
        name
        for name in touched(rtype, before, after)
        if not unset_matches(
            canon_at(rtype, name, after.get(name)), canon_at(rtype, name, before.get(name)), name
        )
    }


def unset_matches(planned: Any, old: Any, field: str = "") -> bool:
    """A planned value equals the old one, where the plan's null (an argument the code leaves
    unset) stands for the provider's zero value in state (false, "", 0, []), and a field is
    compared in the form the provider stores it (a network ACL entry's ``protocol`` "tcp" is
    stored as "6": ``remediation.blocks.normal_field``, the normal form remediation matches
    block items by)."""
    if planned is None:
        return old in (None, False, "", 0, [], {})
    if isinstance(planned, dict) and isinstance(old, dict):
        return planned.keys() == old.keys() and all(
            unset_matches(planned[k], old[k], str(k)) for k in planned
        )
    if isinstance(planned, list) and isinstance(old, list):
        return len(planned) == len(old) and all(
            unset_matches(p, o) for p, o in zip(planned, old, strict=True)
        )
    if field:
        return bool(normal_field(field, planned) == normal_field(field, old))
    return bool(planned == old)


@kinds("unmanaged", strategy="import")
def test_unmanaged_import_plans_as_import_only(outcome: Outcome, case: Case) -> None:
    result, remedy = _remedy(outcome, "import", case)
    cloud_id = outcome.ours(case)[0]["resource"]["id"]
    # The import id is the resource id, or the provider's composite id our remediation says it
    # wrote (an attachment's DEVICE:VOLUME:INSTANCE), which names that resource id.
    import_id = (result.get("expected_plan") or {}).get("import_id") or cloud_id
    assert cloud_id in import_id, (cloud_id, import_id)
    imports = [
        c
        for c in remedy.plan.get("resource_changes") or ()
        if (c["change"].get("importing") or {}).get("id") == import_id
    ]
    assert len(imports) == 1, [c["address"] for c in remedy.plan.get("resource_changes") or ()]
    assert imports[0]["change"]["actions"] == ["no-op"], imports[0]["change"]


@kinds("deleted", strategy="import")
def test_removed_block_plans_cleanly(outcome: Outcome, case: Case) -> None:
    result, remedy = _remedy(outcome, "import", case)
    assert "removed {" in result["diff"], result["diff"]
    change = changes_by_address(remedy.plan).get(case.address)
    assert change is None or change["actions"] in (["no-op"], ["forget"]), change


def test_import_plan_summary(outcome: Outcome) -> None:
    """The whole import plan: N to import, 0 to add, 0 to change, 0 to destroy."""
    remedy = outcome.remedies.get("import")
    if remedy is None:
        return
    # Cases whose import is not judged keep their drift in this copy's plan.
    others = {c.address for c in outcome.cases.values() if "import" not in c.strategies}
    busy = [
        (c["address"], c["change"]["actions"])
        for c in remedy.plan.get("resource_changes") or ()
        if c["change"]["actions"] not in (["no-op"], ["forget"], ["read"])
        and c["address"] not in others
    ]
    assert busy == [], busy
    imported = sum(
        1 for c in remedy.plan.get("resource_changes") or () if c["change"].get("importing")
    )
    assert imported == sum(
        1 for c in outcome.cases.values() if c.kind == "unmanaged" and "import" in c.strategies
    )


def test_every_written_file_validates(outcome: Outcome) -> None:
    """``terraform validate`` ran on each remediated working directory (build fails if not)."""
    # A refused remediation writes nothing (its refusal is judged by the case's checks).
    written = [
        r for remedy in outcome.remedies.values() for r in remedy.results.values() if r.get("files")
    ]
    assert all(r["exit_code"] == 0 for r in written)
    assert outcome.validated or not written


SHOW_ONLY = frozenset({"after_unknown", "before_sensitive", "after_sensitive"})
"""What ``show -json`` prints of a change and tests/oracle/planfile.py does not (no check reads
them)."""


def test_plan_files_read_as_terraform_shows_them(outcome: Outcome, terraform: Terraform) -> None:
    """The checks read Terraform's plans from the plan files (tests/oracle/planfile.py), not
    from ``terraform show -json``, a terraform run for each plan. Here every plan of the
    estate (refresh-only, import, revert) is read both ways, one ``show`` each:
    ``resource_drift`` and ``resource_changes`` must list the same entries with the same keys
    and values, but for :data:`SHOW_ONLY` (``replace_paths`` as a set: show's order comes from
    a hash set). Imported by the module whose plans hold every kind of change read."""
    seen: set[tuple[str, tuple[str, ...], bool, bool]] = set()
    for workdir in (outcome.workdir, *(r.workdir for r in outcome.remedies.values())):
        ours = read_plan(workdir / "oracle.plan", terraform.schemas(workdir))
        shown = terraform.show_json(workdir)
        for key in ("resource_drift", "resource_changes"):
            assert (key in ours) == (key in shown), (workdir.name, key)
            mine = {e["address"]: _paths_as_set(e) for e in ours.get(key, ())}
            theirs = {e["address"]: _as_read(e) for e in shown.get(key, ())}
            assert sorted(mine) == sorted(theirs), (workdir.name, key)
            for address, entry in mine.items():
                assert entry == theirs[address], (workdir.name, key, address)
                change = entry["change"]
                seen.add(
                    (
                        key,
                        tuple(change["actions"]),
                        "importing" in change,
                        "replace_paths" in change,
                    )
                )
    # What the checks read must have been compared: drift (update, delete), an import, an
    # update, a replacement and a create (unknown values: show leaves them out of "after").
    wanted = {
        ("resource_drift", ("update",), False, False),
        ("resource_drift", ("delete",), False, False),
        ("resource_changes", ("no-op",), True, False),
        ("resource_changes", ("no-op",), False, False),
        ("resource_changes", ("update",), False, False),
        ("resource_changes", ("delete", "create"), False, True),
        ("resource_changes", ("create",), False, False),
    }
    assert wanted <= seen, sorted(wanted - seen)


def _paths_as_set(entry: Mapping[str, Any]) -> dict[str, Any]:
    change = dict(entry["change"])
    if "replace_paths" in change:
        change["replace_paths"] = sorted(change["replace_paths"], key=repr)
    return {**entry, "change": change}


def _as_read(entry: Mapping[str, Any]) -> dict[str, Any]:
    change = {k: v for k, v in entry["change"].items() if k not in SHOW_ONLY}
    return _paths_as_set({**entry, "change": change})

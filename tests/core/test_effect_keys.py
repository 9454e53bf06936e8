"""Effects passed over for want of a request/response key are exactly those that would not apply."""

from __future__ import annotations

import copy
import gc
import json
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli.golden import REPO
from tfdrift_gitops.core.catalog import Catalog, keys
from tfdrift_gitops.core.catalog.model import Set, const, first, mapped, req, resp
from tfdrift_gitops.core.catalog.support import boolean, string_list
from tfdrift_gitops.core.normalize import normalize_record
from tfdrift_gitops.errors import RecordError
from tfdrift_gitops.models import CloudEvent


def _recased(value: Any, how: str) -> Any:
    """The same document with every key re-cased (the lookups' case-insensitive fallback)."""
    if isinstance(value, dict):
        cased = {(k.upper() if how == "upper" else k.swapcase()): v for k, v in value.items()}
        return {k: _recased(v, how) for k, v in cased.items()}
    if isinstance(value, list):
        return [_recased(v, how) for v in value]
    return value


def _records(corpus: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    for path in sorted((corpus / "stratus-red-team").glob("*.json")):
        for number, record in enumerate(json.loads(path.read_text())):
            yield f"{path.name}#{number}", record
    panther = json.loads((corpus / "panther-analysis" / "write-events.json").read_text())
    for name, cases in panther.items():
        for case in cases:
            yield f"panther:{name}:{case['case']}", case["record"]
    for path in sorted((REPO / "examples" / "cloudtrail").glob("*.json")):
        for number, record in enumerate(json.loads(path.read_text())["Records"]):
            yield f"{path.name}#{number}", record


def _events(corpus: Path) -> list[CloudEvent]:
    out = []
    for origin, record in _records(corpus):
        for how in ("as-is", "upper", "swapcase"):
            raw = record if how == "as-is" else dict(record)
            if how != "as-is":
                for field in ("requestParameters", "responseElements"):
                    raw[field] = _recased(record.get(field), how)
            try:
                out.append(normalize_record(raw, f"{origin}:{how}"))
            except RecordError:
                continue
    return out


def test_passed_over_effects_would_not_have_applied(corpus_dir: Path) -> None:
    """Every catalog effect, against every corpus call its row takes (keys as logged, upper-
    cased and swapped): an effect the key check passes over leaves the attributes alone and
    says it did not apply; the check passes over most effects, so it is not vacuous."""
    catalog = Catalog.default()
    passed_over = applied = 0
    for event in _events(corpus_dir):
        rule = catalog.rule_for(event)
        if rule is None:
            continue
        for target in rule.targets:
            plan = keys.plan_of(target, target.effects)
            kept = keys.applicable(plan, event)
            for effect in target.effects:
                scratch: dict[str, Any] = {"id": "x", "tags": {"a": "b"}, "tags_all": {}}
                before = copy.deepcopy(scratch)
                did = effect.apply(scratch, event)
                applied += did
                if any(effect is k for k in kept):
                    continue
                passed_over += 1
                assert not did, (event.origin, rule.event, effect.path)
                assert scratch == before, (event.origin, rule.event, effect.path)
    assert applied > 100
    assert passed_over > 1000


@pytest.mark.parametrize(
    ("extractor", "expected"),
    [
        pytest.param(req("dBInstanceIdentifier"), ({"dbinstanceidentifier"}, set()), id="req"),
        pytest.param(req("vpcConfig.subnetIds"), ({"vpcconfig"}, set()), id="req-dotted"),
        pytest.param(resp("groupId"), (set(), {"groupid"}), id="resp"),
        pytest.param(boolean("multiAZ"), ({"multiaz"}, set()), id="mapped"),
        pytest.param(string_list(req("Ids")), ({"ids"}, set()), id="mapped-twice"),
        pytest.param(first(req("a"), resp("B")), ({"a"}, {"b"}), id="first-union"),
        pytest.param(first(req("a"), const(1)), None, id="first-with-unknown"),
        pytest.param(const(True), None, id="const"),
        pytest.param(mapped(lambda e: e.name, str), None, id="plain-function"),
    ],
)
def test_needs_of_extractors(extractor: Any, expected: Any) -> None:
    needs = keys.needs_of(extractor)
    assert (None if needs is None else (set(needs[0]), set(needs[1]))) == expected


def _event(request: Any, response: Any = None) -> CloudEvent:
    record = {
        "eventVersion": "1.10",
        "eventTime": "2026-11-20T09:00:00Z",
        "eventID": "e1",
        "eventName": "ModifyDBInstance",
        "eventSource": "rds.amazonaws.com",
        "awsRegion": "eu-west-1",
        "userIdentity": {"type": "IAMUser", "userName": "alan"},
        "requestParameters": request,
        "responseElements": response,
    }
    return normalize_record(record, "t")


@pytest.mark.parametrize(
    ("request_", "response", "applies"),
    [
        pytest.param({"multiAZ": True}, None, True, id="key-present"),
        pytest.param({"MULTIaz": True}, None, True, id="key-other-case"),
        pytest.param({"other": 1}, None, False, id="key-absent"),
        pytest.param(None, None, False, id="no-request"),
        pytest.param({}, {"multiAZ": True}, False, id="only-in-response"),
    ],
)
def test_applicable_by_request_keys(request_: Any, response: Any, applies: bool) -> None:
    effect = Set("multi_az", boolean("multiAZ"))
    plan = keys.plan_of(effect, (effect,))
    event = _event(request_, response)
    assert bool(keys.applicable(plan, event)) is applies
    assert effect.apply({}, event) is applies


def test_effects_of_unvetted_classes_always_run() -> None:
    """An effect class not marked noop_on_missing is never passed over, whatever it reads."""

    class Custom(Set):
        pass

    effect = Custom("multi_az", boolean("multiAZ"))
    assert keys.effect_needs(effect) is None
    assert list(keys.applicable(keys.plan_of(effect, (effect,)), _event({"other": 1}))) == [effect]


@pytest.mark.parametrize(
    ("request_", "carries", "has", "is_false"),
    [
        pytest.param({"deletionProtection": False}, True, True, True, id="exact-case"),
        pytest.param({"DELETIONPROTECTION": "false"}, True, True, True, id="other-case-string"),
        pytest.param({"deletionProtection": None}, True, False, False, id="null"),
        pytest.param({"multiAZ": True}, False, False, False, id="absent"),
        pytest.param(None, False, False, False, id="no-request"),
    ],
)
def test_request_predicates_with_key_check(
    request_: Any, carries: bool, has: bool, is_false: bool
) -> None:
    """request_has / request_is answer as a plain lookup would, the key check only saving the
    lookup when the call cannot carry the field (asked twice: the cached keys too)."""
    from tfdrift_gitops.core.catalog.support import request_has, request_is

    event = _event(request_)
    for _ in range(2):
        assert request_has("deletionProtection")(event) is has
        assert request_is("deletionProtection", False)(event) is is_false
        assert keys.may_carry(req("deletionProtection"), event) is carries


def test_an_extractor_built_for_one_call_is_not_kept() -> None:
    """Catalog code builds some extractors per call (``req("x")(event)``): what they need is
    kept with them, not in a table that would grow by one entry a call in a long-running
    collector."""
    extractor = mapped(req("groupId"), str.upper)
    assert keys.needs_of(extractor) == (frozenset({"groupid"}), frozenset())
    gone = weakref.ref(extractor)
    del extractor
    gc.collect()
    assert gone() is None

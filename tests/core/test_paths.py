"""Attribute paths and CloudTrail lookups."""

from __future__ import annotations

from typing import Any

import pytest

from tfdrift_gitops.core.paths import MISSING, get_path, items, lookup, set_path, split_path

DOC = {
    "groupId": "sg-1",
    "ipPermissions": {"items": [{"fromPort": "22", "ipRanges": {"items": [{"cidrIp": "x"}]}}]},
    "PrincipalID": "AROA",
}


@pytest.mark.parametrize(
    ("path", "want"),
    [
        pytest.param("groupId", "sg-1", id="exact"),
        pytest.param("groupid", "sg-1", id="case-insensitive"),
        pytest.param("principalId", "AROA", id="case-insensitive-other-way"),
        pytest.param("ipPermissions.items.0.fromPort", "22", id="through-a-list"),
        pytest.param("ipPermissions.items.1.fromPort", MISSING, id="index-out-of-range"),
        pytest.param("ipPermissions.items.x", MISSING, id="non-numeric-index"),
        pytest.param("groupId.deeper", MISSING, id="through-a-scalar"),
        pytest.param("absent", MISSING, id="absent"),
    ],
)
def test_lookup(path: str, want: Any) -> None:
    assert lookup(DOC, path) == want


def test_lookup_sees_keys_added_after_an_earlier_miss() -> None:
    doc: dict[str, Any] = {"a": 1}
    assert lookup(doc, "B") is MISSING
    doc["b"] = 2
    assert lookup(doc, "B") == 2


def test_paths_round_trip() -> None:
    attrs: dict[str, Any] = {}
    set_path(attrs, "versioning_configuration[0].status", "Suspended")
    assert attrs == {"versioning_configuration": [{"status": "Suspended"}]}
    assert get_path(attrs, "versioning_configuration[0].status") == "Suspended"
    assert get_path(attrs, "versioning_configuration[1].status") is MISSING
    assert split_path("a.b[2].c") == ["a", "b", 2, "c"]


@pytest.mark.parametrize(
    ("value", "want"),
    [
        pytest.param({"items": [1, 2]}, [1, 2], id="items-wrapper"),
        pytest.param({}, [], id="empty-object"),
        pytest.param({"k": "v"}, [{"k": "v"}], id="single-object"),
        pytest.param([3], [3], id="bare-list"),
        pytest.param(None, [], id="null"),
        pytest.param("x", ["x"], id="scalar"),
    ],
)
def test_items(value: Any, want: list[Any]) -> None:
    assert items(value) == want


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        pytest.param("a.b[0].c", ["a", "b", 0, "c"], id="nested"),
        pytest.param("tags", ["tags"], id="top-level"),
        pytest.param("ingress[12]", ["ingress", 12], id="index"),
    ],
)
def test_split_path_twice_gives_fresh_equal_lists(path: str, expected: list[object]) -> None:
    """Split paths are remembered; each caller still gets its own list."""
    first = split_path(path)
    first.append("changed by a caller")
    assert split_path(path) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param(
            "UpdateFunctionConfiguration20150331v2", "UpdateFunctionConfiguration", id="v2"
        ),
        pytest.param("GetFunction20150331", "GetFunction", id="date-only"),
        pytest.param("ModifyDBInstance", "ModifyDBInstance", id="none"),
        pytest.param("Create2Things", "Create2Things", id="digit-inside"),
    ],
)
def test_strip_version_suffix_remembered(name: str, expected: str) -> None:
    from tfdrift_gitops.core.names import strip_version_suffix

    assert strip_version_suffix(name) == expected
    assert strip_version_suffix(name) == expected

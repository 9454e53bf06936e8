"""tests/oracle/planfile.py on plans written here: what real plans of the oracle seldom hold
(numbers cty sends as text, dynamic values, wholly unknown values) and what the reader must
refuse. That it reads real plans as ``terraform show -json`` does is
checks.test_plan_files_read_as_terraform_shows_them (run by test_oracle_ecr)."""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import msgpack
import pytest

from tests.oracle import planfile
from tests.oracle.planfile import PlanFileError, read_plan, typed

AWS = "registry.terraform.io/hashicorp/aws"
BLOCK: Mapping[str, Any] = {
    "attributes": {
        "id": {"type": "string", "computed": True},
        "size": {"type": "number", "optional": True},
        "tags": {"type": ["map", "string"], "optional": True},
        "names": {"type": ["list", "string"], "optional": True},
        "extra": {"type": "dynamic", "optional": True},
    },
    "block_types": {
        "rule": {"nesting_mode": "list", "block": {"attributes": {"x": {"type": "string"}}}},
        "owner": {"nesting_mode": "single", "block": {"attributes": {"y": {"type": "bool"}}}},
    },
}
UNKNOWN_EXT = msgpack.ExtType(0, b"\x00")


def schema_of(provider: str, mode: str, rtype: str) -> Mapping[str, Any]:
    assert (provider, rtype) == (AWS, "aws_thing"), (provider, rtype)
    return BLOCK


def obj(**kw: Any) -> dict[str, Any]:
    """An aws_thing value as cty sends it: every attribute, null where not given."""
    value: dict[str, Any] = dict.fromkeys(("id", "size", "tags", "names", "extra", "owner"))
    value["rule"] = []
    value.update(kw)
    return value


def packed(value: Any) -> bytes:
    return bytes(msgpack.packb(value, use_bin_type=True))


def change(
    addr: str, action: int, *values: Any, mode_provider: str = f'provider["{AWS}"]', **kw: Any
) -> dict[str, Any]:
    return {
        "addr": addr,
        "provider": mode_provider,
        "change": {"action": action, "values": [{"msgpack": packed(v)} for v in values]},
        **kw,
    }


def write_plan(
    tmp_path: Path,
    changes: list[dict[str, Any]] = (),  # type: ignore[assignment]
    drift: list[dict[str, Any]] = (),  # type: ignore[assignment]
    **kw: Any,
) -> Path:
    kw.setdefault("version", 3)
    plan = planfile._PLAN(resource_changes=changes, resource_drift=drift, **kw)
    path = tmp_path / "p.plan"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("tfplan", plan.SerializeToString())
    return path


def test_numbers_sent_as_text_read_as_show_prints_them() -> None:
    # cty sends a number that is no exact int64 or float64 as its decimal text (0.1 read
    # back from a state file); show prints the digits, which json reads as int or float.
    assert typed("0.1", "number", "n") == 0.1
    assert typed("12345678901234567890", "number", "n") == 12345678901234567890
    assert typed(1e20, "number", "n") == 10**20
    assert isinstance(typed(1e20, "number", "n"), int)
    assert typed(-3, "number", "n") == -3
    for bad in ("abc", True, "1e5"):
        with pytest.raises(PlanFileError):
            typed(bad, "number", "n")


def test_dynamic_values_carry_their_type() -> None:
    wrapped = msgpack.unpackb(packed([b'["list","number"]', ["0.5", 2]]))
    assert typed(wrapped, "dynamic", "d") == [0.5, 2]
    with pytest.raises(PlanFileError, match="without its type"):
        typed("x", "dynamic", "d")


def test_an_object_must_have_the_schema_attributes() -> None:
    ty = ["object", {"a": "string"}]
    assert typed({"a": "x"}, ty, "o") == {"a": "x"}
    with pytest.raises(PlanFileError, match="differ from the schema"):
        typed({"a": "x", "b": "y"}, ty, "o")
    with pytest.raises(PlanFileError, match="not a str"):
        typed({"a": 1}, ty, "o")


def test_unknowns_are_left_out_of_after_as_show_does(tmp_path: Path) -> None:
    before = obj(id="i-1", size=1, names=["a", "b"], tags={"k": "v"})
    after = obj(
        id=UNKNOWN_EXT,
        size="0.1",
        names=["a", UNKNOWN_EXT],
        tags={"k": UNKNOWN_EXT, "j": "w"},
        extra=[b'"string"', "s"],
        rule=[{"x": "r"}],
        owner={"y": True},
    )
    doc = read_plan(write_plan(tmp_path, [change("aws_thing.a", 3, before, after)]), schema_of)
    (entry,) = doc["resource_changes"]
    assert entry["address"] == "aws_thing.a"
    assert (entry["mode"], entry["type"], entry["name"]) == ("managed", "aws_thing", "a")
    assert entry["provider_name"] == AWS
    assert entry["change"]["actions"] == ["update"]
    assert entry["change"]["before"] == before
    expected = obj(
        size=0.1,
        names=["a", None],
        tags={"j": "w"},
        extra="s",
        rule=[{"x": "r"}],
        owner={"y": True},
    )
    del expected["id"]
    assert entry["change"]["after"] == expected
    assert "resource_drift" not in doc


def test_a_wholly_unknown_after_is_left_out(tmp_path: Path) -> None:
    doc = read_plan(write_plan(tmp_path, [change("aws_thing.a", 1, UNKNOWN_EXT)]), schema_of)
    assert doc["resource_changes"][0]["change"] == {"actions": ["create"], "before": None}


def test_an_unknown_before_is_refused(tmp_path: Path) -> None:
    path = write_plan(tmp_path, [change("aws_thing.a", 5, obj(id=UNKNOWN_EXT))])
    with pytest.raises(PlanFileError, match=r"before\.id: unknown"):
        read_plan(path, schema_of)


def test_replace_import_and_reason(tmp_path: Path) -> None:
    rc = change(
        "aws_thing.a",
        6,
        obj(id="old"),
        obj(id=UNKNOWN_EXT),
        required_replace=[
            {"steps": [{"attribute_name": "names"}, {"element_key": {"msgpack": packed(0)}}]},
            {"steps": [{"attribute_name": "size"}]},
        ],
        action_reason=3,
    )
    imported = change("aws_thing.b", 0, obj(id="x"))
    imported["change"]["importing"] = {"id": "x"}
    doc = read_plan(write_plan(tmp_path, [imported, rc]), schema_of)
    first, second = doc["resource_changes"]
    assert first["change"]["actions"] == ["delete", "create"]
    assert first["change"]["replace_paths"] == [["names", 0], ["size"]]
    assert first["action_reason"] == "replace_because_cannot_update"
    assert second["change"]["importing"] == {"id": "x"}
    assert second["change"]["before"] == second["change"]["after"] == obj(id="x")
    assert "action_reason" not in second


def test_what_show_leaves_out(tmp_path: Path) -> None:
    data_delete = change("data.aws_thing.d", 5, obj(id="d"))
    moved_only = change("aws_thing.m", 0, obj(id="m"))
    normal = write_plan(tmp_path, [data_delete], [moved_only])
    assert read_plan(normal, schema_of) == {"terraform_version": ""}
    refresh_only = write_plan(tmp_path, [], [moved_only], ui_mode=2)
    assert [e["address"] for e in read_plan(refresh_only, schema_of)["resource_drift"]] == [
        "aws_thing.m"
    ]


@pytest.mark.parametrize(
    ("rc", "message"),
    [
        pytest.param(change("module.m.aws_thing.a", 0, obj()), "root-module", id="module"),
        pytest.param(change("aws_thing.a[0]", 0, obj()), "index key", id="count"),
        pytest.param(change('aws_thing.a["k"]', 0, obj()), "index key", id="for-each"),
        pytest.param(change("aws_thing.a", 5, obj(), deposed_key="00ab"), "deposed", id="deposed"),
        pytest.param(
            change("aws_thing.a", 0, obj(), mode_provider=f'module.m.provider["{AWS}"]'),
            "provider configuration",
            id="module-provider",
        ),
        pytest.param(change("aws_thing.a", 4, obj()), "action 4", id="action"),
        pytest.param(change("aws_thing.a", 3, obj()), "1 values", id="values"),
        pytest.param(
            change("aws_thing.a", 0, obj(), action_reason=99), "action reason", id="reason"
        ),
        pytest.param(
            change("aws_thing.a", 0, msgpack.ExtType(5, b"")), "extension 5", id="extension"
        ),
    ],
)
def test_what_it_does_not_read_is_refused(tmp_path: Path, rc: dict[str, Any], message: str) -> None:
    with pytest.raises(PlanFileError, match=message):
        read_plan(write_plan(tmp_path, [rc]), schema_of)


def test_import_by_identity_is_refused(tmp_path: Path) -> None:
    rc = change("aws_thing.a", 0, obj())
    rc["change"]["importing"] = {"identity": {"msgpack": packed({"id": "x"})}}
    with pytest.raises(PlanFileError, match="identity"):
        read_plan(write_plan(tmp_path, [rc]), schema_of)


def test_other_plan_formats_and_errored_plans_are_refused(tmp_path: Path) -> None:
    with pytest.raises(PlanFileError, match="format 2"):
        read_plan(write_plan(tmp_path, version=2), schema_of)
    with pytest.raises(PlanFileError, match="errored"):
        read_plan(write_plan(tmp_path, errored=True), schema_of)
    with pytest.raises(PlanFileError, match="deferred"):
        read_plan(write_plan(tmp_path, deferred_changes=[b"\x0a\x00"]), schema_of)

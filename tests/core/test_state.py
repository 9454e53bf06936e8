"""State v4 parsing, the index, and loading from files and the S3 backend layout."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tfdrift_gitops.adapters.state_source import StateSource
from tfdrift_gitops.core.state import StateIndex, parse_state
from tfdrift_gitops.errors import StateError


def resource(
    rtype: str, name: str, *instances: dict[str, Any], module: str = "", mode: str = "managed"
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "mode": mode,
        "type": rtype,
        "name": name,
        "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
        "instances": list(instances),
    }
    if module:
        data["module"] = module
    return data


def doc(*resources: dict[str, Any], serial: int = 1) -> dict[str, Any]:
    return {
        "version": 4,
        "terraform_version": "1.11.4",
        "serial": serial,
        "lineage": "x",
        "outputs": {},
        "resources": list(resources),
    }


@pytest.mark.parametrize(
    ("res", "address"),
    [
        pytest.param(
            resource("aws_s3_bucket", "logs", {"attributes": {"id": "b"}}),
            "aws_s3_bucket.logs",
            id="root",
        ),
        pytest.param(
            resource("aws_s3_bucket", "logs", {"attributes": {"id": "b"}}, module="module.storage"),
            "module.storage.aws_s3_bucket.logs",
            id="module",
        ),
        pytest.param(
            resource("aws_instance", "api", {"index_key": 0, "attributes": {"id": "i"}}),
            "aws_instance.api[0]",
            id="count",
        ),
        pytest.param(
            resource(
                "aws_instance",
                "api",
                {"index_key": "blue", "attributes": {"id": "i"}},
                module='module.app["eu"].module.net',
            ),
            'module.app["eu"].module.net.aws_instance.api["blue"]',
            id="for-each-nested",
        ),
    ],
)
def test_addresses(res: dict[str, Any], address: str) -> None:
    [parsed] = parse_state(doc(res), source="s").resources
    assert parsed.address == address


def test_data_sources_and_deposed_objects_are_not_targets() -> None:
    parsed = parse_state(
        doc(
            resource("aws_ami", "al2023", {"attributes": {"id": "ami-1"}}, mode="data"),
            resource(
                "aws_instance",
                "a",
                {"attributes": {"id": "i-new"}},
                {"deposed": "abcd", "attributes": {"id": "i-old"}},
            ),
        ),
        source="s",
    )
    assert [r.cloud_id for r in parsed.resources] == ["i-new"]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param({"version": 3, "modules": []}, "unsupported state format version 3", id="v3"),
        pytest.param([], "not a Terraform state", id="array"),
        pytest.param({"version": 4, "resources": {}}, "'resources' is not a list", id="bad-res"),
        pytest.param(
            {"version": 4, "resources": [{"mode": "managed"}]}, "lacks a type", id="no-type"
        ),
    ],
)
def test_invalid_states_are_rejected_clearly(document: Any, message: str) -> None:
    with pytest.raises(StateError, match=message):
        parse_state(document, source="bad.tfstate")


def test_lookup_is_scoped_by_account_and_region_from_the_arn() -> None:
    index = StateIndex(
        [
            parse_state(
                doc(
                    resource(
                        "aws_iam_role",
                        "a",
                        {
                            "attributes": {
                                "id": "app",
                                "name": "app",
                                "arn": "arn:aws:iam::111111111111:role/app",
                            }
                        },
                    ),
                    resource(
                        "aws_iam_role",
                        "b",
                        {
                            "attributes": {
                                "id": "app",
                                "name": "app",
                                "arn": "arn:aws:iam::222222222222:role/app",
                            }
                        },
                    ),
                ),
                source="s",
            )
        ]
    )
    assert [
        r.address for r in index.lookup("aws_iam_role", "name", "app", account="222222222222")
    ] == ["aws_iam_role.b"]
    assert len(index.lookup("aws_iam_role", "name", "app")) == 2


def test_real_state_from_the_corpus(corpus_dir: Path) -> None:
    source = StateSource([str(corpus_dir / "states" / "aws-lab.tfstate")])
    index = source.index()
    assert len(index) == 15  # 16 resources, one of them a data source
    [sg] = index.lookup("aws_security_group", "id", "sg-00b0bd48f1f5bca5b")
    assert sg.address == "aws_security_group.webserver"
    assert sg.attributes["ingress"]


def test_local_directory_with_workspaces(tmp_path: Path) -> None:
    (tmp_path / "terraform.tfstate").write_text(json.dumps(doc()))
    ws = tmp_path / "terraform.tfstate.d" / "staging"
    ws.mkdir(parents=True)
    (ws / "terraform.tfstate").write_text(json.dumps(doc(serial=5)))
    states = StateSource([str(tmp_path)]).load()
    assert [(s.workspace, s.serial) for s in states] == [("default", 1), ("staging", 5)]


def test_missing_and_corrupt_local_files(tmp_path: Path) -> None:
    with pytest.raises(StateError, match="not found"):
        StateSource([str(tmp_path / "nope.tfstate")]).load()
    bad = tmp_path / "bad.tfstate"
    bad.write_text('{"version": 4, "resources": [')
    with pytest.raises(StateError, match=r"bad\.tfstate: not valid JSON"):
        StateSource([str(bad)]).load()


def test_s3_backend_default_and_workspaces(s3_client: Any, s3_bucket: str) -> None:
    key = "infra/prod.tfstate"
    s3_client.put_object(Bucket=s3_bucket, Key=key, Body=json.dumps(doc(serial=1)).encode())
    s3_client.put_object(
        Bucket=s3_bucket, Key=f"env:/blue/{key}", Body=json.dumps(doc(serial=2)).encode()
    )
    s3_client.put_object(
        Bucket=s3_bucket, Key=f"env:/green/{key}", Body=json.dumps(doc(serial=3)).encode()
    )
    s3_client.put_object(Bucket=s3_bucket, Key=f"{key}.tflock", Body=b"{}")
    url = f"s3://{s3_bucket}/{key}"
    only_default = StateSource([url], s3_client_factory=lambda: s3_client).load()
    assert [(s.workspace, s.serial, s.source) for s in only_default] == [("default", 1, url)]
    every = StateSource([url], s3_client_factory=lambda: s3_client, workspaces=["*"]).load()
    assert [(s.workspace, s.serial) for s in every] == [("default", 1), ("blue", 2), ("green", 3)]
    assert every[1].source == f"s3://{s3_bucket}/env:/blue/{key}"
    source = StateSource([url], s3_client_factory=lambda: s3_client)
    before = source.fingerprint()
    s3_client.put_object(Bucket=s3_bucket, Key=key, Body=json.dumps(doc(serial=9)).encode())
    assert source.fingerprint() != before


def test_s3_errors_name_the_object(s3_client: Any, s3_bucket: str) -> None:
    with pytest.raises(StateError, match=rf"s3://{s3_bucket}/missing.tfstate: cannot read"):
        StateSource(
            [f"s3://{s3_bucket}/missing.tfstate"], s3_client_factory=lambda: s3_client
        ).load()
    with pytest.raises(StateError, match="lock file"):
        StateSource(
            [f"s3://{s3_bucket}/x.tfstate.tflock"], s3_client_factory=lambda: s3_client
        ).load()


def _both_parsers(document: dict[str, Any]) -> list[list[tuple[str, dict[str, Any]]]]:
    from tfdrift_gitops.core.state_text import parse_state_text

    results = []
    for parsed in (
        parse_state(document, source="s"),
        parse_state_text(json.dumps(document, indent=2), source="s"),
        parse_state_text(json.dumps(document), source="s"),
    ):
        results.append([(r.address, r.attributes) for r in parsed.resources])
    return results


def test_text_reader_agrees_with_the_document_parser(corpus_dir: Path) -> None:
    document = json.loads((corpus_dir / "states" / "aws-lab.tfstate").read_text())
    by_dict, indented, compact = _both_parsers(document)
    assert by_dict == indented == compact
    assert len(by_dict) == 15


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param('{"version": 4, "resources": [', "unexpected end of data", id="truncated"),
        pytest.param('{"version": 4, "resources": []} {}', "extra data", id="trailing"),
        pytest.param(
            '{"version": 4, "resources": [{"type": "a", "name": "b", "instances": [{'
            '"attributes": {"id": }}]}]}',
            "not valid JSON",
            id="bad-leaf",
        ),
        pytest.param(
            '{"version": 3, "modules": []}', "unsupported state format version 3", id="v3"
        ),
        pytest.param(
            '{"resources": [], "version": "4"}',
            "unsupported state format version '4'",
            id="version-string",
        ),
        pytest.param("[]", "not a Terraform state", id="array"),
    ],
)
def test_text_reader_rejects_bad_documents(text: str, message: str) -> None:
    from tfdrift_gitops.core.state_text import parse_state_text

    with pytest.raises(StateError, match=message):
        parse_state_text(text, source="bad.tfstate")

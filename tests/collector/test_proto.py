"""The generated stubs carry Falco's wire contract: package, services, methods, field numbers."""

from __future__ import annotations

import pytest

from tfdrift_gitops.falco._pb import falco_outputs_pb2, falco_version_pb2


def test_outputs_service_methods() -> None:
    service = falco_outputs_pb2.DESCRIPTOR.services_by_name["service"]
    assert service.full_name == "falco.outputs.service"
    sub = service.methods_by_name["sub"]
    assert (sub.client_streaming, sub.server_streaming) == (True, True)
    get = service.methods_by_name["get"]
    assert (get.client_streaming, get.server_streaming) == (False, True)
    assert falco_outputs_pb2.request.DESCRIPTOR.fields == []


@pytest.mark.parametrize(
    ("name", "number"),
    [
        pytest.param("time", 1, id="time"),
        pytest.param("priority", 2, id="priority"),
        pytest.param("source_deprecated", 3, id="source_deprecated"),
        pytest.param("rule", 4, id="rule"),
        pytest.param("output", 5, id="output"),
        pytest.param("output_fields", 6, id="output_fields"),
        pytest.param("hostname", 7, id="hostname"),
        pytest.param("tags", 8, id="tags"),
        pytest.param("source", 9, id="source"),
    ],
)
def test_response_field_numbers(name: str, number: int) -> None:
    assert falco_outputs_pb2.response.DESCRIPTOR.fields_by_name[name].number == number


def test_enums() -> None:
    priorities = falco_outputs_pb2.priority
    assert [priorities.Name(n) for n in range(8)] == [
        "EMERGENCY", "ALERT", "CRITICAL", "ERROR", "WARNING", "NOTICE", "INFORMATIONAL", "DEBUG",
    ]  # fmt: skip
    sources = falco_outputs_pb2.source
    assert [sources.Name(n) for n in range(4)] == ["SYSCALL", "K8S_AUDIT", "INTERNAL", "PLUGIN"]


def test_version_service() -> None:
    service = falco_version_pb2.DESCRIPTOR.services_by_name["service"]
    assert service.full_name == "falco.version.service"
    assert "version" in service.methods_by_name
    fields = falco_version_pb2.response.DESCRIPTOR.fields_by_name
    assert [(n, fields[n].number) for n in ("version", "major", "minor", "patch")] == [
        ("version", 1), ("major", 2), ("minor", 3), ("patch", 4),
    ]  # fmt: skip

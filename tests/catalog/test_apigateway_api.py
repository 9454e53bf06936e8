"""API Gateway stage rows on API-shaped calls: no public record of ``UpdateStage`` or
``DeleteStage`` was found. Each call reuses the envelope of a published record
(``route53-change-resource-record-sets.json``, in us-east-1 like the stages) with the request the
API Gateway REST and v2 API references give (``patchOperations``; the v2 body), against
``real-apigateway.tfstate`` (a REST stage with its ``*/*`` method settings, and an HTTP API stage).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from tests.catalog.conftest import run_events
from tests.catalog.test_real_others import Estate, Want, check, records, skip
from tfdrift_gitops.models import Kind, Severity

GW = Estate("apigateway")
API = "a1b2c3d4e5"
V2 = "f6g7h8i9j0"
STAGE = "aws_api_gateway_stage.prod"
SETTINGS = "aws_api_gateway_method_settings.all"


def _call(name: str, request: dict[str, Any]) -> Any:
    base = records("route53-change-resource-record-sets.json")[0]
    event = replace(
        base, name=name, source="apigateway.amazonaws.com", request=request, response=None
    )
    return run_events(GW.index(), [event])


def _patch(*ops: tuple[str, str, Any]) -> dict[str, Any]:
    return {
        "restApiId": API,
        "stageName": "prod",
        "patchOperations": [{"op": op, "path": path, "value": value} for op, path, value in ops],
    }


CASES = [
    pytest.param(
        "UpdateStage",
        _patch(("replace", "/tracingEnabled", "false")),
        Want(Kind.MODIFIED, STAGE, Severity.MEDIUM, {"xray_tracing_enabled": (True, False)}),
        id="rest-tracing-off",
    ),
    pytest.param(
        "UpdateStage",
        _patch(("replace", "/variables/backend", "green")),
        Want(
            Kind.MODIFIED,
            STAGE,
            Severity.MEDIUM,
            {"variables": ({"backend": "blue"}, {"backend": "green"})},
        ),
        id="rest-stage-variable",
    ),
    pytest.param(
        "UpdateStage",
        _patch(("remove", "/accessLogSettings", None)),
        Want(
            Kind.MODIFIED,
            STAGE,
            Severity.HIGH,
            reason="access logging removed",
        ),
        id="rest-access-logs-removed",
    ),
    pytest.param(
        "UpdateStage",
        _patch(("replace", "/*/*/logging/loglevel", "OFF")),
        Want(
            Kind.MODIFIED,
            SETTINGS,
            Severity.HIGH,
            {"settings[0].logging_level": ("INFO", "OFF")},
            reason="execution logging off",
        ),
        id="rest-method-logging-off",
    ),
    pytest.param(
        "UpdateStage",
        _patch(("replace", "/*/*/throttling/rateLimit", "50")),
        skip("no_change"),
        id="rest-throttling-same",
    ),
    pytest.param(
        "UpdateStage",
        _patch(("replace", "/~1pets/GET/caching/enabled", "true")),
        Want(Kind.UNMANAGED, f"{API}-prod-pets/GET", Severity.MEDIUM),
        id="rest-method-settings-new-path-unmanaged",
    ),
    pytest.param(
        "DeleteStage",
        {"restApiId": API, "stageName": "prod"},
        Want(Kind.DELETED, STAGE, Severity.HIGH),
        id="rest-stage-deleted",
    ),
    pytest.param(
        "UpdateStage",
        {
            "apiId": V2,
            "stageName": "$default",
            "defaultRouteSettings": {"throttlingBurstLimit": 5000, "throttlingRateLimit": 10000},
        },
        Want(
            Kind.MODIFIED,
            "aws_apigatewayv2_stage.default",
            Severity.MEDIUM,
            {
                "default_route_settings[0].throttling_burst_limit": (500, 5000),
                "default_route_settings[0].throttling_rate_limit": (1000, 10000.0),
            },
        ),
        id="v2-throttling-raised",
    ),
    pytest.param(
        "DeleteStage",
        {"apiId": V2, "stageName": "$default"},
        Want(Kind.DELETED, "aws_apigatewayv2_stage.default", Severity.HIGH),
        id="v2-stage-deleted",
    ),
    pytest.param(
        "DeleteStage",
        {"apiId": "otherapi00", "stageName": "$default"},
        skip("not_in_state"),
        id="v2-same-stage-name-other-api",
    ),
]


@pytest.mark.parametrize(("name", "request_", "want"), CASES)
def test_stage_calls(name: str, request_: dict[str, Any], want: Want) -> None:
    check(_call(name, request_), 1, want)


def test_wrapped_operations_are_read() -> None:
    request = {
        "restApiId": API,
        "stageName": "prod",
        "updateStageInput": {
            "patchOperations": [{"op": "replace", "path": "/tracingEnabled", "value": "false"}]
        },
    }
    want = Want(Kind.MODIFIED, STAGE, Severity.MEDIUM, {"xray_tracing_enabled": (True, False)})
    check(_call("UpdateStage", request), 1, want)


def test_unreadable_operations_are_a_resource_level_change() -> None:
    request = {"restApiId": API, "stageName": "prod", "body": "unexpected"}
    check(_call("UpdateStage", request), 1, Want(Kind.MODIFIED, STAGE, Severity.MEDIUM, {}))


def test_one_update_lands_on_stage_and_method_settings() -> None:
    outcome = _call(
        "UpdateStage",
        _patch(
            ("replace", "/tracingEnabled", "false"),
            ("replace", "/*/*/metrics/enabled", "false"),
        ),
    )
    found = {d.resource.address: d for d in outcome.open}
    assert set(found) == {STAGE, SETTINGS}
    assert {c.path for c in found[SETTINGS].changes} == {"settings[0].metrics_enabled"}

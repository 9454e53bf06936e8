"""API Gateway REST methods and APIs, HTTP API routes and APIs, on API-shaped calls: no public
record of these calls was found. Each call reuses the envelope of a published record
(``route53-change-resource-record-sets.json``, in us-east-1) with the request the API Gateway REST
and v2 API references give (``patchOperations`` beside the path's ids; v2's camelCased body),
against ``real-apigateway.tfstate`` plus the REST API, resource, method and integration and the
HTTP API and route the calls name, as provider 5.100.0 stores them.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from tests.catalog.conftest import run_events
from tests.catalog.test_real_others import Estate, Want, check, records, skip
from tfdrift_gitops.models import Kind, Severity

API = "a1b2c3d4e5"
RES = "res123"
V2 = "f6g7h8i9j0"
ROUTE = "rte4567"
POLICY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "execute-api:Invoke",
            "Resource": "execute-api:/*",
            "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
        }
    ],
}
POLICY_TEXT = json.dumps(POLICY)

GW = Estate(
    "apigateway",
    extra=(
        (
            "aws_api_gateway_rest_api",
            "orders",
            {
                "id": API,
                "name": "orders",
                "description": "",
                "policy": POLICY_TEXT,
                "binary_media_types": [],
                "minimum_compression_size": "",
                "disable_execute_api_endpoint": False,
                "api_key_source": "HEADER",
                "root_resource_id": "root00",
                "endpoint_configuration": [{"types": ["REGIONAL"], "vpc_endpoint_ids": []}],
                "tags": {},
            },
        ),
        (
            "aws_api_gateway_resource",
            "items",
            {
                "id": RES,
                "rest_api_id": API,
                "parent_id": "root00",
                "path_part": "items",
                "path": "/items",
            },
        ),
        (
            "aws_api_gateway_method",
            "items_get",
            {
                "id": f"agm-{API}-{RES}-GET",
                "rest_api_id": API,
                "resource_id": RES,
                "http_method": "GET",
                "authorization": "CUSTOM",
                "authorizer_id": "auth12",
                "api_key_required": True,
                "authorization_scopes": [],
                "request_validator_id": "",
                "operation_name": "",
                "request_models": {},
                "request_parameters": {},
            },
        ),
        (
            "aws_api_gateway_integration",
            "items_get",
            {
                "id": f"agi-{API}-{RES}-GET",
                "rest_api_id": API,
                "resource_id": RES,
                "http_method": "GET",
                "type": "HTTP_PROXY",
                "uri": "https://orders.internal.example.com/items",
                "integration_http_method": "GET",
                "credentials": "",
                "connection_type": "INTERNET",
                "connection_id": "",
                "passthrough_behavior": "WHEN_NO_MATCH",
                "content_handling": "",
                "timeout_milliseconds": 29000,
                "cache_namespace": RES,
                "cache_key_parameters": [],
                "request_parameters": {},
                "request_templates": {},
                "tls_config": [],
            },
        ),
        (
            "aws_apigatewayv2_api",
            "http",
            {
                "id": V2,
                "name": "http",
                "protocol_type": "HTTP",
                "description": "",
                "disable_execute_api_endpoint": False,
                "cors_configuration": [],
                "api_key_selection_expression": "$request.header.x-api-key",
                "route_selection_expression": "$request.method $request.path",
                "version": "",
                "tags": {},
            },
        ),
        (
            "aws_apigatewayv2_route",
            "get_items",
            {
                "id": ROUTE,
                "api_id": V2,
                "route_key": "GET /items",
                "authorization_type": "JWT",
                "authorizer_id": "jwt123",
                "api_key_required": False,
                "authorization_scopes": ["orders/read"],
                "operation_name": "",
                "target": "integrations/int1234",
            },
        ),
    ),
)
METHOD = "aws_api_gateway_method.items_get"
REST_API = "aws_api_gateway_rest_api.orders"
V2_API = "aws_apigatewayv2_api.http"
V2_ROUTE = "aws_apigatewayv2_route.get_items"
INTEGRATION = "aws_api_gateway_integration.items_get"


def _call(name: str, request: dict[str, Any], response: dict[str, Any] | None = None) -> Any:
    base = records("route53-change-resource-record-sets.json")[0]
    event = replace(
        base, name=name, source="apigateway.amazonaws.com", request=request, response=response
    )
    return run_events(GW.index(), [event])


def _ops(*ops: tuple[str, str, Any]) -> list[dict[str, Any]]:
    return [{"op": op, "path": path, "value": value} for op, path, value in ops]


def _method(*ops: tuple[str, str, Any], api: str = API) -> dict[str, Any]:
    return {"restApiId": api, "resourceId": RES, "httpMethod": "GET", "patchOperations": _ops(*ops)}


def _api(*ops: tuple[str, str, Any]) -> dict[str, Any]:
    return {"restApiId": API, "patchOperations": _ops(*ops)}


OPENED = {**POLICY, "Statement": [{**POLICY["Statement"][0], "Condition": {}}]}

REST_CASES = [
    pytest.param(
        "UpdateMethod",
        _method(("replace", "/authorizationType", "NONE")),
        Want(
            Kind.MODIFIED,
            METHOD,
            Severity.CRITICAL,
            {"authorization": ("CUSTOM", "NONE")},
            reason="open to anyone",
        ),
        id="method-authorization-none-is-open",
    ),
    pytest.param(
        "UpdateMethod",
        _method(("replace", "/authorizerId", "auth99")),
        Want(Kind.MODIFIED, METHOD, Severity.MEDIUM, {"authorizer_id": ("auth12", "auth99")}),
        id="method-authorizer-swapped",
    ),
    pytest.param(
        "UpdateMethod",
        _method(("remove", "/authorizerId", None)),
        Want(
            Kind.MODIFIED,
            METHOD,
            Severity.HIGH,
            {"authorizer_id": ("auth12", None)},
            reason="authorizer was removed",
        ),
        id="method-authorizer-removed",
    ),
    pytest.param(
        "UpdateMethod",
        _method(("replace", "/apiKeyRequired", "false")),
        Want(
            Kind.MODIFIED,
            METHOD,
            Severity.HIGH,
            {"api_key_required": (True, False)},
            reason="no API key needed",
        ),
        id="method-api-key-dropped",
    ),
    pytest.param(
        "UpdateMethod",
        _method(
            ("replace", "/requestValidatorId", "val123"),
            ("replace", "/operationName", "ListItems"),
        ),
        Want(
            Kind.MODIFIED,
            METHOD,
            Severity.MEDIUM,
            {"request_validator_id": ("", "val123"), "operation_name": ("", "ListItems")},
        ),
        id="method-validator-and-operation-name",
    ),
    pytest.param(
        "UpdateMethod",
        _method(("add", "/authorizationScopes", "orders/write")),
        Want(
            Kind.MODIFIED,
            METHOD,
            Severity.MEDIUM,
            {"authorization_scopes": ([], ["orders/write"])},
        ),
        id="method-scope-added",
    ),
    pytest.param(
        "UpdateMethod",
        _method(("replace", "/authorizationType", "CUSTOM")),
        skip("no_change"),
        id="method-same-authorization",
    ),
    pytest.param(
        "UpdateMethod",
        _method(("replace", "/authorizationType", "NONE"), api="zzzzzzzzzz"),
        skip("not_in_state"),
        id="method-of-another-api",
    ),
    pytest.param(
        "UpdateMethod",
        {
            "restApiId": API,
            "resourceId": RES,
            "httpMethod": "GET",
            "updateMethodInput": {"patchOperations": _ops(("replace", "/apiKeyRequired", "false"))},
        },
        Want(Kind.MODIFIED, METHOD, Severity.HIGH, {"api_key_required": (True, False)}),
        id="method-wrapped-operations",
    ),
    pytest.param(
        "UpdateRestApi",
        _api(("replace", "/policy", json.dumps(OPENED))),
        Want(
            Kind.MODIFIED,
            REST_API,
            Severity.HIGH,
            {"policy": (POLICY_TEXT, json.dumps(OPENED, separators=(",", ":")))},
            reason="resource policy",
        ),
        id="rest-api-policy-changed",
    ),
    pytest.param(
        "UpdateRestApi",
        _api(("replace", "/policy", json.dumps(POLICY, indent=2, sort_keys=True))),
        skip("no_change"),
        id="rest-api-policy-same-document",
    ),
    pytest.param(
        "UpdateRestApi",
        _api(("replace", "/description", "by hand"), ("replace", "/name", "orders-v2")),
        Want(
            Kind.MODIFIED,
            REST_API,
            Severity.MEDIUM,
            {"description": ("", "by hand"), "name": ("orders", "orders-v2")},
        ),
        id="rest-api-description-and-name",
    ),
    pytest.param(
        "UpdateRestApi",
        _api(("add", "/binaryMediaTypes/image~1png", None)),
        Want(Kind.MODIFIED, REST_API, Severity.MEDIUM, {"binary_media_types": ([], ["image/png"])}),
        id="rest-api-binary-media-type-added",
    ),
    pytest.param(
        "UpdateRestApi",
        _api(
            ("replace", "/minimumCompressionSize", "1024"),
            ("replace", "/disableExecuteApiEndpoint", "true"),
            ("replace", "/apiKeySource", "AUTHORIZER"),
        ),
        Want(
            Kind.MODIFIED,
            REST_API,
            Severity.MEDIUM,
            {
                "minimum_compression_size": ("", "1024"),
                "disable_execute_api_endpoint": (False, True),
                "api_key_source": ("HEADER", "AUTHORIZER"),
            },
        ),
        id="rest-api-compression-endpoint-key-source",
    ),
    pytest.param(
        "UpdateRestApi",
        {"restApiId": API, "body": "unexpected"},
        Want(Kind.MODIFIED, REST_API, Severity.MEDIUM, {}),
        id="rest-api-unreadable-is-resource-level",
    ),
    pytest.param(
        "UpdateIntegration",
        _method(
            ("replace", "/uri", "https://attacker.example.net/items"),
            ("replace", "/timeoutInMillis", "5000"),
        ),
        Want(
            Kind.MODIFIED,
            INTEGRATION,
            Severity.MEDIUM,
            {
                "uri": (
                    "https://orders.internal.example.com/items",
                    "https://attacker.example.net/items",
                ),
                "timeout_milliseconds": (29000, 5000),
            },
        ),
        id="integration-backend-moved",
    ),
    pytest.param(
        "UpdateIntegration",
        _method(("add", "/requestTemplates/application~1json", "{}")),
        Want(Kind.MODIFIED, INTEGRATION, Severity.MEDIUM, {}),
        id="integration-template-is-resource-level",
    ),
    pytest.param(
        "UpdateIntegration",
        _method(("replace", "/passthroughBehavior", "WHEN_NO_MATCH")),
        skip("no_change"),
        id="integration-same-passthrough",
    ),
    pytest.param(
        "DeleteResource",
        {"restApiId": API, "resourceId": RES},
        Want(Kind.DELETED, "aws_api_gateway_resource.items", Severity.HIGH),
        id="resource-deleted",
    ),
    pytest.param(
        "DeleteRestApi",
        {"restApiId": API},
        Want(Kind.DELETED, REST_API, Severity.HIGH),
        id="rest-api-deleted",
    ),
]


@pytest.mark.parametrize(("name", "request_", "want"), REST_CASES)
def test_rest_calls(name: str, request_: dict[str, Any], want: Want) -> None:
    check(_call(name, request_), 1, want)


def test_rest_api_made_by_hand_is_unmanaged() -> None:
    outcome = _call(
        "CreateRestApi", {"name": "shadow", "description": "by hand"}, {"id": "newapi0001"}
    )
    check(outcome, 1, Want(Kind.UNMANAGED, "newapi0001", Severity.LOW))


def test_deleted_method_takes_its_integration() -> None:
    outcome = _call("DeleteMethod", {"restApiId": API, "resourceId": RES, "httpMethod": "GET"})
    found = {d.resource.address: d.kind for d in outcome.open}
    assert found == {METHOD: Kind.DELETED, "aws_api_gateway_integration.items_get": Kind.DELETED}


def test_deployment_by_hand_moves_the_stage() -> None:
    outcome = _call(
        "CreateDeployment",
        {"restApiId": API, "createDeploymentInput": {"stageName": "prod"}},
        {"id": "dep999"},
    )
    found = {d.resource.address or d.resource.id: d for d in outcome.open}
    assert set(found) == {"aws_api_gateway_stage.prod", "dep999"}
    stage = found["aws_api_gateway_stage.prod"]
    assert {c.path: (c.before, c.after) for c in stage.changes} == {
        "deployment_id": ("dep123", "dep999")
    }
    assert found["dep999"].kind is Kind.UNMANAGED


def test_deployment_without_a_stage_is_only_unmanaged() -> None:
    outcome = _call("CreateDeployment", {"restApiId": API}, {"id": "dep998"})
    check(outcome, 1, Want(Kind.UNMANAGED, "dep998", Severity.MEDIUM))


CORS = {"allowOrigins": ["*"], "allowMethods": ["GET", "POST"], "allowCredentials": False}
V2_CASES = [
    pytest.param(
        "UpdateRoute",
        {"apiId": V2, "routeId": ROUTE, "authorizationType": "NONE"},
        Want(
            Kind.MODIFIED,
            V2_ROUTE,
            Severity.HIGH,
            {"authorization_type": ("JWT", "NONE")},
            reason="open to anyone",
        ),
        id="route-authorization-none-is-open",
    ),
    pytest.param(
        "UpdateRoute",
        {"apiId": V2, "routeId": ROUTE, "target": "integrations/int9999", "apiKeyRequired": True},
        Want(
            Kind.MODIFIED,
            V2_ROUTE,
            Severity.MEDIUM,
            {
                "target": ("integrations/int1234", "integrations/int9999"),
                "api_key_required": (False, True),
            },
        ),
        id="route-target-and-key",
    ),
    pytest.param(
        "UpdateRoute",
        {"apiId": V2, "routeId": ROUTE, "authorizationScopes": ["orders/read"]},
        skip("no_change"),
        id="route-same-scopes",
    ),
    pytest.param(
        "UpdateRoute",
        {"apiId": V2, "routeId": ROUTE},
        Want(Kind.MODIFIED, V2_ROUTE, Severity.MEDIUM, {}),
        id="route-nothing-modelled-is-resource-level",
    ),
    pytest.param(
        "DeleteRoute",
        {"apiId": V2, "routeId": ROUTE},
        Want(Kind.DELETED, V2_ROUTE, Severity.HIGH),
        id="route-deleted",
    ),
    pytest.param(
        "UpdateApi",
        {"apiId": V2, "corsConfiguration": CORS},
        Want(
            Kind.MODIFIED,
            V2_API,
            Severity.HIGH,
            {
                "cors_configuration": (
                    [],
                    [
                        {
                            "allow_headers": [],
                            "allow_methods": ["GET", "POST"],
                            "allow_origins": ["*"],
                            "expose_headers": [],
                            "allow_credentials": False,
                            "max_age": 0,
                        }
                    ],
                )
            },
            reason="any origin",
        ),
        id="api-cors-any-origin",
    ),
    pytest.param(
        "UpdateApi",
        {"apiId": V2, "description": "by hand", "disableExecuteApiEndpoint": True},
        Want(
            Kind.MODIFIED,
            V2_API,
            Severity.MEDIUM,
            {"description": ("", "by hand"), "disable_execute_api_endpoint": (False, True)},
        ),
        id="api-description-and-endpoint",
    ),
    pytest.param(
        "UpdateApi",
        {"apiId": V2, "name": "http"},
        skip("no_change"),
        id="api-same-name",
    ),
    pytest.param(
        "DeleteApi",
        {"apiId": V2},
        Want(Kind.DELETED, V2_API, Severity.HIGH),
        id="api-deleted",
    ),
    pytest.param(
        "DeleteApi",
        {"apiId": "otherapi00"},
        skip("not_in_state"),
        id="api-other-deleted",
    ),
]


@pytest.mark.parametrize(("name", "request_", "want"), V2_CASES)
def test_v2_calls(name: str, request_: dict[str, Any], want: Want) -> None:
    check(_call(name, request_), 1, want)


@pytest.mark.parametrize(
    ("name", "request_", "response", "want"),
    [
        pytest.param(
            "CreateApi",
            {"name": "shadow", "protocolType": "HTTP"},
            {"apiId": "newv2api01"},
            Want(Kind.UNMANAGED, "newv2api01", Severity.LOW),
            id="api-by-hand",
        ),
        pytest.param(
            "CreateApi",
            {"name": "tagged", "protocolType": "HTTP", "tags": {"team": "ops"}},
            {"apiId": "newv2api02"},
            Want(
                Kind.UNMANAGED,
                "newv2api02",
                Severity.LOW,
                {
                    "name": (None, "tagged"),
                    "protocol_type": (None, "HTTP"),
                    "tags": (None, {"team": "ops"}),
                },
            ),
            id="api-by-hand-with-tags",  # an import block without them plans their change
        ),
        pytest.param(
            "CreateRoute",
            {"apiId": V2, "routeKey": "POST /admin", "authorizationType": "NONE"},
            {"routeId": "rte9999"},
            Want(Kind.UNMANAGED, "rte9999", Severity.HIGH, reason="open to anyone"),
            id="open-route-by-hand",
        ),
    ],
)
def test_v2_made_by_hand(
    name: str, request_: dict[str, Any], response: dict[str, Any], want: Want
) -> None:
    check(_call(name, request_, response), 1, want)


POLICY_RESOURCE = ("aws_api_gateway_rest_api_policy", "orders", {"id": API, "rest_api_id": API})


def test_policy_managed_apart_lands_on_the_policy_resource() -> None:
    estate = replace(
        GW, extra=(*GW.extra, (*POLICY_RESOURCE[:2], {**POLICY_RESOURCE[2], "policy": POLICY_TEXT}))
    )
    base = records("route53-change-resource-record-sets.json")[0]
    request = _api(("replace", "/policy", json.dumps(OPENED)))
    event = replace(
        base,
        name="UpdateRestApi",
        source="apigateway.amazonaws.com",
        request=request,
        response=None,
    )
    outcome = run_events(estate.index(), [event])
    check(
        outcome,
        1,
        Want(
            Kind.MODIFIED,
            "aws_api_gateway_rest_api_policy.orders",
            Severity.HIGH,
            {"policy": (POLICY_TEXT, json.dumps(OPENED, separators=(",", ":")))},
        ),
    )
    request = _api(("replace", "/policy", json.dumps(OPENED)), ("replace", "/name", "x"))
    outcome = run_events(estate.index(), [replace(event, request=request)])
    found = {d.resource.address: {c.path for c in d.changes} for d in outcome.open}
    # The API's own policy attribute mirrors the policy resource's (the provider reads both).
    assert found == {
        "aws_api_gateway_rest_api_policy.orders": {"policy"},
        REST_API: {"name", "policy"},
    }

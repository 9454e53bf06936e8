"""API Gateway HTTP and WebSocket APIs (v2) changed by hand: the API
(``aws_apigatewayv2_api``) and its routes (``aws_apigatewayv2_route``).

Choices worth knowing:
- No public record of these calls was found. v2 calls are plain JSON bodies: CloudTrail logs the
  members camelCased beside the path's ``apiId``/``routeId`` (as for ``UpdateStage``), and each
  names only what it changes.
- ``corsConfiguration`` replaces the API's whole CORS block; it is compared as a block, its
  lists as sets. A CORS configuration allowing any origin (``*``) is high.
- A route's provider id is its ``routeId`` (imported as ``API/ROUTE``); an API's is its id.
  ``authorizationType`` set to ``NONE`` opens the route to anyone: high.
- ``DeleteApi`` reports the API; its routes, integrations and stages go with it at AWS.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tfdrift_gitops.core.catalog.apigateway import SOURCE
from tfdrift_gitops.core.catalog.model import (
    Action,
    Effect,
    Rule,
    Target,
    as_bool,
    as_int,
    as_set,
    blocks,
    mapped,
    req,
    resp,
    tags_map,
)
from tfdrift_gitops.core.catalog.model import Set as SetAttr
from tfdrift_gitops.core.catalog.support import (
    boolean,
    optional_text,
    string_list,
    tag_pairs,
    text,
    with_fallback,
)
from tfdrift_gitops.core.paths import MISSING, lookup
from tfdrift_gitops.models import CloudEvent, Severity

API = "aws_apigatewayv2_api"
ROUTE = "aws_apigatewayv2_route"

API_ID = text("apiId")
ROUTE_ID = text("routeId")
_NEW_API = mapped(resp("apiId"), str)
_NEW_ROUTE = mapped(resp("routeId"), str)

_CORS_LISTS = {
    "allowHeaders": "allow_headers",
    "allowMethods": "allow_methods",
    "allowOrigins": "allow_origins",
    "exposeHeaders": "expose_headers",
}


def _cors_block(raw: Any) -> Any:
    """The request's ``corsConfiguration`` as the provider's one-element block list."""
    if not isinstance(raw, Mapping):
        return MISSING
    block: dict[str, Any] = {
        field: sorted(str(v) for v in values) if isinstance(values, list) else []
        for key, field in _CORS_LISTS.items()
        for values in [lookup(raw, key)]
    }
    credentials = as_bool(lookup(raw, "allowCredentials"))
    block["allow_credentials"] = credentials if isinstance(credentials, bool) else False
    age = as_int(lookup(raw, "maxAge"))
    block["max_age"] = age if isinstance(age, int) else 0
    return [block]


def _route_import(event: CloudEvent) -> Any:
    api, route = API_ID(event), _NEW_ROUTE(event)
    if not isinstance(api, str) or not isinstance(route, str):
        return MISSING
    return f"{api}/{route}"


API_EFFECTS: tuple[Effect, ...] = (
    SetAttr("name", text("name")),
    SetAttr("description", text("description"), optional_text),
    SetAttr("disable_execute_api_endpoint", boolean("disableExecuteApiEndpoint")),
    SetAttr("cors_configuration", mapped(req("corsConfiguration"), _cors_block), blocks),
    SetAttr("api_key_selection_expression", text("apiKeySelectionExpression")),
    SetAttr("route_selection_expression", text("routeSelectionExpression")),
    SetAttr("version", text("version"), optional_text),
)
ROUTE_EFFECTS: tuple[Effect, ...] = (
    SetAttr("authorization_type", text("authorizationType")),
    SetAttr("authorizer_id", text("authorizerId"), optional_text),
    SetAttr("api_key_required", boolean("apiKeyRequired")),
    SetAttr("authorization_scopes", string_list(req("authorizationScopes")), as_set),
    SetAttr("operation_name", text("operationName"), optional_text),
    SetAttr("route_key", text("routeKey")),
    SetAttr("target", text("target"), optional_text),
)


# --------------------------------------------------------------------------- severity


def _route_opened(event: CloudEvent, observed: Mapping[str, Any]) -> tuple[Severity, str] | None:
    if str(text("authorizationType")(event)).upper() == "NONE":
        return Severity.HIGH, "authorizationType set to NONE: the route is open to anyone"
    if as_bool(req("apiKeyRequired")(event)) is False:
        return Severity.HIGH, "apiKeyRequired set to false: no API key needed any more"
    return None


def _any_origin(event: CloudEvent, observed: Mapping[str, Any]) -> tuple[Severity, str] | None:
    origins = string_list(req("corsConfiguration.allowOrigins"))(event)
    if isinstance(origins, list) and "*" in origins:
        return Severity.HIGH, "CORS now allows any origin ('*')"
    return None


RULES: tuple[Rule, ...] = (
    Rule(
        "UpdateApi",
        SOURCE,
        Action.MODIFY,
        with_fallback(Target(API, "id", API_ID, API_EFFECTS)),
        severity=Severity.MEDIUM,
        description="HTTP/WebSocket API changed outside Terraform",
        severity_checks=(_any_origin,),
    ),
    Rule(
        "UpdateRoute",
        SOURCE,
        Action.MODIFY,
        with_fallback(Target(ROUTE, "id", ROUTE_ID, ROUTE_EFFECTS)),
        severity=Severity.MEDIUM,
        description="HTTP/WebSocket API route's authorization or target changed outside Terraform",
        severity_checks=(_route_opened,),
    ),
    Rule(
        "DeleteRoute",
        SOURCE,
        Action.DELETE,
        (Target(ROUTE, "id", ROUTE_ID),),
        severity=Severity.HIGH,
        description="HTTP/WebSocket API route deleted",
    ),
    Rule(
        "CreateRoute",
        SOURCE,
        Action.CREATE,
        (
            Target(
                ROUTE,
                "id",
                _NEW_ROUTE,
                (
                    SetAttr("api_id", API_ID),
                    SetAttr("route_key", text("routeKey")),
                    SetAttr("authorization_type", text("authorizationType")),
                    SetAttr("target", text("target"), optional_text),
                ),
                import_id=_route_import,
            ),
        ),
        severity=Severity.MEDIUM,
        description="HTTP/WebSocket API route created outside Terraform",
        severity_checks=(_route_opened,),
    ),
    Rule(
        "DeleteApi",
        SOURCE,
        Action.DELETE,
        (Target(API, "id", API_ID),),
        severity=Severity.HIGH,
        description="HTTP/WebSocket API deleted",
    ),
    Rule(
        "CreateApi",
        SOURCE,
        Action.CREATE,
        (
            Target(
                API,
                "id",
                _NEW_API,
                (
                    SetAttr("name", text("name")),
                    SetAttr("protocol_type", text("protocolType")),
                    SetAttr("description", text("description"), optional_text),
                    # A map in the request. CreateRoute has none to record: neither the call
                    # nor aws_apigatewayv2_route (provider 5.100.0) has tags.
                    SetAttr("tags", tag_pairs(req("tags")), tags_map),
                ),
                import_id=_NEW_API,
            ),
        ),
        severity=Severity.LOW,
        description="HTTP/WebSocket API created outside Terraform",
    ),
)

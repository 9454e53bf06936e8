"""WAFv2 and API Gateway rows judged by Terraform: IP sets, web ACLs, their associations and
logging, REST API stages and method settings, REST APIs, resources, methods and deployments,
HTTP APIs, their routes and stages.

Requests are written as CloudTrail records them (camelCase members, WAFv2's ``iPAddressVersion``,
API Gateway's ``restApiId`` / ``apiId`` beside the stage name, which tells the REST and
HTTP/WebSocket rows apart). WAFv2 events reuse the real WAFv2 records' envelopes; no API
Gateway record is public, so its cases borrow the WAFv2 UpdateWebACL envelope (identity,
agent), the part the record takes from a fixture.

``UpdateWebACL`` is judged on a web ACL without rules (the row compares ``default_action``,
``description``, ``visibility_config`` and an emptied rule list; rules keep a call
resource-level). Not here (each with its reason in scripts/regen_terraform_verified.py): the
HTTP API's ``UpdateStage`` (moto 5.2.6 has no apigatewayv2 update_stage), ``UpdateMethod`` and
``UpdateIntegration`` (no update_method, update_integration either), a REST API's resource
policy (an API with one fails to apply on moto) and Access Analyzer (moto has no backend for
it). The REST cases other than stages land on bare APIs (one to three resources each), and the
route cases share one HTTP API.

moto keeps REST method settings under the path as sent: ``/~1items/GET/...`` is stored as
``~1items/GET``, which the provider (asking for ``items/GET``) would read as gone, so the
method-settings call names the resource path unescaped, a form the row reads the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.oracle.checks import (  # noqa: F401
    test_changes_agree_with_terraform,
    test_deletion_agrees_with_terraform,
    test_every_written_file_validates,
    test_import_plan_summary,
    test_import_plans_no_change,
    test_no_drift_outside_the_cases,
    test_removed_block_plans_cleanly,
    test_revert_plans_the_drift_back,
    test_unmanaged_import_plans_as_import_only,
    test_unmanaged_is_outside_terraform,
)
from tests.oracle.harness import Call, Case, World
from tests.oracle.terraform import ACCOUNT, REGION

WAF = "wafv2.amazonaws.com"
APIGW = "apigateway.amazonaws.com"
SCOPE = "REGIONAL"
DELETED: dict[str, Any] = {"kind": "deleted", "strategies": ("import",)}
UNMANAGED: dict[str, Any] = {"kind": "unmanaged", "strategies": ("import",)}


def _ip_set(name: str, addresses: str = '["10.0.0.0/24"]') -> str:
    return f"""
resource "aws_wafv2_ip_set" "{name}" {{
  name               = "{name}"
  scope              = "{SCOPE}"
  ip_address_version = "IPV4"
  addresses          = {addresses}
}}
"""


def _acl(name: str) -> str:
    return f"""
resource "aws_wafv2_web_acl" "{name}" {{
  name  = "{name}"
  scope = "{SCOPE}"
  default_action {{
    block {{}}
  }}
  visibility_config {{
    cloudwatch_metrics_enabled = false
    metric_name                = "{name}"
    sampled_requests_enabled   = false
  }}
}}
"""


def _log_group(name: str) -> str:
    return f"""
resource "aws_cloudwatch_log_group" "{name}" {{
  name = "aws-waf-logs-{name}"
}}
"""


def _logging(name: str) -> str:
    # The destination is written as a literal: import refuses to overwrite a reference (by
    # design, as for a KMS alias's target), and a moved destination is what a case changes.
    group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:aws-waf-logs-{name}"
    return (
        _acl(name)
        + _log_group(name)
        + f"""
resource "aws_wafv2_web_acl_logging_configuration" "{name}" {{
  resource_arn            = aws_wafv2_web_acl.{name}.arn
  log_destination_configs = ["{group}"]
  depends_on              = [aws_cloudwatch_log_group.{name}]
}}
"""
    )


def _rest_stage(name: str, extra: str = "") -> str:
    """A REST API with one mock GET method, deployed to a stage named after ``name``."""
    return f"""
resource "aws_api_gateway_rest_api" "{name}" {{
  name = "{name}"
}}

resource "aws_api_gateway_resource" "{name}" {{
  rest_api_id = aws_api_gateway_rest_api.{name}.id
  parent_id   = aws_api_gateway_rest_api.{name}.root_resource_id
  path_part   = "items"
}}

resource "aws_api_gateway_method" "{name}" {{
  rest_api_id   = aws_api_gateway_rest_api.{name}.id
  resource_id   = aws_api_gateway_resource.{name}.id
  http_method   = "GET"
  authorization = "NONE"
}}

resource "aws_api_gateway_integration" "{name}" {{
  rest_api_id = aws_api_gateway_rest_api.{name}.id
  resource_id = aws_api_gateway_resource.{name}.id
  http_method = aws_api_gateway_method.{name}.http_method
  type        = "MOCK"
}}

resource "aws_api_gateway_deployment" "{name}" {{
  rest_api_id = aws_api_gateway_rest_api.{name}.id
  depends_on  = [aws_api_gateway_integration.{name}]
}}

resource "aws_api_gateway_stage" "{name}" {{
  rest_api_id   = aws_api_gateway_rest_api.{name}.id
  deployment_id = aws_api_gateway_deployment.{name}.id
  stage_name    = "{name.replace("_", "-")}"
  description   = "managed"
}}
{extra}"""


def _method_settings(name: str) -> str:
    return f"""
resource "aws_api_gateway_method_settings" "{name}" {{
  rest_api_id = aws_api_gateway_rest_api.{name}.id
  stage_name  = aws_api_gateway_stage.{name}.stage_name
  method_path = "items/GET"
  settings {{
    logging_level   = "INFO"
    metrics_enabled = false
  }}
}}
"""


def _association(name: str) -> str:
    return (
        _acl(name)
        + _rest_stage(name)
        + f"""
resource "aws_wafv2_web_acl_association" "{name}" {{
  resource_arn = aws_api_gateway_stage.{name}.arn
  web_acl_arn  = aws_wafv2_web_acl.{name}.arn
}}
"""
    )


def _http_stage(name: str) -> str:
    return f"""
resource "aws_apigatewayv2_api" "{name}" {{
  name          = "{name}"
  protocol_type = "HTTP"
}}

resource "aws_apigatewayv2_stage" "{name}" {{
  api_id      = aws_apigatewayv2_api.{name}.id
  name        = "{name.replace("_", "-")}"
  description = "managed"
}}
"""


def _bare_rest_api(name: str) -> str:
    """A REST API with nothing under it (one resource: the cheapest thing a REST row lands on)."""
    return f"""
resource "aws_api_gateway_rest_api" "{name}" {{
  name        = "{name}"
  description = "managed"
}}
"""


def _rest_path(name: str, method: bool) -> str:
    """A REST API with one resource, with one GET method (no integration) when ``method``."""
    hcl = (
        _bare_rest_api(name)
        + f"""
resource "aws_api_gateway_resource" "{name}" {{
  rest_api_id = aws_api_gateway_rest_api.{name}.id
  parent_id   = aws_api_gateway_rest_api.{name}.root_resource_id
  path_part   = "items"
}}
"""
    )
    if method:
        hcl += f"""
resource "aws_api_gateway_method" "{name}" {{
  rest_api_id   = aws_api_gateway_rest_api.{name}.id
  resource_id   = aws_api_gateway_resource.{name}.id
  http_method   = "GET"
  authorization = "AWS_IAM"
}}
"""
    return hcl


def _http_api(name: str) -> str:
    return f"""
resource "aws_apigatewayv2_api" "{name}" {{
  name          = "{name}"
  protocol_type = "HTTP"
  description   = "managed"
}}
"""


def _http_routes(name: str, *routes: str) -> str:
    """An HTTP API with IAM-authorised routes named ``routes`` (``GET /<route>``)."""
    return _http_api(name) + "".join(
        f"""
resource "aws_apigatewayv2_route" "{route}" {{
  api_id             = aws_apigatewayv2_api.{name}.id
  route_key          = "GET /{route}"
  authorization_type = "AWS_IAM"
}}
"""
        for route in routes
    )


def _waf(world: World) -> Any:
    return world.client("wafv2")


def _token(world: World, kind: str, name: str) -> str:
    ident = world.id(f"aws_wafv2_{kind}.{name}")
    if kind == "ip_set":
        got = _waf(world).get_ip_set(Name=name, Scope=SCOPE, Id=ident)
    else:
        got = _waf(world).get_web_acl(Name=name, Scope=SCOPE, Id=ident)
    return str(got["LockToken"])


def update_ip_set(world: World) -> Call:
    ident, token = (
        world.id("aws_wafv2_ip_set.waf_ips_updated"),
        _token(world, "ip_set", "waf_ips_updated"),
    )
    addresses = ["10.0.0.0/24", "192.168.7.0/24"]
    answer = _waf(world).update_ip_set(
        Name="waf_ips_updated", Scope=SCOPE, Id=ident, Addresses=addresses, LockToken=token
    )
    return Call(
        {
            "name": "waf_ips_updated",
            "scope": SCOPE,
            "id": ident,
            "addresses": addresses,
            "lockToken": token,
        },
        {"nextLockToken": answer["NextLockToken"]},
    )


def update_ip_set_noop(world: World) -> Call:
    ident, token = (
        world.id("aws_wafv2_ip_set.waf_ips_same"),
        _token(world, "ip_set", "waf_ips_same"),
    )
    addresses = ["10.1.0.0/24"]
    answer = _waf(world).update_ip_set(
        Name="waf_ips_same", Scope=SCOPE, Id=ident, Addresses=addresses, LockToken=token
    )
    return Call(
        {
            "name": "waf_ips_same",
            "scope": SCOPE,
            "id": ident,
            "addresses": addresses,
            "lockToken": token,
        },
        {"nextLockToken": answer["NextLockToken"]},
    )


def create_ip_set(world: World) -> Call:
    addresses = ["172.16.0.0/16"]
    answer = _waf(world).create_ip_set(
        Name="waf-hand-made",
        Scope=SCOPE,
        IPAddressVersion="IPV4",
        Addresses=addresses,
        Tags=[{"Key": "team", "Value": "by-hand"}],
    )
    summary = answer["Summary"]
    return Call(
        {
            "name": "waf-hand-made",
            "scope": SCOPE,
            "iPAddressVersion": "IPV4",
            "addresses": addresses,
            "tags": [{"key": "team", "value": "by-hand"}],
        },
        {
            "summary": {
                "name": summary["Name"],
                "id": summary["Id"],
                "description": "",
                "lockToken": summary["LockToken"],
                "aRN": summary["ARN"],
            }
        },
    )


def delete_ip_set(world: World) -> Call:
    ident, token = (
        world.id("aws_wafv2_ip_set.waf_ips_deleted"),
        _token(world, "ip_set", "waf_ips_deleted"),
    )
    _waf(world).delete_ip_set(Name="waf_ips_deleted", Scope=SCOPE, Id=ident, LockToken=token)
    return Call({"name": "waf_ips_deleted", "scope": SCOPE, "id": ident, "lockToken": token})


def delete_web_acl(world: World) -> Call:
    ident, token = (
        world.id("aws_wafv2_web_acl.waf_acl_deleted"),
        _token(world, "web_acl", "waf_acl_deleted"),
    )
    _waf(world).delete_web_acl(Name="waf_acl_deleted", Scope=SCOPE, Id=ident, LockToken=token)
    return Call({"name": "waf_acl_deleted", "scope": SCOPE, "id": ident, "lockToken": token})


def allow_by_default(world: World) -> Call:
    ident, token = (
        world.id("aws_wafv2_web_acl.waf_acl_allows"),
        _token(world, "web_acl", "waf_acl_allows"),
    )
    visibility = {
        "sampledRequestsEnabled": False,
        "cloudWatchMetricsEnabled": False,
        "metricName": "waf_acl_allows",
    }
    answer = _waf(world).update_web_acl(
        Name="waf_acl_allows",
        Scope=SCOPE,
        Id=ident,
        DefaultAction={"Allow": {}},
        Rules=[],
        VisibilityConfig={key[0].upper() + key[1:]: value for key, value in visibility.items()},
        LockToken=token,
    )
    return Call(
        {
            "name": "waf_acl_allows",
            "scope": SCOPE,
            "id": ident,
            "defaultAction": {"allow": {}},
            "rules": [],
            "visibilityConfig": visibility,
            "lockToken": token,
        },
        {"nextLockToken": answer["NextLockToken"]},
    )


def associate_web_acl(world: World) -> Call:
    acl = world.attrs("aws_wafv2_web_acl.waf_acl_by_hand")["arn"]
    stage = world.attrs("aws_api_gateway_stage.rest_shared")["arn"]
    _waf(world).associate_web_acl(WebACLArn=acl, ResourceArn=stage)
    return Call({"webACLArn": acl, "resourceArn": stage})


def disassociate_web_acl(world: World) -> Call:
    stage = world.attrs("aws_api_gateway_stage.waf_unprotected")["arn"]
    _waf(world).disassociate_web_acl(ResourceArn=stage)
    return Call({"resourceArn": stage})


def put_logging(world: World) -> Call:
    acl = world.attrs("aws_wafv2_web_acl.waf_logs_moved")["arn"]
    elsewhere = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:aws-waf-logs-elsewhere"
    config = {"ResourceArn": acl, "LogDestinationConfigs": [elsewhere]}
    _waf(world).put_logging_configuration(LoggingConfiguration=config)
    recorded = {"resourceArn": acl, "logDestinationConfigs": [elsewhere]}
    return Call({"loggingConfiguration": recorded}, {"loggingConfiguration": recorded})


def log_by_hand(world: World) -> Call:
    acl = world.attrs("aws_wafv2_web_acl.waf_logs_by_hand")["arn"]
    group = world.attrs("aws_cloudwatch_log_group.waf_logs_by_hand")["arn"]
    config = {"ResourceArn": acl, "LogDestinationConfigs": [group]}
    _waf(world).put_logging_configuration(LoggingConfiguration=config)
    recorded = {"resourceArn": acl, "logDestinationConfigs": [group]}
    return Call({"loggingConfiguration": recorded}, {"loggingConfiguration": recorded})


def delete_logging(world: World) -> Call:
    acl = world.attrs("aws_wafv2_web_acl.waf_logs_gone")["arn"]
    _waf(world).delete_logging_configuration(ResourceArn=acl)
    return Call({"resourceArn": acl})


def _rest_ids(world: World, name: str) -> tuple[str, str]:
    attrs = world.attrs(f"aws_api_gateway_stage.{name}")
    return str(attrs["rest_api_id"]), str(attrs["stage_name"])


def update_rest_stage(world: World) -> Call:
    api, stage = _rest_ids(world, "rest_shared")
    ops = [{"op": "replace", "path": "/description", "value": "by hand"}]
    world.client("apigateway").update_stage(restApiId=api, stageName=stage, patchOperations=ops)
    return Call({"restApiId": api, "stageName": stage, "patchOperations": ops})


def update_method_logging(world: World) -> Call:
    api, stage = _rest_ids(world, "rest_shared")
    ops = [{"op": "replace", "path": "/items/GET/logging/loglevel", "value": "ERROR"}]
    world.client("apigateway").update_stage(restApiId=api, stageName=stage, patchOperations=ops)
    return Call({"restApiId": api, "stageName": stage, "patchOperations": ops})


def delete_rest_stage(world: World) -> Call:
    api, stage = _rest_ids(world, "rest_deleted")
    world.client("apigateway").delete_stage(restApiId=api, stageName=stage)
    return Call({"restApiId": api, "stageName": stage})


def delete_http_stage(world: World) -> Call:
    attrs = world.attrs("aws_apigatewayv2_stage.http_deleted")
    api, stage = str(attrs["api_id"]), str(attrs["name"])
    world.client("apigatewayv2").delete_stage(ApiId=api, StageName=stage)
    return Call({"apiId": api, "stageName": stage})


def _patch_rest_api(world: World, name: str, ops: list[dict[str, str]]) -> Call:
    api = world.id(f"aws_api_gateway_rest_api.{name}")
    world.client("apigateway").update_rest_api(restApiId=api, patchOperations=ops)
    return Call({"restApiId": api, "patchOperations": ops})


def describe_rest_api(world: World) -> Call:
    ops = [
        {"op": "replace", "path": "/description", "value": "by hand"},
        {"op": "replace", "path": "/disableExecuteApiEndpoint", "value": "true"},
    ]
    return _patch_rest_api(world, "rest_api_described", ops)


def delete_rest_api(world: World) -> Call:
    api = world.id("aws_api_gateway_rest_api.rest_api_deleted")
    world.client("apigateway").delete_rest_api(restApiId=api)
    return Call({"restApiId": api})


def delete_rest_resource(world: World) -> Call:
    attrs = world.attrs("aws_api_gateway_resource.rest_resource_deleted")
    api, resource = str(attrs["rest_api_id"]), str(attrs["id"])
    world.client("apigateway").delete_resource(restApiId=api, resourceId=resource)
    return Call({"restApiId": api, "resourceId": resource})


def delete_rest_method(world: World) -> Call:
    attrs = world.attrs("aws_api_gateway_method.rest_method_deleted")
    request = {
        "restApiId": str(attrs["rest_api_id"]),
        "resourceId": str(attrs["resource_id"]),
        "httpMethod": "GET",
    }
    world.client("apigateway").delete_method(**request)
    return Call(request)


def create_rest_api(world: World) -> Call:
    tags = {"team": "by-hand"}
    answer = world.client("apigateway").create_rest_api(name="rest-by-hand", tags=tags)
    return Call(
        {"name": "rest-by-hand", "tags": tags}, {"id": answer["id"], "name": "rest-by-hand"}
    )


def deploy_by_hand(world: World) -> Call:
    api, _ = _rest_ids(world, "rest_shared")
    answer = world.client("apigateway").create_deployment(restApiId=api, description="by hand")
    return Call(
        {"restApiId": api, "createDeploymentInput": {"description": "by hand"}},
        {"id": answer["id"]},
    )


def describe_http_api(world: World) -> Call:
    api = world.id("aws_apigatewayv2_api.http_described")
    cors = {"AllowOrigins": ["*"], "AllowMethods": ["GET", "POST"], "MaxAge": 300}
    world.client("apigatewayv2").update_api(
        ApiId=api, Description="by hand", CorsConfiguration=cors
    )
    recorded = {"allowOrigins": ["*"], "allowMethods": ["GET", "POST"], "maxAge": 300}
    return Call({"apiId": api, "description": "by hand", "corsConfiguration": recorded})


def open_http_route(world: World) -> Call:
    attrs = world.attrs("aws_apigatewayv2_route.route_opened")
    api, route = str(attrs["api_id"]), str(attrs["id"])
    world.client("apigatewayv2").update_route(ApiId=api, RouteId=route, AuthorizationType="NONE")
    return Call({"apiId": api, "routeId": route, "authorizationType": "NONE"})


def delete_http_route(world: World) -> Call:
    attrs = world.attrs("aws_apigatewayv2_route.route_deleted")
    api, route = str(attrs["api_id"]), str(attrs["id"])
    world.client("apigatewayv2").delete_route(ApiId=api, RouteId=route)
    return Call({"apiId": api, "routeId": route})


def create_http_route(world: World) -> Call:
    api = world.id("aws_apigatewayv2_api.http_routes")
    answer = world.client("apigatewayv2").create_route(
        ApiId=api, RouteKey="POST /by-hand", AuthorizationType="NONE"
    )
    return Call(
        {"apiId": api, "routeKey": "POST /by-hand", "authorizationType": "NONE"},
        {"routeId": answer["RouteId"], "routeKey": "POST /by-hand"},
    )


def delete_http_api(world: World) -> Call:
    api = world.id("aws_apigatewayv2_api.http_api_deleted")
    world.client("apigatewayv2").delete_api(ApiId=api)
    return Call({"apiId": api})


def create_http_api(world: World) -> Call:
    tags = {"team": "by-hand"}
    answer = world.client("apigatewayv2").create_api(
        Name="http-by-hand", ProtocolType="HTTP", Tags=tags
    )
    return Call(
        {"name": "http-by-hand", "protocolType": "HTTP", "tags": tags},
        {"apiId": answer["ApiId"], "name": "http-by-hand"},
    )


def _case(
    id_: str,
    event: str,
    source: str,
    fixture: str,
    act: Callable[[World], Call],
    address: str,
    hcl: str,
    **kw: Any,
) -> Case:
    return Case(
        id=id_,
        event=event,
        source=source,
        fixture=fixture,
        hcl=hcl,
        address=address,
        act=act,
        **kw,
    )


ENVELOPE = "wafv2-update-web-acl.json"
REST: dict[str, Any] = {"discriminator": "REST API (restApiId)"}
HTTP: dict[str, Any] = {"discriminator": "HTTP/WebSocket API (apiId)"}

CASES = (
    _case(
        "waf_ips_updated",
        "UpdateIPSet",
        WAF,
        ENVELOPE,
        update_ip_set,
        "aws_wafv2_ip_set.waf_ips_updated",
        _ip_set("waf_ips_updated"),
    ),
    _case(
        "waf_ips_same",
        "UpdateIPSet",
        WAF,
        ENVELOPE,
        update_ip_set_noop,
        "aws_wafv2_ip_set.waf_ips_same",
        _ip_set("waf_ips_same", '["10.1.0.0/24"]'),
        kind="noop",
    ),
    _case(
        "waf_ips_by_hand",
        "CreateIPSet",
        WAF,
        ENVELOPE,
        create_ip_set,
        "aws_wafv2_ip_set",
        "",
        **UNMANAGED,
    ),
    _case(
        "waf_ips_deleted",
        "DeleteIPSet",
        WAF,
        ENVELOPE,
        delete_ip_set,
        "aws_wafv2_ip_set.waf_ips_deleted",
        _ip_set("waf_ips_deleted"),
        **DELETED,
    ),
    _case(
        "waf_acl_deleted",
        "DeleteWebACL",
        WAF,
        "wafv2-delete-web-acl.json",
        delete_web_acl,
        "aws_wafv2_web_acl.waf_acl_deleted",
        _acl("waf_acl_deleted"),
        **DELETED,
    ),
    _case(
        "waf_acl_allows",
        "UpdateWebACL",
        WAF,
        ENVELOPE,
        allow_by_default,
        "aws_wafv2_web_acl.waf_acl_allows",
        _acl("waf_acl_allows"),
    ),
    _case(
        "waf_acl_by_hand",
        "AssociateWebACL",
        WAF,
        ENVELOPE,
        associate_web_acl,
        "aws_wafv2_web_acl_association",
        _acl("waf_acl_by_hand"),
        **UNMANAGED,
    ),
    _case(
        "waf_unprotected",
        "DisassociateWebACL",
        WAF,
        "wafv2-disassociate-web-acl.json",
        disassociate_web_acl,
        "aws_wafv2_web_acl_association.waf_unprotected",
        _association("waf_unprotected"),
        **DELETED,
    ),
    _case(
        "waf_logs_moved",
        "PutLoggingConfiguration",
        WAF,
        ENVELOPE,
        put_logging,
        "aws_wafv2_web_acl_logging_configuration.waf_logs_moved",
        _logging("waf_logs_moved"),
    ),
    _case(
        "waf_logs_by_hand",
        "PutLoggingConfiguration",
        WAF,
        ENVELOPE,
        log_by_hand,
        "aws_wafv2_web_acl_logging_configuration",
        _acl("waf_logs_by_hand") + _log_group("waf_logs_by_hand"),
        **UNMANAGED,
    ),
    _case(
        "waf_logs_gone",
        "DeleteLoggingConfiguration",
        WAF,
        ENVELOPE,
        delete_logging,
        "aws_wafv2_web_acl_logging_configuration.waf_logs_gone",
        _logging("waf_logs_gone"),
        **DELETED,
    ),
    _case(
        "rest_described",
        "UpdateStage",
        APIGW,
        ENVELOPE,
        update_rest_stage,
        "aws_api_gateway_stage.rest_shared",
        # One REST API for the stage's own change, its method settings' change and the web
        # ACL associated by hand (an association changes nothing configurable on the stage):
        # each REST API costs six resources, applied and refreshed in every terraform run.
        _rest_stage("rest_shared", _method_settings("rest_shared")),
        **REST,
    ),
    _case(
        "rest_logging",
        "UpdateStage",
        APIGW,
        ENVELOPE,
        update_method_logging,
        "aws_api_gateway_method_settings.rest_shared",
        "",
        **REST,
    ),
    _case(
        "rest_deleted",
        "DeleteStage",
        APIGW,
        ENVELOPE,
        delete_rest_stage,
        "aws_api_gateway_stage.rest_deleted",
        _rest_stage("rest_deleted"),
        **DELETED,
        **REST,
    ),
    _case(
        "http_deleted",
        "DeleteStage",
        APIGW,
        ENVELOPE,
        delete_http_stage,
        "aws_apigatewayv2_stage.http_deleted",
        _http_stage("http_deleted"),
        **DELETED,
        **HTTP,
    ),
    _case(
        "rest_api_described",
        "UpdateRestApi",
        APIGW,
        ENVELOPE,
        describe_rest_api,
        "aws_api_gateway_rest_api.rest_api_described",
        _bare_rest_api("rest_api_described"),
    ),
    _case(
        "rest_api_deleted",
        "DeleteRestApi",
        APIGW,
        ENVELOPE,
        delete_rest_api,
        "aws_api_gateway_rest_api.rest_api_deleted",
        _bare_rest_api("rest_api_deleted"),
        **DELETED,
    ),
    _case(
        "rest_resource_deleted",
        "DeleteResource",
        APIGW,
        ENVELOPE,
        delete_rest_resource,
        "aws_api_gateway_resource.rest_resource_deleted",
        _rest_path("rest_resource_deleted", method=False),
        **DELETED,
    ),
    _case(
        "rest_method_deleted",
        "DeleteMethod",
        APIGW,
        ENVELOPE,
        delete_rest_method,
        "aws_api_gateway_method.rest_method_deleted",
        _rest_path("rest_method_deleted", method=True),
        **DELETED,
    ),
    _case(
        "rest_api_by_hand",
        "CreateRestApi",
        APIGW,
        ENVELOPE,
        create_rest_api,
        "aws_api_gateway_rest_api",
        "",
        **UNMANAGED,
    ),
    _case(
        "rest_deployed_by_hand",
        "CreateDeployment",
        APIGW,
        ENVELOPE,
        deploy_by_hand,
        "aws_api_gateway_deployment",
        "",
        **UNMANAGED,
    ),
    _case(
        "http_described",
        "UpdateApi",
        APIGW,
        ENVELOPE,
        describe_http_api,
        "aws_apigatewayv2_api.http_described",
        _http_api("http_described"),
    ),
    _case(
        "route_opened",
        "UpdateRoute",
        APIGW,
        ENVELOPE,
        open_http_route,
        "aws_apigatewayv2_route.route_opened",
        # One HTTP API for the routes changed, deleted and made by hand.
        _http_routes("http_routes", "route_opened", "route_deleted"),
    ),
    _case(
        "route_deleted",
        "DeleteRoute",
        APIGW,
        ENVELOPE,
        delete_http_route,
        "aws_apigatewayv2_route.route_deleted",
        "",
        **DELETED,
    ),
    _case(
        "route_by_hand",
        "CreateRoute",
        APIGW,
        ENVELOPE,
        create_http_route,
        "aws_apigatewayv2_route",
        "",
        **UNMANAGED,
    ),
    _case(
        "http_api_deleted",
        "DeleteApi",
        APIGW,
        ENVELOPE,
        delete_http_api,
        "aws_apigatewayv2_api.http_api_deleted",
        _http_api("http_api_deleted"),
        **DELETED,
    ),
    _case(
        "http_api_by_hand",
        "CreateApi",
        APIGW,
        ENVELOPE,
        create_http_api,
        "aws_apigatewayv2_api",
        "",
        **UNMANAGED,
    ),
)

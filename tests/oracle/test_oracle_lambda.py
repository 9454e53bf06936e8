"""Lambda rows judged by Terraform: configuration, concurrency, tags, permissions, deletion."""

from __future__ import annotations

import io
import json
import zipfile
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

LAMBDA = "lambda.amazonaws.com"


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("index.py", date_time=(2026, 1, 1, 0, 0, 0))
        archive.writestr(info, "def handler(event, context):\n    return 'ok'\n")
    return buffer.getvalue()


FILES = {"fn.zip": _zip()}
ROLE = """
resource "aws_iam_role" "lambda" {
  name = "oracle-lambda"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}
"""


def _function(name: str, extra: str = "") -> str:
    return f"""
resource "aws_lambda_function" "{name}" {{
  function_name    = "{name}"
  role             = aws_iam_role.lambda.arn
  handler          = "index.handler"
  runtime          = "python3.12"
  filename         = "fn.zip"
  source_code_hash = filebase64sha256("fn.zip")
{extra}}}
"""


def _permission(name: str) -> str:
    return (
        _function(name)
        + f"""
resource "aws_lambda_permission" "{name}" {{
  statement_id  = "s3-invoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.{name}.function_name
  principal     = "s3.amazonaws.com"
}}
"""
    )


def _lambda(world: World) -> Any:
    return world.client("lambda")


def update_configuration(world: World) -> Call:
    answer = _lambda(world).update_function_configuration(FunctionName="fn_timeout", Timeout=30)
    return Call(
        {"functionName": "fn_timeout", "timeout": 30},
        {"functionName": "fn_timeout", "functionArn": answer["FunctionArn"], "timeout": 30},
        event="UpdateFunctionConfiguration20150331v2",
    )


def put_concurrency(world: World) -> Call:
    _lambda(world).put_function_concurrency(
        FunctionName="fn_concurrency", ReservedConcurrentExecutions=5
    )
    return Call(
        {"functionName": "fn_concurrency", "reservedConcurrentExecutions": 5},
        {"reservedConcurrentExecutions": 5},
        event="PutFunctionConcurrency20171031",
    )


def delete_concurrency(world: World) -> Call:
    _lambda(world).delete_function_concurrency(FunctionName="fn_unreserved")
    return Call({"functionName": "fn_unreserved"}, None, event="DeleteFunctionConcurrency20171031")


def tag_function(world: World) -> Call:
    arn = world.attrs("aws_lambda_function.fn_tagged")["arn"]
    _lambda(world).tag_resource(Resource=arn, Tags={"owner": "alan"})
    return Call({"resource": arn, "tags": {"owner": "alan"}}, None, event="TagResource20170331v2")


def untag_function(world: World) -> Call:
    arn = world.attrs("aws_lambda_function.fn_untagged")["arn"]
    _lambda(world).untag_resource(Resource=arn, TagKeys=["team"])
    return Call({"resource": arn, "tagKeys": ["team"]}, None, event="UntagResource20170331v2")


def delete_function(world: World) -> Call:
    _lambda(world).delete_function(FunctionName="fn_deleted")
    return Call({"functionName": "fn_deleted"}, None, event="DeleteFunction20150331")


def remove_permission(world: World) -> Call:
    _lambda(world).remove_permission(FunctionName="permission_removed", StatementId="s3-invoke")
    return Call(
        {"functionName": "permission_removed", "statementId": "s3-invoke"},
        None,
        event="RemovePermission20150331v2",
    )


def add_permission(world: World) -> Call:
    answer = _lambda(world).add_permission(
        FunctionName="fn_permitted",
        StatementId="backdoor",
        Action="lambda:InvokeFunction",
        Principal="events.amazonaws.com",
    )
    statement = answer["Statement"]
    return Call(
        {
            "action": "lambda:InvokeFunction",
            "functionName": "fn_permitted",
            "principal": "events.amazonaws.com",
            "statementId": "backdoor",
        },
        {"statement": statement if isinstance(statement, str) else json.dumps(statement)},
        event="AddPermission20150331v2",
    )


def url_auth_none(world: World) -> Call:
    answer = _lambda(world).update_function_url_config(FunctionName="fn_url", AuthType="NONE")
    return Call(
        {"functionName": "fn_url", "authType": "NONE"},
        {"functionUrl": answer["FunctionUrl"], "functionArn": answer["FunctionArn"]},
        event="UpdateFunctionUrlConfig20211031",
    )


def url_deleted(world: World) -> Call:
    _lambda(world).delete_function_url_config(FunctionName="fn_url_gone")
    return Call({"functionName": "fn_url_gone"}, None, event="DeleteFunctionUrlConfig20211031")


def url_by_hand(world: World) -> Call:
    answer = _lambda(world).create_function_url_config(
        FunctionName="fn_url_hand", AuthType="AWS_IAM"
    )
    return Call(
        {"functionName": "fn_url_hand", "authType": "AWS_IAM"},
        {
            "functionUrl": answer["FunctionUrl"],
            "functionArn": answer["FunctionArn"],
            "authType": "AWS_IAM",
        },
        event="CreateFunctionUrlConfig20211031",
    )


def create_function(world: World) -> Call:
    """A function made by hand from a package in S3 (CloudTrail never logs an inline zip, so
    only S3 code gives the generated block something to name)."""
    world.client("s3").create_bucket(Bucket="oracle-lambda-code")
    world.client("s3").put_object(Bucket="oracle-lambda-code", Key="fn.zip", Body=_zip())
    role = world.attrs("aws_iam_role.lambda")["arn"]
    code = {"s3Bucket": "oracle-lambda-code", "s3Key": "fn.zip"}
    answer = _lambda(world).create_function(
        FunctionName="fn_by_hand",
        Runtime="python3.12",
        Role=role,
        Handler="index.handler",
        Code={"S3Bucket": code["s3Bucket"], "S3Key": code["s3Key"]},
        Timeout=3,
        MemorySize=128,
        Tags={"team": "by-hand"},
    )
    return Call(
        {
            "functionName": "fn_by_hand",
            "runtime": "python3.12",
            "role": role,
            "handler": "index.handler",
            "code": code,
            "timeout": 3,
            "memorySize": 128,
            "packageType": "Zip",
            "tags": {"team": "by-hand"},
        },
        {
            "functionName": "fn_by_hand",
            "functionArn": answer["FunctionArn"],
            "runtime": "python3.12",
            "role": role,
            "handler": "index.handler",
            "codeSize": answer["CodeSize"],
            "timeout": 3,
            "memorySize": 128,
            "codeSha256": answer["CodeSha256"],
            "version": "$LATEST",
            "packageType": "Zip",
        },
        event="CreateFunction20150331",
    )


def _url(name: str) -> str:
    return _function(name) + (
        f"""
resource "aws_lambda_function_url" "{name}" {{
  function_name      = aws_lambda_function.{name}.function_name
  authorization_type = "AWS_IAM"
}}
"""
    )


def _case(id_: str, event: str, act: Any, address: str, hcl: str, **kw: Any) -> Case:
    return Case(
        id=id_,
        event=event,
        source=LAMBDA,
        fixture=kw.pop("fixture", "lambda-update-function-configuration-layers.json"),
        hcl=hcl,
        address=address,
        act=act,
        files=FILES,
        **kw,
    )


_TAGS = '  tags = {\n    team = "core"\n  }\n'
DELETED: dict[str, Any] = {"kind": "deleted", "strategies": ("import",)}

CASES = (
    _case(
        "fn_timeout",
        "UpdateFunctionConfiguration",
        update_configuration,
        "aws_lambda_function.fn_timeout",
        ROLE + _function("fn_timeout"),
    ),
    _case(
        "fn_concurrency",
        "PutFunctionConcurrency",
        put_concurrency,
        "aws_lambda_function.fn_concurrency",
        _function("fn_concurrency"),
    ),
    _case(
        "fn_unreserved",
        "DeleteFunctionConcurrency",
        delete_concurrency,
        "aws_lambda_function.fn_unreserved",
        _function("fn_unreserved", "  reserved_concurrent_executions = 3\n"),
    ),
    _case(
        "fn_tagged",
        "TagResource",
        tag_function,
        "aws_lambda_function.fn_tagged",
        _function("fn_tagged", _TAGS),
    ),
    _case(
        "fn_untagged",
        "UntagResource",
        untag_function,
        "aws_lambda_function.fn_untagged",
        _function("fn_untagged", _TAGS),
    ),
    _case(
        "fn_deleted",
        "DeleteFunction",
        delete_function,
        "aws_lambda_function.fn_deleted",
        _function("fn_deleted"),
        fixture="lambda-delete-function.json",
        **DELETED,
    ),
    _case(
        "permission_removed",
        "RemovePermission",
        remove_permission,
        "aws_lambda_permission.permission_removed",
        _permission("permission_removed"),
        fixture="lambda-add-permission-public.json",
        **DELETED,
    ),
    _case(
        "permission_added",
        "AddPermission",
        add_permission,
        "aws_lambda_permission",
        _function("fn_permitted"),
        fixture="lambda-add-permission-public.json",
        kind="unmanaged",
        strategies=("import",),
    ),
    _case(
        "fn_url",
        "UpdateFunctionUrlConfig",
        url_auth_none,
        "aws_lambda_function_url.fn_url",
        _url("fn_url"),
    ),
    _case(
        "fn_url_gone",
        "DeleteFunctionUrlConfig",
        url_deleted,
        "aws_lambda_function_url.fn_url_gone",
        _url("fn_url_gone"),
        **DELETED,
    ),
    _case(
        "fn_url_hand",
        "CreateFunctionUrlConfig",
        url_by_hand,
        "aws_lambda_function_url",
        _function("fn_url_hand"),
        kind="unmanaged",
        # remediate writes the resource + import (its import id is the function's name), but
        # moto reads the URL's invoke_mode back as "Buffered" (AWS: "BUFFERED"), so the import
        # plans an update of invoke_mode to the provider's default: detection is what this case
        # checks.
        strategies=(),
    ),
    _case(
        "fn_by_hand",
        "CreateFunction",
        create_function,
        "aws_lambda_function",
        "",
        kind="unmanaged",
        # Detection only. The generated resource + import {} plans an update, whatever it
        # writes: the provider reads back neither the code's location (s3_bucket, s3_key: null
        # after import) nor source_code_hash (""), and an imported function's publish is null
        # where the code's default is false (module run: `publish = null -> false`, `s3_bucket =
        # null -> "oracle-lambda-code"`, `s3_key`, `source_code_hash`); leaving the code's
        # location out does not validate (`terraform validate`: `"filename": one of
        # `filename,image_uri,s3_bucket` must be specified`).
        strategies=(),
    ),
)

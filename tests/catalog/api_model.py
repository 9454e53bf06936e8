"""Catalog rows' request/response key paths against botocore's AWS service models.

CloudTrail does not log the wire format of a call: it logs the service's own view of it, which
follows a few conventions (calibrated on every recorded fixture, see test_api_shapes.py):

- keys are the API members' names with the first letter lower-cased (JSON, REST-JSON, query
  protocols); REST path, query-string and header members appear in ``requestParameters`` too,
  under the member's name (``functionName`` for Lambda's URI member);
- EC2 (``ec2`` protocol) names each member by its ``locationName`` (lower-camel), else its
  lower-camel name, and wraps lists as ``{"items": [...]}``;
- REST-XML bodies (S3, CloudFront, Route 53) keep the XML element names (any case), a list may
  sit under its member's element name (``AccessControlList.Grant``), and ``xmlns`` attributes
  are logged; S3 names the bucket ``bucketName``, logs ``Host`` and the sub-resource as a key of
  its own (``versioning``, ``policy``, ...);
- a JSON document the API carries as a string (a policy) is sometimes logged decoded: paths
  below a string member are not judged (``Verdict.opaque``).

Key comparison ignores case: the catalog's lookups fall back to a case-insensitive match, so
``DBInstanceIdentifier`` and ``dBInstanceIdentifier`` read the same key; a misspelt or wrongly
nested key is what this check finds.

Path syntax: dotted keys; ``*`` is a list item; ``items`` is EC2's list wrapper.
The known exceptions are in api_exceptions.py, what rows read and the verdict per row in
api_rows.py.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

import botocore.session
from botocore.exceptions import UnknownServiceError
from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape

from tfdrift_gitops.core.names import strip_version_suffix
from tfdrift_gitops.models import Actor, CloudEvent

EVENT_SERVICES: dict[tuple[str, str], str] = {
    # S3's account-level public access block is the s3control API, logged under s3.
    ("s3", "PutAccountPublicAccessBlock"): "s3control",
    ("s3", "DeleteAccountPublicAccessBlock"): "s3control",
    # HTTP/WebSocket APIs log under apigateway.amazonaws.com; these calls are v2's only.
    **{
        ("apigateway", name): "apigatewayv2"
        for name in (
            "CreateApi",
            "UpdateApi",
            "DeleteApi",
            "CreateRoute",
            "UpdateRoute",
            "DeleteRoute",
        )
    },
}
"""(event source prefix, event name) -> botocore service, where the event's API is another."""

SERVICES: dict[str, str] = {
    "monitoring": "cloudwatch",
    "access-analyzer": "accessanalyzer",
    "states": "stepfunctions",
}
"""CloudTrail event source prefix -> botocore service name, where they differ."""

OPERATIONS: dict[tuple[str, str], str] = {
    # S3 logs the console's names for these calls, not the API operation's.
    ("s3", "PutBucketPublicAccessBlock"): "PutPublicAccessBlock",
    ("s3", "DeleteBucketPublicAccessBlock"): "DeletePublicAccessBlock",
    ("s3", "GetBucketPublicAccessBlock"): "GetPublicAccessBlock",
    ("s3", "PutBucketLifecycle"): "PutBucketLifecycleConfiguration",
    ("s3", "DeleteBucketLifecycle"): "DeleteBucketLifecycle",
    ("s3control", "PutAccountPublicAccessBlock"): "PutPublicAccessBlock",
    ("s3control", "DeleteAccountPublicAccessBlock"): "DeletePublicAccessBlock",
}
"""(botocore service, CloudTrail event name without version suffix) -> API operation."""

S3_SUBRESOURCES = frozenset(
    {
        "acl",
        "accelerate",
        "cors",
        "encryption",
        "intelligent-tiering",
        "inventory",
        "lifecycle",
        "logging",
        "metrics",
        "notification",
        "object-lock",
        "ownershipcontrols",
        "policy",
        "policystatus",
        "publicaccessblock",
        "replication",
        "requestpayment",
        "tagging",
        "versioning",
        "website",
    }
)
"""S3 sub-resource query keys, logged as keys of ``requestParameters`` (``"versioning": ""``)."""


@dataclass(frozen=True)
class Verdict:
    ok: bool
    opaque: bool = False
    """The path goes below a string member (a JSON document logged decoded): not judged."""
    reason: str = ""


def lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


@cache
def _session() -> Any:
    return botocore.session.get_session()


def service_of(source: str, event: str = "", discriminator: str = "") -> str:
    """The botocore service a row's calls belong to."""
    prefix = source.split(".", 1)[0]
    if prefix == "elasticloadbalancing":
        return "elb" if "classic" in discriminator else "elbv2"
    if prefix == "apigateway" and "apiId" in discriminator and "restApiId" not in discriminator:
        return "apigatewayv2"
    name = strip_version_suffix(event)
    return EVENT_SERVICES.get((prefix, name), SERVICES.get(prefix, prefix))


def row_operation(source: str, event: str, discriminator: str = "") -> OperationModel | None:
    """The API operation a catalog row's event logs, or None when no model has it."""
    return operation(service_of(source, event, discriminator), event)


@cache
def operation(service: str, event: str) -> OperationModel | None:
    """The API operation a CloudTrail event name logs, or None when the model has none."""
    try:
        model = _session().get_service_model(service)
    except UnknownServiceError:
        return None
    name = OPERATIONS.get((service, strip_version_suffix(event)), strip_version_suffix(event))
    if name not in model.operation_names:
        # CloudFront logs its API version glued on: UpdateDistribution2020_05_31.
        base = name.split("20", 1)[0] if service == "cloudfront" else name
        if base not in model.operation_names:
            return None
        name = base
    found: OperationModel = model.operation_model(name)
    return found


def _names(member: str, shape: Shape, protocol: str) -> set[str]:
    names = {member.casefold()}
    location = shape.serialization.get("name")  # botocore's key for locationName
    if location:
        names.add(location.casefold())
    query = shape.serialization.get("queryName")
    if query:
        names.add(query.casefold())
    return names


def _member(shape: StructureShape, key: str, protocol: str) -> Shape | None:
    wanted = key.casefold()
    for name, member in shape.members.items():
        names = _names(name, member, protocol)
        # EC2 logs a list under its name + "Set": resourcesSet, tagSet, tagSpecificationSet.
        listed_as_set = protocol == "ec2" and isinstance(member, ListShape)
        if wanted in names or (listed_as_set and wanted in {f"{n}set" for n in names}):
            return member
    return None


ALIASES: dict[tuple[str, str, str], str | None] = {
    # (service, operation or "*", logged key) -> the API member it logs, None when the logged
    # structure has no counterpart in the model (EC2's older internal names); keys below a
    # None alias are not judged. Each one is seen in a recorded fixture, except the two marked
    # "inferred" (no recorded call of that operation carries the field).
    ("ec2", "RunInstances", "instancesSet"): None,  # {"items": [{imageId, minCount, maxCount}]}
    ("ec2", "RunInstances", "groupSet"): None,  # {"items": [{groupId}]}
    ("ec2", "RunInstances", "blockDeviceMapping"): "BlockDeviceMappings",
    ("ec2", "RunInstances", "networkInterfaceSet"): None,
    ("ec2", "RunInstances", "availabilityZone"): None,  # Placement.AvailabilityZone, flattened
    ("ec2", "RunInstances", "tenancy"): None,  # Placement.Tenancy, flattened
    ("ec2", "TerminateInstances", "instancesSet"): "InstanceIds",  # {"items": [{instanceId}]}
    ("ec2", "CreateNetworkAclEntry", "aclProtocol"): "Protocol",
    # Inferred: Replace takes Create's entry fields (the same request members).
    ("ec2", "ReplaceNetworkAclEntry", "aclProtocol"): "Protocol",
    ("ec2", "ModifyImageAttribute", "attributeType"): "Attribute",
    ("ec2", "ModifySnapshotAttribute", "attributeType"): "Attribute",
    ("s3", "PutBucketPolicy", "bucketPolicy"): "Policy",  # the policy, logged decoded
    # Inferred: EC2 names an instance's groups groupSet (RunInstances' record, the groupSet
    # attribute of DescribeInstanceAttribute).
    ("ec2", "ModifyInstanceAttribute", "groupSet"): "Groups",
    ("sqs", "CreateQueue", "attribute"): "Attributes",  # the query form Attribute.N as a map
    ("eks", "CreateCluster", "clusterName"): "name",  # the 2018 record names the cluster so
}

UNWRAPPED = frozenset({"rds", "elasticache"})
"""Query services whose responses CloudTrail logs without the result's one structure (the
recorded CreateDBInstance, ModifyDBInstance, ModifyDBSnapshotAttribute, ModifyCacheCluster);
IAM's keep it (the recorded CreateRole, CreateUser: {"role": {...}})."""

EC2_ENVELOPE = frozenset({"requestid", "_return"})
"""EC2 logs the request id and the ``return`` member (as ``_return``) in every response."""


def judge(op: OperationModel, side: str, parts: Sequence[str]) -> Verdict:
    """Whether ``parts`` (a key path into requestParameters or responseElements) names
    members of the operation's input or output shape under CloudTrail's conventions."""
    protocol = op.metadata["protocol"]
    service = op.service_model.service_name
    shape = op.input_shape if side == "request" else op.output_shape
    special = _convention(op, side, parts)
    if special is not None:
        return special
    if shape is None:
        return Verdict(False, reason=f"{op.name} has no {side} shape")
    wrapped = [m for m in shape.members.values() if isinstance(m, StructureShape)]
    if side == "response" and service in UNWRAPPED and len(shape.members) == len(wrapped) == 1:
        # RDS and ElastiCache log the result's one structure unwrapped (IAM keeps {"role": }).
        return _walk(wrapped[0], parts, protocol, side)
    return _walk(shape, parts, protocol, side)


def _convention(op: OperationModel, side: str, parts: Sequence[str]) -> Verdict | None:
    """The verdict of a service-specific convention, None when none applies."""
    if not parts:
        return Verdict(True)
    protocol = op.metadata["protocol"]
    service = op.service_model.service_name
    shape = op.input_shape if side == "request" else op.output_shape
    head = parts[0].casefold()
    if service == "ec2" and parts[0] in (f"{op.name}Request", f"{op.name}Response"):
        # Newer EC2 actions log the query document whole: {"DeleteFlowLogsRequest": {...}}.
        if shape is None or len(parts) == 1:
            return Verdict(True)
        if parts[1].casefold() in ("xmlns", "requestid"):
            return Verdict(len(parts) == 2)
        return _walk(shape, parts[1:], "ec2-query", f"{side}.{parts[0]}")
    if service == "ec2" and side == "response" and head in EC2_ENVELOPE:
        return Verdict(len(parts) == 1, reason="below an EC2 response's request id")
    if side != "request" or shape is None:
        return None
    if service == "apigateway" and head == f"{op.name}Input".casefold():
        # API Gateway (REST) logs the body under "<operation>Input": updateStageInput.
        return _walk(shape, parts[1:], protocol, f"{side}.{parts[0]}")
    for operation_name in (op.name, "*"):
        alias = ALIASES.get((service, operation_name, parts[0]), "")
        if alias is None:
            return Verdict(True, opaque=True, reason=f"{parts[0]}: EC2 legacy structure")
        if alias:
            member = _member(shape, alias, protocol)
            if member is None:
                return Verdict(False, reason=f"alias {alias} names no member of {op.name}")
            return _walk(member, parts[1:], protocol, f"{side}.{parts[0]}")
    if service in ("s3", "s3control"):
        if head == "bucketname" and "Bucket" in shape.members:
            return _walk(shape.members["Bucket"], parts[1:], protocol, "bucketName")
        if len(parts) == 1 and (head == "host" or head in S3_SUBRESOURCES):
            return Verdict(True)
    return None


def _walk(shape: Shape, parts: Sequence[str], protocol: str, where: str) -> Verdict:
    for position, part in enumerate(parts):
        here = f"{where}.{part}"
        if protocol in ("ec2", "ec2-query") and part in ("content", "tag"):
            # The query document: a value as {"content": v, "tag": n} (a reader unwrapping it
            # looks for "content" in either form).
            return Verdict(True, opaque=True, reason=f"{here}: query document {part}")
        if protocol == "ec2-query" and part == "items" and isinstance(shape, ListShape):
            continue
        if isinstance(shape, StructureShape):
            if part.casefold().startswith("xmlns") and protocol == "rest-xml":
                return Verdict(position == len(parts) - 1, reason=f"{here}: below xmlns")
            member = _member(shape, part, protocol)
            if member is None:
                known = ", ".join(lower_first(m) for m in shape.members)
                return Verdict(False, reason=f"{here}: not a member of {shape.name} ({known})")
            shape = member
        elif isinstance(shape, ListShape):
            if part == "*" or part.isdigit():
                # The item's key: the member's location name, else the list's (CreateTags'
                # ResourceIdList is located as ResourceId).
                names = (shape.member.serialization.get("name"), shape.serialization.get("name"))
                scalar_keys = {name.casefold() for name in names if name}
                shape = shape.member
                if (
                    protocol == "ec2"
                    and not isinstance(shape, StructureShape | ListShape | MapShape)
                    and position + 1 < len(parts)
                    and parts[position + 1].casefold() in scalar_keys
                ):
                    # EC2 logs a list of scalars as {"items": [{"resourceId": "i-1"}]}.
                    return Verdict(position + 2 == len(parts), reason=f"{here}: below the item")
            elif part == "items" and protocol == "ec2":
                continue  # the wrapper; "*" or the item's key follows
            elif part.casefold() == (shape.member.serialization.get("name") or "").casefold():
                # REST-XML: the list under its element name, one item bare or several.
                if position + 1 < len(parts) and parts[position + 1] == "*":
                    continue
                shape = shape.member
            elif protocol in ("rest-xml", "ec2-query") and isinstance(shape.member, StructureShape):
                # One item logged bare (an XML list of one), read by its key.
                return _walk(shape.member, parts[position:], protocol, where)
            else:
                return Verdict(
                    False, reason=f"{here}: {shape.name} is a list (* or items expected)"
                )
        elif isinstance(shape, MapShape):
            if protocol == "rest-xml" and part.casefold() in ("entry", "key", "value"):
                continue
            shape = shape.value
        elif shape.type_name == "string" and _document(shape, where):
            return Verdict(True, opaque=True, reason=f"{here}: inside document {shape.name}")
        elif protocol in ("ec2", "ec2-query") and part == "value" and position + 1 == len(parts):
            # EC2 logs attribute values as {"value": v}; the catalog's coercions (as_str,
            # as_bool, as_int) unwrap one wherever a scalar is expected.
            return Verdict(True, opaque=True, reason=f"{here}: EC2 value wrapper")
        else:
            return Verdict(False, reason=f"{here}: below {shape.type_name} {shape.name}")
        where = here
    return Verdict(True)


DOCUMENT_WORDS = ("policy", "document", "json", "template", "definition")
"""A string member named so holds a JSON document, which CloudTrail may log decoded (S3's
bucketPolicy): keys inside it are the document's, not the API's."""


def _document(shape: Shape, where: str) -> bool:
    named = f"{shape.name}.{where.rsplit('.', 1)[-1]}".casefold()
    return any(word in named for word in DOCUMENT_WORDS)


def present_paths(document: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every key path in a decoded JSON document (list items as ``*``), leaves and inner."""
    if isinstance(document, Mapping):
        for key, value in document.items():
            path = (*prefix, str(key))
            yield path
            yield from present_paths(value, path)
    elif isinstance(document, list):
        for item in document:
            yield from present_paths(item, (*prefix, "*"))


def model_call(op: OperationModel, event: str) -> CloudEvent:
    """A call of ``op`` as CloudTrail would log it with every member of the input and output
    shapes set (placeholder values, one item per list, nesting cut at a few levels): replayed
    through a row, it shows the keys the row's own code looks up wherever the model has data,
    including rows no test feeds."""
    protocol = op.metadata["protocol"]
    request = _fill(op.input_shape, protocol, 0) if op.input_shape else {}
    response = _fill(op.output_shape, protocol, 0) if op.output_shape else None
    s3 = op.service_model.service_name in ("s3", "s3control")
    if s3 and isinstance(request, dict) and "bucket" in request:
        request["bucketName"] = request.pop("bucket")
    unwrapped = op.service_model.service_name in UNWRAPPED
    if unwrapped and isinstance(response, dict) and len(response) == 1:
        (inner,) = response.values()
        response = inner if isinstance(inner, dict) else response
    source = f"{op.service_model.endpoint_prefix}.amazonaws.com"
    return call_event(event, source, request, response)


def call_event(name: str, source: str, request: Any, response: Any) -> CloudEvent:
    """A successful call with this request and response (what a row needs to be replayed)."""
    return CloudEvent(
        id="shape",
        name=name,
        source=source,
        time=datetime(2026, 1, 1, tzinfo=UTC),
        region="us-east-1",
        actor=Actor(name="shape", account_id="123456789012"),
        account_id="123456789012",
        request=request if isinstance(request, dict) else None,
        response=response if isinstance(response, dict) else None,
    )


def _key(name: str, shape: Shape, protocol: str) -> str:
    if protocol == "ec2":
        return lower_first(shape.serialization.get("name") or name)
    return lower_first(name)


def _fill(shape: Shape, protocol: str, depth: int) -> Any:
    if isinstance(shape, StructureShape):
        if depth > 6:
            return {}
        return {
            _key(name, member, protocol): _fill(member, protocol, depth + 1)
            for name, member in shape.members.items()
        }
    if isinstance(shape, ListShape):
        item = _fill(shape.member, protocol, depth + 1)
        if protocol != "ec2":
            return [item]
        if not isinstance(shape.member, StructureShape | ListShape | MapShape):
            # As CreateTags' recorded resourcesSet: {"items": [{"resourceId": "i-1"}]}.
            located = shape.member.serialization.get("name") or shape.serialization.get("name")
            item = {lower_first(located or "item"): item}
        return {"items": [item]}
    if isinstance(shape, MapShape):
        return {"key": _fill(shape.value, protocol, depth + 1)}
    enum = getattr(shape, "enum", None)
    return enum[0] if enum else _SCALARS.get(shape.type_name, "x")


_SCALARS: dict[str, Any] = {
    "integer": 1,
    "long": 1,
    "double": 1.0,
    "float": 1.0,
    "boolean": True,
    "timestamp": "2026-01-01T00:00:00Z",
    "blob": "eA==",
}

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
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import botocore.session
from botocore.exceptions import UnknownServiceError
from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape

from tfdrift_gitops.core.catalog.model import Rule, deep_copy_attrs
from tfdrift_gitops.core.names import strip_version_suffix
from tfdrift_gitops.core.shape import _probe
from tfdrift_gitops.models import Actor, CloudEvent

EVENT_SERVICES: dict[tuple[str, str], str] = {
    # S3's account-level public access block is the s3control API, logged under s3.
    ("s3", "PutAccountPublicAccessBlock"): "s3control",
    ("s3", "DeleteAccountPublicAccessBlock"): "s3control",
}
"""(event source prefix, event name) -> botocore service, where the event's API is another."""

SERVICES: dict[str, str] = {
    "monitoring": "cloudwatch",
    "access-analyzer": "accessanalyzer",
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


Read = tuple[str, tuple[str, ...]]
"""("request" | "response", key path)."""

Group = frozenset[Read]
"""Alternatives a row reads one value from (``first(req(a), resp(b))``): the row reads a key
the API has when at least one of them is a member of the operation's shapes (a helper shared
by several calls tries each call's key; the others are dead for this call, not misread)."""


def static_reads(root: object) -> set[Group]:
    """Every ``req(...)``/``resp(...)`` path reachable from a row (its targets, effects,
    severity checks and id extractors, through closures and dataclass fields), grouped by
    ``first(...)``; an ``item_list(extractor, field)`` reads ``field`` in each item
    (``path.*.field``)."""
    return _reads_of(root, {})


def _cells(fn: Any) -> dict[str, Any]:
    names = fn.__code__.co_freevars
    return {
        name: cell.cell_contents
        for name, cell in zip(names, fn.__closure__ or (), strict=True)
        if _filled(cell)
    }


def _filled(cell: Any) -> bool:
    try:
        cell.cell_contents  # noqa: B018 - an empty cell raises
    except ValueError:
        return False
    return True


def _function_reads(fn: Any, seen: dict[int, set[Group]]) -> set[Group]:
    qualname = getattr(fn, "__qualname__", "")
    cells = _cells(fn)
    if qualname in ("req.<locals>.extract", "resp.<locals>.extract"):
        side = "request" if qualname.startswith("req.") else "response"
        return {frozenset({(side, tuple(cells["parts"]))})}
    if qualname == "item_list.<locals>.extract" and isinstance(cells.get("field_path"), str):
        extra = tuple(cells["field_path"].split("."))
        return {
            frozenset((side, (*parts, "*", *extra)) for side, parts in group)
            for group in _reads_of(cells["extractor"], seen)
        }
    if qualname == "first.<locals>.extract":
        inner = _reads_of(cells["extractors"], seen)
        return {frozenset(read for group in inner for read in group)} if inner else set()
    found: set[Group] = set()
    defaults = (*(fn.__defaults__ or ()), *(getattr(fn, "__kwdefaults__", None) or {}).values())
    for value in (*cells.values(), *defaults):
        found |= _reads_of(value, seen)
    return found


def _reads_of(obj: object, seen: dict[int, set[Group]]) -> set[Group]:
    """Memoised by object (extractors are shared between rows and effects); a cycle reads
    nothing more the second time round."""
    if isinstance(obj, str | bytes | int | float | bool | type(None)):
        return set()
    if id(obj) in seen:
        return seen[id(obj)]
    seen[id(obj)] = set()
    found = _uncached_reads(obj, seen)
    seen[id(obj)] = found
    return found


def _uncached_reads(obj: object, seen: dict[int, set[Group]]) -> set[Group]:
    if callable(obj) and hasattr(obj, "__code__"):
        return _function_reads(obj, seen)
    found: set[Group] = set()
    if hasattr(obj, "__func__") and hasattr(obj, "__self__"):  # a bound method
        return _reads_of(obj.__func__, seen) | _reads_of(obj.__self__, seen)
    values: Iterable[Any] = ()
    if hasattr(obj, "func") and hasattr(obj, "args") and hasattr(obj, "keywords"):  # partial
        values = (obj.func, *obj.args, *obj.keywords.values())
    elif isinstance(obj, Mapping):
        values = obj.values()
    elif isinstance(obj, list | tuple | set | frozenset):
        values = obj
    elif hasattr(obj, "__dataclass_fields__"):
        values = [getattr(obj, name, None) for name in obj.__dataclass_fields__]
    for value in values:
        found |= _reads_of(value, seen)
    return found


# --------------------------------------------------------------------------- known exceptions

DEAD_READS: dict[tuple[str, str], tuple[frozenset[str], str]] = {
    # (botocore service, operation) -> (side:path keys a row looks up although the operation
    # has no such member, why that is no misread). Each is a lookup that finds nothing in a
    # real call of this operation and stands next to a valid read of the same value, or
    # decides which row or target a call is; a listed key covers the paths below it.
    ("apigateway", "UpdateStage"): (
        frozenset({"request:defaultRouteSettings"}),
        "one stage effect table serves REST and HTTP stages; v2's settings are dead for REST",
    ),
    ("apigatewayv2", "DeleteStage"): (
        frozenset({"request:restApiId"}),
        "the REST/v2 discriminator looks for restApiId on every stage call",
    ),
    ("apigatewayv2", "UpdateStage"): (
        frozenset({"request:restApiId", "request:patchOperations", "request:updateStageInput"}),
        "the REST/v2 discriminator and the REST patch reader look on every stage call",
    ),
    ("ec2", "AuthorizeSecurityGroupEgress"): (
        frozenset(
            {
                "request:groupName",
                "request:securityGroupRuleId",
                "request:securityGroupRuleIds",
                "response:revokedSecurityGroupRuleSet",
            }
        ),
        "one rule reader serves the four authorize/revoke calls (groupName is ingress-only, "
        "EC2-Classic); each looks for the others' keys and finds none",
    ),
    ("ec2", "AuthorizeSecurityGroupIngress"): (
        frozenset(
            {
                "request:securityGroupRuleId",
                "request:securityGroupRuleIds",
                "response:revokedSecurityGroupRuleSet",
            }
        ),
        "one rule reader serves the four authorize/revoke calls",
    ),
    ("ec2", "RevokeSecurityGroupEgress"): (
        frozenset({"request:groupName", "response:securityGroupRuleSet"}),
        "one rule reader serves the four authorize/revoke calls",
    ),
    ("ec2", "RevokeSecurityGroupIngress"): (
        frozenset({"response:securityGroupRuleSet"}),
        "one rule reader serves the four authorize/revoke calls",
    ),
    **{
        ("ec2", f"UpdateSecurityGroupRuleDescriptions{direction}"): (
            frozenset(
                {
                    "request:cidrIp",
                    "request:fromPort",
                    "request:toPort",
                    "request:ipProtocol",
                    "request:sourceSecurityGroupName",
                    "request:securityGroupRuleId",
                    "request:securityGroupRuleIds",
                }
            ),
            "the rule reader's legacy top-level form (AuthorizeSecurityGroupIngress's cidrIp, "
            "ports) and rule-id forms; this call carries ipPermissions only",
        )
        for direction in ("Ingress", "Egress")
    },
    ("ec2", "DeleteRoute"): (
        frozenset(
            {
                f"request:{key}"
                for key in (
                    "carrierGatewayId",
                    "coreNetworkArn",
                    "egressOnlyInternetGatewayId",
                    "gatewayId",
                    "instanceId",
                    "localGatewayId",
                    "natGatewayId",
                    "networkInterfaceId",
                    "transitGatewayId",
                    "vpcEndpointId",
                    "vpcPeeringConnectionId",
                )
            }
        ),
        "the route reader shared with CreateRoute/ReplaceRoute looks for a target; a delete "
        "names none, so the route is removed by its destination",
    ),
    ("ec2", "DisassociateIamInstanceProfile"): (
        frozenset({"request:InstanceId", "request:DisassociateIamInstanceProfileRequest"}),
        "the instance id reader shared with Associate looks in the request before the "
        "response (where Disassociate logs it)",
    ),
    ("ec2", "ReplaceIamInstanceProfileAssociation"): (
        frozenset({"request:InstanceId", "request:ReplaceIamInstanceProfileAssociationRequest"}),
        "the instance id reader shared with Associate looks in the request before the response",
    ),
    ("ec2", "ModifyLaunchTemplate"): (
        frozenset({"request:LaunchTemplateData", "request:ModifyLaunchTemplateRequest"}),
        "the template data reader shared with CreateLaunchTemplate(Version) finds none here",
    ),
    ("ecs", "CreateService"): (
        frozenset({"request:service"}),
        "the service name reader shared with UpdateService (service) tries serviceName first",
    ),
    ("ecs", "UpdateService"): (
        frozenset({"request:clusterName"}),
        "the cluster reader shared with CreateCluster (clusterName) tries cluster first",
    ),
    ("elasticache", "ModifyCacheCluster"): (
        frozenset(
            {
                "request:automaticFailoverEnabled",
                "request:multiAZEnabled",
                "request:transitEncryptionEnabled",
            }
        ),
        "severity checks shared with ModifyReplicationGroup",
    ),
    ("elb", "AddTags"): (
        frozenset({"request:loadBalancerName"}),
        "classic/v2 discriminator: classic tags name loadBalancerNames, the check asks both",
    ),
    ("elb", "RemoveTags"): (
        frozenset({"request:loadBalancerName"}),
        "classic/v2 discriminator: classic tags name loadBalancerNames, the check asks both",
    ),
    ("elb", "DeleteLoadBalancerPolicy"): (
        frozenset({"request:policyAttributes"}),
        "the policy reader shared with CreateLoadBalancerPolicy",
    ),
    ("elb", "SetLoadBalancerPoliciesOfListener"): (
        frozenset({"request:policyAttributes"}),
        "the policy reader shared with CreateLoadBalancerPolicy",
    ),
    **{
        ("elbv2", name): (
            frozenset({"request:loadBalancerName", "request:loadBalancerNames"}),
            "classic/v2 discriminator: ELB classic and ELBv2 log this name, the row tells them "
            "apart by the classic call's loadBalancerName(s)",
        )
        for name in (
            "AddTags",
            "RemoveTags",
            "CreateLoadBalancer",
            "DeleteLoadBalancer",
            "ModifyLoadBalancerAttributes",
        )
    },
    ("rds", "CreateDBInstance"): (
        frozenset(
            {
                "request:applyImmediately",
                "request:cloudwatchLogsExportConfiguration",
                "request:dBSnapshotIdentifier",
                "request:sourceDBInstanceIdentifier",
            }
        ),
        "one effect table serves the three instance creates (snapshot and source belong to "
        "Restore and ReadReplica) and ModifyDBInstance's log exports; applyImmediately is "
        "read by the pending-change reason",
    ),
    ("rds", "CreateDBInstanceReadReplica"): (
        frozenset(
            {
                f"request:{key}"
                for key in (
                    "applyImmediately",
                    "backupRetentionPeriod",
                    "cloudwatchLogsExportConfiguration",
                    "dBClusterIdentifier",
                    "dBName",
                    "dBSnapshotIdentifier",
                    "engine",
                    "engineVersion",
                    "manageMasterUserPassword",
                    "masterUsername",
                    "preferredBackupWindow",
                    "preferredMaintenanceWindow",
                    "promotionTier",
                )
            }
        ),
        "one effect table serves the three instance creates; a replica inherits these from "
        "its source and the call cannot set them (applyImmediately: the pending-change reason)",
    ),
    ("rds", "RestoreDBInstanceFromDBSnapshot"): (
        frozenset(
            {
                f"request:{key}"
                for key in (
                    "applyImmediately",
                    "cloudwatchLogsExportConfiguration",
                    "dBClusterIdentifier",
                    "enablePerformanceInsights",
                    "performanceInsightsEnabled",
                    "engineVersion",
                    "kmsKeyId",
                    "masterUsername",
                    "maxAllocatedStorage",
                    "monitoringInterval",
                    "monitoringRoleArn",
                    "performanceInsightsKMSKeyId",
                    "performanceInsightsRetentionPeriod",
                    "preferredMaintenanceWindow",
                    "promotionTier",
                    "sourceDBInstanceIdentifier",
                )
            }
        ),
        "one effect table serves the three instance creates; a restore takes these from the "
        "snapshot and the call cannot set them (applyImmediately: the pending-change reason)",
    ),
    ("rds", "CreateDBCluster"): (
        frozenset({"request:cloudwatchLogsExportConfiguration"}),
        "ModifyDBCluster's log-export effects, shared; the create's enableCloudwatchLogsExports "
        "is read too",
    ),
    ("rds", "ModifyDBCluster"): (
        frozenset({"request:publiclyAccessible"}),
        "severity checks shared with ModifyDBInstance (a cluster is public through instances)",
    ),
    ("rds", "DeleteDBInstance"): (
        frozenset({"request:applyImmediately"}),
        "the pending-change reason shared with the modify calls",
    ),
    ("rds", "DeleteDBCluster"): (
        frozenset({"request:applyImmediately"}),
        "the pending-change reason shared with the modify calls",
    ),
    ("s3", "CreateBucket"): (
        frozenset({"request:AccessControlPolicy"}),
        "the ACL reader shared with PutBucketAcl (a create's ACL is the x-amz-acl header)",
    ),
}

RECORDED_EXTRAS: dict[tuple[str, str], tuple[frozenset[str], str]] = {
    # Keys real, published records carry that botocore's model lacks (fields AWS logs but does
    # not document, or a source's own edit). Never read by a row; listed so the calibration
    # on recorded calls stays exact.
    ("cloudfront", "CreateDistribution"): (
        frozenset({"response:distribution.distributionConfig.origins.items.*.oacSigningBehavior"}),
        "the console's origin access control field, logged, not in the API model",
    ),
    ("cloudfront", "UpdateDistribution"): (
        frozenset(
            {
                "response:distribution.distributionConfig.origins.items.*.oacSigningBehavior",
                "response:location",
            }
        ),
        "the console's origin access control field and a Location header, logged",
    ),
    ("ec2", "RunInstances"): (
        frozenset(
            {
                "response:instancesSet.items.*.interfaceId",
                "response:instancesSet.items.*.metadataOptions.httpProtocolIpv4",
                "response:instancesSet.items.*.networkInterfaceSet.items.*",
            }
        ),
        "EC2's internal instance and interface fields (interfaceId, internalInterfaceId, "
        "associableWithElasticIpBySet, ...) logged in the console's RunInstances responses",
    ),
    ("ec2", "TerminateInstances"): (
        frozenset({"response:instancesSet.requestId"}),
        "panther-analysis' test case nests requestId inside instancesSet (edited by hand)",
    ),
    ("eks", "CreateCluster"): (
        frozenset({"response:cluster.clusterName"}),
        "the 2018 documentation record names the cluster clusterName (today: name)",
    ),
    ("lambda", "UpdateFunctionCode"): (
        frozenset({"request:fullyQualifiedArn"}),
        "Lambda logs the resolved function ARN as a structure next to functionName",
    ),
    ("lambda", "UpdateFunctionConfiguration"): (
        frozenset({"response:layers.*.uncompressedCodeSize"}),
        "Lambda logs each layer's uncompressed size, not in the API model",
    ),
    ("rds", "ModifyDBInstance"): (
        frozenset(
            {
                "response:httpEndpointEnabled",
                "response:pendingModifiedValues.deletionProtection",
                "response:pendingModifiedValues.publiclyAccessible",
            }
        ),
        "RDS logs pending changes the API model's PendingModifiedValues does not list",
    ),
}

DELIBERATE: dict[str, str] = {
    # Tests that feed a row a shape the API does not have on purpose: what the row does with
    # a call it cannot read (a resource-level change, never a guessed value).
    "tests/catalog/test_apigateway_api.py::"
    "test_unreadable_operations_are_a_resource_level_change": "an UpdateStage body, unknown key",
    "tests/catalog/test_real_observability.py::test_api_shapes"
    "[logs-retention-unreadable-shape-is-resource-level]": "PutRetentionPolicy with retention.days",
}


def listed(
    table: Mapping[tuple[str, str], tuple[frozenset[str], str]], op: OperationModel, read: str
) -> bool:
    """Whether ``side:path`` is (below) a key ``table`` lists for the operation."""
    entry = table.get((op.service_model.service_name, op.name))
    if entry is None:
        return False
    keys, _ = entry
    side, _, path = read.partition(":")
    parts = path.split(".")
    return any(f"{side}:{'.'.join(parts[:n])}" in keys for n in range(1, len(parts) + 1))


# --------------------------------------------------------------------------- rows


def reads_of(rule: Rule, event: CloudEvent) -> set[str]:
    """Key paths the row looks up in the call (``request:a.b``, list items as ``*``)."""
    probe, log = _probe(event)
    calls: list[Any] = []
    if rule.matches is not None:
        matches = rule.matches
        calls.append(lambda: matches(probe))
    if rule.known_ids is not None:
        known_ids = rule.known_ids
        calls.append(lambda: known_ids(probe))
    for target in rule.targets:
        calls.append(lambda t=target: t.id(probe))
        if target.import_id is not None:
            calls.append(lambda t=target: t.import_id(probe))
        if target.hidden is not None:
            calls.append(lambda t=target: t.hidden(probe))
        scratch: dict[str, Any] = deep_copy_attrs({})
        for effect in target.effects:
            calls.append(lambda e=effect, s=scratch: e.apply(s, probe))
    for check in rule.severity_checks:
        calls.append(lambda c=check: c(probe, {}))
    for call in calls:
        try:
            call()
        except Exception:  # an effect over empty attributes may refuse; its reads are logged
            continue
    return {path.rstrip(".") for path in log.asked}


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
    if protocol == "query" and isinstance(response, dict) and len(response) == 1:
        (inner,) = response.values()
        response = inner if isinstance(inner, dict) else response
    return CloudEvent(
        id="model",
        name=event,
        source=f"{op.service_model.endpoint_prefix}.amazonaws.com",
        time=datetime(2026, 1, 1, tzinfo=UTC),
        region="us-east-1",
        actor=Actor(name="model", account_id="123456789012"),
        account_id="123456789012",
        request=request if isinstance(request, dict) else {},
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

SHAPES = Path(__file__).resolve().parents[1] / "fixtures" / "api_shapes"
OBSERVED = SHAPES / "observed.json"
"""What the catalog tests feed each row and what the row reads from it; written by
``scripts/regen_api_shapes.py`` (tests/catalog/record_shapes.py)."""
ORACLE = SHAPES / "oracle.json"
"""The same for the records the Terraform oracle writes (``regen_api_shapes.py --oracle``,
slow: every oracle module runs); read when present."""


@dataclass
class RowCheck:
    """One row against its operation's model."""

    operation: str = ""
    """``service:Operation``, empty when no model has the row's event."""
    fed: bool = False
    """The catalog tests feed the row calls (their keys are judged too)."""
    model_reads: int = 0
    """Key paths the row looked up in a call built from the API model (every member set)."""
    request_keys: int = 0
    """Distinct request key paths judged: read by the row or present in its test calls."""
    response_keys: int = 0
    problems: list[str] = field(default_factory=list)
    excused: set[str] = field(default_factory=set)
    """``side:path`` the model lacks that DEAD_READS, RECORDED_EXTRAS or DELIBERATE excuse."""

    @property
    def checked(self) -> bool:
        """Every read seen (statically, on the tests' calls, on a model-built call) fits."""
        return bool(self.operation) and not self.problems


def observed_rows(*paths: Path) -> dict[tuple[str, str, str], Mapping[str, Any]]:
    """Per row, what the recorded files say (default: observed.json, and oracle.json when
    present), merged: paths from every file, each with the first test that fed it."""
    merged: dict[tuple[str, str, str], dict[str, Any]] = {}
    files = paths or tuple(p for p in (OBSERVED, ORACLE) if p.is_file())
    for path in files:
        for row in json.loads(path.read_text(encoding="utf-8")):
            key = (row["source"], row["event"], row["discriminator"] or "")
            into = merged.setdefault(
                key, {**row, "tests": [], "request": {}, "response": {}, "read": {}}
            )
            offset = len(into["tests"])
            into["tests"] = [*into["tests"], *row["tests"]]
            for kind in ("request", "response", "read"):
                for name, number in row[kind].items():
                    into[kind].setdefault(name, number + offset)
    return dict(merged)


def check_row(rule: Any, seen: Mapping[str, Any] | None) -> RowCheck:
    """The row's reads (``req``/``resp`` paths reachable from it, and every key path its
    extractors looked up in the calls the tests fed it) and the calls' own keys, judged
    against the operation's input and output shapes."""
    op = row_operation(rule.source, rule.event, rule.discriminator)
    result = RowCheck()
    if op is None:
        result.problems.append(f"{rule.event}: no operation of that name in botocore's model")
        return result
    result.operation = f"{op.service_model.service_name}:{op.name}"
    judged: set[str] = set()
    alternatives: set[str] = set()
    for group in static_reads(rule):
        verdicts = {read: judge(op, *read) for read in group}
        names = {f"{side}:{'.'.join(parts)}" for side, parts in group}
        judged |= names
        if any(v.ok for v in verdicts.values()):
            # A lookup stops at the first absent key: a prefix of an alternative is one too.
            alternatives |= {
                f"{side}:{'.'.join(parts[:n])}"
                for side, parts in group
                for n in range(1, len(parts) + 1)
            }
            continue
        for read, verdict in sorted(verdicts.items()):
            name = f"{read[0]}:{'.'.join(read[1])}"
            if listed(DEAD_READS, op, name):
                result.excused.add(name)
            else:
                result.problems.append(f"reads {name}: {verdict.reason}")
    model_read = dict.fromkeys(reads_of(rule, model_call(op, rule.event)), 0)
    model: Mapping[str, Any] = {
        "tests": ["a call built from the API model"],
        "request": {},
        "response": {},
        "read": model_read,
    }
    result.model_reads = len(model_read)
    result.fed = seen is not None
    for fed in (model, seen) if seen is not None else (model,):
        for kind in ("read", "request", "response"):
            for path, number in fed[kind].items():
                test = fed["tests"][number]
                name = path if kind == "read" else f"{kind}:{path}"
                side, _, dotted = name.partition(":")
                if not dotted or name in alternatives:
                    continue
                judged.add(name)
                verdict = judge(op, side, tuple(dotted.split(".")))
                if verdict.ok:
                    continue
                if (
                    listed(RECORDED_EXTRAS, op, name)
                    or test in DELIBERATE
                    or (kind == "read" and listed(DEAD_READS, op, name))
                ):
                    result.excused.add(name)
                    continue
                what = "reads" if kind == "read" else "is fed"
                result.problems.append(f"{what} {name} ({test}): {verdict.reason}")
    result.request_keys = sum(1 for n in judged if n.startswith("request:"))
    result.response_keys = sum(1 for n in judged if n.startswith("response:"))
    return result

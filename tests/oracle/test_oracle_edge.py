"""Route 53 (records, hosted zones, health checks), ACM and CloudFront rows judged by Terraform.

One estate for the edge services: the provider waits 10-30 s for each Route 53 change to be
in sync (a zone, then its records), and those waits overlap in one apply. Route 53, ACM and
CloudFront calls are recorded in us-east-1 (Route 53 and CloudFront are global). Requests and
responses are written in CloudTrail's shapes (lower camel case, ``tTL``, ``iPAddress``,
``dNSName``: the first letter of each key lower-cased).
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from moto.route53.models import HostedZoneIdentifier
from moto.utilities.id_generator import moto_id_manager

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
from tests.oracle.harness import Call, World, case_rows
from tests.oracle.terraform import ACCOUNT, REGION

ROUTE53 = "route53.amazonaws.com"
ACM = "acm.amazonaws.com"
CLOUDFRONT = "cloudfront.amazonaws.com"
DOMAIN = "oracle-edge.example"
CLOUDFRONT_ZONE = "Z2FDTNDATAQYW2"
"""The hosted zone id every CloudFront alias target carries."""
TAGS = '  tags = {\n    team = "core"\n  }\n'


def _dash(name: str) -> str:
    return name.replace("_", "-")


def cloudtrail_shape(value: Any) -> Any:
    """boto3's request or response in CloudTrail's spelling: each key's first letter lower."""
    if isinstance(value, Mapping):
        return {k[:1].lower() + k[1:]: cloudtrail_shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [cloudtrail_shape(v) for v in value]
    return value


# --------------------------------------------------------------------------- records

RECORDS = f"""
resource "aws_route53_zone" "edge_zone" {{
  name = "{DOMAIN}"
}}

resource "aws_route53_record" "rec_upsert" {{
  zone_id = aws_route53_zone.edge_zone.zone_id
  name    = "www"
  type    = "A"
  ttl     = 300
  records = ["192.0.2.10"]
}}

resource "aws_route53_record" "rec_alias" {{
  zone_id = aws_route53_zone.edge_zone.zone_id
  name    = "apex"
  type    = "A"

  # A literal target, as an alias to a CloudFront distribution is written (CloudFront's
  # fixed zone id): import refuses to patch an alias block whose zone_id is a reference.
  alias {{
    name                   = "d111111abcdef8.cloudfront.net"
    zone_id                = "{CLOUDFRONT_ZONE}"
    evaluate_target_health = false
  }}
}}

resource "aws_route53_record" "rec_deleted" {{
  zone_id = aws_route53_zone.edge_zone.zone_id
  name    = "old"
  type    = "A"
  ttl     = 300
  records = ["192.0.2.30"]
}}

resource "aws_route53_record" "rec_weighted" {{
  zone_id        = aws_route53_zone.edge_zone.zone_id
  name           = "blue"
  type           = "CNAME"
  ttl            = 60
  records        = ["blue.origin.{DOMAIN}"]
  set_identifier = "blue"

  weighted_routing_policy {{
    weight = 90
  }}
}}

resource "aws_route53_record" "rec_replaced" {{
  zone_id = aws_route53_zone.edge_zone.zone_id
  name    = "api"
  type    = "TXT"
  ttl     = 300
  records = ["from code"]
}}
"""


def _route53(world: World) -> Any:
    return world.client("route53")


def _zone_made_by_hand(world: World, fqdn: str, zone_id: str, **extra: Any) -> Any:
    """CreateHostedZone with an id of AWS's form: moto's ids are 22 random characters, AWS's
    start with Z, and remediation checks an import id's form. The moto server runs in this
    process (conftest), so its id manager is this one."""
    ident = HostedZoneIdentifier(ACCOUNT, fqdn, None)
    moto_id_manager.set_custom_id(ident, zone_id)
    try:
        answer = _route53(world).create_hosted_zone(
            Name=fqdn, CallerReference=str(uuid.uuid4()), **extra
        )
    finally:
        moto_id_manager.unset_custom_id(ident)
    assert answer["HostedZone"]["Id"].rsplit("/", 1)[-1] == zone_id, answer["HostedZone"]
    return answer


def _hand_zone(world: World, name: str, zone_id: str) -> str:
    """A zone made by hand and not recorded, for the records made by hand (their import ids
    start with the zone's id)."""
    fqdn = f"{name}.{DOMAIN}."
    if fqdn not in world.notes:
        _zone_made_by_hand(world, fqdn, zone_id)
        world.notes[fqdn] = zone_id
    return zone_id


def _change(world: World, changes: list[dict[str, Any]], zone: str = "") -> Call:
    """One ChangeResourceRecordSets batch (on the records' zone unless ``zone``), as CloudTrail
    logs it."""
    zone = zone or world.id("aws_route53_zone.edge_zone")
    answer = _route53(world).change_resource_record_sets(
        HostedZoneId=zone, ChangeBatch={"Changes": changes}
    )
    info = answer["ChangeInfo"]
    return Call(
        {"hostedZoneId": zone, "changeBatch": cloudtrail_shape({"Changes": changes})},
        {"changeInfo": {"id": info["Id"], "status": info["Status"]}},
    )


def _a(name: str, ttl: int, *values: str, kind: str = "A") -> dict[str, Any]:
    return {
        "Name": f"{name}.{DOMAIN}.",
        "Type": kind,
        "TTL": ttl,
        "ResourceRecords": [{"Value": v} for v in values],
    }


def _alias(name: str, target: str) -> dict[str, Any]:
    return {
        "Name": f"{name}.",
        "Type": "A",
        "AliasTarget": {
            "HostedZoneId": CLOUDFRONT_ZONE,
            "DNSName": f"{target}.",
            "EvaluateTargetHealth": True,
        },
    }


def record_upserted(world: World) -> Call:
    rrset = _a("www", 60, "192.0.2.11", "192.0.2.12")
    return _change(world, [{"Action": "UPSERT", "ResourceRecordSet": rrset}])


def alias_upserted(world: World) -> Call:
    rrset = _alias(f"apex.{DOMAIN}", "d222222abcdef8.cloudfront.net")
    return _change(world, [{"Action": "UPSERT", "ResourceRecordSet": rrset}])


def weight_drained(world: World) -> Call:
    """A weighted set drained by hand: the whole set is sent again with weight 0."""
    rrset = {
        **_a("blue", 60, f"blue.origin.{DOMAIN}", kind="CNAME"),
        "SetIdentifier": "blue",
        "Weight": 0,
    }
    return _change(world, [{"Action": "UPSERT", "ResourceRecordSet": rrset}])


def record_deleted(world: World) -> Call:
    rrset = _a("old", 300, "192.0.2.30")
    return _change(world, [{"Action": "DELETE", "ResourceRecordSet": rrset}])


def record_replaced(world: World) -> Call:
    """How the console edits a record: DELETE the old set and CREATE the new one at once."""
    old = _a("api", 300, '"from code"', kind="TXT")
    new = _a("api", 120, '"by hand"', '"second"', kind="TXT")
    return _change(
        world,
        [
            {"Action": "DELETE", "ResourceRecordSet": old},
            {"Action": "CREATE", "ResourceRecordSet": new},
        ],
    )


HAND_RECORDS = ("hand-records", "Z0ORACLEHANDRECORDS01")


def record_by_hand(world: World) -> Call:
    zone = _hand_zone(world, *HAND_RECORDS)
    rrset = _a("www.hand-records", 300, "192.0.2.40")
    return _change(world, [{"Action": "CREATE", "ResourceRecordSet": rrset}], zone)


def alias_by_hand(world: World) -> Call:
    zone = _hand_zone(world, *HAND_RECORDS)
    rrset = _alias(f"hand-records.{DOMAIN}", "d333333abcdef8.cloudfront.net")
    return _change(world, [{"Action": "UPSERT", "ResourceRecordSet": rrset}], zone)


# --------------------------------------------------------------------------- hosted zones


def _zone(name: str, extra: str = "") -> str:
    return f"""
resource "aws_route53_zone" "{name}" {{
  name = "{_dash(name)}.{DOMAIN}"
{extra}}}
"""


def zone_comment(world: World) -> Call:
    zone = world.id("aws_route53_zone.zone_comment")
    _route53(world).update_hosted_zone_comment(Id=zone, Comment="by hand")
    return Call({"id": zone, "comment": "by hand"}, {"hostedZone": {"id": f"/hostedzone/{zone}"}})


def zone_tagged(world: World) -> Call:
    zone = world.id("aws_route53_zone.zone_tagged")
    _route53(world).change_tags_for_resource(
        ResourceType="hostedzone",
        ResourceId=zone,
        AddTags=[{"Key": "owner", "Value": "alan"}],
        RemoveTagKeys=["team"],
    )
    return Call(
        {
            "resourceType": "hostedzone",
            "resourceId": zone,
            "addTags": [{"key": "owner", "value": "alan"}],
            "removeTagKeys": ["team"],
        }
    )


def zone_deleted(world: World) -> Call:
    zone = world.id("aws_route53_zone.zone_deleted")
    answer = _route53(world).delete_hosted_zone(Id=zone)
    info = answer["ChangeInfo"]
    return Call({"id": zone}, {"changeInfo": {"id": info["Id"], "status": info["Status"]}})


def zone_by_hand(world: World) -> Call:
    name = f"hand-made.{DOMAIN}."
    config = {"Comment": "by hand", "PrivateZone": False}
    answer = _zone_made_by_hand(world, name, "Z0ORACLEHANDZONE0001", HostedZoneConfig=config)
    zone = answer["HostedZone"]
    reference = zone["CallerReference"]
    return Call(
        {"name": name, "callerReference": reference, "hostedZoneConfig": cloudtrail_shape(config)},
        {"hostedZone": {"id": zone["Id"], "name": zone["Name"], "callerReference": reference}},
    )


# --------------------------------------------------------------------------- private zones

# moto makes a zone private only when CreateHostedZone says so (HostedZoneConfig.PrivateZone);
# the provider's create sends the VPC alone (AWS infers privacy from it), so on moto a zone the
# provider creates with a vpc block is public and cannot take an association. The private zones
# are made by boto3 before the apply (Case.prepare) and imported; their VPCs are read by tag.
# An imported zone holds force_destroy = null, which a plan changing anything else on the zone
# writes as false: the code sets it, so the apply stores it.
PRIVATE_ZONE = "Z0ORACLEPRIVATE00001"
"""Held by the code with one inline vpc block: a VPC is associated by hand."""
TWO_VPC_ZONE = "Z0ORACLEPRIVATE00002"
"""Held by the code with two inline vpc blocks: one is disassociated by hand."""
SHARED_ZONE = "Z0ORACLEPRIVATE00003"
"""Not held by the code; its associations are aws_route53_zone_association resources."""
VPCS = ("zone-home", "zone-guest", "zone-third")


def _vpc_data(name: str) -> str:
    return f"""
data "aws_vpc" "{name.replace("-", "_")}" {{
  tags = {{
    oracle = "{name}"
  }}
}}
"""


PRIVATE = "".join(_vpc_data(v) for v in VPCS) + (
    f"""
import {{
  to = aws_route53_zone.zone_vpc_added
  id = "{PRIVATE_ZONE}"
}}

resource "aws_route53_zone" "zone_vpc_added" {{
  name          = "vpc-added.{DOMAIN}"
  force_destroy = true

  vpc {{
    vpc_id = data.aws_vpc.zone_home.id
  }}
}}

import {{
  to = aws_route53_zone.zone_vpc_removed
  id = "{TWO_VPC_ZONE}"
}}

resource "aws_route53_zone" "zone_vpc_removed" {{
  name          = "vpc-removed.{DOMAIN}"
  force_destroy = true

  vpc {{
    vpc_id = data.aws_vpc.zone_home.id
  }}

  vpc {{
    vpc_id = data.aws_vpc.zone_third.id
  }}
}}

resource "aws_route53_zone_association" "assoc_gone" {{
  zone_id = "{SHARED_ZONE}"
  vpc_id  = data.aws_vpc.zone_guest.id
}}
"""
)


def _vpc_id(world: World, name: str) -> str:
    found = world.client("ec2").describe_vpcs(Filters=[{"Name": "tag:oracle", "Values": [name]}])
    return str(found["Vpcs"][0]["VpcId"])


def private_zones(world: World) -> None:
    """Three VPCs and three private zones, made before the apply (see PRIVATE_ZONE)."""
    ec2 = world.client("ec2")
    for n, name in enumerate(VPCS):
        ec2.create_vpc(
            CidrBlock=f"10.{60 + n}.0.0/16",
            TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "oracle", "Value": name}]}],
        )
    home = {"VPCRegion": REGION, "VPCId": _vpc_id(world, "zone-home")}
    config = {"Comment": "Managed by Terraform", "PrivateZone": True}
    for name, zone in (
        ("vpc-added", PRIVATE_ZONE),
        ("vpc-removed", TWO_VPC_ZONE),
        ("shared", SHARED_ZONE),
    ):
        _zone_made_by_hand(world, f"{name}.{DOMAIN}.", zone, HostedZoneConfig=config, VPC=home)
    _route53(world).associate_vpc_with_hosted_zone(
        HostedZoneId=TWO_VPC_ZONE, VPC={"VPCRegion": REGION, "VPCId": _vpc_id(world, "zone-third")}
    )


def _vpc_call(world: World, zone: str, vpc: str, associate: bool) -> Call:
    client = _route53(world)
    where = {"VPCRegion": REGION, "VPCId": _vpc_id(world, vpc)}
    if associate:
        answer = client.associate_vpc_with_hosted_zone(HostedZoneId=zone, VPC=where)
    else:
        answer = client.disassociate_vpc_from_hosted_zone(HostedZoneId=zone, VPC=where)
    info = answer["ChangeInfo"]
    return Call(
        {"hostedZoneId": zone, "vPC": cloudtrail_shape(where)},
        {"changeInfo": {"id": info["Id"], "status": info["Status"]}},
    )


def zone_vpc_added(world: World) -> Call:
    return _vpc_call(world, PRIVATE_ZONE, "zone-guest", associate=True)


def zone_vpc_removed(world: World) -> Call:
    return _vpc_call(world, TWO_VPC_ZONE, "zone-third", associate=False)


def association_gone(world: World) -> Call:
    return _vpc_call(world, SHARED_ZONE, "zone-guest", associate=False)


def association_by_hand(world: World) -> Call:
    return _vpc_call(world, SHARED_ZONE, "zone-third", associate=True)


# --------------------------------------------------------------------------- health checks


def _check(name: str, extra: str = "") -> str:
    return f"""
resource "aws_route53_health_check" "{name}" {{
  ip_address        = "192.0.2.20"
  port              = 80
  type              = "HTTP"
  resource_path     = "/"
  failure_threshold = 3
  request_interval  = 30
{extra}}}
"""


def check_updated(world: World) -> Call:
    check = world.id("aws_route53_health_check.hc_updated")
    _route53(world).update_health_check(
        HealthCheckId=check, ResourcePath="/health", FailureThreshold=5
    )
    return Call({"healthCheckId": check, "resourcePath": "/health", "failureThreshold": 5})


def check_disabled(world: World) -> Call:
    check = world.id("aws_route53_health_check.hc_disabled")
    _route53(world).update_health_check(HealthCheckId=check, Disabled=True, Inverted=True)
    return Call({"healthCheckId": check, "disabled": True, "inverted": True})


def check_tagged(world: World) -> Call:
    check = world.id("aws_route53_health_check.hc_tagged")
    _route53(world).change_tags_for_resource(
        ResourceType="healthcheck",
        ResourceId=check,
        AddTags=[{"Key": "owner", "Value": "alan"}],
    )
    return Call(
        {
            "resourceType": "healthcheck",
            "resourceId": check,
            "addTags": [{"key": "owner", "value": "alan"}],
        }
    )


def check_deleted(world: World) -> Call:
    check = world.id("aws_route53_health_check.hc_deleted")
    _route53(world).delete_health_check(HealthCheckId=check)
    return Call({"healthCheckId": check})


def check_by_hand(world: World) -> Call:
    reference = str(uuid.uuid4())
    config = {
        "IPAddress": "192.0.2.50",
        "Port": 443,
        "Type": "TCP",
        "RequestInterval": 30,
        "FailureThreshold": 3,
    }
    answer = _route53(world).create_health_check(
        CallerReference=reference, HealthCheckConfig=config
    )
    check = answer["HealthCheck"]
    return Call(
        {"callerReference": reference, "healthCheckConfig": cloudtrail_shape(config)},
        {
            "healthCheck": {
                "id": check["Id"],
                "callerReference": reference,
                "healthCheckConfig": cloudtrail_shape(check["HealthCheckConfig"]),
                "healthCheckVersion": check.get("HealthCheckVersion", 1),
            }
        },
    )


# --------------------------------------------------------------------------- ACM


def _certificate(name: str, extra: str = "") -> str:
    return f"""
resource "aws_acm_certificate" "{name}" {{
  domain_name       = "{_dash(name)}.{DOMAIN}"
  validation_method = "DNS"
{extra}}}
"""


def _acm(world: World) -> Any:
    return world.client("acm")


def certificate_tagged(world: World) -> Call:
    arn = world.id("aws_acm_certificate.cert_tagged")
    _acm(world).add_tags_to_certificate(
        CertificateArn=arn, Tags=[{"Key": "owner", "Value": "alan"}]
    )
    return Call({"certificateArn": arn, "tags": [{"key": "owner", "value": "alan"}]})


def certificate_untagged(world: World) -> Call:
    arn = world.id("aws_acm_certificate.cert_untagged")
    _acm(world).remove_tags_from_certificate(
        CertificateArn=arn, Tags=[{"Key": "team", "Value": "core"}]
    )
    return Call({"certificateArn": arn, "tags": [{"key": "team", "value": "core"}]})


def certificate_deleted(world: World) -> Call:
    arn = world.id("aws_acm_certificate.cert_deleted")
    _acm(world).delete_certificate(CertificateArn=arn)
    return Call({"certificateArn": arn})


# --------------------------------------------------------------------------- CloudFront


def _distribution(name: str, extra: str = "") -> str:
    return f"""
resource "aws_cloudfront_distribution" "{name}" {{
  enabled             = true
  default_root_object = "index.html"
  price_class         = "PriceClass_All"
  wait_for_deployment = false

  origin {{
    domain_name = "origin.{DOMAIN}"
    origin_id   = "origin"

    custom_origin_config {{
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "https-only"
      origin_ssl_protocols   = ["TLSv1.2"]
    }}
  }}

  default_cache_behavior {{
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
    target_origin_id       = "origin"
    viewer_protocol_policy = "redirect-to-https"

    forwarded_values {{
      query_string = false

      cookies {{
        forward = "none"
      }}
    }}
  }}

{extra}
  restrictions {{
    geo_restriction {{
      restriction_type = "none"
    }}
  }}

  viewer_certificate {{
    cloudfront_default_certificate = true
    # moto reads the default certificate back with sni-only.
    ssl_support_method = "sni-only"
  }}
}}
"""


# A second origin, an origin group failing over from the first to it, and two ordered cache
# behaviours on the legacy settings (moto keeps no cache policies): an API that may not be
# cached and must use HTTPS, and static files served through the group.
ORDERED = f"""
  origin {{
    domain_name = "backup.{DOMAIN}"
    origin_id   = "backup"

    custom_origin_config {{
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "https-only"
      origin_ssl_protocols   = ["TLSv1.2"]
    }}
  }}

  origin_group {{
    origin_id = "failover"

    failover_criteria {{
      status_codes = [500, 502]
    }}

    member {{
      origin_id = "origin"
    }}

    member {{
      origin_id = "backup"
    }}
  }}

  ordered_cache_behavior {{
    path_pattern           = "/api/*"
    allowed_methods        = ["GET", "HEAD", "OPTIONS"]
    cached_methods         = ["GET", "HEAD"]
    target_origin_id       = "origin"
    viewer_protocol_policy = "https-only"
    compress               = true

    forwarded_values {{
      query_string = true

      cookies {{
        forward = "all"
      }}
    }}
  }}

  ordered_cache_behavior {{
    path_pattern           = "/static/*"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
    target_origin_id       = "failover"
    viewer_protocol_policy = "redirect-to-https"

    forwarded_values {{
      query_string = false

      cookies {{
        forward = "none"
      }}
    }}
  }}
"""


def _cloudfront(world: World) -> Any:
    return world.client("cloudfront")


def distribution_updated(world: World) -> Call:
    client = _cloudfront(world)
    dist = world.id("aws_cloudfront_distribution.cdn_updated")
    current = client.get_distribution_config(Id=dist)
    config = copy.deepcopy(current["DistributionConfig"])
    config["DefaultRootObject"] = "home.html"
    config["PriceClass"] = "PriceClass_100"
    config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] = "allow-all"
    answer = client.update_distribution(Id=dist, IfMatch=current["ETag"], DistributionConfig=config)
    return Call(
        {"id": dist, "ifMatch": current["ETag"], "distributionConfig": cloudtrail_shape(config)},
        {"eTag": answer["ETag"], "distribution": {"id": dist}},
    )


def distribution_origin(world: World) -> Call:
    """Where the distribution fetches from, its HTTP version and IPv6, changed in one update."""
    client = _cloudfront(world)
    dist = world.id("aws_cloudfront_distribution.cdn_origin")
    current = client.get_distribution_config(Id=dist)
    config = copy.deepcopy(current["DistributionConfig"])
    config["Origins"]["Items"][0]["DomainName"] = f"elsewhere.{DOMAIN}"
    config["HttpVersion"] = "http1.1"
    config["IsIPV6Enabled"] = True
    answer = client.update_distribution(Id=dist, IfMatch=current["ETag"], DistributionConfig=config)
    return Call(
        {"id": dist, "ifMatch": current["ETag"], "distributionConfig": cloudtrail_shape(config)},
        {"eTag": answer["ETag"], "distribution": {"id": dist}},
    )


def distribution_logging(world: World) -> Call:
    """Access logs turned on and a name added in one update."""
    client = _cloudfront(world)
    dist = world.id("aws_cloudfront_distribution.cdn_logging")
    current = client.get_distribution_config(Id=dist)
    config = copy.deepcopy(current["DistributionConfig"])
    config["Logging"] = {
        "Enabled": True,
        "IncludeCookies": False,
        "Bucket": "edge-logs.s3.amazonaws.com",
        "Prefix": "cdn/",
    }
    config["Aliases"] = {"Quantity": 1, "Items": [f"static.{DOMAIN}"]}
    answer = client.update_distribution(Id=dist, IfMatch=current["ETag"], DistributionConfig=config)
    return Call(
        {"id": dist, "ifMatch": current["ETag"], "distributionConfig": cloudtrail_shape(config)},
        {"eTag": answer["ETag"], "distribution": {"id": dist}},
    )


def distribution_behavior(world: World) -> Call:
    """Who may do what, and from where: every method let through, an edge function run on
    each request, viewers outside two countries refused, a custom error page."""
    client = _cloudfront(world)
    dist = world.id("aws_cloudfront_distribution.cdn_behavior")
    current = client.get_distribution_config(Id=dist)
    config = copy.deepcopy(current["DistributionConfig"])
    behavior = config["DefaultCacheBehavior"]
    behavior["AllowedMethods"] = {
        "Quantity": 7,
        "Items": ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
        "CachedMethods": {"Quantity": 2, "Items": ["GET", "HEAD"]},
    }
    behavior["Compress"] = True
    config["Restrictions"] = {
        "GeoRestriction": {"RestrictionType": "whitelist", "Quantity": 2, "Items": ["US", "CA"]}
    }
    config["CustomErrorResponses"] = {
        "Quantity": 1,
        "Items": [
            {
                "ErrorCode": 404,
                "ResponsePagePath": "/404.html",
                "ResponseCode": "404",
                "ErrorCachingMinTTL": 10,
            }
        ],
    }
    answer = client.update_distribution(Id=dist, IfMatch=current["ETag"], DistributionConfig=config)
    return Call(
        {"id": dist, "ifMatch": current["ETag"], "distributionConfig": cloudtrail_shape(config)},
        {"eTag": answer["ETag"], "distribution": {"id": dist}},
    )


def _updated(world: World, name: str, change: Callable[[dict[str, Any]], None]) -> Call:
    """The console's UpdateDistribution: the whole config read back, ``change`` applied."""
    client = _cloudfront(world)
    dist = world.id(f"aws_cloudfront_distribution.{name}")
    current = client.get_distribution_config(Id=dist)
    config = copy.deepcopy(current["DistributionConfig"])
    change(config)
    answer = client.update_distribution(Id=dist, IfMatch=current["ETag"], DistributionConfig=config)
    return Call(
        {"id": dist, "ifMatch": current["ETag"], "distributionConfig": cloudtrail_shape(config)},
        {"eTag": answer["ETag"], "distribution": {"id": dist}},
    )


def distribution_ordered(world: World) -> Call:
    """The API behaviour opened (every method, plain HTTP allowed, no compression) and an
    admin behaviour added after the others, on the legacy settings with the API's TTLs."""

    def change(config: dict[str, Any]) -> None:
        behaviors = config["CacheBehaviors"]
        api = next(b for b in behaviors["Items"] if b["PathPattern"] == "/api/*")
        api["AllowedMethods"] = {
            "Quantity": 7,
            "Items": ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
            "CachedMethods": {"Quantity": 2, "Items": ["GET", "HEAD"]},
        }
        api["ViewerProtocolPolicy"] = "allow-all"
        api["Compress"] = False
        behaviors["Items"].append(
            {
                "PathPattern": "/admin/*",
                "TargetOriginId": "backup",
                "ViewerProtocolPolicy": "https-only",
                "AllowedMethods": {
                    "Quantity": 2,
                    "Items": ["GET", "HEAD"],
                    "CachedMethods": {"Quantity": 2, "Items": ["GET", "HEAD"]},
                },
                "Compress": False,
                "SmoothStreaming": False,
                "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
                "MinTTL": 0,
                "DefaultTTL": 86400,
                "MaxTTL": 31536000,
            }
        )
        behaviors["Quantity"] = len(behaviors["Items"])

    return _updated(world, "cdn_ordered", change)


def distribution_group(world: World) -> Call:
    """The origin group fails over on more codes, and the backup became the primary."""

    def change(config: dict[str, Any]) -> None:
        group = config["OriginGroups"]["Items"][0]
        group["FailoverCriteria"] = {"StatusCodes": {"Quantity": 4, "Items": [500, 502, 503, 504]}}
        group["Members"] = {
            "Quantity": 2,
            "Items": [{"OriginId": "backup"}, {"OriginId": "origin"}],
        }

    return _updated(world, "cdn_group", change)


def distribution_primary_swapped(world: World) -> Call:
    """Only the origin group's members swapped: the backup became the primary."""

    def change(config: dict[str, Any]) -> None:
        members = config["OriginGroups"]["Items"][0]["Members"]
        members["Items"] = list(reversed(members["Items"]))

    return _updated(world, "cdn_primary", change)


def distribution_deleted(world: World) -> Call:
    client = _cloudfront(world)
    dist = world.id("aws_cloudfront_distribution.cdn_deleted")
    etag = client.get_distribution_config(Id=dist)["ETag"]
    client.delete_distribution(Id=dist, IfMatch=etag)
    return Call({"id": dist, "ifMatch": etag})


def _hand_config(reference: str) -> dict[str, Any]:
    return {
        "CallerReference": reference,
        "Comment": "",
        "Enabled": True,
        "DefaultRootObject": "index.html",
        "Origins": {
            "Quantity": 1,
            "Items": [
                {
                    "Id": "origin",
                    "DomainName": f"hand.{DOMAIN}",
                    "OriginPath": "",
                    "CustomOriginConfig": {
                        "HTTPPort": 80,
                        "HTTPSPort": 443,
                        "OriginProtocolPolicy": "https-only",
                    },
                }
            ],
        },
        "DefaultCacheBehavior": {
            "TargetOriginId": "origin",
            "ViewerProtocolPolicy": "redirect-to-https",
            "MinTTL": 0,
            "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
        },
    }


def distribution_by_hand(world: World) -> Call:
    config = _hand_config(str(uuid.uuid4()))
    answer = _cloudfront(world).create_distribution(DistributionConfig=config)
    made = answer["Distribution"]
    return Call(
        {"distributionConfig": cloudtrail_shape(config)},
        {"eTag": answer["ETag"], "distribution": {"id": made["Id"], "aRN": made["ARN"]}},
    )


def distribution_with_tags_by_hand(world: World) -> Call:
    config = _hand_config(str(uuid.uuid4()))
    tags = {"Items": [{"Key": "team", "Value": "edge"}]}
    answer = _cloudfront(world).create_distribution_with_tags(
        DistributionConfigWithTags={"DistributionConfig": config, "Tags": tags}
    )
    made = answer["Distribution"]
    return Call(
        {
            "distributionConfigWithTags": cloudtrail_shape(
                {"DistributionConfig": config, "Tags": tags}
            )
        },
        {"eTag": answer["ETag"], "distribution": {"id": made["Id"], "aRN": made["ARN"]}},
    )


# --------------------------------------------------------------------------- the table

FIXTURES = {
    "ChangeResourceRecordSets": "route53-change-resource-record-sets.json",
    "CreateHealthCheck": "route53-create-health-check.json",
    "UpdateHealthCheck": "route53-create-health-check.json",
    "DeleteHealthCheck": "route53-create-health-check.json",
    "DeleteHostedZone": "route53-delete-hosted-zone.json",
    "CreateHostedZone": "route53-delete-hosted-zone.json",
    "UpdateHostedZoneComment": "route53-delete-hosted-zone.json",
    "ChangeTagsForResource": "route53-delete-hosted-zone.json",
    "AssociateVPCWithHostedZone": "route53-delete-hosted-zone.json",
    "DisassociateVPCFromHostedZone": "route53-delete-hosted-zone.json",
    "AddTagsToCertificate": "acm-add-tags-to-certificate.json",
    "RemoveTagsFromCertificate": "acm-remove-tags-from-certificate.json",
    "DeleteCertificate": "acm-delete-certificate.json",
    "UpdateDistribution": "cloudfront-update-distribution.json",
    "DeleteDistribution": "cloudfront-update-distribution.json",
    "CreateDistribution": "cloudfront-create-distribution.json",
    "CreateDistributionWithTags": "cloudfront-create-distribution.json",
}


_case = case_rows(lambda event, _source: FIXTURES[event])


# moto's distribution ids are 13 random characters, AWS's start with E: remediation refuses
# the id as an import id ("no valid import id for aws_cloudfront_distribution"), so the import of
# a hand-made distribution is not judged; detection is. (Route 53 zones are given AWS's form:
# see _hand_zone; moto offers no such hook for distribution ids.)
DELETED: dict[str, Any] = {"kind": "deleted", "strategies": ("import",)}
UNMANAGED: dict[str, Any] = {"kind": "unmanaged", "strategies": ("import",)}
RECORD = "aws_route53_record"
ZONE = "aws_route53_zone"
ASSOCIATION = "aws_route53_zone_association"
CHECK = "aws_route53_health_check"
CERT = "aws_acm_certificate"
CDN = "aws_cloudfront_distribution"
CRRS = "ChangeResourceRecordSets"

CASES = (
    _case("rec_upsert", CRRS, ROUTE53, record_upserted, f"{RECORD}.rec_upsert", RECORDS),
    _case("rec_alias", CRRS, ROUTE53, alias_upserted, f"{RECORD}.rec_alias", ""),
    _case("rec_weighted", CRRS, ROUTE53, weight_drained, f"{RECORD}.rec_weighted", ""),
    _case("rec_deleted", CRRS, ROUTE53, record_deleted, f"{RECORD}.rec_deleted", "", **DELETED),
    _case("rec_replaced", CRRS, ROUTE53, record_replaced, f"{RECORD}.rec_replaced", ""),
    _case("rec_by_hand", CRRS, ROUTE53, record_by_hand, RECORD, "", **UNMANAGED),
    _case("alias_by_hand", CRRS, ROUTE53, alias_by_hand, RECORD, "", **UNMANAGED),
    _case(
        "zone_comment",
        "UpdateHostedZoneComment",
        ROUTE53,
        zone_comment,
        f"{ZONE}.zone_comment",
        _zone("zone_comment", '  comment = "from code"\n'),
    ),
    _case(
        "zone_tagged",
        "ChangeTagsForResource",
        ROUTE53,
        zone_tagged,
        f"{ZONE}.zone_tagged",
        _zone("zone_tagged", TAGS),
    ),
    _case(
        "zone_deleted",
        "DeleteHostedZone",
        ROUTE53,
        zone_deleted,
        f"{ZONE}.zone_deleted",
        _zone("zone_deleted"),
        **DELETED,
    ),
    _case("zone_by_hand", "CreateHostedZone", ROUTE53, zone_by_hand, ZONE, "", **UNMANAGED),
    _case(
        "zone_vpc_added",
        "AssociateVPCWithHostedZone",
        ROUTE53,
        zone_vpc_added,
        f"{ZONE}.zone_vpc_added",
        PRIVATE,
        prepare=private_zones,
    ),
    _case(
        "zone_vpc_removed",
        "DisassociateVPCFromHostedZone",
        ROUTE53,
        zone_vpc_removed,
        f"{ZONE}.zone_vpc_removed",
        "",
        # Import refuses by design: the remaining vpc blocks name their VPCs by expression
        # (data.aws_vpc...), so it cannot tell which block the removed VPC was ("a `vpc` block
        # removed by hand cannot be matched, because the `vpc` block at main.tf:... uses
        # expressions"). The revert is judged.
        strategies=("revert",),
        known={
            "test_revert_plans_the_drift_back": "the revert plan adds the VPC back with "
            "vpc_region (optional+computed, unset in the code) known only after apply, where "
            "the check expects the old us-east-1 (as aws_lb.subnet_mapping in test_oracle_compute)"
        },
    ),
    _case(
        "assoc_gone",
        "DisassociateVPCFromHostedZone",
        ROUTE53,
        association_gone,
        f"{ASSOCIATION}.assoc_gone",
        "",
        **DELETED,
    ),
    _case(
        "assoc_by_hand",
        "AssociateVPCWithHostedZone",
        ROUTE53,
        association_by_hand,
        ASSOCIATION,
        "",
        **UNMANAGED,
    ),
    _case(
        "hc_updated",
        "UpdateHealthCheck",
        ROUTE53,
        check_updated,
        f"{CHECK}.hc_updated",
        _check("hc_updated"),
    ),
    _case(
        "hc_disabled",
        "UpdateHealthCheck",
        ROUTE53,
        check_disabled,
        f"{CHECK}.hc_disabled",
        _check("hc_disabled"),
    ),
    _case(
        "hc_tagged",
        "ChangeTagsForResource",
        ROUTE53,
        check_tagged,
        f"{CHECK}.hc_tagged",
        _check("hc_tagged", TAGS),
    ),
    _case(
        "hc_deleted",
        "DeleteHealthCheck",
        ROUTE53,
        check_deleted,
        f"{CHECK}.hc_deleted",
        _check("hc_deleted"),
        **DELETED,
    ),
    _case("hc_by_hand", "CreateHealthCheck", ROUTE53, check_by_hand, CHECK, "", **UNMANAGED),
    _case(
        "cert_tagged",
        "AddTagsToCertificate",
        ACM,
        certificate_tagged,
        f"{CERT}.cert_tagged",
        _certificate("cert_tagged", TAGS),
    ),
    _case(
        "cert_untagged",
        "RemoveTagsFromCertificate",
        ACM,
        certificate_untagged,
        f"{CERT}.cert_untagged",
        _certificate("cert_untagged", TAGS),
    ),
    _case(
        "cert_deleted",
        "DeleteCertificate",
        ACM,
        certificate_deleted,
        f"{CERT}.cert_deleted",
        _certificate("cert_deleted"),
        **DELETED,
    ),
    _case(
        "cdn_updated",
        "UpdateDistribution",
        CLOUDFRONT,
        distribution_updated,
        f"{CDN}.cdn_updated",
        _distribution("cdn_updated"),
    ),
    _case(
        "cdn_origin",
        "UpdateDistribution",
        CLOUDFRONT,
        distribution_origin,
        f"{CDN}.cdn_origin",
        _distribution("cdn_origin"),
    ),
    _case(
        "cdn_logging",
        "UpdateDistribution",
        CLOUDFRONT,
        distribution_logging,
        f"{CDN}.cdn_logging",
        _distribution("cdn_logging"),
    ),
    _case(
        "cdn_behavior",
        "UpdateDistribution",
        CLOUDFRONT,
        distribution_behavior,
        f"{CDN}.cdn_behavior",
        _distribution("cdn_behavior"),
    ),
    _case(
        "cdn_ordered",
        "UpdateDistribution",
        CLOUDFRONT,
        distribution_ordered,
        f"{CDN}.cdn_ordered",
        _distribution("cdn_ordered", ORDERED),
    ),
    _case(
        "cdn_group",
        "UpdateDistribution",
        CLOUDFRONT,
        distribution_group,
        f"{CDN}.cdn_group",
        _distribution("cdn_group", ORDERED),
    ),
    _case(
        "cdn_primary",
        "UpdateDistribution",
        CLOUDFRONT,
        distribution_primary_swapped,
        f"{CDN}.cdn_primary",
        _distribution("cdn_primary", ORDERED),
    ),
    _case(
        "cdn_deleted",
        "DeleteDistribution",
        CLOUDFRONT,
        distribution_deleted,
        f"{CDN}.cdn_deleted",
        _distribution("cdn_deleted"),
        **DELETED,
    ),
    _case(
        "cdn_by_hand",
        "CreateDistribution",
        CLOUDFRONT,
        distribution_by_hand,
        CDN,
        "",
        kind="unmanaged",
        strategies=(),
    ),
    _case(
        "cdn_tags_by_hand",
        "CreateDistributionWithTags",
        CLOUDFRONT,
        distribution_with_tags_by_hand,
        CDN,
        "",
        kind="unmanaged",
        strategies=(),
    ),
)

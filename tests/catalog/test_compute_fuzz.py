"""Hostile request/response shapes never crash an ELB, ELBv2, Auto Scaling, launch template,
volume attachment or instance-profile row (property test through the real normaliser and
engine, against ``real-compute.tfstate``).

Events start from the shapes of the compute catalog cases (which reach every row's effects)
and have subtrees replaced by hostile JSON built from the keys these rows read. Each record is
accounted for (tests/accounting.py): a counted error, one skip under a known reason, or drifts
of a known kind whose records round-trip.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.accounting import account
from tests.catalog.test_ec2_fuzz import _paths, _replace, raw_record
from tests.catalog.test_real_compute import (
    COMPUTE,
    INSTANCE,
    LB,
    LISTENER,
    MODELLED,
    RULE,
    TG,
    VOLUME,
)
from tfdrift_gitops.core.catalog import (
    autoscaling,
    autoscaling_tags,
    ec2_compute,
    elb_classic,
    elb_policies,
    elb_tags,
    elbv2,
    elbv2_targets,
    iam_profiles,
)
from tfdrift_gitops.core.detector import Detector
from tfdrift_gitops.core.engine import Engine
from tfdrift_gitops.core.normalize import normalize_record
from tfdrift_gitops.errors import RecordError

TABLES = (
    elbv2,
    elbv2_targets,
    elb_classic,
    elb_policies,
    elb_tags,
    autoscaling,
    autoscaling_tags,
    ec2_compute,
    iam_profiles,
)
ROWS = sorted({(r.event, r.source) for t in TABLES for r in t.RULES})
KEYS = [
    "loadBalancerArn",
    "loadBalancerName",
    "name",
    "attributes",
    "key",
    "value",
    "listenerArn",
    "ruleArn",
    "targetGroupArn",
    "defaultActions",
    "actions",
    "type",
    "forwardConfig",
    "targetGroups",
    "redirectConfig",
    "fixedResponseConfig",
    "conditions",
    "field",
    "values",
    "pathPatternConfig",
    "rulePriorities",
    "priority",
    "certificates",
    "certificateArn",
    "targets",
    "id",
    "port",
    "protocol",
    "sslPolicy",
    "healthCheck",
    "listeners",
    "loadBalancerPort",
    "loadBalancerAttributes",
    "accessLog",
    "enabled",
    "instances",
    "instanceId",
    "autoScalingGroupName",
    "launchTemplate",
    "version",
    "vPCZoneIdentifier",
    "scalingProcesses",
    "policyName",
    "tags",
    "LaunchTemplateId",
    "LaunchTemplateData",
    "SecurityGroupId",
    "content",
    "volumeId",
    "device",
    "IamInstanceProfile",
    "iamInstanceProfileAssociation",
    "instanceProfileName",
    "roleName",
    "resourceArns",
    "tagKeys",
    "loadBalancerNames",
    "policyName",
    "policyAttributes",
    "attributeName",
    "attributeValue",
    "policyNames",
    "loadBalancerPorts",
    "resourceId",
    "resourceType",
    "propagateAtLaunch",
]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-2, max_value=70000),
    st.sampled_from(
        [
            *(LB, LISTENER, RULE, TG, INSTANCE, VOLUME, "my-load-balancer", "asg1", "web", "x"),
            *("", "HTTP", "false", "true", "60", "deletion_protection.enabled"),
            *("<sensitiveDataRemoved>", "lt-0abcd290751193123"),
            "arn:aws:iam::123456789012:instance-profile/admin",
        ]
    ),
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(KEYS), inner, max_size=5),
    ),
    max_leaves=25,
)
TEMPLATES: dict[tuple[str, str], tuple[Any, Any]] = {}
for param in MODELLED:
    name, source, request, response = param.values[:4]
    TEMPLATES.setdefault((name, source), (request, response))


@st.composite
def mutated(draw: st.DrawFn, template: Any) -> Any:
    doc = template
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        path = draw(st.sampled_from(_paths(doc)))
        doc = _replace(doc, path, draw(JSON))
    return doc


@st.composite
def hostile_record(draw: st.DrawFn, position: int) -> dict[str, Any]:
    name, source = draw(st.sampled_from(ROWS))
    request, response = TEMPLATES.get((name, source), ({"loadBalancerArn": LB}, None))
    record = raw_record(name, draw(mutated(request)), draw(mutated(response)), position)
    record["eventSource"] = source
    return record


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), count=st.integers(min_value=1, max_value=3))
def test_hostile_shapes_never_crash(data: st.DataObject, count: int) -> None:
    detector = Detector(Engine(COMPUTE.index()))
    for position in range(count):
        record = data.draw(hostile_record(position))
        try:
            event = normalize_record(record, f"fuzz#{position}")
        except RecordError as refused:
            errors = len(detector.tally.errors)
            detector.feed([refused])
            assert len(detector.tally.errors) == errors + 1
            continue
        account(detector, event)

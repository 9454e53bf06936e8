"""Drifts for notification tests, with hostile text where CloudTrail could put it."""

from __future__ import annotations

from datetime import UTC, datetime

from tfdrift_gitops.core.actor import with_kind
from tfdrift_gitops.models import (
    Actor,
    Change,
    CloudEvent,
    Drift,
    Kind,
    ResourceRef,
    Severity,
    Via,
)

HOSTILE = (
    "<!channel> <@U012AB3CD> @everyone @here <https://evil.example|click> & `x` *b* [l](http://e)"
)


def make_drift(
    *,
    severity: Severity = Severity.HIGH,
    kind: Kind = Kind.MODIFIED,
    actor_name: str = "alan@acme.example",
    changes: tuple[Change, ...] | None = None,
    drift_id: str = "d-0123456789abcdef",
) -> Drift:
    actor = with_kind(
        Actor(
            name=actor_name,
            arn=f"arn:aws:sts::230446364776:assumed-role/admin/{actor_name}",
            type="AssumedRole",
            account_id="230446364776",
            session_name=actor_name,
            source_ip="203.0.113.42",
            user_agent="console.ec2.amazonaws.com",
            via=Via.CONSOLE,
        )
    )
    event = CloudEvent(
        id="6b0e5c2a-7d1f-4a53-9f0e-3c8d2b1a0e99",
        name="AuthorizeSecurityGroupIngress",
        source="ec2.amazonaws.com",
        time=datetime(2026, 11, 20, 9, 15, tzinfo=UTC),
        region="us-east-1",
        actor=actor,
        account_id="230446364776",
        request={"groupId": "sg-00b0bd48f1f5bca5b"},
    )
    if changes is None:
        changes = (
            Change(
                path="ingress",
                before=[],
                after=[{"cidr_blocks": ["0.0.0.0/0"], "from_port": 22, "to_port": 22}],
            ),
        )
    return Drift(
        id=drift_id,
        kind=kind,
        severity=severity,
        resource=ResourceRef(
            address="aws_security_group.webserver",
            type="aws_security_group",
            id="sg-00b0bd48f1f5bca5b",
            state="s3://tfstate/prod/terraform.tfstate",
        ),
        changes=changes,
        actor=actor,
        event=event,
        events=(event,),
        severity_reasons=("AuthorizeSecurityGroupIngress on aws_security_group is high",),
        detected_at=datetime(2026, 11, 20, 9, 15, 2, tzinfo=UTC),
    )

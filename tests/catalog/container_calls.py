"""Calls with no public record, API-shaped: builders shared by the container catalog tests.

Each call reuses a recorded call of its service (``test_real_containers.api_call``) with the
request body the service's API reference documents for that action.
"""

from __future__ import annotations

from typing import Any

from tests.catalog.test_real_containers import api_call
from tfdrift_gitops.models import CloudEvent


def ecs(name: str, request: dict[str, Any], response: Any = None) -> list[CloudEvent]:
    return [api_call("ecs", name, request, response)]


def eks(name: str, request: dict[str, Any], stratus: bool = False) -> list[CloudEvent]:
    return [api_call("eks-stratus" if stratus else "eks", name, request)]


def ecr(name: str, request: dict[str, Any]) -> list[CloudEvent]:
    return [api_call("ecr", name, request)]


def raw(event: CloudEvent) -> dict[str, Any]:
    """The record as a trail delivers it: what the prefilter sees before normalisation."""
    return {
        "eventVersion": "1.08",
        "eventTime": event.time.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": event.source,
        "eventName": event.name,
        "eventID": event.id,
        "awsRegion": event.region,
        "requestParameters": event.request,
        "responseElements": event.response,
        "readOnly": False,
        "eventType": "AwsApiCall",
        "recipientAccountId": event.account_id,
    }

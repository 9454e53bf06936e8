"""Many small Terraform states (an organisation's) for the org-scale state tests and bench."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def org_state(name: str, resources: int, serial: int = 1) -> bytes:
    """A v4 state with ``resources`` security groups whose ids are unique to ``name``."""
    instances: list[dict[str, Any]] = []
    for n in range(resources):
        instances.append(
            {
                "mode": "managed",
                "type": "aws_security_group",
                "name": f"sg{n}",
                "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
                "instances": [
                    {
                        "schema_version": 1,
                        "attributes": {
                            "id": sg_id(name, n),
                            "name": f"{name}-sg{n}",
                            "arn": f"arn:aws:ec2:us-east-1:123456789012:security-group/{n}",
                            "description": "Managed by Terraform",
                            "ingress": [],
                            "egress": [],
                            "tags": {"team": name},
                        },
                        "sensitive_attributes": [],
                    }
                ],
            }
        )
    state = {
        "version": 4,
        "terraform_version": "1.11.0",
        "serial": serial,
        "lineage": f"lineage-{name}",
        "outputs": {},
        "resources": instances,
        "check_results": None,
    }
    return json.dumps(state, indent=2).encode()


def sg_id(name: str, n: int) -> str:
    return "sg-" + hashlib.sha256(f"{name}/{n}".encode()).hexdigest()[:17]

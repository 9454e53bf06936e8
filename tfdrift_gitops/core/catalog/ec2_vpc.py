"""The VPC routing and edge rows of the EC2 table: routes and route tables
(``ec2_routes.py``), network ACLs (``ec2_nacl.py``), gateways, elastic IPs, endpoints and flow
logs (``ec2_edges.py``)."""

from __future__ import annotations

from tfdrift_gitops.core.catalog.ec2_edges import EDGE_RULES
from tfdrift_gitops.core.catalog.ec2_nacl import NACL_RULES
from tfdrift_gitops.core.catalog.ec2_routes import ROUTE_RULES
from tfdrift_gitops.core.catalog.model import Rule

RULES: tuple[Rule, ...] = (*ROUTE_RULES, *NACL_RULES, *EDGE_RULES)

"""PutBucketAcl with a canned ACL on a managed ``aws_s3_bucket_acl``: what Terraform sees.

The provider cannot read a canned ACL back, so a refresh keeps ``acl`` as configured and shows
``access_control_policy`` gaining the grants the canned ACL stands for (the S3 oracle's
``bucket_acl`` case). The row reports exactly that: the owner's FULL_CONTROL (owner from state)
plus the canned ACL's group grants, and no ``acl`` change.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.catalog.conftest import changes_of, make_index
from tests.catalog.test_s3_iam import ALL_USERS, LAB_OWNER_ID, STATES, runs, s3
from tfdrift_gitops.core.catalog.s3 import CANNED_GRANTS, grant_set
from tfdrift_gitops.models import Kind, Severity

AUTHENTICATED = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
OWNER = ("CanonicalUser", LAB_OWNER_ID, "", "FULL_CONTROL")


def _acl_drift(canned: str) -> Any:
    outcome = runs(make_index(*STATES["standalone"]), [s3("PutBucketAcl", {"x-amz-acl": [canned]})])
    return outcome


@pytest.mark.parametrize(
    ("canned", "grants", "severity"),
    [
        pytest.param(
            "public-read", {OWNER, ("Group", "", ALL_USERS, "READ")}, Severity.CRITICAL, id="public"
        ),
        pytest.param(
            "public-read-write",
            {OWNER, ("Group", "", ALL_USERS, "READ"), ("Group", "", ALL_USERS, "WRITE")},
            Severity.CRITICAL,
            id="public-write",
        ),
        pytest.param(
            "authenticated-read",
            {OWNER, ("Group", "", AUTHENTICATED, "READ")},
            Severity.CRITICAL,
            id="authenticated",
        ),
    ],
)
def test_canned_acl_is_reported_as_its_grants(
    canned: str, grants: set[tuple[str, str, str, str]], severity: Severity
) -> None:
    drift = _acl_drift(canned).only()
    assert drift.kind is Kind.MODIFIED and drift.resource.address == "aws_s3_bucket_acl.data"
    assert drift.severity is severity
    changes = changes_of(drift)
    assert set(changes) == {"access_control_policy"}, "acl stays as configured for Terraform"
    before, after = changes["access_control_policy"]
    assert grant_set(before) == {OWNER}
    assert grant_set(after) == grants
    assert after[0]["owner"] == before[0]["owner"]


def test_the_canned_acl_state_already_stands_for_is_no_drift() -> None:
    outcome = _acl_drift("private")
    assert outcome.open == [] and outcome.skipped == {"no_change": 1}


def test_an_unknown_canned_acl_changes_nothing_it_cannot_say() -> None:
    """A value S3 does not list (aws-exec-read grants to an AWS account we do not know):
    no grants are invented."""
    assert "aws-exec-read" not in CANNED_GRANTS
    outcome = _acl_drift("aws-exec-read")
    assert all("access_control_policy" not in changes_of(d) for d in outcome.open)

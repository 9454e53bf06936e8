"""IAM-style policy documents (bucket policies, role trust and permission policies).

CloudTrail carries them as objects (S3 ``bucketPolicy``), JSON strings (IAM ``policyDocument``)
or URL-encoded JSON strings (IAM response elements, some request records); Terraform state holds
JSON strings. Everything here takes any of those forms. Comparison is semantic: key order,
whitespace, a single-element list versus a scalar, ``"Principal": "*"`` versus
``{"AWS": "*"}``, an account id versus its root ARN as ``AWS`` principal (equivalent in IAM),
and an empty ``Sid`` do not make a difference.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import unquote

from tfdrift_gitops.core.catalog.model import canonical_json
from tfdrift_gitops.core.paths import MISSING, lookup

_ACCOUNT_IN_PRINCIPAL = re.compile(r"^(?:arn:aws[\w-]*:(?:iam|sts)::)?(\d{12})(?::|$)")


def parse_policy(value: Any) -> Any:
    """The decoded document; a string that is not JSON stays a string; absent -> MISSING."""
    if value is MISSING or value is None:
        return MISSING
    if isinstance(value, Mapping | list):
        return value
    if not isinstance(value, str):
        return MISSING
    text = value.strip()
    if not text:
        return MISSING
    if text.startswith("%7B") or text.startswith("%7b"):
        # IAM URL-encodes documents in responseElements (and in some request records).
        text = unquote(text)
    try:
        return json.loads(text)
    except ValueError:
        return value


def policy_text(value: Any) -> Any:
    """Extractor helper: the document as compact JSON text, the form Terraform state stores."""
    doc = parse_policy(value)
    if doc is MISSING:
        return MISSING
    if isinstance(doc, str):
        return doc
    return json.dumps(doc, separators=(",", ":"))


_BARE_ACCOUNT = re.compile(r"^\d{12}$")


def _account_root(principal: Any) -> Any:
    """IAM stores an account id principal as the account's root ARN (``123456789012`` ->
    ``arn:aws:iam::123456789012:root``); Terraform state keeps whichever the code wrote."""
    if isinstance(principal, str) and _BARE_ACCOUNT.match(principal):
        return f"arn:aws:iam::{principal}:root"
    return principal


def _normal_principal(value: Any) -> Any:
    if value == "*":
        return {"AWS": "*"}
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, val in value.items():
            if key != "AWS":
                out[key] = val
            elif isinstance(val, list):
                out[key] = [_account_root(v) for v in val]
            else:
                out[key] = _account_root(val)
        return out
    return value


def _normalise(doc: Any) -> Any:
    if isinstance(doc, Mapping):
        out: dict[str, Any] = {}
        for key, val in doc.items():
            if key in ("Principal", "NotPrincipal"):
                out[key] = _normal_principal(val)
            elif key == "Sid" and val == "":
                continue  # an empty statement id is no statement id
            else:
                out[key] = _normalise(val)
        return out
    if isinstance(doc, list):
        return [_normalise(v) for v in doc]
    return doc


def policy_compare(value: Any) -> Any:
    """Comparer: canonical form of a policy document; empty, null and absent are the same."""
    doc = parse_policy(value)
    if doc is MISSING or doc in ({}, []):
        return None
    return canonical_json(_normalise(doc))


# --------------------------------------------------------------------------- analysis


def _as_list(value: Any) -> list[Any]:
    if value is MISSING or value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def statements(doc: Any) -> Iterator[Mapping[str, Any]]:
    """The Allow statements of a document (any casing of the keys)."""
    parsed = parse_policy(doc)
    if not isinstance(parsed, Mapping):
        return
    for stmt in _as_list(lookup(parsed, "Statement")):
        if not isinstance(stmt, Mapping):
            continue
        effect = lookup(stmt, "Effect")
        if isinstance(effect, str) and effect.lower() == "allow":
            yield stmt


def aws_principals(stmt: Mapping[str, Any]) -> list[str]:
    """The ``AWS`` principals of a statement; ``"*"`` for ``"Principal": "*"``."""
    principal = lookup(stmt, "Principal")
    if principal == "*":
        return ["*"]
    if not isinstance(principal, Mapping):
        return []
    return [str(p) for p in _as_list(lookup(principal, "AWS")) if isinstance(p, str)]


def _has_condition(stmt: Mapping[str, Any]) -> bool:
    condition = lookup(stmt, "Condition")
    return isinstance(condition, Mapping) and bool(condition)


def public_grant(doc: Any) -> str | None:
    """Why the document grants access to everyone (wildcard principal, no condition), or None."""
    for position, stmt in enumerate(statements(doc), start=1):
        if "*" in aws_principals(stmt) and not _has_condition(stmt):
            # Recorded policies often carry no Sid: the position still names the statement.
            label = statement_label(stmt, position)
            return f"grants access to any principal ('*') without a condition ({label})"
    return None


def admin_grant(doc: Any) -> str | None:
    """Why the document grants every action on every resource, or None."""
    for stmt in statements(doc):
        actions = [a for a in _as_list(lookup(stmt, "Action")) if isinstance(a, str)]
        resources = [r for r in _as_list(lookup(stmt, "Resource")) if isinstance(r, str)]
        if any(a in ("*", "*:*") for a in actions) and "*" in resources:
            return "allows every action ('*') on every resource"
    return None


def foreign_trust(doc: Any, own_account: str) -> str | None:
    """Why a trust policy lets someone outside ``own_account`` assume the role, or None."""
    for stmt in statements(doc):
        for principal in aws_principals(stmt):
            if principal == "*":
                if _has_condition(stmt):
                    continue  # e.g. an organisation or external-id condition: judged elsewhere
                return "trusts any AWS principal ('*')"
            match = _ACCOUNT_IN_PRINCIPAL.match(principal)
            if match and own_account and match.group(1) != own_account:
                return f"trusts principals of another account ({match.group(1)})"
    return None


def statement_label(stmt: Mapping[str, Any], position: int) -> str:
    """How a reason names a statement: its ``Sid``, else its position (1-based)."""
    sid = lookup(stmt, "Sid")
    return f"statement {sid}" if isinstance(sid, str) and sid else f"statement #{position}"


def service_wide_grant(doc: Any) -> str | None:
    """Why the document grants everything (``*``) or a whole service (``s3:*``) on every
    resource, naming the statement; None when it does not."""
    for position, stmt in enumerate(statements(doc), start=1):
        actions = [a for a in _as_list(lookup(stmt, "Action")) if isinstance(a, str)]
        resources = [r for r in _as_list(lookup(stmt, "Resource")) if isinstance(r, str)]
        if "*" not in resources:
            continue
        wide = [a for a in actions if a in ("*", "*:*") or (a.endswith(":*") and a.count(":") == 1)]
        if wide:
            return f"{statement_label(stmt, position)} allows {', '.join(wide)} on every resource"
    return None

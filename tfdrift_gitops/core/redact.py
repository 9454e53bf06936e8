"""Values that must never leave the engine: secrets Terraform keeps in state in plain text.

A drift's ``before`` comes from state, and drift records travel to Slack, GitHub and webhooks.
Environment variables and passwords are masked (keys kept, values replaced) so that a drift
still says *what* changed without repeating a secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tfdrift_gitops.models import Change

MASK = "(hidden)"
MASK_CHANGED = "(hidden, changed)"
# CloudTrail's own redaction marker is kept as it is: it already says the value is hidden.
CLOUDTRAIL_HIDDEN = "<sensitiveDataRemoved>"

# Attribute paths whose map values are masked (keys stay visible).
MASKED_MAP_PATHS = frozenset({"environment[0].variables"})
# Attribute names whose whole value is masked wherever they appear.
MASKED_NAMES = frozenset(
    {
        "password",
        "master_password",
        "master_user_password",
        "secret",
        "secret_string",
        "secret_binary",
        "user_data_base64",
        "private_key",
        "ses_smtp_password_v4",
        "encrypted_secret",
        "auth_token",
    }
)


def _mask_scalar(value: Any) -> Any:
    if value is None or value in ("", CLOUDTRAIL_HIDDEN):
        return value
    return MASK


def _mask_pair(before: Any, after: Any) -> tuple[Any, Any]:
    """Mask both sides; a changed value says so, so that the change stays visible."""
    masked_before = _mask_scalar(before)
    masked_after = _mask_scalar(after)
    if masked_after == MASK and before != after:
        masked_after = MASK_CHANGED
    return masked_before, masked_after


def _mask_maps(before: Any, after: Any) -> tuple[Any, Any]:
    if isinstance(before, Mapping) or isinstance(after, Mapping):
        old = before if isinstance(before, Mapping) else {}
        new = after if isinstance(after, Mapping) else {}
        masked_old = {str(k): _mask_scalar(v) for k, v in old.items()}
        masked_new = {str(k): _mask_pair(old.get(k), v)[1] for k, v in new.items()}
        return (
            masked_old if isinstance(before, Mapping) else before,
            masked_new if isinstance(after, Mapping) else after,
        )
    return _mask_pair(before, after)


def _variables(blocks: Any) -> Any:
    if isinstance(blocks, list) and blocks and isinstance(blocks[0], Mapping):
        return blocks[0].get("variables")
    return None


def _with_variables(blocks: Any, variables: Any) -> Any:
    if isinstance(blocks, list) and blocks and isinstance(blocks[0], Mapping):
        return [{**blocks[0], "variables": variables}, *blocks[1:]]
    return blocks


def redact_change(change: Change) -> Change:
    path = change.path
    last = path.rsplit(".", 1)[-1].split("[", 1)[0]
    before, after = change.before, change.after
    if path == "environment":
        old, new = _mask_maps(_variables(before), _variables(after))
        before, after = _with_variables(before, old), _with_variables(after, new)
    elif path in MASKED_MAP_PATHS:
        before, after = _mask_maps(before, after)
    elif last in MASKED_NAMES:
        before, after = _mask_pair(before, after)
    else:
        return change
    return Change(path=path, before=before, after=after)

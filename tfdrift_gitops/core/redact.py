"""Values that must never leave the engine: secrets Terraform keeps in state in plain text.

A drift's ``before`` comes from state, and drift records travel to Slack, GitHub and webhooks.
A path is secret when the state lists it in the instance's ``sensitive_attributes``, when the
AWS provider marks the argument sensitive (``sensitive_args``), or when its name says so. Its
values are masked (map keys kept) so that a drift still says *what* changed without repeating
a secret. CloudTrail's own placeholders are not a new value: they are shown as hidden too.

Every drift change passes through ``redact_change`` once, in the engine, so detect output, the
ledger, notifications, GitHub bodies and patches all see the same masked values.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from tfdrift_gitops.core.paths import split_path
from tfdrift_gitops.core.sensitive_args import SENSITIVE_ARGUMENTS
from tfdrift_gitops.models import Change

MASK: Final = "(hidden)"
MASK_CHANGED: Final = "(hidden, changed)"
CLOUDTRAIL_MASK: Final = "(hidden by CloudTrail)"
MASKS: Final = frozenset({MASK, MASK_CHANGED, CLOUDTRAIL_MASK})
"""Values redaction writes; never a real value (remediation refuses to write them)."""

CLOUDTRAIL_PLACEHOLDERS: Final = frozenset(
    {
        "<sensitiveDataRemoved>",
        "HIDDEN_DUE_TO_SECURITY_REASONS",
        # The Lambda catalog's marker for values Terraform itself wrote while CloudTrail hid them.
        "<sensitiveDataRemoved; written by Terraform>",
    }
)

ANY: Final = None
"""A path step matching any list index or map key."""
Step = str | int | None
SensitivePath = tuple[Step, ...]

# Attribute names whose whole value is masked wherever they appear, whatever the type.
MASKED_NAMES: Final = frozenset(
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
# Lambda environment variables: keys stay visible, values are masked.
_ALWAYS: Final[tuple[SensitivePath, ...]] = (("environment", ANY, "variables", ANY),)
# Attributes that hold a JSON document in state, and the secret paths inside it: an ECS
# container's ``environment`` values (names stay visible). Providers and people put database
# passwords and API keys there, and state and CloudTrail keep them in plain text.
_CONTAINER_ENVIRONMENT: Final[SensitivePath] = (ANY, "environment", ANY, "value")
_JSON_SECRETS: Final[dict[tuple[str, str], tuple[SensitivePath, ...]]] = {
    ("aws_ecs_task_definition", "container_definitions"): (_CONTAINER_ENVIRONMENT,),
}
# The same values in the CloudTrail bodies a drift record carries (request and response).
_PAYLOAD_SECRETS: Final[dict[str, tuple[SensitivePath, ...]]] = {
    "ecs.amazonaws.com": (
        ("containerDefinitions", *_CONTAINER_ENVIRONMENT),
        ("taskDefinition", "containerDefinitions", *_CONTAINER_ENVIRONMENT),
        ("overrides", "containerOverrides", *_CONTAINER_ENVIRONMENT),
    ),
}
# Deeper than this, a value is masked whole rather than walked (a hostile document).
_MAX_DEPTH: Final = 64


def _parse_provider_path(text: str) -> SensitivePath:
    return tuple(ANY if step == "*" else step for step in text.split("."))


_PROVIDER_PATHS: Final[dict[str, tuple[SensitivePath, ...]]] = {
    rtype: tuple(_parse_provider_path(p) for p in paths)
    for rtype, paths in SENSITIVE_ARGUMENTS.items()
}


def provider_paths(rtype: str) -> tuple[SensitivePath, ...]:
    """Arguments the AWS provider marks sensitive for ``rtype``."""
    return _PROVIDER_PATHS.get(rtype, ())


class _Absent:
    """No value on this side (a key only one side has)."""


_ABSENT: Final = _Absent()


def _is_placeholder(value: Any) -> bool:
    return isinstance(value, str) and value in CLOUDTRAIL_PLACEHOLDERS


def _hidden(value: Any) -> Any:
    if value is None or value == "" or isinstance(value, _Absent):
        return value
    return MASK


def _mask_pair(before: Any, after: Any) -> tuple[Any, Any]:
    """Mask both sides whole; a changed value says so, so that the change stays visible."""
    masked_before = CLOUDTRAIL_MASK if _is_placeholder(before) else _hidden(before)
    if _is_placeholder(after):
        return masked_before, CLOUDTRAIL_MASK
    masked_after = _hidden(after)
    if masked_after == MASK and before != after:
        masked_after = MASK_CHANGED
    return masked_before, masked_after


def _matches(step: Step, part: str | int) -> bool:
    return step is ANY or step == part


def _mask_at(before: Any, after: Any, rest: Sequence[Step], depth: int = 0) -> tuple[Any, Any]:
    """Mask the values ``rest`` leads to inside ``before`` and ``after``, nothing else."""
    if not rest or depth > _MAX_DEPTH:
        return _mask_pair(before, after)
    step, tail = rest[0], rest[1:]
    if isinstance(before, Mapping) or isinstance(after, Mapping):
        old = before if isinstance(before, Mapping) else {}
        new = after if isinstance(after, Mapping) else {}
        out_old, out_new = dict(old), dict(new)
        for key in dict.fromkeys([*old, *new]):
            if not _matches(step, str(key)):
                continue
            b, a = _mask_at(old.get(key, _ABSENT), new.get(key, _ABSENT), tail, depth + 1)
            if key in old:
                out_old[key] = b
            if key in new:
                out_new[key] = a
        return (
            out_old if isinstance(before, Mapping) else before,
            out_new if isinstance(after, Mapping) else after,
        )
    if isinstance(before, list) or isinstance(after, list):
        old_list = before if isinstance(before, list) else []
        new_list = after if isinstance(after, list) else []
        out_old_list, out_new_list = list(old_list), list(new_list)
        for index in range(max(len(old_list), len(new_list))):
            if not _matches(step, index):
                continue
            b = old_list[index] if index < len(old_list) else _ABSENT
            a = new_list[index] if index < len(new_list) else _ABSENT
            b, a = _mask_at(b, a, tail, depth + 1)
            if index < len(old_list):
                out_old_list[index] = b
            if index < len(new_list):
                out_new_list[index] = a
        return (
            out_old_list if isinstance(before, list) else before,
            out_new_list if isinstance(after, list) else after,
        )
    return before, after


def _mask_leaves(value: Any, depth: int = 0) -> Any:
    """``value`` with its structure (map keys) kept and every leaf masked."""
    if depth > _MAX_DEPTH:
        return MASK
    if isinstance(value, Mapping):
        return {k: _mask_leaves(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_leaves(v, depth + 1) for v in value]
    return CLOUDTRAIL_MASK if _is_placeholder(value) else _hidden(value)


def _hide_placeholders(before: Any, after: Any, depth: int = 0) -> tuple[Any, Any]:
    """Where CloudTrail hid the new value, the old one is a secret too: mask both."""
    if _is_placeholder(after) or _is_placeholder(before):
        return _mask_leaves(before), _mask_leaves(after)
    if depth > _MAX_DEPTH:
        return before, after
    if isinstance(after, Mapping):
        old = before if isinstance(before, Mapping) else {}
        out_old, out_new = dict(old), {}
        for key, value in after.items():
            b, out_new[key] = _hide_placeholders(old.get(key, _ABSENT), value, depth + 1)
            if key in old:
                out_old[key] = b
        return (out_old if isinstance(before, Mapping) else before), out_new
    if isinstance(after, list):
        old_list = before if isinstance(before, list) else []
        out_old_list, out_new_list = list(old_list), []
        for index, value in enumerate(after):
            b = old_list[index] if index < len(old_list) else _ABSENT
            b, a = _hide_placeholders(b, value, depth + 1)
            out_new_list.append(a)
            if index < len(old_list):
                out_old_list[index] = b
        return (out_old_list if isinstance(before, list) else before), out_new_list
    return before, after


def _secret_name(steps: Sequence[str | int]) -> bool:
    return any(isinstance(step, str) and step in MASKED_NAMES for step in steps)


def _mask_json_text(before: Any, after: Any, paths: Sequence[SensitivePath]) -> tuple[Any, Any]:
    """Mask ``paths`` inside JSON documents kept as text; a side that does not parse is masked
    whole (it may be the secret itself)."""
    docs: list[Any] = []
    for side in (before, after):
        if not isinstance(side, str) or not side.strip():
            docs.append(_ABSENT)
            continue
        try:
            docs.append(json.loads(side))
        except ValueError:
            docs.append(None)
    if any(doc is None for doc in docs):
        return _mask_pair(before, after)
    old, new = docs
    for path in paths:
        old, new = _mask_at(old, new, path)
    return (
        before if isinstance(old, _Absent) else json.dumps(old, separators=(",", ":")),
        after if isinstance(new, _Absent) else json.dumps(new, separators=(",", ":")),
    )


def redact_payload(source: str, value: Any) -> Any:
    """A CloudTrail request or response body of ``source`` with the secrets it is known to
    carry in plain text masked (``_PAYLOAD_SECRETS``)."""
    paths = _PAYLOAD_SECRETS.get(source)
    if not paths or not isinstance(value, Mapping):
        return value
    for path in paths:
        value, _ = _mask_at(value, value, path)
    return value


def redact_change(
    change: Change, *, rtype: str = "", sensitive: Iterable[SensitivePath] = ()
) -> Change:
    """``change`` with every secret value masked.

    ``sensitive`` are the paths the state lists for the instance; the provider's sensitive
    arguments for ``rtype`` and the names in MASKED_NAMES are added here.
    """
    secret, steps_masks, json_paths = _plan(change.path, rtype, tuple(sensitive))
    before, after = change.before, change.after
    if secret:
        before, after = _mask_pair(before, after)
    else:
        for rest in steps_masks:
            if rest is None:  # the change is at or under a secret path
                before, after = _mask_pair(change.before, change.after)
                break
            before, after = _mask_at(before, after, rest)
        if json_paths:
            before, after = _mask_json_text(before, after, json_paths)
        before, after = _hide_placeholders(before, after)
    if before is change.before and after is change.after:
        return change
    return Change(path=change.path, before=before, after=after)


_Plan = tuple[bool, tuple[SensitivePath | None, ...], tuple[SensitivePath, ...]]
_PLANS: dict[tuple[str, str, tuple[SensitivePath, ...]], _Plan] = {}
_PLANS_LIMIT: Final = 4096


def _plan(path: str, rtype: str, sensitive: tuple[SensitivePath, ...]) -> _Plan:
    """What masking a change at ``path`` takes, worked out once per (path, type, sensitive
    paths): whether its name is secret, the secret paths under it in order (None: the change
    is at or under one, so it is masked whole), and JSON documents' secret paths."""
    key = (path, rtype, sensitive)
    try:
        found = _PLANS.get(key)
    except TypeError:  # a caller's paths with lists in them: worked out, not kept
        return _work_out(path, rtype, sensitive)
    if found is None:
        found = _work_out(path, rtype, sensitive)
        if len(_PLANS) >= _PLANS_LIMIT:
            _PLANS.clear()
        _PLANS[key] = found
    return found


def _work_out(path: str, rtype: str, sensitive: tuple[SensitivePath, ...]) -> _Plan:
    steps = tuple(split_path(path))
    masks: list[SensitivePath | None] = []
    secret = _secret_name(steps)
    if not secret:
        for secret_path in (*sensitive, *provider_paths(rtype), *_ALWAYS):
            length = min(len(secret_path), len(steps))
            if not all(_matches(secret_path[i], steps[i]) for i in range(length)):
                continue
            if len(secret_path) <= len(steps):
                masks.append(None)
                break
            masks.append(secret_path[len(steps) :])
    return secret, tuple(masks), _JSON_SECRETS.get((rtype, path), ())

"""``.tfdrift.yml``: validated, with errors that name the offending key.

Precedence: flags > ``TFDRIFT_*`` environment > file > defaults. Each top-level section has
one parser here; unknown keys are errors (a typo must not silently disable a rule).
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tfdrift_gitops.core.policy import IgnoreRule, Policy, SeverityOverride
from tfdrift_gitops.errors import ConfigError
from tfdrift_gitops.models import ActorKind, Severity

DEFAULT_CONFIG_FILE = ".tfdrift.yml"
DEFAULT_LEDGER = ".tfdrift/ledger"


@dataclass(frozen=True, slots=True)
class Config:
    policy: Policy = field(default_factory=Policy)
    ledger: str = DEFAULT_LEDGER
    states: tuple[str, ...] = ()
    events: tuple[str, ...] = ()
    workspaces: tuple[str, ...] = ()
    workspace_key_prefix: str = "env:"
    s3_endpoint_url: str = ""
    s3_kms_key_id: str = ""
    sections: Mapping[str, Any] = field(default_factory=dict)
    """Validated raw sections owned by other parts (remediation, notify, github, collector)."""
    source: str = ""


def strings(value: Any, key: str) -> tuple[str, ...]:
    """A string or a list of strings, as a tuple; ConfigError naming ``key`` otherwise."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ConfigError(f"{key}: expected a string or a list of strings, got {value!r}")


def _mapping(value: Any, key: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"{key}: expected a mapping, got {type(value).__name__}")
    return value


def check_keys(data: Mapping[str, Any], allowed: set[str], where: str) -> None:
    """Unknown keys are errors naming ``where.key``: a typo must not disable a rule."""
    for key in data:
        if key not in allowed:
            known = ", ".join(sorted(allowed))
            raise ConfigError(f"{where}.{key}: unknown key (known: {known})")


def _severity(value: Any, key: str) -> Severity:
    try:
        return Severity(str(value).lower())
    except ValueError:
        choices = ", ".join(s.value for s in Severity)
        raise ConfigError(f"{key}: {value!r} is not a severity ({choices})") from None


def _parse_ignore(value: Any) -> tuple[IgnoreRule, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ConfigError("ignore: expected a list of rules")
    rules = []
    allowed = {"addresses", "resource_types", "events", "actors", "paths", "reason"}
    for position, raw in enumerate(value):
        where = f"ignore[{position}]"
        data = _mapping(raw, where)
        check_keys(data, allowed, where)
        rule = IgnoreRule(
            addresses=strings(data.get("addresses"), f"{where}.addresses"),
            resource_types=strings(data.get("resource_types"), f"{where}.resource_types"),
            events=strings(data.get("events"), f"{where}.events"),
            actors=strings(data.get("actors"), f"{where}.actors"),
            paths=strings(data.get("paths"), f"{where}.paths"),
            reason=str(data.get("reason") or ""),
        )
        if not (rule.addresses or rule.resource_types or rule.events or rule.actors):
            raise ConfigError(f"{where}: a rule needs addresses, resource_types, events or actors")
        rules.append(rule)
    return tuple(rules)


def _parse_severity(value: Any) -> tuple[SeverityOverride, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ConfigError("severity: expected a list of overrides")
    out = []
    allowed = {"severity", "events", "resource_types", "paths", "addresses", "actor_kinds"}
    for position, raw in enumerate(value):
        where = f"severity[{position}]"
        data = _mapping(raw, where)
        check_keys(data, allowed, where)
        if "severity" not in data:
            raise ConfigError(f"{where}.severity: required")
        out.append(
            SeverityOverride(
                severity=_severity(data["severity"], f"{where}.severity"),
                events=strings(data.get("events"), f"{where}.events"),
                resource_types=strings(data.get("resource_types"), f"{where}.resource_types"),
                paths=strings(data.get("paths"), f"{where}.paths"),
                addresses=strings(data.get("addresses"), f"{where}.addresses"),
                actor_kinds=actor_kinds(data.get("actor_kinds"), f"{where}.actor_kinds"),
            )
        )
    return tuple(out)


def actor_kinds(value: Any, key: str) -> tuple[ActorKind, ...]:
    """A list of actor kinds (person, ci-cd, aws-service-or-automation, ai-agent, unknown)."""
    out = []
    for name in strings(value, key):
        try:
            out.append(ActorKind(name))
        except ValueError:
            choices = ", ".join(k.value for k in ActorKind)
            raise ConfigError(f"{key}: {name!r} is not an actor kind ({choices})") from None
    return tuple(out)


def _parse_actor_kinds(value: Any) -> tuple[tuple[ActorKind, tuple[str, ...]], ...]:
    """``actor_kinds: {ci-cd: ["arn:aws:iam::*:role/deploy-*"], ai-agent: [...]}``."""
    data = _mapping(value, "actor_kinds")
    out = []
    for name, patterns in data.items():
        (kind,) = actor_kinds(str(name), "actor_kinds")
        out.append((kind, strings(patterns, f"actor_kinds.{name}")))
    return tuple(out)


def _parse_known_targets(value: Any) -> tuple[str, ...]:
    """Host names (``*`` patterns allowed), addresses or CIDRs: anything else is refused
    rather than silently matching nothing."""
    entries = strings(value, "known_targets")
    for entry in entries:
        text = entry.strip()
        if "/" in text:
            try:
                ipaddress.ip_network(text, strict=False)
            except ValueError as exc:
                raise ConfigError(f"known_targets: {entry!r} is not a CIDR ({exc})") from exc
        elif not text or any(c.isspace() for c in text) or (":" in text and not _is_ip(text)):
            raise ConfigError(f"known_targets: {entry!r} is not a host name, address or CIDR")
    return entries


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


SectionParser = Callable[[Any], Any]

# Sections validated by the parts that own them. Each parser raises ConfigError naming the key.
EXTRA_SECTIONS: dict[str, SectionParser] = {}


def register_section(name: str, parser: SectionParser) -> None:
    EXTRA_SECTIONS[name] = parser


CORE_KEYS = {
    "trusted_actors",
    "actor_kinds",
    "ignore",
    "severity",
    "accounts",
    "known_targets",
    "ledger",
    "states",
    "events",
    "workspaces",
    "workspace_key_prefix",
    "s3_endpoint_url",
    "s3_kms_key_id",
}


def parse_config(data: Any, *, source: str = "") -> Config:
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise ConfigError(f"{source or 'config'}: top level must be a mapping")
    _load_extra_sections()
    check_keys(data, CORE_KEYS | set(EXTRA_SECTIONS), "config")
    policy = Policy(
        trusted_actors=strings(data.get("trusted_actors"), "trusted_actors"),
        ignore=_parse_ignore(data.get("ignore")),
        severity_overrides=_parse_severity(data.get("severity")),
        accounts=strings(data.get("accounts"), "accounts"),
        actor_kinds=_parse_actor_kinds(data.get("actor_kinds")),
        known_targets=_parse_known_targets(data.get("known_targets")),
    )
    sections = {name: parser(data.get(name)) for name, parser in EXTRA_SECTIONS.items()}
    prefix = data.get("workspace_key_prefix", "env:")
    if not isinstance(prefix, str):
        raise ConfigError("workspace_key_prefix: expected a string")
    ledger = data.get("ledger", DEFAULT_LEDGER)
    if not isinstance(ledger, str) or not ledger:
        raise ConfigError("ledger: expected a directory or s3:// URL")
    return Config(
        policy=policy,
        ledger=ledger,
        states=strings(data.get("states"), "states"),
        events=strings(data.get("events"), "events"),
        workspaces=strings(data.get("workspaces"), "workspaces"),
        workspace_key_prefix=prefix,
        s3_endpoint_url=str(data.get("s3_endpoint_url") or ""),
        s3_kms_key_id=str(data.get("s3_kms_key_id") or ""),
        sections=sections,
        source=source,
    )


def _load_extra_sections() -> None:
    """Import the modules that register config sections (kept lazy: no adapters at import)."""
    import importlib

    for module in ("tfdrift_gitops.config_sections",):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise


def load_config(path: str | None = None, *, env: Mapping[str, str] | None = None) -> Config:
    """Read the file (explicit path, ``TFDRIFT_CONFIG``, or ./.tfdrift.yml if present)."""
    env = os.environ if env is None else env
    explicit = path or env.get("TFDRIFT_CONFIG")
    candidate = Path(explicit) if explicit else Path(DEFAULT_CONFIG_FILE)
    if not candidate.exists():
        if explicit:
            raise ConfigError(f"config file not found: {candidate}")
        return parse_config({}, source="defaults")
    import yaml  # only when there is a file: a run without one starts faster (issue 14)

    try:
        text = candidate.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{candidate}: cannot read: {exc}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{candidate}: invalid YAML: {exc}") from exc
    return parse_config(data, source=str(candidate))

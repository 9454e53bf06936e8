"""Which strategy a drift gets by default: the ``remediation`` section of ``.tfdrift.yml``.

```yaml
remediation:
  imports_file: drift_imports.tf     # where import {} blocks for unmanaged resources go
  terraform_fmt: true                # run terraform fmt on changed blocks when installed
  defaults:                          # by severity, plus one entry for unmanaged resources
    critical: revert
    high: revert
    medium: import
    low: import
    unmanaged: import
  rules:                             # first match wins; every listed key must match
    - strategy: ignore               # import | revert | ignore
      resource_types: [aws_lambda_function]
      paths: ["environment*"]        # any change path matching one pattern
      actors: ["deploy-bot*"]        # actor name or ARN, glob, case-insensitive
      severities: [low, medium]
      kinds: [modified]
      addresses: ["module.legacy.*"]
      events: ["UpdateFunctionConfiguration*"]
      reason: the app team owns Lambda environment variables
```
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from types import MappingProxyType
from typing import Any

from tfdrift_gitops.config import check_keys, strings
from tfdrift_gitops.errors import ConfigError
from tfdrift_gitops.models import Drift, Kind, Severity

STRATEGIES = ("import", "revert", "ignore")
DEFAULT_IMPORTS_FILE = "drift_imports.tf"
DEFAULTS: Mapping[str, str] = MappingProxyType(
    {
        "critical": "revert",
        "high": "revert",
        "medium": "import",
        "low": "import",
        "unmanaged": "import",
    }
)
_RULE_KEYS = {
    "strategy",
    "severities",
    "kinds",
    "resource_types",
    "addresses",
    "paths",
    "actors",
    "events",
    "reason",
}
_SECTION_KEYS = {"imports_file", "terraform_fmt", "defaults", "rules"}


@dataclass(frozen=True, slots=True)
class StrategyRule:
    strategy: str
    severities: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    resource_types: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    events: tuple[str, ...] = ()
    reason: str = ""

    def matches(self, drift: Drift) -> bool:
        if self.severities and drift.severity.value not in self.severities:
            return False
        if self.kinds and drift.kind.value not in self.kinds:
            return False
        if self.resource_types and not _any(drift.resource.type, self.resource_types):
            return False
        address = drift.resource.address or f"{drift.resource.type}.{drift.resource.id}"
        if self.addresses and not _any(address, self.addresses):
            return False
        if self.paths and not any(_any(c.path, self.paths) for c in drift.changes):
            return False
        if self.events and not any(
            _any(e.name, self.events) for e in drift.events or (drift.event,)
        ):
            return False
        if self.actors:
            names = [drift.actor.name, drift.actor.arn, drift.actor.session_name]
            if not any(_any(n.lower(), tuple(p.lower() for p in self.actors)) for n in names if n):
                return False
        return True


def _any(value: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatchcase(value, p) for p in patterns)


@dataclass(frozen=True, slots=True)
class RemediationSettings:
    imports_file: str = DEFAULT_IMPORTS_FILE
    terraform_fmt: bool = True
    defaults: Mapping[str, str] = field(default_factory=lambda: DEFAULTS)
    rules: tuple[StrategyRule, ...] = ()


@dataclass(frozen=True, slots=True)
class StrategyDecision:
    strategy: str
    reason: str

    def __iter__(self) -> Any:  # (strategy, reason) unpacking
        return iter((self.strategy, self.reason))


def choose_strategy(drift: Drift, settings: RemediationSettings | None = None) -> StrategyDecision:
    settings = settings or RemediationSettings()
    for position, rule in enumerate(settings.rules):
        if rule.matches(drift):
            why = rule.reason or f"remediation rule {position + 1} matches"
            return StrategyDecision(rule.strategy, why)
    if drift.kind is Kind.UNMANAGED:
        strategy = settings.defaults.get("unmanaged", DEFAULTS["unmanaged"])
        return StrategyDecision(strategy, f"default for unmanaged resources is {strategy}")
    strategy = settings.defaults.get(drift.severity.value, DEFAULTS[drift.severity.value])
    return StrategyDecision(strategy, f"default for {drift.severity.value} drift is {strategy}")


# --------------------------------------------------------------------------- config section


def _strategy(value: Any, key: str) -> str:
    if not isinstance(value, str) or value.lower() not in STRATEGIES:
        raise ConfigError(f"{key}: {value!r} is not a strategy ({', '.join(STRATEGIES)})")
    return value.lower()


def parse_remediation_section(raw: Any) -> RemediationSettings:
    """Validate ``remediation:``; errors name the offending key."""
    if raw is None:
        return RemediationSettings()
    if not isinstance(raw, Mapping):
        raise ConfigError(f"remediation: expected a mapping, got {type(raw).__name__}")
    check_keys(raw, _SECTION_KEYS, "remediation")
    imports_file = raw.get("imports_file", DEFAULT_IMPORTS_FILE)
    if (
        not isinstance(imports_file, str)
        or not imports_file.endswith(".tf")
        or "/" in imports_file
        or "\\" in imports_file
        or imports_file.startswith(".")
    ):
        raise ConfigError(
            "remediation.imports_file: expected a file name ending in .tf in the root module "
            f"(import blocks are only valid there), got {imports_file!r}"
        )
    fmt_flag = raw.get("terraform_fmt", True)
    if not isinstance(fmt_flag, bool):
        raise ConfigError("remediation.terraform_fmt: expected true or false")
    defaults = dict(DEFAULTS)
    raw_defaults = raw.get("defaults")
    raw_defaults = {} if raw_defaults is None else raw_defaults
    if not isinstance(raw_defaults, Mapping):
        raise ConfigError("remediation.defaults: expected a mapping")
    allowed = {s.value for s in Severity} | {"unmanaged"}
    check_keys(raw_defaults, allowed, "remediation.defaults")
    for key, value in raw_defaults.items():
        defaults[key] = _strategy(value, f"remediation.defaults.{key}")
    rules = []
    raw_rules = raw.get("rules")
    raw_rules = [] if raw_rules is None else raw_rules
    if not isinstance(raw_rules, list):
        raise ConfigError("remediation.rules: expected a list of rules")
    for position, entry in enumerate(raw_rules):
        where = f"remediation.rules[{position}]"
        if not isinstance(entry, Mapping):
            raise ConfigError(f"{where}: expected a mapping")
        check_keys(entry, _RULE_KEYS, where)
        if "strategy" not in entry:
            raise ConfigError(f"{where}.strategy: required")
        severities = strings(entry.get("severities"), f"{where}.severities")
        for severity in severities:
            if severity not in {s.value for s in Severity}:
                raise ConfigError(f"{where}.severities: {severity!r} is not a severity")
        kinds = strings(entry.get("kinds"), f"{where}.kinds")
        for kind in kinds:
            if kind not in {k.value for k in Kind}:
                raise ConfigError(f"{where}.kinds: {kind!r} is not a drift kind")
        rules.append(
            StrategyRule(
                strategy=_strategy(entry["strategy"], f"{where}.strategy"),
                severities=severities,
                kinds=kinds,
                resource_types=strings(entry.get("resource_types"), f"{where}.resource_types"),
                addresses=strings(entry.get("addresses"), f"{where}.addresses"),
                paths=strings(entry.get("paths"), f"{where}.paths"),
                actors=strings(entry.get("actors"), f"{where}.actors"),
                events=strings(entry.get("events"), f"{where}.events"),
                reason=str(entry.get("reason") or ""),
            )
        )
    return RemediationSettings(
        imports_file=imports_file,
        terraform_fmt=fmt_flag,
        defaults=MappingProxyType(defaults),
        rules=tuple(rules),
    )


def settings_from(config: Any) -> RemediationSettings:
    """Accept what callers have at hand: None, the settings, a loaded ``Config`` (its
    ``sections["remediation"]``), a whole raw config mapping, or the raw section itself."""
    if config is None:
        return RemediationSettings()
    if isinstance(config, RemediationSettings):
        return config
    sections = getattr(config, "sections", None)
    if isinstance(sections, Mapping):
        return settings_from(sections.get("remediation"))
    if isinstance(config, Mapping):
        inner = config.get("remediation")
        if isinstance(inner, RemediationSettings):
            return inner
        if isinstance(inner, Mapping):
            return parse_remediation_section(inner)
        if "remediation" in config or not set(config) <= _SECTION_KEYS:
            return RemediationSettings()  # a whole config without a remediation section
        return parse_remediation_section(config)
    raise ConfigError(f"remediation settings: cannot use a {type(config).__name__}")

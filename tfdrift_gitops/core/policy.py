"""What is not drift (trusted actors, ignore rules) and severity overrides.

Built from ``.tfdrift.yml`` by ``tfdrift_gitops.config``; pure data and matching here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase

from tfdrift_gitops.models import Actor, ActorKind, CloudEvent, Severity, Via

# User-agent markers of infrastructure-as-code tools whose calls are the plan being applied.
IAC_USER_AGENTS: tuple[str, ...] = ("terraform/", "opentofu/", "hashicorp/terraform")


def _matches_actor(patterns: tuple[str, ...], actor: Actor) -> bool:
    """An actor pattern matches the ARN, the session issuer role ARN, the name or session."""
    candidates = [actor.arn, actor.name, actor.session_name, actor.principal_id]
    if actor.arn.startswith("arn:") and ":assumed-role/" in actor.arn:
        # arn:aws:sts::123:assumed-role/ci-role/session -> also match the role name and
        # arn:aws:iam::123:role/ci-role, which is how people write trusted CI roles.
        prefix, _, rest = actor.arn.partition(":assumed-role/")
        role = rest.split("/", 1)[0]
        partition_account = prefix.replace(":sts:", ":iam:")
        candidates += [role, f"{partition_account}:role/{role}"]
    return any(
        fnmatchcase(candidate, pattern)
        for pattern in patterns
        for candidate in candidates
        if candidate
    )


@dataclass(frozen=True, slots=True)
class IgnoreRule:
    """Every given field must match (globs). ``paths`` drops matching changes only."""

    addresses: tuple[str, ...] = ()
    resource_types: tuple[str, ...] = ()
    events: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    reason: str = ""

    def matches_event(self, event: CloudEvent) -> bool:
        """A whole-event ignore rule: no address/type/path criteria, event and actor match."""
        if self.addresses or self.resource_types or self.paths:
            return False
        if not self.events and not self.actors:
            return False
        if self.events and not any(fnmatchcase(event.name, p) for p in self.events):
            return False
        return not (self.actors and not _matches_actor(self.actors, event.actor))

    def matches_resource(self, address: str, rtype: str, event: CloudEvent) -> bool:
        """Resource-level rule (no ``paths``): the whole finding is ignored."""
        if self.paths:
            return False
        if not (self.addresses or self.resource_types):
            return False
        return self._resource_fields_match(address, rtype, event)

    def drops_path(self, path: str, address: str, rtype: str, event: CloudEvent) -> bool:
        if not self.paths or not any(_path_match(path, p) for p in self.paths):
            return False
        return self._resource_fields_match(address, rtype, event)

    def _resource_fields_match(self, address: str, rtype: str, event: CloudEvent) -> bool:
        if self.addresses and not any(fnmatchcase(address, p) for p in self.addresses):
            return False
        if self.resource_types and not any(fnmatchcase(rtype, p) for p in self.resource_types):
            return False
        if self.events and not any(fnmatchcase(event.name, p) for p in self.events):
            return False
        return not (self.actors and not _matches_actor(self.actors, event.actor))


def _path_match(path: str, pattern: str) -> bool:
    """``tags`` ignores ``tags`` and ``tags.Owner``; globs allowed."""
    return (
        fnmatchcase(path, pattern)
        or path.startswith(pattern + ".")
        or (path.startswith(pattern + "["))
    )


@dataclass(frozen=True, slots=True)
class SeverityOverride:
    severity: Severity
    events: tuple[str, ...] = ()
    resource_types: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    actor_kinds: tuple[ActorKind, ...] = ()

    def matches(
        self,
        event_name: str,
        rtype: str,
        address: str,
        paths: list[str],
        actor_kind: ActorKind = ActorKind.UNKNOWN,
    ) -> bool:
        if self.actor_kinds and actor_kind not in self.actor_kinds:
            return False
        if self.events and not any(fnmatchcase(event_name, p) for p in self.events):
            return False
        if self.resource_types and not any(fnmatchcase(rtype, p) for p in self.resource_types):
            return False
        if self.addresses and not any(fnmatchcase(address, p) for p in self.addresses):
            return False
        return not (self.paths and not any(_path_match(x, p) for x in paths for p in self.paths))


@dataclass(frozen=True, slots=True)
class Policy:
    trusted_actors: tuple[str, ...] = ()
    ignore: tuple[IgnoreRule, ...] = ()
    severity_overrides: tuple[SeverityOverride, ...] = ()
    accounts: tuple[str, ...] = field(default=())
    """Accounts whose creations count as unmanaged drift; empty = accounts seen in state."""
    actor_kinds: tuple[tuple[ActorKind, tuple[str, ...]], ...] = ()
    """Configured actor patterns per kind (``actor_kinds:``); they win over the heuristics."""
    known_targets: tuple[str, ...] = ()
    """Hosts (``*`` patterns allowed), addresses and CIDRs DNS records may point at besides
    what state holds (``known_targets:``); a record pointing elsewhere is high."""

    def with_actor_kind(self, event: CloudEvent) -> CloudEvent:
        """``event`` with its actor's kind set by the first configured pattern that matches;
        trusted actors (the CI role) are CI/CD. Unchanged when nothing is configured."""
        actor = event.actor
        for kind, patterns in self.actor_kinds:
            if _matches_actor(patterns, actor):
                evidence = "configured in actor_kinds." + kind.value
                return replace(event, actor=replace(actor, kind=kind, kind_evidence=evidence))
        if self.trusted_actors and _matches_actor(self.trusted_actors, actor):
            trusted = replace(actor, kind=ActorKind.CI_CD, kind_evidence="a trusted actor")
            return replace(event, actor=trusted)
        return event

    def is_trusted(self, event: CloudEvent) -> bool:
        """Calls made by Terraform itself, or by an actor the user trusts (the CI role)."""
        if event.actor.via is Via.TERRAFORM:
            return True
        agent = event.actor.user_agent.lower()
        if any(marker in agent for marker in IAC_USER_AGENTS):
            return True
        return bool(self.trusted_actors) and _matches_actor(self.trusted_actors, event.actor)

    def ignores_event(self, event: CloudEvent) -> IgnoreRule | None:
        if not self.ignore:  # asked per call: no generator when nothing is ignored
            return None
        return next((r for r in self.ignore if r.matches_event(event)), None)

    def ignores_resource(self, address: str, rtype: str, event: CloudEvent) -> IgnoreRule | None:
        if not self.ignore:
            return None
        return next((r for r in self.ignore if r.matches_resource(address, rtype, event)), None)

    def drops_path(self, path: str, address: str, rtype: str, event: CloudEvent) -> bool:
        return any(r.drops_path(path, address, rtype, event) for r in self.ignore)

"""Route 53: records (``aws_route53_record``), hosted zones and zone/VPC associations.

Route 53 is global: its events arrive in us-east-1 whatever the region of the estate, and
its resources carry no region (zone ARNs have none), so lookups are not narrowed by region.

Choices worth knowing:
- One ``ChangeResourceRecordSets`` call is a batch: every change in it lands on its own
  record (the rule fans out). A record is found by ``ZONEID_fqdn_TYPE[_set-identifier]``
  (``state_keys.route53_record_key``), the provider's import id spelled with the absolute name,
  so a record configured by relative name (``www``) is found through its ``fqdn``.
- Per record, the batch's changes reduce to one action: ``DELETE`` alone deletes it; a
  ``DELETE`` followed by a ``CREATE`` of the same record (how the console edits) and an
  ``UPSERT`` modify it when state has it; ``CREATE`` and ``UPSERT`` of a record state does not
  have make it unmanaged.
- A change names the whole record set, so every attribute it leaves out is reset (an alias
  record has no ``records`` and no ``ttl``): each effect writes its attribute's empty form.
- TXT values are compared without their surrounding quotes, as the provider stores them;
  names and alias targets case-insensitively and without the final dot.
- A record now pointing outside the estate's known targets is high: an A, AAAA or CNAME value
  or an alias target that no state value and no ``known_targets`` entry names
  (``core.targets``), unless it lies under the record's own domain (its last two labels) or a
  hosted zone state holds. Changed NS records are high too. Deleted records are not rated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tfdrift_gitops.core.catalog import keys
from tfdrift_gitops.core.catalog.model import (
    Action,
    AddItems,
    Comparer,
    Effect,
    Extractor,
    RemoveItems,
    Rule,
    SeverityCheck,
    Target,
    as_bool,
    as_int,
    blocks,
    canonical_json,
    first,
    mapped,
    req,
    resp,
    scalar,
)
from tfdrift_gitops.core.catalog.model import Set as SetAttr
from tfdrift_gitops.core.catalog.presence import event_account
from tfdrift_gitops.core.catalog.support import optional_text, text, with_fallback
from tfdrift_gitops.core.paths import MISSING, items, lookup, set_path
from tfdrift_gitops.core.state_keys import clean_zone_id, route53_record_key
from tfdrift_gitops.core.targets import EstateCheck, KnownTargets, host_of
from tfdrift_gitops.models import CloudEvent, Severity

if TYPE_CHECKING:
    from tfdrift_gitops.core.state import StateIndex

SOURCE = "route53.amazonaws.com"
RECORD = "aws_route53_record"
ZONE = "aws_route53_zone"
ASSOCIATION = "aws_route53_zone_association"

RecordSet = Mapping[str, Any]
POINTING_TYPES = frozenset({"A", "AAAA", "CNAME"})
"""Record types whose values are where the name sends traffic."""


# --------------------------------------------------------------------------- the batch


def _zone(event: CloudEvent) -> str:
    raw = req("hostedZoneId")(event)
    return clean_zone_id(raw) if isinstance(raw, str) and raw.strip() else ""


def _set_key(zone: str, rrset: Any) -> str | None:
    if not isinstance(rrset, Mapping):
        return None
    name, kind = lookup(rrset, "name"), lookup(rrset, "type")
    if not isinstance(name, str) or not name.strip() or not isinstance(kind, str) or not kind:
        return None
    ident = lookup(rrset, "setIdentifier")
    return route53_record_key(zone, name, kind, ident if isinstance(ident, str) else "")


def _changes(event: CloudEvent) -> list[tuple[str, str, RecordSet]]:
    """(action, record key, record set) of every well-formed change, in batch order."""
    zone = _zone(event)
    if not zone:
        return []
    out: list[tuple[str, str, RecordSet]] = []
    for change in items(req("changeBatch.changes")(event)):
        action = lookup(change, "action")
        rrset = lookup(change, "resourceRecordSet")
        key = _set_key(zone, rrset)
        if isinstance(action, str) and key is not None and isinstance(rrset, Mapping):
            out.append((action.strip().upper(), key, rrset))
    return out


def _reduced(event: CloudEvent) -> dict[str, str]:
    """Record key -> ``created`` | ``upserted`` | ``replaced`` | ``deleted`` for the batch."""
    state: dict[str, str] = {}
    for action, key, _ in _changes(event):
        before = state.get(key)
        if action == "DELETE":
            state[key] = "deleted"
        elif action == "CREATE":
            state[key] = "replaced" if before in ("deleted", "replaced") else "created"
        elif action == "UPSERT":
            state[key] = "replaced" if before in ("deleted", "replaced") else "upserted"
    return state


def _keys(*wanted: str) -> Extractor:
    def extract(event: CloudEvent) -> Any:
        return [key for key, how in _reduced(event).items() if how in wanted]

    keys.note(extract, (frozenset({"changebatch"}), frozenset()))  # its changes, nested
    return extract


def _final_set(attrs: Mapping[str, Any], event: CloudEvent) -> RecordSet | None:
    """The record set the batch leaves for the resource ``attrs`` describe (None: untouched
    or deleted)."""
    own = _attrs_key(attrs)
    found: RecordSet | None = None
    for action, key, rrset in _changes(event):
        if key == own:
            found = None if action == "DELETE" else rrset
    return found


def _attrs_key(attrs: Mapping[str, Any]) -> str:
    if "set_identifier" not in attrs and attrs.get("id"):
        # An unmanaged record, still being built from its id (this same key): its zone, name
        # and type alone would miss the set identifier of a weighted or latency record.
        return str(attrs["id"])
    zone, kind = attrs.get("zone_id"), attrs.get("type")
    name = attrs.get("fqdn") or attrs.get("name")
    if isinstance(zone, str) and isinstance(kind, str) and isinstance(name, str) and name:
        ident = attrs.get("set_identifier")
        return route53_record_key(zone, name, kind, ident if isinstance(ident, str) else "")
    # Unmanaged records start from their id alone, which is this same key.
    return str(attrs.get("id") or "")


# --------------------------------------------------------------------------- effects


def _strip_dot(value: Any) -> Any:
    return value.strip().lower().removesuffix(".") if isinstance(value, str) else value


def _unquote(value: str) -> str:
    """The provider's ``expandTxtEntry``: one pair of surrounding quotes goes."""
    if len(value) > 1 and value[0] == '"' and value[-1] == '"':
        return value[1:-1]
    return value


def _records(rrset: RecordSet) -> Any:
    kind = str(lookup(rrset, "type") or "").upper()
    values = [lookup(r, "value") for r in items(lookup(rrset, "resourceRecords"))]
    texts = [v for v in values if isinstance(v, str)]
    return [_unquote(v) for v in texts] if kind in ("TXT", "SPF") else texts


def _records_compare(value: Any) -> Any:
    if value is None or value is MISSING:
        return frozenset()
    values = value if isinstance(value, list) else [value]
    return frozenset(v.strip().removesuffix(".") for v in values if isinstance(v, str))


def _alias(rrset: RecordSet) -> Any:
    target = lookup(rrset, "aliasTarget")
    if not isinstance(target, Mapping):
        return []
    evaluate = as_bool(lookup(target, "evaluateTargetHealth"))
    return [
        {
            "evaluate_target_health": evaluate if isinstance(evaluate, bool) else False,
            "name": _strip_dot(lookup(target, "dNSName")),
            "zone_id": lookup(target, "hostedZoneId"),
        }
    ]


def _alias_compare(value: Any) -> Any:
    normal = blocks(value)
    if not isinstance(normal, Mapping):
        return normal
    return {**normal, "name": _strip_dot(normal.get("name"))}


def _block(**fields: Callable[[RecordSet], Any]) -> Callable[[RecordSet], Any]:
    """A one-element block from record-set fields; ``[]`` when the first field is absent."""

    def pick(rrset: RecordSet) -> Any:
        values = {name: fn(rrset) for name, fn in fields.items()}
        if next(iter(values.values())) in (None, MISSING, ""):
            return []
        return [{k: "" if v is MISSING or v is None else v for k, v in values.items()}]

    return pick


def _field(name: str, coerce: Callable[[Any], Any] | None = None) -> Callable[[RecordSet], Any]:
    def pick(rrset: RecordSet) -> Any:
        value = lookup(rrset, name)
        if value is MISSING or value is None:
            return None
        return coerce(value) if coerce is not None else value

    return pick


@dataclass(frozen=True, slots=True)
class FromRecordSet:
    """``path`` becomes what the batch's last change of this record says (its empty form when
    the change leaves it out: a change names the whole record set)."""

    path: str
    pick: Callable[[RecordSet], Any]
    comparer: Comparer = scalar

    def compare(self, value: Any) -> Any:
        return self.comparer(value)

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        rrset = _final_set(attrs, event)
        if rrset is None:
            return False
        set_path(attrs, self.path, self.pick(rrset))
        return True


def _false_is_none(value: Any) -> Any:
    return None if value in (None, False, "", MISSING) else scalar(value)


def _zero_is_none(value: Any) -> Any:
    """An alias record has no TTL: the call leaves it out and the provider reads ``ttl = 0``."""
    return None if value in (None, 0, "", MISSING) else scalar(value)


def _geolocation(rrset: RecordSet) -> Any:
    geo = lookup(rrset, "geoLocation")
    if not isinstance(geo, Mapping):
        return []
    pick = {
        "continent": "continentCode",
        "country": "countryCode",
        "subdivision": "subdivisionCode",
    }
    return [{k: str(lookup(geo, v) or "") for k, v in pick.items()}]


RECORD_EFFECTS: tuple[Effect, ...] = (
    FromRecordSet("records", _records, _records_compare),
    FromRecordSet("ttl", _field("tTL", as_int), _zero_is_none),
    FromRecordSet("alias", _alias, _alias_compare),
    FromRecordSet("set_identifier", _field("setIdentifier"), optional_text),
    FromRecordSet("health_check_id", _field("healthCheckId"), optional_text),
    FromRecordSet("weighted_routing_policy", _block(weight=_field("weight", as_int)), blocks),
    FromRecordSet("failover_routing_policy", _block(type=_field("failover")), blocks),
    FromRecordSet("latency_routing_policy", _block(region=_field("region")), blocks),
    FromRecordSet("geolocation_routing_policy", _geolocation, blocks),
    FromRecordSet(
        "multivalue_answer_routing_policy", _field("multiValueAnswer", as_bool), _false_is_none
    ),
)


@dataclass(frozen=True, slots=True)
class _Identity:
    """An unmanaged record's zone, name and type (what its ``resource`` block needs)."""

    path: str

    def compare(self, value: Any) -> Any:
        return optional_text(value)

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        rrset = _final_set(attrs, event)
        if rrset is None or "type" in attrs:
            return False
        value = {
            "zone_id": _zone(event),
            "name": _strip_dot(lookup(rrset, "name")),
            "type": str(lookup(rrset, "type")).upper(),
        }[self.path]
        set_path(attrs, self.path, value)
        return True


CREATE_EFFECTS: tuple[Effect, ...] = (
    _Identity("zone_id"),
    _Identity("name"),
    _Identity("type"),
    *RECORD_EFFECTS,
)


# --------------------------------------------------------------------------- zones


def _zone_from(value: Any) -> Any:
    return clean_zone_id(value) if isinstance(value, str) and value.strip() else MISSING


ZONE_ID: Extractor = first(mapped(req("id"), _zone_from), mapped(req("hostedZoneId"), _zone_from))
NEW_ZONE_ID: Extractor = mapped(resp("hostedZone.id"), _zone_from)
VPC: Extractor = mapped(
    req("vPC"),
    lambda v: (
        [{"vpc_id": lookup(v, "vPCId"), "vpc_region": lookup(v, "vPCRegion")}]
        if isinstance(v, Mapping) and isinstance(lookup(v, "vPCId"), str)
        else MISSING
    ),
)


def _association_id(event: CloudEvent) -> Any:
    vpc = req("vPC.vPCId")(event)
    zone = ZONE_ID(event)
    if not isinstance(vpc, str) or not vpc or zone is MISSING:
        return MISSING
    return f"{zone}:{vpc}"


keys.note(_association_id, (frozenset({"vpc"}), frozenset()))  # vPC.vPCId, nested


def _inline_vpcs(event: CloudEvent, index: StateIndex) -> bool:
    """The zone lists its VPCs in its own ``vpc`` blocks (no association resources)."""
    zone = ZONE_ID(event)
    if not isinstance(zone, str):
        return False
    found = index.lookup(ZONE, "id", zone, account=event_account(event))
    return any(res.attributes.get("vpc") for res in found)


def _vpc_compare(value: Any) -> Any:
    if not isinstance(value, list):
        return frozenset()
    return frozenset(
        str(lookup(v, "vpc_id")) for v in value if isinstance(lookup(v, "vpc_id"), str)
    )


ZONE_CREATE_EFFECTS: tuple[Effect, ...] = (
    SetAttr("name", mapped(text("name"), _strip_dot), optional_text),
    SetAttr("comment", text("hostedZoneConfig.comment"), optional_text),
    SetAttr("delegation_set_id", mapped(text("delegationSetId"), clean_zone_id), optional_text),
    SetAttr("vpc", VPC, canonical_json),
)


# --------------------------------------------------------------------------- severity


def _own_site(name: str) -> str:
    """The last two labels of a name (``www.example.com`` -> ``example.com``)."""
    return ".".join(name.strip(".").lower().split(".")[-2:])


def _observed_key(observed: Mapping[str, Any]) -> str | None:
    zone, kind = observed.get("zone_id"), observed.get("type")
    name = observed.get("fqdn") or observed.get("name")
    if not all(isinstance(v, str) and v for v in (zone, kind, name)):
        return None
    ident = observed.get("set_identifier")
    return route53_record_key(
        clean_zone_id(str(zone)), str(name), str(kind), ident if isinstance(ident, str) else ""
    )


def _points_outside(
    event: CloudEvent, observed: Mapping[str, Any], known: KnownTargets
) -> tuple[Severity, str] | None:
    """A record now naming a host or address the estate does not know (state or
    ``known_targets``) and not under the record's own domain: where the traffic goes is no
    longer the estate's (a hijacked CNAME or alias, an A record to someone else's server).
    Only what the batch created or changed is rated, never a record it deleted."""
    key = _observed_key(observed)
    if key is not None and _reduced(event).get(key) == "deleted":
        return None
    record = str(observed.get("fqdn") or observed.get("name") or "")
    kind = str(observed.get("type") or "").upper()
    if kind == "NS":
        return Severity.HIGH, f"NS records of {record} changed: the name is delegated elsewhere"
    alias = observed.get("alias")
    targets = (
        [str(a.get("name") or "") for a in alias if isinstance(a, Mapping)]
        if isinstance(alias, list)
        else []
    )
    if kind in POINTING_TYPES and isinstance(observed.get("records"), list):
        targets += [str(v) for v in observed["records"]]
    for target in targets:
        host = host_of(target)
        if not host or (record and _own_site(host) == _own_site(record)):
            continue
        if not known.knows(host):
            return (
                Severity.HIGH,
                f"{record} ({kind}) now points outside the estate's known targets ({host}): "
                "not in state nor in known_targets",
            )
    return None


def _rule(
    event: str,
    action: Action,
    targets: tuple[Target, ...],
    severity: Severity,
    description: str,
    *checks: SeverityCheck,
    fan_out: bool = False,
) -> Rule:
    return Rule(
        event,
        SOURCE,
        action,
        targets,
        severity=severity,
        description=description,
        severity_checks=checks,
        fan_out=fan_out,
    )


RULES: tuple[Rule, ...] = (
    _rule(
        "ChangeResourceRecordSets",
        Action.MODIFY,
        (
            # Order matters for Terraform's own UPSERT on a record state has: the create
            # target lands first, so that a revert of a hand-made DELETE reads as a create.
            Target(
                RECORD,
                "route53_record",
                _keys("created", "upserted"),
                CREATE_EFFECTS,
                action=Action.CREATE,
                import_id=_keys("created", "upserted"),
            ),
            Target(RECORD, "route53_record", _keys("upserted", "replaced"), CREATE_EFFECTS),
            Target(RECORD, "route53_record", _keys("deleted"), action=Action.DELETE),
        ),
        Severity.MEDIUM,
        "DNS records changed outside Terraform",
        EstateCheck(_points_outside),
        fan_out=True,
    ),
    _rule(
        "CreateHostedZone",
        Action.CREATE,
        (Target(ZONE, "id", NEW_ZONE_ID, ZONE_CREATE_EFFECTS, import_id=NEW_ZONE_ID),),
        Severity.MEDIUM,
        "hosted zone created outside Terraform",
    ),
    _rule(
        "DeleteHostedZone",
        Action.DELETE,
        (Target(ZONE, "id", ZONE_ID),),
        Severity.HIGH,
        "hosted zone deleted: every name in it stops resolving",
    ),
    _rule(
        "UpdateHostedZoneComment",
        Action.MODIFY,
        with_fallback(
            Target(ZONE, "id", ZONE_ID, (SetAttr("comment", text("comment"), optional_text),))
        ),
        Severity.LOW,
        "hosted zone comment changed",
    ),
    _rule(
        "AssociateVPCWithHostedZone",
        Action.CREATE,
        (
            Target(
                ZONE,
                "id",
                ZONE_ID,
                (AddItems("vpc", VPC, _vpc_compare),),
                action=Action.MODIFY,
                guard=_inline_vpcs,
            ),
            Target(
                ASSOCIATION,
                "zone_association",
                _association_id,
                (
                    SetAttr("zone_id", ZONE_ID),
                    SetAttr("vpc_id", text("vPC.vPCId")),
                    SetAttr("vpc_region", text("vPC.vPCRegion"), optional_text),
                ),
                import_id=_association_id,
            ),
        ),
        Severity.MEDIUM,
        "private hosted zone associated with another VPC",
    ),
    _rule(
        "DisassociateVPCFromHostedZone",
        Action.DELETE,
        (
            # An association resource, when state has one, is what the call removed.
            Target(ASSOCIATION, "zone_association", _association_id),
            Target(
                ZONE,
                "id",
                ZONE_ID,
                (RemoveItems("vpc", VPC, _vpc_compare),),
                action=Action.MODIFY,
                guard=_inline_vpcs,
            ),
        ),
        Severity.MEDIUM,
        "private hosted zone disassociated from a VPC",
    ),
)

"""The estate's known targets: every host name and address its state holds, plus configured ones.

A DNS record is "inside" the estate when what it now points at is something the estate
manages or declares: a load balancer's, distribution's, bucket website's or API's DNS name, an
instance's or EIP's address, another record's name or value, a name under a hosted zone the
state holds, a network of a VPC or subnet, or an entry of ``known_targets`` in the
configuration (a host name, a ``*`` pattern such as ``*.example.net``, an address or a CIDR).
Anything else is outside: a hand-made record pointing there may hand the name to someone else.

State values are scanned as they are, whatever the attribute, so a new resource type needs no
table here. The scan runs once per engine, on the first record change rated.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any

from tfdrift_gitops.models import CloudEvent, Severity

if TYPE_CHECKING:
    from tfdrift_gitops.core.state import StateIndex

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_HOST = re.compile(r"^(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$")
NETWORK_ATTRIBUTES = frozenset({"cidr_block", "ipv6_cidr_block"})
"""Networks the estate owns (a VPC's, a subnet's); rule CIDRs (``0.0.0.0/0``) are not."""
ZONE_TYPE = "aws_route53_zone"
# AWS names an ELB alias target ``dualstack.<dns_name>``; state holds the plain name.
ALIAS_PREFIXES = ("dualstack.",)


def host_of(value: str) -> str:
    """A DNS name as compared here: lower case, no final dot, no surrounding quotes."""
    return value.strip().strip('"').strip().rstrip(".").lower()


def _address(value: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _network(value: str) -> IPNetwork | None:
    if "/" not in value:
        return None
    try:
        net = ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return None
    return net if net.prefixlen > 0 else None


def _strings(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """(attribute name, string) of every string leaf."""
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield from _strings(v, str(k))
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, key)


@dataclass(frozen=True)
class KnownTargets:
    names: frozenset[str] = frozenset()
    zones: tuple[str, ...] = ()
    addresses: frozenset[IPAddress] = frozenset()
    networks: tuple[IPNetwork, ...] = ()
    patterns: tuple[str, ...] = ()
    """Configured host name patterns (``*.example.net``), lower case."""

    @classmethod
    def build(
        cls, resources: Iterable[tuple[str, Mapping[str, Any]]], configured: Sequence[str] = ()
    ) -> KnownTargets:
        """From (resource type, attributes) pairs and the configured entries."""
        names: set[str] = set()
        zones: set[str] = set()
        addresses: set[IPAddress] = set()
        networks: set[IPNetwork] = set()
        for rtype, attrs in resources:
            for key, raw in _strings(attrs):
                text = raw.strip()
                if not text or len(text) > 253 or " " in text:
                    continue
                address = _address(text)
                if address is not None:
                    addresses.add(address)
                    continue
                if key in NETWORK_ATTRIBUTES:
                    net = _network(text)
                    if net is not None:
                        networks.add(net)
                    continue
                host = host_of(text)
                if _HOST.match(host):
                    names.add(host)
            if rtype == ZONE_TYPE and isinstance(attrs.get("name"), str):
                zones.add(host_of(attrs["name"]))
        patterns: list[str] = []
        for entry in configured:
            text = entry.strip()
            address, net = _address(text), _network(text)
            if address is not None:
                addresses.add(address)
            elif net is not None:
                networks.add(net)
            elif text:
                patterns.append(host_of(text))
        return cls(
            names=frozenset(names),
            zones=tuple(sorted(zones)),
            addresses=frozenset(addresses),
            networks=tuple(sorted(networks, key=str)),
            patterns=tuple(patterns),
        )

    @classmethod
    def of_state(cls, index: StateIndex, configured: Sequence[str] = ()) -> KnownTargets:
        return cls.build(((res.type, res.attributes) for res in index), configured)

    def knows(self, target: str) -> bool:
        """Is ``target`` (a host name or an address) one of the estate's?"""
        address = _address(target)
        if address is not None:
            return address in self.addresses or any(address in n for n in self.networks)
        host = host_of(target)
        for prefix in ALIAS_PREFIXES:
            host = host.removeprefix(prefix)
        if host in self.names:
            return True
        if any(host == z or host.endswith("." + z) for z in self.zones):
            return True
        if host.count(".") >= 2 and any(n.endswith("." + host) for n in self.names):
            # A regional endpoint (an S3 website alias names ``s3-website-<region>.amazonaws
            # .com``) of which state holds a bucket's own name.
            return True
        return any(fnmatchcase(host, p) for p in self.patterns)


EstateRating = Callable[
    [CloudEvent, Mapping[str, Any], KnownTargets], "tuple[Severity, str] | None"
]


@dataclass(frozen=True)
class EstateCheck:
    """A severity check that also needs the estate's known targets. Called as a plain check
    (no estate at hand), it knows no target at all."""

    rate: EstateRating
    empty: KnownTargets = field(default_factory=KnownTargets)

    def __call__(
        self, event: CloudEvent, observed: Mapping[str, Any]
    ) -> tuple[Severity, str] | None:
        return self.rate(event, observed, self.empty)

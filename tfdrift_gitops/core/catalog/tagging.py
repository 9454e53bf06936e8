"""Tag effects that know about the AWS provider's ``default_tags``.

AWS holds one tag set (Terraform's ``tags_all``); the configured ``tags`` exclude the tags the
provider adds by default. Effects here keep ``tags`` in Terraform's sense: a default tag that
AWS reports with its default value stays the provider's and is not a new resource tag.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tfdrift_gitops.core.catalog.keys import noop_on_missing
from tfdrift_gitops.core.catalog.model import Compared, Comparer, Extractor, tags_map
from tfdrift_gitops.core.paths import MISSING, lookup
from tfdrift_gitops.models import CloudEvent


def key_value_pairs(value: Any) -> Any:
    """``[{"Key": k, "Value": v}, ...]`` or one such object (any key casing) -> ``{k: v}``.

    S3 XML bodies give a single object when there is one tag, a list otherwise.
    """
    if value is MISSING or value is None:
        return MISSING
    pairs = [value] if isinstance(value, Mapping) else value
    if not isinstance(pairs, list):
        return MISSING
    out: dict[str, str] = {}
    for pair in pairs:
        if not isinstance(pair, Mapping):
            continue
        key, val = lookup(pair, "Key"), lookup(pair, "Value")
        if isinstance(key, str) and key:
            out[key] = "" if val is MISSING or val is None else str(val)
    return out


def _map(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        return {}
    return {str(k): "" if v is None else str(v) for k, v in value.items()}


def provider_defaults(attrs: Mapping[str, Any]) -> dict[str, str]:
    """Tags the provider's ``default_tags`` add: in ``tags_all`` but not in ``tags``."""
    own = _map(attrs.get("tags"))
    return {k: v for k, v in _map(attrs.get("tags_all")).items() if k not in own}


DEFAULTS_KEY = "__tfdrift_default_tags__"
"""Observed-attributes-only key (no effect reports it) holding the defaults as state had them."""


def remembered_defaults(attrs: dict[str, Any]) -> dict[str, str]:
    """``provider_defaults`` as they were before the first replayed tag call, kept for the rest
    of the replay: once a call overwrites a default tag it looks like a resource tag, and the
    later call that writes the default value back (Terraform reverting) must still be seen to
    hand the key back to the provider."""
    kept = attrs.get(DEFAULTS_KEY)
    if isinstance(kept, Mapping):
        return _map(kept)
    defaults = provider_defaults(attrs)
    attrs[DEFAULTS_KEY] = defaults
    return defaults


@noop_on_missing
@dataclass(frozen=True, slots=True)
class ReplaceTags(Compared):
    """The whole tag set is replaced (PutBucketTagging; DeleteBucketTagging with ``{}``)."""

    path: str
    value: Extractor
    comparer: Comparer = tags_map

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        new = self.value(event)
        if not isinstance(new, Mapping):
            return False
        full = _map(new)
        defaults = remembered_defaults(attrs)
        attrs[self.path] = {k: v for k, v in full.items() if defaults.get(k) != v}
        if isinstance(attrs.get("tags_all"), Mapping):
            attrs["tags_all"] = full
        return True


@noop_on_missing
@dataclass(frozen=True, slots=True)
class MergeTags(Compared):
    """Tags are added or overwritten (TagRole, TagUser)."""

    path: str
    value: Extractor
    comparer: Comparer = tags_map

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        new = self.value(event)
        if not isinstance(new, Mapping):
            return False
        own = _map(attrs.get(self.path))
        defaults = remembered_defaults(attrs)
        every = attrs.get("tags_all")
        merged_all = _map(every) if isinstance(every, Mapping) else None
        for key, val in _map(new).items():
            if key in defaults and defaults[key] == val:
                # The provider's default value: its tag, not the resource's (also when an
                # earlier call had overwritten it and this one restores it).
                own.pop(key, None)
            else:
                own[key] = val
            if merged_all is not None:
                merged_all[key] = val
        attrs[self.path] = own
        if merged_all is not None:
            attrs["tags_all"] = merged_all
        return True


@noop_on_missing
@dataclass(frozen=True, slots=True)
class DropTags(Compared):
    """Tag keys are removed (UntagRole, UntagUser). The extractor yields a list of keys."""

    path: str
    value: Extractor
    comparer: Comparer = tags_map

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        keys = self.value(event)
        if keys is MISSING or keys is None:
            return False
        gone = {str(k) for k in (keys if isinstance(keys, list) else [keys])}
        attrs[self.path] = {k: v for k, v in _map(attrs.get(self.path)).items() if k not in gone}
        every = attrs.get("tags_all")
        if isinstance(every, Mapping):
            attrs["tags_all"] = {k: v for k, v in _map(every).items() if k not in gone}
        return True

"""What the AWS provider lets a configuration set, per resource type, read from its own schema.

Generated configuration that plans dirty is the top complaint about peer tools, so only
*configurable* (required or optional) arguments are ever written; computed ones (``id``,
``arn``, ``owner_id``, ``tags_all``, ...) never are, nor sensitive ones. Which is which, how
blocks nest, and which values are sets come from the provider's schema dump
(``core.provider_schema``), derived once per type; ``schema_hand`` adds what the schema cannot
know (import ids, JSON documents, defaults that must be written, set-item identities). Types
outside the dump are patched only for attributes not known to be computed, and are never
generated from scratch.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from types import MappingProxyType
from typing import Any

from tfdrift_gitops.core import provider_schema
from tfdrift_gitops.core.redact import CLOUDTRAIL_PLACEHOLDERS, MASKS
from tfdrift_gitops.remediation.schema_hand import (
    ALIASES,
    FORCES_NEW,
    IMPORT_IDS,
    JSON_ARGUMENTS,
    JSON_AS_TEXT,
    NO_IMPORT,
    REPLACED_ON_CHANGE,
    SET_IDENTITY,
    WRITTEN_WHEN_FALSE,
    ImportId,
)

# Attributes the provider computes on nearly every type: never written for a type the dump
# does not cover (for the others, the dump says).
UNIVERSAL_COMPUTED = frozenset(
    {
        "id",
        "arn",
        "tags_all",
        "owner_id",
        "unique_id",
        "create_date",
        "creation_date",
        "last_modified",
        "qualified_arn",
        "invoke_arn",
        "qualified_invoke_arn",
        "version",
        "status",
    }
)

# Values CloudTrail substitutes for secrets, and our own masks of secrets from state (see
# core.redact): never written into code.
REDACTED_VALUES = frozenset({*CLOUDTRAIL_PLACEHOLDERS, *MASKS, "****"})

# Top-level attributes every type has and no configuration sets, although some types' schemas
# mark them optional (``id``) or optional-and-computed (``tags_all``: the provider's merge of
# ``tags`` and default tags, also inside ``root_block_device``).
_NEVER_WRITTEN = frozenset({"id", "tags_all"})
_NEVER_WRITTEN_NESTED = frozenset({"tags_all"})

# Terraform's own block for operation timeouts: never drift, never written.
_SKIPPED_BLOCKS = frozenset({"timeouts"})


@dataclass(frozen=True, slots=True)
class BlockSchema:
    """A nested block type (``ingress``, ``versioning_configuration``, ...)."""

    fields: tuple[str, ...]
    """Configurable arguments in the order generated blocks list them."""
    blocks: Mapping[str, BlockSchema] = field(default_factory=dict)
    is_set: bool = False
    """Set of blocks: order is meaningless, items are matched by content."""
    ordered: bool = False
    """List of blocks (the provider's nesting ``list``): Terraform compares them in order."""
    identity: tuple[str, ...] = ()
    """Fields that pair a removed item with an added one as "the same block, edited"."""
    true_defaults: frozenset[str] = frozenset()
    """Fields written even when empty or false (required ones, true defaults)."""
    json_fields: frozenset[str] = frozenset()
    set_fields: frozenset[str] = frozenset()
    text_json_fields: frozenset[str] = frozenset()
    """JSON fields the provider compares as text (``schema_hand.JSON_AS_TEXT``)."""
    min_items: int = 0
    """Blocks of this type the configuration must hold (the provider's ``min_items``)."""
    required: frozenset[str] = frozenset()
    """Fields the provider requires in the block (sensitive ones too)."""
    at_most_one: bool = False
    """The block holds at most one item (nesting ``single`` or ``max_items`` 1: ``ttl``)."""

    def knows(self, name: str) -> bool:
        return name in self.fields or name in self.blocks


@dataclass(frozen=True, slots=True)
class ResourceSchema:
    type: str
    arguments: tuple[str, ...]
    """Configurable top-level arguments, in generation order."""
    blocks: Mapping[str, BlockSchema] = field(default_factory=dict)
    computed: frozenset[str] = frozenset()
    sensitive: frozenset[str] = frozenset()
    json_fields: frozenset[str] = frozenset()
    set_fields: frozenset[str] = frozenset()
    true_defaults: frozenset[str] = frozenset()
    text_json_fields: frozenset[str] = frozenset()
    import_id: str = "{id}"
    """Template over ``id`` and known attribute values, e.g. ``{role}/{policy_arn}``."""
    import_pattern: str = r".+"
    name_argument: str | None = None
    """The argument holding the name the import id is built from (``bucket``, ``name``)."""
    known: bool = True
    """The provider's schema covers the type: a name it does not list is no argument."""
    importable: bool = True
    """Its import id format is known, so a ``resource`` + ``import {}`` can be generated."""
    aliases: Mapping[str, str] = field(default_factory=dict)
    """Secondary argument -> the primary one it mirrors (``is_enabled`` -> ``state``)."""
    forces_new: frozenset[str] = frozenset()
    """Arguments whose change the provider applies by replacing the resource."""

    def alias_in_code(self, name: str, present: frozenset[str] | set[str]) -> str | None:
        """The argument the code sets instead of ``name`` when both say the same thing (so
        ``name`` is not written): the other of an alias pair, when the code sets it and not
        ``name``; for a secondary, also its primary when the code sets neither."""
        if name in present:
            return None
        primary = self.aliases.get(name)
        if primary is not None:
            return primary
        for secondary, first in self.aliases.items():
            if first == name and secondary in present:
                return secondary
        return None

    def classify(self, name: str) -> str:
        """``configurable``, ``computed``, ``sensitive`` or ``unknown`` (a name the provider's
        schema does not list for a covered type: refused rather than guessed)."""
        if name in self.sensitive:
            return "sensitive"
        if name in self.arguments or name in self.blocks:
            return "configurable"
        if name in self.computed or name in UNIVERSAL_COMPUTED:
            return "computed"
        return "unknown" if self.known else "configurable"

    def as_block(self) -> BlockSchema:
        """The resource body seen as a block schema (shared patching code)."""
        return BlockSchema(
            fields=self.arguments,
            blocks=self.blocks,
            true_defaults=self.true_defaults,
            json_fields=self.json_fields,
            set_fields=self.set_fields,
            text_json_fields=self.text_json_fields,
        )

    def valid_import_id(self, value: str) -> bool:
        return bool(re.fullmatch(self.import_pattern, value)) and "\n" not in value


# --------------------------------------------------------------------------- derivation


def _is_configurable(attr: Mapping[str, Any]) -> bool:
    return bool(attr.get("required") or attr.get("optional"))


def _kind(type_spec: Any) -> str:
    return str(type_spec[0]) if isinstance(type_spec, list) and type_spec else str(type_spec)


def _object_elements(attr: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The element fields of a configurable list/set-of-objects attribute, else None.

    Such attributes (a security group's ``ingress``, a route table's ``route``) are the
    legacy SDK's attributes-as-blocks: the schema calls them attributes, but configurations
    write them as repeated blocks."""
    spec = attr.get("type")
    if not _is_configurable(attr) or _kind(spec) not in ("list", "set"):
        return None
    element = spec[1] if isinstance(spec, list) and len(spec) > 1 else None
    if _kind(element) != "object" or not isinstance(element, list) or len(element) < 2:
        return None
    fields = element[1]
    return fields if isinstance(fields, Mapping) else None


def _hand(table: Mapping[str, tuple[str, ...]], rtype: str, path: str) -> frozenset[str]:
    """Names ``table`` lists for the block at ``path`` of ``rtype`` ("" = the resource)."""
    found = set()
    for entry in table.get(rtype, ()):
        parent, _, name = entry.rpartition(".")
        if parent == path:
            found.add(name)
    return frozenset(found)


def _element_block(rtype: str, path: str, fields: Mapping[str, Any], many: str) -> BlockSchema:
    names = tuple(sorted(fields))
    return BlockSchema(
        fields=names,
        is_set=many == "set",
        identity=SET_IDENTITY.get(rtype, {}).get(path, ()),
        json_fields=_hand(JSON_ARGUMENTS, rtype, path),
        set_fields=frozenset(n for n in names if _kind(fields[n]) == "set"),
        true_defaults=_hand(WRITTEN_WHEN_FALSE, rtype, path),
    )


@dataclass(frozen=True, slots=True)
class _Derived:
    fields: tuple[str, ...]
    blocks: Mapping[str, BlockSchema]
    set_fields: frozenset[str]
    required: frozenset[str]


def _derive(rtype: str, path: str, raw: Mapping[str, Any]) -> _Derived:
    """Configurable fields (alphabetical, as ``terraform plan -generate-config-out`` writes
    them) and nested blocks of one schema block."""
    attrs: Mapping[str, Any] = raw.get("attributes") or {}
    top = not path
    fields = []
    blocks: dict[str, BlockSchema] = {}
    for name in sorted(attrs):
        attr = attrs[name]
        inner = f"{path}.{name}" if path else name
        elements = _object_elements(attr)
        if elements is not None:
            blocks[name] = _element_block(rtype, inner, elements, _kind(attr.get("type")))
        elif (
            _is_configurable(attr)
            and not attr.get("sensitive")
            and name not in (_NEVER_WRITTEN if top else _NEVER_WRITTEN_NESTED)
        ):
            fields.append(name)
    for name, nested in sorted((raw.get("block_types") or {}).items()):
        if name in _SKIPPED_BLOCKS:
            continue
        inner = f"{path}.{name}" if path else name
        blocks[name] = _block(rtype, inner, nested)
    return _Derived(
        fields=tuple(fields),
        blocks=MappingProxyType(dict(sorted(blocks.items()))),
        set_fields=frozenset(n for n in fields if _kind(attrs[n].get("type")) == "set"),
        required=frozenset(n for n in fields if attrs[n].get("required")),
    )


def _block(rtype: str, path: str, nested: Mapping[str, Any]) -> BlockSchema:
    derived = _derive(rtype, path, nested.get("block") or {})
    return BlockSchema(
        fields=derived.fields,
        blocks=derived.blocks,
        is_set=nested.get("nesting_mode") == "set",
        ordered=nested.get("nesting_mode") == "list",
        identity=SET_IDENTITY.get(rtype, {}).get(path, ()),
        true_defaults=derived.required | _hand(WRITTEN_WHEN_FALSE, rtype, path),
        json_fields=_hand(JSON_ARGUMENTS, rtype, path),
        set_fields=derived.set_fields,
        min_items=int(nested.get("min_items") or 0),
        required=frozenset(
            n
            for n, a in ((nested.get("block") or {}).get("attributes") or {}).items()
            if a.get("required")
        ),
        at_most_one=nested.get("nesting_mode") == "single" or nested.get("max_items") == 1,
    )


@cache
def schema_for(resource_type: str) -> ResourceSchema:
    """The type's schema as the provider states it, plus the hand-kept facts; for a type the
    dump does not cover, a permissive fallback that only knows the universal computed set."""
    raw = provider_schema.block_of(resource_type)
    if raw is None:
        return ResourceSchema(
            type=resource_type,
            arguments=(),
            known=False,
            importable=False,
            import_pattern=NO_IMPORT,
        )
    top = provider_schema.top_level(resource_type)
    derived = _derive(resource_type, "", raw)
    spec = IMPORT_IDS.get(resource_type, ImportId(NO_IMPORT))
    return ResourceSchema(
        type=resource_type,
        arguments=derived.fields,
        blocks=derived.blocks,
        computed=frozenset(n for n, a in top.items() if not a.configurable)
        | (_NEVER_WRITTEN & set(top)),
        sensitive=frozenset(n for n, a in top.items() if a.sensitive),
        json_fields=_hand(JSON_ARGUMENTS, resource_type, ""),
        text_json_fields=_hand(JSON_AS_TEXT, resource_type, ""),
        set_fields=derived.set_fields,
        true_defaults=derived.required | _hand(WRITTEN_WHEN_FALSE, resource_type, ""),
        import_id=spec.template,
        import_pattern=spec.pattern,
        name_argument=spec.name_argument,
        importable=resource_type in IMPORT_IDS,
        aliases=MappingProxyType(dict(ALIASES.get(resource_type, {}))),
        forces_new=frozenset(derived.fields) | frozenset(derived.blocks)
        if resource_type in REPLACED_ON_CHANGE
        else frozenset(FORCES_NEW.get(resource_type, ())),
    )


def written_anyway(schema: ResourceSchema, paths: frozenset[str]) -> ResourceSchema:
    """``schema`` with the fields at ``paths`` (``policy``, ``ttl.enabled``: dotted block
    paths) written even when their value is the empty one an absent argument would mean: a
    revert pins values the provider would otherwise keep from AWS (see ``revert_pins``)."""
    top = frozenset(p for p in paths if "." not in p)
    nested: dict[str, set[str]] = {}
    for path in paths - top:
        head, _, rest = path.partition(".")
        nested.setdefault(head, set()).add(rest)
    blocks = dict(schema.blocks)
    for head, inner in nested.items():
        if head in blocks:
            blocks[head] = _block_written(blocks[head], frozenset(inner))
    return replace(
        schema,
        true_defaults=schema.true_defaults | top,
        blocks=MappingProxyType(blocks),
    )


def _block_written(block: BlockSchema, paths: frozenset[str]) -> BlockSchema:
    top = frozenset(p for p in paths if "." not in p)
    blocks = dict(block.blocks)
    for path in paths - top:
        head, _, rest = path.partition(".")
        if head in blocks:
            blocks[head] = _block_written(blocks[head], frozenset({rest}))
    return replace(block, true_defaults=block.true_defaults | top, blocks=MappingProxyType(blocks))


def known_types() -> tuple[str, ...]:
    """Types remediation can write from scratch (their import id format is known)."""
    return tuple(sorted(IMPORT_IDS))


def _redacted_json(text: str) -> bool:
    """A JSON document kept as text (``container_definitions``) with a masked value inside."""
    if not text.lstrip().startswith(("{", "[")) or not any(m in text for m in MASKS):
        return False
    try:
        return is_redacted(json.loads(text))
    except ValueError:
        return False


def is_redacted(value: Any) -> bool:
    """True when CloudTrail or our redaction replaced (part of) the value with a placeholder."""
    if isinstance(value, str):
        return value in REDACTED_VALUES or _redacted_json(value)
    if isinstance(value, Mapping):
        return any(is_redacted(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(is_redacted(v) for v in value)
    return False

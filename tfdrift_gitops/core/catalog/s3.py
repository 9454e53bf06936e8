"""Catalog rows for Amazon S3 buckets (eventSource ``s3.amazonaws.com``).

Most bucket settings have two Terraform forms: a standalone resource (``aws_s3_bucket_versioning``
and friends, found by their ``bucket`` attribute) and, in older code, an inline block on
``aws_s3_bucket``. Targets list the standalone form first, guarded on its presence in state; the
inline form is the fallback, and for buckets not in state it is how later calls join an open
unmanaged-bucket drift. S3 request bodies are the XML document as nested objects
(``VersioningConfiguration.Status``); values may be booleans or their strings; a repeated XML
element is a list, a single one an object. Buckets are global: any region matches.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tfdrift_gitops.core.catalog.model import (
    Action,
    Compared,
    Comparer,
    Effect,
    Extractor,
    Rule,
    Set,
    Target,
    as_bool,
    as_str,
    const,
    exact,
    mapped,
    req,
    scalar,
)
from tfdrift_gitops.core.catalog.policydoc import policy_compare, policy_text, public_grant
from tfdrift_gitops.core.catalog.presence import present, upsert_targets
from tfdrift_gitops.core.catalog.support import optional_text
from tfdrift_gitops.core.catalog.tagging import ReplaceTags, key_value_pairs
from tfdrift_gitops.core.paths import MISSING, get_path, lookup, set_path
from tfdrift_gitops.models import CloudEvent, Severity

SOURCE = "s3.amazonaws.com"
BUCKET_TYPE = "aws_s3_bucket"
VERSIONING = "aws_s3_bucket_versioning"
POLICY = "aws_s3_bucket_policy"
ACL = "aws_s3_bucket_acl"
PUBLIC_ACCESS_BLOCK = "aws_s3_bucket_public_access_block"
ENCRYPTION = "aws_s3_bucket_server_side_encryption_configuration"

BUCKET = mapped(req("bucketName"), as_str)

PUBLIC_GROUPS = ("/global/AllUsers", "/global/AuthenticatedUsers")
PUBLIC_CANNED_ACLS = ("public-read", "public-read-write", "authenticated-read")

# --------------------------------------------------------------------------- comparers


def flag(value: Any) -> Any:
    """Optional booleans: absent and null are false (S3 omits false settings)."""
    if value is None or value is MISSING or value == "":
        return False
    parsed = as_bool(value)
    return value if parsed is MISSING else parsed


def mfa_delete_state(value: Any) -> Any:
    """``mfa_delete`` never set ("" in state) is the same as "Disabled"."""
    text = optional_text(value)
    return "Disabled" if text is None else text


def canned_acl(value: Any) -> Any:
    """A bucket without a canned ACL in state is private (S3's default)."""
    text = optional_text(value)
    return "private" if text is None else text


# --------------------------------------------------------------------------- extractors


def _first_text(value: Any) -> Any:
    """S3 headers arrive as one-element lists (``"x-amz-acl": ["private"]``)."""
    if isinstance(value, list):
        value = value[0] if value else MISSING
    text = as_str(value)
    return text if text is not MISSING and text else MISSING


CANNED_ACL = mapped(req("x-amz-acl"), _first_text)


def _body(path: str) -> Extractor:
    """An object-valued part of the request body; MISSING when absent or not an object."""
    return mapped(req(path), lambda v: v if isinstance(v, Mapping) else MISSING)


VERSIONING_BODY = _body("VersioningConfiguration")
STATUS = mapped(req("VersioningConfiguration.Status"), as_str)
MFA_DELETE = mapped(req("VersioningConfiguration.MfaDelete"), as_str)


def _is(expected: str) -> Any:
    return lambda v: as_str(v) == expected


PAB_BODY = _body("PublicAccessBlockConfiguration")
PAB_FLAGS = (
    ("block_public_acls", "BlockPublicAcls"),
    ("ignore_public_acls", "IgnorePublicAcls"),
    ("block_public_policy", "BlockPublicPolicy"),
    ("restrict_public_buckets", "RestrictPublicBuckets"),
)


def _pab_flag(name: str) -> Extractor:
    """A PublicAccessBlock setting; a setting missing from the body is false (S3's rule)."""

    def extract(event: CloudEvent) -> Any:
        body = PAB_BODY(event)
        if body is MISSING:
            return MISSING
        return flag(lookup(body, name))

    return extract


def _sse_rule(event: CloudEvent) -> Any:
    """The first encryption rule (``Rule`` is an object, or a list when there are several)."""
    config = req("ServerSideEncryptionConfiguration")(event)
    if not isinstance(config, Mapping):
        return MISSING
    rule = lookup(config, "Rule")
    if rule is MISSING:
        rule = lookup(config, "Rules")
    if isinstance(rule, list):
        rule = next((r for r in rule if isinstance(r, Mapping)), MISSING)
    return rule if isinstance(rule, Mapping) else MISSING


def _sse_field(path: str, default: Any) -> Extractor:
    def extract(event: CloudEvent) -> Any:
        rule = _sse_rule(event)
        if rule is MISSING:
            return MISSING
        value = lookup(rule, path)
        return default if value is MISSING or value is None else value

    return extract


SSE_ALGORITHM = mapped(_sse_field("ApplyServerSideEncryptionByDefault.SSEAlgorithm", ""), as_str)
SSE_KMS_KEY = mapped(_sse_field("ApplyServerSideEncryptionByDefault.KMSMasterKeyID", ""), as_str)
SSE_BUCKET_KEY = mapped(_sse_field("BucketKeyEnabled", False), flag)


def _tag_set(event: CloudEvent) -> Any:
    """``Tagging.TagSet.Tag`` as a map; an empty ``TagSet`` is no tags."""
    tagging = req("Tagging")(event)
    if not isinstance(tagging, Mapping):
        return MISSING
    tag_set = lookup(tagging, "TagSet")
    if not isinstance(tag_set, Mapping | list):
        return {}
    tags = lookup(tag_set, "Tag") if isinstance(tag_set, Mapping) else tag_set
    converted = key_value_pairs(tags)
    return {} if converted is MISSING else converted


# --- ACL grants, from the XML body or from x-amz-grant-* headers

_GRANT_HEADERS = (
    ("x-amz-grant-read", "READ"),
    ("x-amz-grant-write", "WRITE"),
    ("x-amz-grant-read-acp", "READ_ACP"),
    ("x-amz-grant-write-acp", "WRITE_ACP"),
    ("x-amz-grant-full-control", "FULL_CONTROL"),
)
_HEADER_GRANTEE = {"id": "CanonicalUser", "uri": "Group", "emailaddress": "AmazonCustomerByEmail"}


def _grantee(raw: Mapping[str, Any]) -> dict[str, str]:
    def text(key: str) -> str:
        value = lookup(raw, key)
        return value if isinstance(value, str) else ""

    grantee = {
        "id": text("ID"),
        "uri": text("URI"),
        "email_address": text("EmailAddress"),
        "type": text("xsi:type") or text("type"),
    }
    if not grantee["type"]:
        grantee["type"] = (
            "Group"
            if grantee["uri"]
            else "AmazonCustomerByEmail"
            if grantee["email_address"]
            else "CanonicalUser"
        )
    return grantee


def _body_grants(event: CloudEvent) -> list[dict[str, str]] | None:
    policy = req("AccessControlPolicy")(event)
    if not isinstance(policy, Mapping):
        return None
    listed = lookup(policy, "AccessControlList.Grant")
    if listed is MISSING:
        listed = lookup(policy, "AccessControlList.Grants")
    raw = [listed] if isinstance(listed, Mapping) else listed if isinstance(listed, list) else []
    grants = []
    for grant in raw:
        if not isinstance(grant, Mapping):
            continue
        grantee, permission = lookup(grant, "Grantee"), lookup(grant, "Permission")
        if isinstance(grantee, Mapping) and isinstance(permission, str):
            grants.append({**_grantee(grantee), "permission": permission})
    return grants


def _header_grants(event: CloudEvent) -> list[dict[str, str]] | None:
    grants: list[dict[str, str]] = []
    seen = False
    for header, permission in _GRANT_HEADERS:
        raw = req(header)(event)
        if raw is MISSING or raw is None:
            continue
        seen = True
        for text in raw if isinstance(raw, list) else [raw]:
            for part in str(text).split(","):
                kind, _, value = part.strip().partition("=")
                grantee_type = _HEADER_GRANTEE.get(kind.strip().lower())
                if grantee_type is None:
                    continue
                value = value.strip().strip('"')
                grantee = {"id": "", "uri": "", "email_address": "", "type": grantee_type}
                slot = {"CanonicalUser": "id", "Group": "uri"}.get(grantee_type, "email_address")
                grantee[slot] = value
                grants.append({**grantee, "permission": permission})
    return grants if seen else None


def acl_grants(event: CloudEvent) -> Any:
    """Every grant the call sets, flattened: type, id, uri, email_address, permission."""
    grants = _body_grants(event)
    if grants is None:
        grants = _header_grants(event)
    return MISSING if grants is None else grants


def _owner_id(event: CloudEvent) -> str:
    owner = lookup(event.request, "AccessControlPolicy.Owner.ID") if event.request else MISSING
    return owner if isinstance(owner, str) else ""


def _acp_block(event: CloudEvent) -> Any:
    """``aws_s3_bucket_acl.access_control_policy`` as Terraform shapes it."""
    grants = acl_grants(event)
    if grants is MISSING:
        return MISSING
    return [
        {
            "grant": [
                {
                    "grantee": [
                        {
                            "type": g["type"],
                            "id": g["id"],
                            "uri": g["uri"],
                            "email_address": g["email_address"],
                            "display_name": "",
                        }
                    ],
                    "permission": g["permission"],
                }
                for g in grants
            ],
            "owner": [{"id": _owner_id(event), "display_name": ""}],
        }
    ]


def _inline_grants(event: CloudEvent) -> Any:
    """``aws_s3_bucket.grant``: one block per grantee with its permissions."""
    grants = acl_grants(event)
    if grants is MISSING:
        return MISSING
    blocks: dict[tuple[str, str, str], dict[str, Any]] = {}
    for g in grants:
        key = (g["type"], g["id"], g["uri"] or g["email_address"])
        block = blocks.setdefault(
            key, {"type": g["type"], "id": g["id"], "uri": g["uri"], "permissions": []}
        )
        block["permissions"].append(g["permission"])
    return list(blocks.values())


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def grant_set(value: Any) -> Any:
    """Comparer for both grant shapes: a set of (type, id, uri, permission)."""
    out: set[tuple[str, str, str, str]] = set()

    def add(grantee: Mapping[str, Any], permission: Any) -> None:
        out.add(
            (
                str(grantee.get("type") or ""),
                str(grantee.get("id") or ""),
                str(grantee.get("uri") or grantee.get("email_address") or ""),
                str(permission or ""),
            )
        )

    for block in _list(value):
        if not isinstance(block, Mapping):
            continue
        if "grant" in block:  # access_control_policy[0]
            for grant in _list(block.get("grant")):
                if not isinstance(grant, Mapping):
                    continue
                for grantee in _list(grant.get("grantee")):
                    if isinstance(grantee, Mapping):
                        add(grantee, grant.get("permission"))
        else:  # aws_s3_bucket.grant
            for permission in _list(block.get("permissions")):
                add(block, permission)
    return frozenset(out)


# A canned ACL is a set of grants: the bucket owner's FULL_CONTROL and these (S3 documentation,
# "Canned ACL"; bucket-owner-* only mean something on objects).
_GROUP = "http://acs.amazonaws.com/groups/"
CANNED_GRANTS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "private": (),
    "public-read": ((_GROUP + "global/AllUsers", "READ"),),
    "public-read-write": (
        (_GROUP + "global/AllUsers", "READ"),
        (_GROUP + "global/AllUsers", "WRITE"),
    ),
    "authenticated-read": ((_GROUP + "global/AuthenticatedUsers", "READ"),),
    "log-delivery-write": (
        (_GROUP + "s3/LogDelivery", "WRITE"),
        (_GROUP + "s3/LogDelivery", "READ_ACP"),
    ),
    "bucket-owner-read": (),
    "bucket-owner-full-control": (),
}


def _state_owner(attrs: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The bucket owner an ``aws_s3_bucket_acl`` in state names (None: no such resource)."""
    owner = get_path(attrs, "access_control_policy[0].owner[0]")
    if isinstance(owner, Mapping) and isinstance(owner.get("id"), str) and owner["id"]:
        return owner
    return None


def _acl_grantee(kind: str, uri: str = "", id_: str = "", name: str = "") -> dict[str, str]:
    return {"type": kind, "id": id_, "uri": uri, "email_address": "", "display_name": name}


@dataclass(frozen=True, slots=True)
class CannedAclGrants(Compared):
    """A canned ACL on a managed ``aws_s3_bucket_acl``: the provider cannot read a canned ACL
    back, so Terraform keeps ``acl`` as configured and sees the grants it stands for change
    (``access_control_policy``), with the owner in state."""

    path: str = "access_control_policy"
    comparer: Comparer = grant_set

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        canned = CANNED_ACL(event)
        owner = _state_owner(attrs)
        extra = CANNED_GRANTS.get(canned) if isinstance(canned, str) else None
        if owner is None or extra is None:
            return False
        owner_id, owner_name = str(owner["id"]), str(owner.get("display_name") or "")
        grants = [
            {
                "grantee": [_acl_grantee("CanonicalUser", id_=owner_id, name=owner_name)],
                "permission": "FULL_CONTROL",
            }
        ]
        grants += [
            {"grantee": [_acl_grantee("Group", uri=uri)], "permission": permission}
            for uri, permission in extra
        ]
        set_path(attrs, self.path, [{"grant": grants, "owner": [dict(owner)]}])
        return True


@dataclass(frozen=True, slots=True)
class CannedAcl(Compared):
    """``acl`` for an ``aws_s3_bucket_acl`` not in state (made by hand: imported with the
    canned ACL); a managed one keeps ``acl`` as configured (see ``CannedAclGrants``)."""

    path: str = "acl"
    comparer: Comparer = canned_acl

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        canned = CANNED_ACL(event)
        if canned is MISSING or _state_owner(attrs) is not None:
            return False
        set_path(attrs, self.path, canned)
        return True


# --------------------------------------------------------------------------- severity checks


def _public_acl(event: CloudEvent, observed: Mapping[str, Any]) -> tuple[Severity, str] | None:
    canned = CANNED_ACL(event)
    if canned in PUBLIC_CANNED_ACLS:
        return Severity.CRITICAL, f"canned ACL {canned!r} makes the bucket public"
    grants = acl_grants(event)
    public = [
        g for g in (grants if isinstance(grants, list) else []) if g["uri"].endswith(PUBLIC_GROUPS)
    ]
    # Name the worst grant: anyone on the internet (AllUsers) before any AWS account.
    public.sort(key=lambda g: not g["uri"].endswith(PUBLIC_GROUPS[0]))
    if public:
        group = public[0]["uri"].rsplit("/", 1)[-1]
        return Severity.CRITICAL, f"ACL grants {public[0]['permission']} to {group}"
    return None


def _public_policy(event: CloudEvent, observed: Mapping[str, Any]) -> tuple[Severity, str] | None:
    why = public_grant(req("bucketPolicy")(event))
    return (Severity.CRITICAL, f"bucket policy {why}") if why else None


def _public_access_opened(
    event: CloudEvent, observed: Mapping[str, Any]
) -> tuple[Severity, str] | None:
    if PAB_BODY(event) is MISSING:
        return None
    off = [name for attr, name in PAB_FLAGS if _pab_flag(name)(event) is False]
    if off:
        return Severity.CRITICAL, f"public access block turned off: {', '.join(off)}"
    return None


def _versioning_suspended(
    event: CloudEvent, observed: Mapping[str, Any]
) -> tuple[Severity, str] | None:
    status = STATUS(event)
    if status in ("Suspended", "Disabled"):
        return Severity.HIGH, f"versioning {status.lower()}"
    return None


# --------------------------------------------------------------------------- effects

VERSIONING_EFFECTS: tuple[Effect, ...] = (
    Set("versioning_configuration[0].status", STATUS),
    Set("versioning_configuration[0].mfa_delete", MFA_DELETE, mfa_delete_state),
)
INLINE_VERSIONING: tuple[Effect, ...] = (
    Set("versioning[0].enabled", mapped(STATUS, _is("Enabled")), flag),
    Set("versioning[0].mfa_delete", mapped(MFA_DELETE, _is("Enabled")), flag),
)

POLICY_DOC = mapped(req("bucketPolicy"), policy_text)
POLICY_EFFECTS: tuple[Effect, ...] = (Set("policy", POLICY_DOC, policy_compare),)
POLICY_REMOVED: tuple[Effect, ...] = (Set("policy", const(""), policy_compare),)

ACL_EFFECTS: tuple[Effect, ...] = (
    CannedAcl(),
    CannedAclGrants(),
    Set("access_control_policy", _acp_block, grant_set),
)
INLINE_ACL: tuple[Effect, ...] = (
    Set("acl", CANNED_ACL, canned_acl),
    Set("grant", _inline_grants, grant_set),
)

PAB_EFFECTS: tuple[Effect, ...] = tuple(
    Set(attr, _pab_flag(name), flag) for attr, name in PAB_FLAGS
)

_SSE_LEAVES = (
    "rule[0].apply_server_side_encryption_by_default[0].sse_algorithm",
    "rule[0].apply_server_side_encryption_by_default[0].kms_master_key_id",
    "rule[0].bucket_key_enabled",
)
_INLINE_SSE = "server_side_encryption_configuration[0]."


def _sse_effects(prefix: str, values: tuple[Extractor, Extractor, Extractor]) -> tuple[Effect, ...]:
    comparers = (scalar, optional_text, flag)
    return tuple(
        Set(prefix + leaf, value, comparer)
        for leaf, value, comparer in zip(_SSE_LEAVES, values, comparers, strict=True)
    )


_SSE_SET = (SSE_ALGORITHM, SSE_KMS_KEY, SSE_BUCKET_KEY)
# Since January 2023 every bucket is encrypted: deleting the configuration leaves SSE-S3.
_SSE_DEFAULT = (const("AES256"), const(""), const(False))
ENCRYPTION_EFFECTS = _sse_effects("", _SSE_SET)
ENCRYPTION_REMOVED = _sse_effects("", _SSE_DEFAULT)
INLINE_ENCRYPTION = _sse_effects(_INLINE_SSE, _SSE_SET)
INLINE_ENCRYPTION_REMOVED = _sse_effects(_INLINE_SSE, _SSE_DEFAULT)

TAG_EFFECTS: tuple[Effect, ...] = (ReplaceTags("tags", _tag_set),)
TAGS_REMOVED: tuple[Effect, ...] = (ReplaceTags("tags", const({})),)

CREATE_EFFECTS: tuple[Effect, ...] = (
    Set("bucket", BUCKET, exact),
    Set(
        "object_lock_enabled",
        mapped(mapped(req("x-amz-bucket-object-lock-enabled"), _first_text), as_bool),
        flag,
    ),
)

# --------------------------------------------------------------------------- targets


def _bucket(effects: tuple[Effect, ...] = (), action: Action | None = None) -> Target:
    return Target(BUCKET_TYPE, "bucket", BUCKET, effects, action=action, import_id=BUCKET)


def _put(
    standalone: str, effects: tuple[Effect, ...], inline: tuple[Effect, ...]
) -> tuple[Target, ...]:
    """Standalone resource when state has one for the bucket, else the inline block."""
    return (
        *upsert_targets(standalone, "bucket", BUCKET, effects, import_id=BUCKET),
        _bucket(inline, Action.MODIFY),
    )


def _reset(
    standalone: str, effects: tuple[Effect, ...], inline: tuple[Effect, ...]
) -> tuple[Target, ...]:
    """A Delete* that leaves a default configuration behind: the standalone resource stays in
    state (its provider reads the default back) and changes, like the inline block."""
    return (
        Target(
            standalone,
            "bucket",
            BUCKET,
            effects,
            action=Action.MODIFY,
            guard=present(standalone, "bucket", BUCKET),
            import_id=BUCKET,
        ),
        _bucket(inline, Action.MODIFY),
    )


def _delete(standalone: str, inline: tuple[Effect, ...]) -> tuple[Target, ...]:
    """Deleting a standalone resource's setting deletes that resource; inline, it changes
    the bucket (MODIFY, so it never resolves an unmanaged-bucket drift)."""
    return (
        Target(
            standalone,
            "bucket",
            BUCKET,
            action=Action.DELETE,
            guard=present(standalone, "bucket", BUCKET),
            import_id=BUCKET,
        ),
        _bucket(inline, Action.MODIFY),
    )


_BUCKET_MANAGED = present(BUCKET_TYPE, "bucket", BUCKET)

# The account-wide public access block (S3 Control API, still eventSource s3.amazonaws.com):
# ``aws_s3_account_public_access_block`` has the account id as its id.
ACCOUNT_PUBLIC_ACCESS_BLOCK = "aws_s3_account_public_access_block"


def _account_id(event: CloudEvent) -> Any:
    return event.account_id or event.actor.account_id or MISSING


def _account_pab(effects: tuple[Effect, ...], action: Action) -> tuple[Target, ...]:
    """The managed block (Terraform's own Put re-creates it), else the id alone so the skip
    says "not in state"."""
    if action is Action.DELETE:
        return (Target(ACCOUNT_PUBLIC_ACCESS_BLOCK, "id", _account_id, action=Action.DELETE),)
    return (
        *upsert_targets(ACCOUNT_PUBLIC_ACCESS_BLOCK, "id", _account_id, effects),
        Target(ACCOUNT_PUBLIC_ACCESS_BLOCK, "id", _account_id, effects, action=Action.MODIFY),
    )


RULES: tuple[Rule, ...] = (
    Rule(
        "PutBucketVersioning",
        SOURCE,
        Action.MODIFY,
        _put(VERSIONING, VERSIONING_EFFECTS, INLINE_VERSIONING),
        severity=Severity.MEDIUM,
        description="Bucket versioning (and MFA delete) set",
        severity_checks=(_versioning_suspended,),
    ),
    Rule(
        "PutBucketPolicy",
        SOURCE,
        Action.MODIFY,
        _put(POLICY, POLICY_EFFECTS, POLICY_EFFECTS),
        severity=Severity.MEDIUM,
        description="Bucket policy replaced",
        severity_checks=(_public_policy,),
    ),
    Rule(
        "DeleteBucketPolicy",
        SOURCE,
        Action.MODIFY,
        _delete(POLICY, POLICY_REMOVED),
        severity=Severity.MEDIUM,
        description="Bucket policy removed",
    ),
    Rule(
        "PutBucketAcl",
        SOURCE,
        Action.MODIFY,
        _put(ACL, ACL_EFFECTS, INLINE_ACL),
        severity=Severity.MEDIUM,
        description="Bucket ACL replaced (canned ACL, grant headers or an ACL document)",
        severity_checks=(_public_acl,),
    ),
    Rule(
        "PutBucketPublicAccessBlock",
        SOURCE,
        Action.MODIFY,
        (
            *upsert_targets(PUBLIC_ACCESS_BLOCK, "bucket", BUCKET, PAB_EFFECTS, import_id=BUCKET),
            # A managed bucket without a public access block resource: the block is unmanaged.
            Target(
                PUBLIC_ACCESS_BLOCK,
                "bucket",
                BUCKET,
                PAB_EFFECTS,
                action=Action.CREATE,
                guard=_BUCKET_MANAGED,
                import_id=BUCKET,
            ),
            _bucket(action=Action.MODIFY),
        ),
        severity=Severity.MEDIUM,
        description="Bucket public access block set",
        severity_checks=(_public_access_opened,),
    ),
    Rule(
        "DeleteBucketPublicAccessBlock",
        SOURCE,
        Action.DELETE,
        # Not in state: joins (and resolves) an open unmanaged public access block drift.
        (Target(PUBLIC_ACCESS_BLOCK, "bucket", BUCKET, import_id=BUCKET),),
        severity=Severity.CRITICAL,
        description="Bucket public access block removed",
    ),
    Rule(
        "PutAccountPublicAccessBlock",
        SOURCE,
        Action.MODIFY,
        _account_pab(PAB_EFFECTS, Action.MODIFY),
        severity=Severity.MEDIUM,
        description="Account-wide S3 public access block set",
        severity_checks=(_public_access_opened,),
    ),
    Rule(
        "DeleteAccountPublicAccessBlock",
        SOURCE,
        Action.DELETE,
        _account_pab((), Action.DELETE),
        severity=Severity.CRITICAL,
        description="Account-wide S3 public access block removed",
    ),
    Rule(
        "PutBucketEncryption",
        SOURCE,
        Action.MODIFY,
        _put(ENCRYPTION, ENCRYPTION_EFFECTS, INLINE_ENCRYPTION),
        severity=Severity.MEDIUM,
        description="Bucket default encryption set",
    ),
    Rule(
        "DeleteBucketEncryption",
        SOURCE,
        Action.MODIFY,
        # Since January 2023 S3 answers GetBucketEncryption with SSE-S3 after a delete, so the
        # provider keeps aws_s3_bucket_server_side_encryption_configuration in state with an
        # AES256 rule: a modification (none at all when state already says AES256).
        _reset(ENCRYPTION, ENCRYPTION_REMOVED, INLINE_ENCRYPTION_REMOVED),
        severity=Severity.HIGH,
        description="Bucket default encryption removed (S3 falls back to SSE-S3)",
    ),
    Rule(
        "PutBucketTagging",
        SOURCE,
        Action.MODIFY,
        (_bucket(TAG_EFFECTS),),
        severity=Severity.LOW,
        description="Bucket tag set replaced",
    ),
    Rule(
        "DeleteBucketTagging",
        SOURCE,
        Action.MODIFY,
        (_bucket(TAGS_REMOVED),),
        severity=Severity.LOW,
        description="Bucket tags removed",
    ),
    Rule(
        "CreateBucket",
        SOURCE,
        Action.CREATE,
        (_bucket(CREATE_EFFECTS),),
        severity=Severity.MEDIUM,
        description="Bucket created",
        severity_checks=(_public_acl,),
    ),
    Rule(
        "DeleteBucket",
        SOURCE,
        Action.DELETE,
        (_bucket(),),
        severity=Severity.HIGH,
        description="Bucket deleted",
    ),
)

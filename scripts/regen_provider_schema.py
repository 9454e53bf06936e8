"""Regenerate tfdrift_gitops/data/aws_provider_schema.json.gz from the real AWS provider.

    python scripts/regen_provider_schema.py

Runs ``terraform providers schema -json`` in a scratch directory that requires hashicorp/aws
5.100.0 (the filesystem mirror when this machine has one, see tests/oracle/terraform.py) and
keeps the resource types the catalog names plus those remediation knows, without the
descriptions. The output is gzip-compressed JSON with a fixed mtime, so that an unchanged
schema rewrites an identical file.
"""

from __future__ import annotations

import gzip
import json
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.oracle.terraform import (  # noqa: E402
    PROVIDER_VERSION,
    Terraform,
    cli_config,
    find_mirror,
    terraform_binary,
)
from tfdrift_gitops.core.catalog import Catalog  # noqa: E402
from tfdrift_gitops.core.provider_schema import DATA_FILE, PROVIDER  # noqa: E402

_DROP = frozenset({"description", "description_kind", "deprecated"})


def covered_types() -> list[str]:
    from tfdrift_gitops.remediation.schema import known_types

    types = {target.type for rule in Catalog.default() for target in rule.targets}
    return sorted(types | set(known_types()))


def _strip(block: Mapping[str, Any]) -> dict[str, Any]:
    """A schema block without prose: descriptions and deprecation flags of attributes and
    blocks go, type expressions (whose object fields may be called ``description``) stay."""
    out: dict[str, Any] = {k: v for k, v in block.items() if k not in _DROP}
    if "attributes" in block:
        out["attributes"] = {
            name: {k: v for k, v in attr.items() if k not in _DROP}
            for name, attr in block["attributes"].items()
        }
    if "block_types" in block:
        out["block_types"] = {
            name: {
                **{k: v for k, v in nested.items() if k not in _DROP and k != "block"},
                "block": _strip(nested.get("block") or {}),
            }
            for name, nested in block["block_types"].items()
        }
    return out


def dump(schema: Mapping[str, Any], types: list[str]) -> bytes:
    resources = schema["provider_schemas"][PROVIDER]["resource_schemas"]
    missing = [t for t in types if t not in resources]
    if missing:
        raise SystemExit(f"the provider has no schema for {', '.join(missing)}")
    doc = {
        "provider": PROVIDER,
        "version": PROVIDER_VERSION,
        "format_version": schema.get("format_version"),
        "resource_schemas": {t: _strip(resources[t]["block"]) for t in types},
    }
    text = json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
    return gzip.compress(text, compresslevel=9, mtime=0)


def main() -> int:
    binary = terraform_binary()
    if binary is None:
        print("terraform is not on PATH", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        config = work / "cli.tfrc"
        config.write_text(cli_config(find_mirror(), work / "cache"))
        (work / "cache").mkdir()
        (work / "main.tf").write_text(
            'terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n'
            f'      version = "{PROVIDER_VERSION}"\n    }}\n  }}\n}}\n'
        )
        terraform = Terraform(binary, config)
        terraform.init(work)
        data = dump(terraform.schema(work), covered_types())
    DATA_FILE.parent.mkdir(parents=True, exist_ok=True)
    DATA_FILE.write_bytes(data)
    print(f"wrote {DATA_FILE.relative_to(ROOT)} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

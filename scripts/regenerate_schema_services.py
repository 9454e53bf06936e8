"""Regenerate tests/fixtures/schemas/aws-provider-5.100.0-services.json.

The fixture is the schema of the types the part-2 catalog rows name (the types it already
lists), trimmed to attribute flags and nested blocks; the catalog tests check state fixtures
and effect paths against it. (Remediation reads the packaged dump instead, see
``scripts/regen_provider_schema.py``.)

Usage: python scripts/regenerate_schema_services.py SCHEMA.json
where SCHEMA.json is ``terraform providers schema -json`` for a configuration that requires
hashicorp/aws 5.100.0 (see DESIGN.md: the provider is installed as a filesystem mirror).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "schemas" / "aws-provider-5.100.0-services.json"
PROVIDER = "registry.terraform.io/hashicorp/aws"


def _trim(block: Mapping[str, Any], depth: int = 1) -> dict[str, Any]:
    """Attribute flags and nested blocks to three levels (``timeouts`` dropped), for the test
    fixture (WAF rule statements nest far deeper; no state fixture goes there)."""
    flags = ("required", "optional", "computed", "sensitive")
    out: dict[str, Any] = {
        "attributes": {
            k: {"type": v["type"], **{f: True for f in flags if v.get(f)}}
            for k, v in sorted(block.get("attributes", {}).items())
        }
    }
    nested = {k: v for k, v in sorted(block.get("block_types", {}).items()) if k != "timeouts"}
    if nested and depth < 3:
        out["block_types"] = {
            k: {"nesting_mode": v["nesting_mode"], "block": _trim(v["block"], depth + 1)}
            for k, v in nested.items()
        }
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    document = json.loads(Path(argv[1]).read_text())
    resources = document["provider_schemas"][PROVIDER]["resource_schemas"]
    types = sorted(json.loads(FIXTURE.read_text()))
    trimmed = {
        t: {"version": resources[t]["version"], "block": _trim(resources[t]["block"])}
        for t in types
    }
    FIXTURE.write_text(json.dumps(trimmed, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

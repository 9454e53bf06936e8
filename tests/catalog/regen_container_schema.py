"""Write tests/fixtures/schemas/aws-provider-5.100.0-containers.json from the provider mirror.

Run by hand: ``.venv/bin/python tests/catalog/regen_container_schema.py``. Needs terraform and
the hashicorp/aws 5.100.0 filesystem mirror (``find / -maxdepth 3 -type d -name
registry.terraform.io``); works offline.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

TYPES = (
    "aws_ecs_service",
    "aws_ecs_task_definition",
    "aws_ecs_cluster",
    "aws_ecs_cluster_capacity_providers",
    "aws_ecs_account_setting_default",
    "aws_eks_cluster",
    "aws_eks_node_group",
    "aws_eks_addon",
    "aws_eks_access_entry",
    "aws_eks_access_policy_association",
    "aws_ecr_repository",
    "aws_ecr_repository_policy",
    "aws_ecr_lifecycle_policy",
)
OUT = Path(__file__).resolve().parents[1] / "fixtures/schemas/aws-provider-5.100.0-containers.json"
FLAGS = ("type", "required", "optional", "computed", "sensitive")


def trim(block: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "attributes" in block:
        out["attributes"] = {
            name: {f: spec[f] for f in FLAGS if f in spec}
            for name, spec in block["attributes"].items()
        }
    if "block_types" in block:
        out["block_types"] = {
            name: {
                "nesting_mode": spec["nesting_mode"],
                **{k: spec[k] for k in ("min_items", "max_items") if k in spec},
                "block": trim(spec["block"]),
            }
            for name, spec in block["block_types"].items()
            if name != "timeouts"
        }
    return out


def mirror() -> str:
    for root in ("/opt", "/usr/share", "/usr/local/share", "/root"):
        for path in Path(root).glob("*/registry.terraform.io"):
            return str(path.parent)
    sys.exit("no registry.terraform.io filesystem mirror found")


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        config = Path(work) / "cli.tfrc"
        config.write_text(
            "provider_installation {\n"
            f'  filesystem_mirror {{ path = "{mirror()}" }}\n'
            '  direct { exclude = ["registry.terraform.io/*/*"] }\n}\n'
        )
        (Path(work) / "main.tf").write_text(
            'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws", '
            'version = "5.100.0" }\n  }\n}\n'
        )
        env = {**os.environ, "TF_CLI_CONFIG_FILE": str(config)}
        subprocess.run(["terraform", "init", "-input=false"], cwd=work, env=env, check=True)
        dump = subprocess.run(
            ["terraform", "providers", "schema", "-json"],
            cwd=work,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    schemas = json.loads(dump)["provider_schemas"]["registry.terraform.io/hashicorp/aws"]
    resources = schemas["resource_schemas"]
    kept = {
        t: {"version": resources[t]["version"], "block": trim(resources[t]["block"])} for t in TYPES
    }
    OUT.write_text(json.dumps(kept, indent=1, sort_keys=True))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()

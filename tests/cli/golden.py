"""Golden outputs of ``detect`` on the bundled example; regenerate with

    python -m tests.cli.golden

and review the diff before committing it.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from tfdrift_gitops.cli import cli

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "fixtures" / "detect"
EXAMPLE_ARGS = ["--state", "examples/state/terraform.tfstate", "--events", "examples/cloudtrail"]
CASES = {
    "example.txt": ["detect", *EXAMPLE_ARGS],
    "example.jsonl": ["detect", *EXAMPLE_ARGS, "--format", "json"],
}


def stable(output: str) -> str:
    """Replace the wall-clock fields (when *we* saw the drift) so goldens compare."""
    import json

    if not output.startswith("{"):
        return output
    lines = []
    for line in output.splitlines():
        record = json.loads(line)
        record["detected_at"] = "<now>"
        for step in record.get("history", []):
            step["time"] = "<now>"
        lines.append(json.dumps(record, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def run(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def main() -> None:
    import os

    os.chdir(REPO)
    for name, args in CASES.items():
        _, out, _ = run(args)
        (GOLDEN / name).write_text(stable(out))
        print(f"wrote {GOLDEN / name}")


if __name__ == "__main__":
    main()

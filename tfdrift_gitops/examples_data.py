"""Where the bundled example (state, Terraform code, CloudTrail records) lives.

Installed wheels carry ``examples/`` inside the package; a source checkout has it at the top.
"""

from __future__ import annotations

from pathlib import Path

from tfdrift_gitops.errors import ConfigError

_PACKAGE_DIR = Path(__file__).resolve().parent


def examples_dir() -> Path:
    for candidate in (_PACKAGE_DIR / "examples", _PACKAGE_DIR.parent / "examples"):
        if (candidate / "state").is_dir():
            return candidate
    raise ConfigError("the bundled example is missing from this installation")


def example_state() -> Path:
    return examples_dir() / "state" / "terraform.tfstate"


def example_events() -> list[Path]:
    return [examples_dir() / "cloudtrail"]


def example_terraform() -> Path:
    return examples_dir() / "terraform"

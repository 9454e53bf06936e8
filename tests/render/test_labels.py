"""State names people recognise: backend URLs as they are, files relative to their repo."""

from __future__ import annotations

from pathlib import Path

import pytest

from tfdrift_gitops.render.labels import state_label


def test_backend_url_is_kept() -> None:
    assert (
        state_label("s3://tf-state/prod/terraform.tfstate")
        == "s3://tf-state/prod/terraform.tfstate"
    )


def test_relative_path_is_kept() -> None:
    assert state_label("infra/terraform.tfstate") == "infra/terraform.tfstate"


def test_path_under_the_working_directory(tmp_path: Path) -> None:
    state = tmp_path / "envs" / "prod" / "terraform.tfstate"
    assert state_label(str(state), base=tmp_path) == "envs/prod/terraform.tfstate"


def test_path_in_another_repository(tmp_path: Path) -> None:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    state = tmp_path / "repo" / "stacks" / "terraform.tfstate"
    assert state_label(str(state), base=tmp_path / "elsewhere") == "stacks/terraform.tfstate"


@pytest.mark.parametrize(
    "state",
    [
        "/home/alan/private/x/examples/state/terraform.tfstate",
        "C:\\Users\\alan\\w\\infra\\prod\\t.tfstate",
    ],
    ids=["posix", "windows"],
)
def test_outside_any_repository_no_machine_path(state: str) -> None:
    label = state_label(state, base="/nonexistent-base")
    assert "alan" not in label
    assert label.endswith("tfstate")

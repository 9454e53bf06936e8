"""Pure parts: HCL block spans, diff hunks, module prefixes, markers, plan, settings, summary."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.github.gh_support import drift, write_tree
from tfdrift_gitops.config import parse_config
from tfdrift_gitops.errors import ConfigError, GitHubError
from tfdrift_gitops.github import summary
from tfdrift_gitops.github.marker import format_marker, parse_marker
from tfdrift_gitops.github.plan import (
    ActionKind,
    Desired,
    RemoteIssue,
    merged_labels,
    plan_open,
)
from tfdrift_gitops.github.render import Doc
from tfdrift_gitops.github.settings import GitHubSettings, parse_github_section
from tfdrift_gitops.github.tfblocks import (
    address_touched,
    build_module_map,
    changed_lines,
    resources_touched,
    scan_blocks,
    strip_index,
)
from tfdrift_gitops.models import Severity

HCL = """terraform {
  required_version = ">= 1.7"
}

# a comment with { braces
resource "aws_security_group" "web" {
  description = "has } and ${var.x} and ${ {a = "}"}.a }"
  policy = <<EOT
{ "not": "a block" }
}
EOT
  /* } */
  tags = { Team = "x" } // }
}

data "aws_caller_identity" "me" {}

module "net" {
  source = "./modules/net"
}
"""


def test_scan_blocks_spans() -> None:
    blocks = [(b.type, b.labels, b.start_line, b.end_line) for b in scan_blocks(HCL)]
    assert blocks == [
        ("terraform", (), 1, 3),
        ("resource", ("aws_security_group", "web"), 6, 14),
        ("data", ("aws_caller_identity", "me"), 16, 16),
        ("module", ("net",), 18, 20),
    ]
    assert [b.address for b in scan_blocks(HCL)] == [
        None,
        "aws_security_group.web",
        "data.aws_caller_identity.me",
        "module.net",
    ]


def test_scan_blocks_survives_broken_input() -> None:
    assert scan_blocks('resource "a" "b" {\n  x = "unterminated\n') == []
    assert scan_blocks("}}}{{") == []


def test_changed_lines() -> None:
    patch = "@@ -5,4 +5,5 @@ resource\n ctx\n-old\n+new\n+added\n ctx\n\\ No newline at end of file"
    assert changed_lines(patch) == ({6}, {6, 7})


def test_resources_touched_with_module_prefixes(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "main.tf": 'module "a" {\n  source = "./modules/a"\n}\nmodule "b" {\n'
            '  source = "./modules/a"\n}\n',
            "modules/a/main.tf": 'module "inner" {\n  source = "../inner"\n}\n'
            'resource "aws_s3_bucket" "x" {\n  bucket = "x"\n}\n',
            "modules/inner/main.tf": 'resource "aws_iam_role" "r" {\n  name = "r"\n}\n',
            "envs/prod/main.tf": 'resource "aws_s3_bucket" "x" {\n}\n',
        },
    )
    modules = build_module_map(tmp_path)
    assert modules.prefixes["modules/a"] == {"module.a.", "module.b."}
    assert modules.prefixes["modules/inner"] == {"module.a.module.inner.", "module.b.module.inner."}
    assert modules.prefixes["envs/prod"] == {""}
    text = (tmp_path / "modules/inner/main.tf").read_text()
    touched = resources_touched("modules/inner/main.tf", text, text, "@@ -2 +2 @@\n-a\n+b", modules)
    assert touched == {
        "module.a.module.inner.aws_iam_role.r",
        "module.b.module.inner.aws_iam_role.r",
    }


@pytest.mark.parametrize(
    ("address", "touched", "expected"),
    [
        pytest.param("aws_s3_bucket.x", {"aws_s3_bucket.x"}, True, id="same"),
        pytest.param("aws_instance.api[0]", {"aws_instance.api"}, True, id="count-index"),
        pytest.param('module.a["k"].aws_b.c', {"module.a"}, True, id="module-call-block"),
        pytest.param("module.ab.aws_b.c", {"module.a"}, False, id="prefix-is-not-module"),
        pytest.param("aws_s3_bucket.xy", {"aws_s3_bucket.x"}, False, id="other-name"),
        pytest.param("aws_s3_bucket.x.y", {"aws_s3_bucket.x"}, False, id="resource-not-a-prefix"),
    ],
)
def test_address_touched(address: str, touched: set[str], expected: bool) -> None:
    assert address_touched(address, touched) is expected


def test_strip_index_handles_brackets_in_keys() -> None:
    assert strip_index('module.a["x]y"].b.c[1]') == "module.a.b.c"


def test_marker_round_trip_and_rejects_bad_values() -> None:
    text = format_marker({"drift": "d-1", "kind": "issue", "hash": "ab"})
    assert parse_marker(text + "\nbody") == {"drift": "d-1", "kind": "issue", "hash": "ab"}
    assert parse_marker("body\n" + text) is None  # only the first line counts
    assert parse_marker(None) is None
    with pytest.raises(GitHubError):
        format_marker({"drift": "d 1 -->"})


def _doc(body: str = "b", digest: str = "h1") -> Doc:
    return Doc(
        "t", format_marker({"drift": "d-1", "kind": "issue", "hash": digest}) + "\n" + body, digest
    )


def test_plan_new_unchanged_changed_closed() -> None:
    d = drift(1)
    desired = Desired(d, _doc(), ("tfdrift", "severity:critical", "kind:modified"))
    assert [a.kind for a in plan_open(desired, None)] == [ActionKind.OPEN_ISSUE]
    same = RemoteIssue(3, "open", desired.issue.body, desired.labels)
    assert plan_open(desired, same) == []
    edited = RemoteIssue(3, "open", _doc(digest="old").body, desired.labels)
    assert [a.kind for a in plan_open(desired, edited)] == [ActionKind.UPDATE_ISSUE]
    relabel = RemoteIssue(
        3, "open", desired.issue.body, ("tfdrift", "severity:low", "kind:modified")
    )
    action = plan_open(desired, relabel)[0]
    assert action.kind is ActionKind.UPDATE_ISSUE
    assert action.body == ""  # labels only
    closed = RemoteIssue(3, "closed", desired.issue.body, desired.labels)
    assert [a.kind for a in plan_open(desired, closed)] == [ActionKind.REOPEN_ISSUE]


def test_merged_labels_keep_human_labels() -> None:
    merged = merged_labels(["tfdrift", "severity:low", "team:web"], ["tfdrift", "severity:high"])
    assert merged == ("tfdrift", "severity:high", "team:web")


def test_settings_parse_and_login_mapping() -> None:
    settings = parse_github_section(
        {
            "url": "https://ghe.example/api/v3/",
            "users": {
                "arn:aws:sts::*:assumed-role/*/alan@acme.example": "@alan-acme",
                "bob": "bob",
            },
            "seconds_between_writes": 0,
        }
    )
    assert settings.url == "https://ghe.example/api/v3"
    assert settings.login_for(drift(1).actor) == "alan-acme"
    assert settings.seconds_between_writes == 0.0


@pytest.mark.parametrize(
    ("section", "message"),
    [
        pytest.param({"user": {}}, "github.user: unknown key", id="typo"),
        pytest.param({"users": {"x": "not a login!"}}, "is not a GitHub login", id="login"),
        pytest.param({"url": "ftp://x"}, "github.url", id="url"),
        pytest.param({"max_retries": -1}, "github.max_retries", id="retries"),
        pytest.param({"seconds_between_writes": "1"}, "github.seconds_between_writes", id="number"),
        pytest.param([], "github: expected a mapping", id="not-mapping"),
    ],
)
def test_settings_errors_name_the_key(section: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_github_section(section)


def test_section_is_registered_with_the_config() -> None:
    config = parse_config({"github": {"users": {"alan*": "alan-acme"}}})
    assert isinstance(config.sections["github"], GitHubSettings)
    assert parse_config({}).sections["github"] == GitHubSettings()


def test_workflow_command_escaping() -> None:
    assert summary.escape_data("50%\r\nnext") == "50%25%0D%0Anext"
    assert summary.escape_property("a:b,c\n") == "a%3Ab%2Cc%0A"


def test_annotations_at_most_ten_worst_first() -> None:
    from dataclasses import replace

    drifts = [drift(i, severity=Severity.HIGH) for i in range(1, 13)]
    drifts += [drift(20, severity=Severity.CRITICAL), drift(21, severity=Severity.LOW)]
    hostile = replace(
        drift(22, severity=Severity.CRITICAL),
        actor=replace(drift(1).actor, name="x\n::error::pwned"),
    )
    lines = summary.workflow_annotations([*drifts, hostile])
    assert len(lines) == 10
    assert all(line.count("\n") == 0 for line in lines)
    assert lines[0].startswith("::error title=critical drift on ")
    assert sum(line.startswith("::error") for line in lines) == 2
    assert "x%0A::error::pwned" in "".join(lines)


def test_publish_writes_summary_and_outputs(tmp_path: Path) -> None:
    env = {
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_OUTPUT": str(tmp_path / "out"),
        "GITHUB_ACTIONS": "true",
    }
    text = summary.summary_markdown("t", {"open drifts": 1}, [drift(1)], errors=[("d-1", "@bob")])
    lines = summary.publish(
        summary=text,
        outputs={"drift-count": 1, "comment-url": "a\nb"},
        annotation_lines=["::x"],
        env=env,
    )
    assert lines == ["::x"]
    assert "aws_security_group.web1" in (tmp_path / "summary.md").read_text()
    assert "@\u200dbob" in text
    out = (tmp_path / "out").read_text().splitlines()
    assert out[0].startswith("drift-count<<TFDRIFT_")
    assert out[1] == "1"
    assert out[4:6] == ["a", "b"]
    assert summary.publish(summary="", outputs={}, annotation_lines=["::x"], env={}) == []

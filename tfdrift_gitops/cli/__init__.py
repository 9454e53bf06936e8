"""The ``tfdrift-gitops`` command line. Errors become exit codes here, and only here."""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from tfdrift_gitops import __version__
from tfdrift_gitops.cli.output import SafeFormatter, echo
from tfdrift_gitops.errors import TfdriftError

log = logging.getLogger("tfdrift_gitops")


# Command name -> (module under tfdrift_gitops.cli, attribute). Imported only when the command
# runs (or --help lists it): `detect` must not pay for gRPC, protobuf, uvicorn, httpx, jinja2,
# PyGithub and Prometheus at start-up (issue 14: ~0.15 s and ~27 MB of a state load).
COMMANDS: dict[str, tuple[str, str]] = {
    "detect": ("detect", "detect"),
    "ledger": ("ledger_cmd", "ledger"),
    "remediate": ("remediate_cmd", "remediate"),
    "collect": ("collect_cmd", "collect"),
    "falco-rules": ("falco_rules_cmd", "falco_rules"),
    "reconcile": ("reconcile_cmd", "reconcile"),
    "comment": ("comment_cmd", "comment"),
    "catalog": ("catalog_cmd", "catalog"),
    "report": ("report_cmd", "report"),
}


class _Group(click.Group):
    """Turns TfdriftError into a one-line message and its exit code; loads commands lazily."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is not None or cmd_name not in COMMANDS:
            return found
        import importlib

        module_name, attr = COMMANDS[cmd_name]
        command = getattr(importlib.import_module(f"tfdrift_gitops.cli.{module_name}"), attr)
        if not isinstance(command, click.Command) or command.name != cmd_name:
            raise RuntimeError(f"tfdrift_gitops.cli.{module_name}.{attr} is not `{cmd_name}`")
        self.add_command(command)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TfdriftError as exc:
            echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tfdrift-gitops")
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
@click.option(
    "--config",
    "config_path",
    default=None,
    envvar="TFDRIFT_CONFIG",
    help="Path to .tfdrift.yml (default: ./.tfdrift.yml when present).",
)
@click.pass_context
def cli(ctx: click.Context, verbose: int, config_path: str | None) -> None:
    """Catch Terraform drift from CloudTrail and turn it into GitOps work."""
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    # Log lines quote file names and S3 keys: escaped like everything else printed.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(SafeFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler])
    ctx.ensure_object(dict)
    ctx.obj["config_path"] = config_path


def main() -> None:
    cli(prog_name="tfdrift-gitops")

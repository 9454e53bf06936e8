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


class _Group(click.Group):
    """Turns TfdriftError into a one-line message and its exit code."""

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


def _register() -> None:
    from tfdrift_gitops.cli import detect

    cli.add_command(detect.detect)
    # Further command modules register here (ledger, remediate, collect, reconcile, comment,
    # falco-rules); each lives in its own module under tfdrift_gitops/cli/.
    import importlib

    for name, attr in (
        ("ledger_cmd", "ledger"),
        ("remediate_cmd", "remediate"),
        ("collect_cmd", "collect"),
        ("falco_rules_cmd", "falco_rules"),
        ("reconcile_cmd", "reconcile"),
        ("comment_cmd", "comment"),
        ("catalog_cmd", "catalog"),
        ("report_cmd", "report"),
    ):
        try:
            module = importlib.import_module(f"tfdrift_gitops.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"tfdrift_gitops.cli.{name}":
                raise
            continue
        cli.add_command(getattr(module, attr))


_register()


def main() -> None:
    cli(prog_name="tfdrift-gitops")

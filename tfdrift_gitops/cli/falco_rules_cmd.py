"""``tfdrift-gitops falco-rules``: print the Falco rules file for the CloudTrail plugin."""

from __future__ import annotations

import click

from tfdrift_gitops.falco.rules import render_rules


@click.command(name="falco-rules")
def falco_rules() -> None:
    """Print a Falco rules file that fires on every write call the catalog knows.

    Load it next to the CloudTrail plugin (rules_files in falco.yaml); see docs/collector.md.
    """
    click.echo(render_rules(), nl=False)

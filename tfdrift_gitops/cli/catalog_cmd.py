"""``tfdrift-gitops catalog``: every CloudTrail call the catalog turns into drift, and how."""

from __future__ import annotations

import click

from tfdrift_gitops.render.catalog import (
    catalog_rows,
    render_json,
    render_markdown,
    render_text,
)


@click.command(name="catalog")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="json includes totals; markdown is the table docs/coverage.md shows.",
)
def catalog(fmt: str) -> None:
    """List the catalog: one row per (event source, event name) with its Terraform types, kind
    of drift, modelled attributes, whether remediate can import it and whether a Terraform
    oracle case verified it."""
    rows = catalog_rows()
    render = {"text": render_text, "json": render_json, "markdown": render_markdown}[fmt]
    click.echo(render(rows), nl=False)

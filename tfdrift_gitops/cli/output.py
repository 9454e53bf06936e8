"""Everything the command line prints goes through here.

File names, S3 keys, drift ids and error messages quote untrusted text (CloudTrail values,
object keys anyone with write access to a bucket chose): each line gets the same escaping as
the drift text (``render.text.safe``), so nothing printed can move the cursor, recolour or
rewrite the terminal, and no value becomes a GitHub Actions workflow command in a step's log
(``render.text.no_workflow_commands``). JSON output is valid UTF-8 whatever the input held.
"""

from __future__ import annotations

import logging
from typing import Any

import click

from tfdrift_gitops.render.text import json_text, no_workflow_commands, safe, safe_lines

_SECRETS: set[str] = set()


def register_secret(value: str) -> None:
    """A credential this process holds (the GitHub token): never printed, whatever message
    happens to quote it."""
    if len(value) >= 4:
        _SECRETS.add(value)


def redacted(text: str) -> str:
    for secret in sorted(_SECRETS, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def echo(text: str = "", *, err: bool = False, nl: bool = True) -> None:
    click.echo(no_workflow_commands(safe_lines(redacted(text))), err=err, nl=nl)


def echo_json(document: Any) -> None:
    click.echo(json_text(document))


def echo_command(line: str) -> None:
    """A GitHub Actions workflow command this program built (``::error title=…::…``, its data
    escaped by ``github.summary``): one line, the values in it escaped as ``safe`` does, its
    leading ``::`` kept (``echo`` would defuse it), no ``##[`` in it."""
    click.echo(no_workflow_commands(safe(redacted(line)), line_starts=False))


def echo_trusted(text: str, *, err: bool = False, nl: bool = True) -> None:
    """Text this program rendered and escaped itself (the coloured drift alert)."""
    click.echo(no_workflow_commands(text), err=err, nl=nl)


class SafeFormatter(logging.Formatter):
    """Log lines (which quote file names and keys) escaped like everything else printed."""

    def format(self, record: logging.LogRecord) -> str:
        return no_workflow_commands(safe_lines(redacted(super().format(record))))

"""Jinja2 templates: a user's directory first, then the ones shipped with tfdrift-gitops.

A user overrides templates file by file: a ``slack.json.j2`` in their directory replaces ours,
the others still come from the package. Shipped templates live in the top-level ``templates/``
directory, which the wheel installs as the ``tfdrift_gitops.templates`` package; in a source
checkout that package does not exist and the directory is read directly.

JSON templates (names ending in ``.json.j2``) are rendered so that hostile text cannot break
out of a string: every ``{{ expression }}`` is emitted as a JSON value (``json.dumps``), so a
template writes ``"text": {{ drift.actor.name | mrkdwn }}`` without quotes around the
expression. The result is parsed before it is returned, so a broken user template fails with
its name in the message instead of sending garbage.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from tfdrift_gitops.errors import ConfigError

REPO_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


PACKAGED_TEMPLATES = Path(__file__).resolve().parent / "templates"
"""Where the wheel installs the top-level ``templates/`` (package ``tfdrift_gitops.templates``)."""


def _packaged_dir() -> Path | None:
    return PACKAGED_TEMPLATES if PACKAGED_TEMPLATES.is_dir() else None


def search_path(user_dir: str | Path | None = None) -> list[Path]:
    """Directories searched, in order: user, packaged, source checkout."""
    dirs: list[Path] = []
    if user_dir:
        user = Path(user_dir)
        if not user.is_dir():
            raise ConfigError(f"templates directory not found: {user}")
        dirs.append(user)
    packaged = _packaged_dir()
    if packaged is not None:
        dirs.append(packaged)
    if REPO_TEMPLATES.is_dir() and REPO_TEMPLATES not in dirs:
        dirs.append(REPO_TEMPLATES)
    return dirs


def _json_finalize(value: Any) -> str:
    import jinja2

    if isinstance(value, jinja2.Undefined):
        str(value)  # StrictUndefined raises here, naming the missing variable
        return "null"
    return json.dumps(value, ensure_ascii=False, default=str)


class Templates:
    """Loads and renders templates; one instance per run (jinja2 caches compiled templates)."""

    def __init__(
        self,
        user_dir: str | Path | None = None,
        filters: Mapping[str, Callable[..., Any]] | None = None,
    ) -> None:
        # Imported here, not at module level: `detect` reads the config (which names templates)
        # without rendering any, and jinja2 costs ~35 ms and 8 MB at start-up (issue 14).
        import jinja2

        self.dirs = search_path(user_dir)
        loader = jinja2.FileSystemLoader([str(d) for d in self.dirs])
        # Autoescape is off: HTML escaping is wrong for JSON and Markdown. JSON templates get a
        # JSON-encoding finalize instead (see module docstring).
        self._json_env = jinja2.Environment(
            loader=loader,
            autoescape=False,  # noqa: S701 - JSON output; values are JSON-encoded by finalize
            finalize=_json_finalize,
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
        )
        self._text_env = jinja2.Environment(
            loader=loader,
            autoescape=False,  # noqa: S701 - Markdown/plain text, escaped per sink by filters
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
        )
        for env in (self._json_env, self._text_env):
            env.filters.update(filters or {})

    def add_filters(self, filters: Mapping[str, Callable[..., Any]]) -> None:
        for env in (self._json_env, self._text_env):
            env.filters.update(filters)

    def render_text(self, name: str, context: Mapping[str, Any]) -> str:
        import jinja2

        try:
            return self._text_env.get_template(name).render(context)
        except jinja2.TemplateError as exc:
            raise ConfigError(f"template {name}: {exc}") from exc

    def render_json(self, name: str, context: Mapping[str, Any]) -> Any:
        """Render a ``.json.j2`` template and return the decoded JSON value."""
        import jinja2

        try:
            text = self._json_env.get_template(name).render(context)
        except jinja2.TemplateError as exc:
            raise ConfigError(f"template {name}: {exc}") from exc
        try:
            return json.loads(text)
        except ValueError as exc:
            raise ConfigError(f"template {name} did not render valid JSON: {exc}") from exc

"""Older state names in the ledger, recognised as the states loaded now.

Before states were named as people know them (``adapters.state_names``), a drift record named
its state by the path it was given on the machine that ran ``detect``: often an absolute path,
sometimes a path relative to that run's working directory. A drift's ledger key includes the
state name, so without this the next event on the same resource would open a second drift and
the old one would never be reassessed. An older name refers to a loaded state when it leads to
the same file (paths resolved, symlinks followed) or names the same ``s3://bucket/key``, in the
same workspace; the ledger then treats the record as that state's and rewrites it under the new
name the next time it writes it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from urllib.parse import urlparse

from tfdrift_gitops.core.state import ParsedState


def is_older_form(name: str) -> bool:
    """A name no current version writes: an absolute path (POSIX or Windows)."""
    return name.startswith(("/", "\\")) or (len(name) > 2 and name[1] == ":" and name[0].isalpha())


class StateAliases:
    """Older name -> the name of the loaded state it refers to, per workspace."""

    def __init__(self, states: Iterable[ParsedState]) -> None:
        states = list(states)
        self.loaded = frozenset((s.source, s.workspace) for s in states)
        self._by_origin = {(s.origin, s.workspace): s.source for s in states if s.origin}
        self.renamed = any(origin != name for (origin, _), name in self._by_origin.items())
        """Is any state named otherwise than an older version named it (its path)? Only then
        can the ledger hold records under older names: S3 states kept theirs."""

    def resolve(self, name: str, workspace: str) -> str | None:
        """The loaded state's name for ``name``; ``name`` itself when it is loaded; None when
        it refers to no loaded state (another machine's path, a state not loaded here)."""
        if (name, workspace) in self.loaded:
            return name
        if not name:
            return None
        if name.startswith("s3://"):
            parsed = urlparse(name)
            origin = f"s3://{parsed.netloc}/{parsed.path.lstrip('/')}"
        elif "://" in name:
            return None
        else:
            # A relative name was relative to the working directory of the run that wrote it:
            # this one's is the best guess, and it only counts if it leads to a loaded file.
            origin = os.path.realpath(name)
        return self._by_origin.get((origin, workspace))

"""What a state is called in drift records and every output: the name its owners know it by.

A state in S3 is ``s3://bucket/key`` (the backend's bucket and key; never an endpoint or a
credential). A local file is named by its path relative to the git repository that holds it,
else relative to the working directory, else by its file name: never the absolute path of the
machine that ran ``detect``, which means nothing on the machine that reads the issue. The name
is made where the file is, when the state is loaded: a ledger read elsewhere keeps it.

A path reached through a symlink is named as given when a repository holds it that way (a
repository's ``states/prod.tfstate`` linking to a shared mount), else as the file it leads to
(a link from outside into a checkout).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from tfdrift_gitops.adapters.aws import split_s3_url


def s3_state_name(url: str) -> str:
    bucket, key = split_s3_url(url)
    return f"s3://{bucket}/{key}"


@dataclass(frozen=True, slots=True)
class LocalName:
    """A local state's name and the absolute path it was taken from (to lengthen it when two
    different files would share it)."""

    name: str
    anchor: Path
    real: Path


def _git_root(path: Path) -> Path | None:
    for parent in path.parents:
        if (parent / ".git").exists():  # a directory, or a file in a worktree or submodule
            return parent
    return None


def _relative(path: Path, base: Path) -> str | None:
    try:
        relative = path.relative_to(base)
    except ValueError:
        return None
    return PurePosixPath(relative).as_posix() if relative.parts else None


def local_state_name(path: str | Path, cwd: Path | None = None) -> LocalName:
    """The name of the state file at ``path`` (relative paths are taken from ``cwd``, default
    the working directory)."""
    here = Path(os.path.abspath(cwd if cwd is not None else Path.cwd()))
    given = Path(os.path.normpath(here / path))
    real = given.resolve()
    candidates = dict.fromkeys([given, real])
    for candidate in candidates:
        root = _git_root(candidate)
        if root is not None:
            name = _relative(candidate, root)
            if name:
                return LocalName(name, candidate, real)
    # Under "/" (a container's usual working directory) a relative path is the absolute one.
    bases = [b for b in dict.fromkeys([here, here.resolve()]) if b.parent != b]
    for candidate in candidates:
        for base in bases:
            name = _relative(candidate, base)
            if name:
                return LocalName(name, candidate, real)
    return LocalName(given.name, given, real)


def unique_local_names(names: Sequence[LocalName]) -> list[str]:
    """The names, each different file named differently: where two files would share a name
    (``terraform.tfstate`` at the root of two repositories), both take more of their leading
    folders until they differ. The same file reached by two paths is no clash."""
    out = [n.name for n in names]
    while True:
        files: dict[str, set[Path]] = {}
        for index, n in enumerate(names):
            files.setdefault(out[index], set()).add(n.real)
        clashing = {name for name, reals in files.items() if len(reals) > 1}
        grown = False
        for index, n in enumerate(names):
            if out[index] in clashing:
                parts = n.anchor.parts[1:]  # never the root: a name is never absolute
                depth = min(len(PurePosixPath(out[index]).parts) + 1, len(parts))
                longer = PurePosixPath(*parts[-depth:]).as_posix()
                grown = grown or longer != out[index]
                out[index] = longer
        if not grown:  # no clash left (or none that more folders could settle)
            return out

"""Map resource addresses to the files and blocks that declare them.

A :class:`Workspace` reads the Terraform root (``--workdir``) and every local module it calls
(``source = "./modules/x"``, nested, ``../`` allowed while it stays inside the repository
root). Parses are cached by path, modification time and size, so many drifts in one run parse
each file once. Remote modules, sources leaving the repository and symlinks pointing outside it
are refused with a reason a person can act on.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tfdrift_gitops.errors import RemediationError
from tfdrift_gitops.remediation.address import Address, parse_address
from tfdrift_gitops.remediation.hcl_tree import (
    Attribute,
    Block,
    Lines,
    Node,
    literal,
    parse,
    top_attributes,
    top_blocks,
)

log = logging.getLogger(__name__)

MAX_MODULE_DEPTH = 32
REMOTE_PREFIXES = (
    "git::",
    "hg::",
    "s3::",
    "gcs::",
    "http://",
    "https://",
    "git@",
    "github.com/",
    "bitbucket.org/",
)


@dataclass(slots=True)
class SourceFile:
    path: Path
    """Resolved absolute path."""
    rel: str
    """Path relative to the repository root, POSIX separators (what diffs and PRs name)."""
    text: str
    tree: Node
    lines: Lines
    writable: bool = True

    def where(self, offset: int) -> str:
        return f"{self.rel}:{self.lines.line_of(offset)}"


@dataclass(frozen=True, slots=True)
class Declared:
    """A block or attribute and the file it is in."""

    file: SourceFile
    block: Block

    def where(self) -> str:
        return self.file.where(self.block.start)


@dataclass(frozen=True, slots=True)
class LocalValue:
    file: SourceFile
    attribute: Attribute

    def where(self) -> str:
        return self.file.where(self.attribute.start)


@dataclass(slots=True)
class Module:
    """One directory of ``.tf`` files."""

    dir: Path
    rel: str
    files: list[SourceFile]
    resources: dict[str, Declared] = field(default_factory=dict)
    """``type.name`` (``data.type.name`` for data sources) -> declaration."""
    module_calls: dict[str, Declared] = field(default_factory=dict)
    variables: dict[str, Declared] = field(default_factory=dict)
    locals: dict[str, LocalValue] = field(default_factory=dict)
    outputs: dict[str, Declared] = field(default_factory=dict)
    overridden: set[str] = field(default_factory=set)
    other_blocks: list[Declared] = field(default_factory=list)
    """import / removed / moved / terraform / provider blocks."""
    json_files: list[str] = field(default_factory=list)

    @property
    def display(self) -> str:
        return self.rel or "."


@dataclass(frozen=True, slots=True)
class CallStep:
    """``module "name" {...}`` in ``caller``, with the instance key the address used."""

    caller: Module
    call: Declared
    key: str | int | None
    callee: Module

    @property
    def name(self) -> str:
        return self.call.block.labels[0] if self.call.block.labels else "?"


@dataclass(frozen=True, slots=True)
class Located:
    address: Address
    module: Module
    declared: Declared
    calls: tuple[CallStep, ...]
    """Module calls from the root down to ``module``."""
    callers_of_module: tuple[str, ...]
    """Every module call (by path) in the tree that uses ``module``'s directory."""

    @property
    def file(self) -> SourceFile:
        return self.declared.file

    @property
    def block(self) -> Block:
        return self.declared.block


def read_exact(path: Path) -> str:
    """The file's text with its line endings as they are (no universal-newline translation)."""
    with open(path, encoding="utf-8", newline="") as stream:
        return stream.read()


def _git_root_above(start: Path) -> Path | None:
    for candidate in (start, *start.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def _repository_of_link(path: Path) -> Path | None:
    """The git root holding the lowest symlink on ``path`` (an absolute, unresolved path),
    resolved; None when no component is a symlink or no repository holds it."""
    link = next((c for c in (path, *path.parents) if c.is_symlink()), None)
    if link is None:
        return None
    root = _git_root_above(link.parent.resolve())
    return root


def find_repo_root(start: Path) -> Path:
    """The git root above ``start`` (a ``.git`` directory or file), else ``start`` itself."""
    current = start.resolve()
    return _git_root_above(current) or current


def is_inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


class Workspace:
    """The Terraform root, its local modules and a parse cache for one run."""

    def __init__(self, workdir: Path | str, repo_root: Path | str | None = None) -> None:
        given = Path(workdir)
        if not given.is_dir():
            raise RemediationError(f"workdir {given} is not a directory")
        self.workdir = given.resolve()
        self.root = Path(repo_root).resolve() if repo_root else find_repo_root(self.workdir)
        # A workdir reached through a symlink is confined to the repository it is reached
        # from, not only the one (if any) its real path lies in: a link out of the repository
        # must not make the edits land outside it.
        named_in = None if repo_root else _repository_of_link(Path(os.path.abspath(given)))
        if named_in is not None and not is_inside(self.workdir, named_in):
            raise RemediationError(
                f"workdir {given} leads to {self.workdir}, outside the repository {named_in}"
            )
        if not is_inside(self.workdir, self.root):
            raise RemediationError(
                f"workdir {self.workdir} is outside the repository root {self.root}"
            )
        self._files: dict[Path, tuple[int, int, SourceFile]] = {}
        self._modules: dict[Path, Module] = {}
        self._tree_built = False
        self._callers: dict[Path, list[str]] = {}
        self.parse_count = 0

    # ------------------------------------------------------------------ files

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix() if is_inside(path, self.root) else str(path)

    def read(self, path: Path) -> SourceFile:
        """Parse ``path`` (cached while its mtime and size are unchanged)."""
        real = path.resolve()
        stat = real.stat()
        cached = self._files.get(real)
        if cached is not None and cached[0] == stat.st_mtime_ns and cached[1] == stat.st_size:
            return cached[2]
        rel = self.rel(real)
        try:
            text = read_exact(real)
        except UnicodeDecodeError as exc:
            raise RemediationError(f"{rel}: not UTF-8 text: {exc}") from None
        except OSError as exc:
            raise RemediationError(f"{rel}: cannot read: {exc.strerror}") from None
        tree = parse(text, rel)
        self.parse_count += 1
        source = SourceFile(real, rel, text, tree, Lines(text), is_inside(real, self.root))
        self._files[real] = (stat.st_mtime_ns, stat.st_size, source)
        return source

    def forget(self, path: Path) -> None:
        """Drop cached parses after ``path`` was written."""
        real = path.resolve()
        self._files.pop(real, None)
        self._modules.pop(real.parent, None)
        self._tree_built = False

    def _checked_dir(self, directory: Path, why: str) -> Path:
        real = directory.resolve()
        if not is_inside(real, self.root):
            link = _first_symlink(directory, self.root)
            via = f" (through the symlink {link})" if link else ""
            raise RemediationError(
                f"{why}: {directory} resolves to {real}{via}, outside the repository root "
                f"{self.root}; code outside the repository is never read or written"
            )
        if not real.is_dir():
            raise RemediationError(f"{why}: {directory} is not a directory")
        return real

    # ------------------------------------------------------------------ modules

    def module(self, directory: Path) -> Module:
        real = self._checked_dir(directory, "module directory")
        cached = self._modules.get(real)
        if cached is not None and all(self._fresh(f) for f in cached.files):
            return cached
        module = self._load_module(real)
        self._modules[real] = module
        return module

    def _fresh(self, source: SourceFile) -> bool:
        try:
            stat = source.path.stat()
        except OSError:
            return False
        cached = self._files.get(source.path)
        return cached is not None and cached[2] is source and cached[0] == stat.st_mtime_ns

    def _load_module(self, real: Path) -> Module:
        names = sorted(os.listdir(real))
        files: list[SourceFile] = []
        module = Module(dir=real, rel=self.rel(real) if real != self.root else "", files=files)
        for name in names:
            if name.endswith(".tf.json"):
                module.json_files.append(name)
                continue
            if not name.endswith(".tf"):
                continue
            path = real / name
            if not path.is_file():
                continue
            source = self.read(path)
            if not source.writable:
                log.warning("%s/%s resolves outside the repository: read-only", real, name)
            files.append(source)
            override = name == "override.tf" or name.endswith("_override.tf")
            self._index(module, source, override)
        return module

    def _index(self, module: Module, source: SourceFile, override: bool) -> None:
        for block in top_blocks(source.tree):
            declared = Declared(source, block)
            labels = block.labels
            key: str | None = None
            table: dict[str, Declared] | None = None
            if block.type == "resource" and len(labels) == 2:
                key, table = f"{labels[0]}.{labels[1]}", module.resources
            elif block.type == "data" and len(labels) == 2:
                key, table = f"data.{labels[0]}.{labels[1]}", module.resources
            elif block.type == "module" and len(labels) == 1:
                key, table = labels[0], module.module_calls
            elif block.type == "variable" and len(labels) == 1:
                key, table = labels[0], module.variables
            elif block.type == "output" and len(labels) == 1:
                key, table = labels[0], module.outputs
            elif block.type == "locals":
                for attribute in block.attributes():
                    module.locals.setdefault(attribute.name, LocalValue(source, attribute))
                continue
            else:
                module.other_blocks.append(declared)
                continue
            if override:
                module.overridden.add(key)
                continue
            if key in table:
                first = table[key]
                raise RemediationError(
                    f"{source.where(block.start)}: {block.type} {key!r} is declared twice "
                    f"(also at {first.where()}); Terraform would reject this code"
                )
            table[key] = declared

    def root_module(self) -> Module:
        return self.module(self.workdir)

    def resolve_source(self, caller: Module, call: Declared) -> Module:
        """The module a ``module`` block calls; refuses remote and escaping sources."""
        where = call.where()
        name = call.block.labels[0] if call.block.labels else "?"
        source_attr = call.block.attribute("source")
        if source_attr is None:
            raise RemediationError(f"{where}: module {name!r} has no source")
        source = literal(source_attr.expr)
        if not isinstance(source, str):
            raise RemediationError(
                f"{where}: module {name!r} has a computed source; only literal local paths "
                "can be followed"
            )
        if not source.startswith(("./", "../")):
            kind = "remote" if source.startswith(REMOTE_PREFIXES) or "/" in source else "non-local"
            raise RemediationError(
                f"{where}: module {name!r} uses the {kind} source {source!r}; its code is not in "
                "this repository, so it cannot be patched here (change the module's inputs or "
                "its own repository instead)"
            )
        target = caller.dir / source
        return self.module(self._checked_dir(target, f"{where}: module {name!r} source"))

    # ------------------------------------------------------------------ the module tree

    def walk(self) -> Iterator[tuple[str, Module]]:
        """(call path, module) for the root and every reachable local module."""
        root = self.root_module()
        stack: list[tuple[str, Module, int, tuple[Path, ...]]] = [("", root, 0, (root.dir,))]
        while stack:
            path, module, depth, seen = stack.pop()
            yield path, module
            if depth >= MAX_MODULE_DEPTH:
                continue
            for name, call in sorted(module.module_calls.items(), reverse=True):
                try:
                    child = self.resolve_source(module, call)
                except RemediationError as exc:
                    log.debug("not following module %s: %s", name, exc)
                    continue
                if child.dir in seen:
                    continue  # a cycle: Terraform itself would reject it
                child_path = f"{path}.module.{name}" if path else f"module.{name}"
                stack.append((child_path, child, depth + 1, (*seen, child.dir)))

    def callers(self, module: Module) -> tuple[str, ...]:
        if not self._tree_built:
            self._callers = {}
            for path, mod in self.walk():
                self._callers.setdefault(mod.dir, []).append(path or "(root)")
            self._tree_built = True
        return tuple(self._callers.get(module.dir, ()))

    def all_files(self) -> list[SourceFile]:
        """Every parsed ``.tf`` file of the root and its local modules (parses them all)."""
        seen: dict[Path, SourceFile] = {}
        for _, module in self.walk():
            for source in module.files:
                seen.setdefault(source.path, source)
        return list(seen.values())

    # ------------------------------------------------------------------ addresses

    def locate(self, address: str | Address) -> Located:
        parsed = parse_address(address) if isinstance(address, str) else address
        if parsed.mode == "data":
            raise RemediationError(
                f"{parsed}: data sources are read, not managed; nothing to patch"
            )
        module = self.root_module()
        calls: list[CallStep] = []
        for step in parsed.modules:
            call = module.module_calls.get(step.name)
            if call is None:
                raise RemediationError(
                    f"{parsed}: no module {step.name!r} is called in {module.display} "
                    f"(looked in {_file_list(module)})"
                )
            child = self.resolve_source(module, call)
            calls.append(CallStep(module, call, step.key, child))
            module = child
        declared = module.resources.get(parsed.local_address)
        if declared is None:
            extra = ""
            if module.json_files:
                extra = f"; JSON configuration files are not read: {', '.join(module.json_files)}"
            raise RemediationError(
                f"{parsed}: no resource {parsed.local_address!r} is declared in "
                f"{module.display} (looked in {_file_list(module)}){extra}"
            )
        if parsed.local_address in module.overridden:
            raise RemediationError(
                f"{parsed}: {declared.where()} is merged with an override file in "
                f"{module.display}; patch the override by hand"
            )
        return Located(parsed, module, declared, tuple(calls), self.callers(module))

    # ------------------------------------------------------------------ variables files

    def tfvars_files(self) -> list[SourceFile]:
        """``*.tfvars`` in the root: auto-loaded ones first, then the rest (``-var-file``)."""
        names = sorted(os.listdir(self.workdir))
        # Terraform's load order: terraform.tfvars, then *.auto.tfvars by name; later wins.
        auto = [n for n in names if n == "terraform.tfvars"]
        auto += [n for n in names if n.endswith(".auto.tfvars")]
        other = [n for n in names if n.endswith(".tfvars") and n not in auto]
        out = []
        for name in auto + other:
            path = self.workdir / name
            if path.is_file():
                out.append(self.read(path))
        return out

    def tfvars_assignments(self, variable: str) -> list[tuple[SourceFile, Attribute]]:
        found = []
        for source in self.tfvars_files():
            for attribute in top_attributes(source.tree):
                if attribute.name == variable:
                    found.append((source, attribute))
        return found


def auto_loaded(source: SourceFile) -> bool:
    name = Path(source.rel).name
    return name == "terraform.tfvars" or name.endswith(".auto.tfvars")


def _file_list(module: Module) -> str:
    names = [Path(f.rel).name for f in module.files]
    return ", ".join(names) if names else "no .tf files"


def _first_symlink(path: Path, root: Path) -> Path | None:
    current = Path(path.anchor)
    for part in path.parts[1:]:
        current = current / part
        if current.is_symlink():
            return current
    del root
    return None

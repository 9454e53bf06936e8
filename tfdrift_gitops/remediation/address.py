"""Terraform resource addresses as the state writes them.

``module.net["eu"].module.sg.aws_security_group.web[0]`` -> module steps with their instance
keys, then type, name and instance key. String keys use HCL quoting (Terraform formats them
that way), so ``["a\\"b"]`` and ``["$${x}"]`` decode like HCL string literals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tfdrift_gitops.errors import RemediationError
from tfdrift_gitops.remediation.hcl_tree import decode_template

Key = str | int | None

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


@dataclass(frozen=True, slots=True)
class ModuleStep:
    name: str
    key: Key = None


@dataclass(frozen=True, slots=True)
class Address:
    modules: tuple[ModuleStep, ...]
    type: str
    name: str
    key: Key = None
    mode: str = "managed"

    @property
    def config_address(self) -> str:
        """The address without instance keys: what a block in the code declares."""
        parts = [f"module.{m.name}" for m in self.modules]
        prefix = "data." if self.mode == "data" else ""
        parts.append(f"{prefix}{self.type}.{self.name}")
        return ".".join(parts)

    @property
    def local_address(self) -> str:
        """``type.name`` as written inside the module that declares the resource."""
        prefix = "data." if self.mode == "data" else ""
        return f"{prefix}{self.type}.{self.name}"

    @property
    def module_path(self) -> str:
        return ".".join(f"module.{m.name}{format_key(m.key)}" for m in self.modules)

    def __str__(self) -> str:
        parts = [f"module.{m.name}{format_key(m.key)}" for m in self.modules]
        prefix = "data." if self.mode == "data" else ""
        parts.append(f"{prefix}{self.type}.{self.name}{format_key(self.key)}")
        return ".".join(parts)


def format_key(key: Key) -> str:
    if key is None:
        return ""
    if isinstance(key, int):
        return f"[{key}]"
    from tfdrift_gitops.remediation.hcl_escape import quote_string

    return f"[{quote_string(key)}]"


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def error(self, why: str) -> RemediationError:
        return RemediationError(
            f"resource address {self.text!r} is not valid at character {self.pos + 1}: {why}"
        )

    def name(self) -> str:
        match = _NAME.match(self.text, self.pos)
        if match is None:
            raise self.error("expected a name")
        self.pos = match.end()
        return match.group(0)

    def dot(self) -> None:
        if not self.text.startswith(".", self.pos):
            raise self.error("expected '.'")
        self.pos += 1

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def key(self) -> Key:
        if not self.text.startswith("[", self.pos):
            return None
        self.pos += 1
        if self.text.startswith('"', self.pos):
            end = self.pos + 1
            while end < len(self.text) and self.text[end] != '"':
                end += 2 if self.text[end] == "\\" else 1
            if end >= len(self.text):
                raise self.error("unterminated string key")
            decoded = decode_template(self.text[self.pos + 1 : end], backslash_escapes=True)
            if not isinstance(decoded, str):
                raise self.error("string key holds a template sequence")
            self.pos = end + 1
            value: Key = decoded
        else:
            match = re.compile(r"\d+").match(self.text, self.pos)
            if match is None:
                raise self.error("expected a number or a quoted string key")
            self.pos = match.end()
            value = int(match.group(0))
        if not self.text.startswith("]", self.pos):
            raise self.error("expected ']'")
        self.pos += 1
        return value


def parse_address(text: str) -> Address:
    if not text:
        raise RemediationError("the drift has no resource address (an unmanaged resource?)")
    scanner = _Scanner(text.strip())
    modules: list[ModuleStep] = []
    mode = "managed"
    while True:
        word = scanner.name()
        if word == "module":
            scanner.dot()
            name = scanner.name()
            modules.append(ModuleStep(name, scanner.key()))
            scanner.dot()
            continue
        if word == "data":
            mode = "data"
            scanner.dot()
            word = scanner.name()
        rtype = word
        scanner.dot()
        name = scanner.name()
        key = scanner.key()
        if not scanner.at_end():
            raise scanner.error("unexpected text after the resource name")
        return Address(tuple(modules), rtype, name, key, mode)

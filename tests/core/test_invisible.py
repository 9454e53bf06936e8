"""The list of characters that hide text covers every Unicode format character (category Cf)
this interpreter knows, and the blank letters it names."""

from __future__ import annotations

import sys
import unicodedata

import pytest

from tfdrift_gitops.core.invisible import INVISIBLE, escape_code


def test_every_format_character_is_listed() -> None:
    missing = [
        f"U+{code:04X}"
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)) == "Cf" and not INVISIBLE.match(chr(code))
    ]
    assert missing == []


def test_nothing_visible_is_listed() -> None:
    # Besides Cf: code points this Unicode version has not assigned yet (later Cf) and the
    # blank letters and marks, which render as nothing.
    listed = {
        f"U+{code:04X}": unicodedata.category(chr(code))
        for code in range(sys.maxunicode + 1)
        if INVISIBLE.match(chr(code)) and unicodedata.category(chr(code)) not in ("Cf", "Cn")
    }
    assert listed == {
        "U+034F": "Mn",
        "U+115F": "Lo",
        "U+1160": "Lo",
        "U+17B4": "Mn",
        "U+17B5": "Mn",
        "U+3164": "Lo",
        "U+FFA0": "Lo",
    }


@pytest.mark.parametrize(
    ("char", "shown"),
    [
        pytest.param("\u200b", "\\u200b", id="bmp"),
        pytest.param("\U000e0041", "\\U000e0041", id="astral"),
    ],
)
def test_escape_code(char: str, shown: str) -> None:
    assert escape_code(char) == shown

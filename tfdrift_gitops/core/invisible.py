"""Characters that hide or disguise text: one list for every output sink.

A CloudTrail value (a user agent, a policy document, a tag value, a description) may hold
characters that a reader cannot see: Unicode format characters (zero-width space and joiners,
word joiner, soft hyphen, bidi marks, embeddings, overrides and isolates, BOM, the invisible
tag characters U+E0020-U+E007F), and a few letters and marks that render as nothing (Hangul
fillers, the combining grapheme joiner, Khmer inherent vowels). ``admin\\u2060`` then reads as
``admin`` in an issue, a Slack message or a terminal, and ``\\u2067`` reorders what follows it.
Each sink shows these characters in its own visible form (``\\uXXXX``, U+FFFD); this module
only says which they are.

``FORMAT_CHARACTERS`` is every code point of general category Cf in Unicode 14 (Python 3.11's
``unicodedata``); tests/core/test_invisible.py checks it against the running interpreter.
"""

from __future__ import annotations

import re
from typing import Final

FORMAT_CHARACTERS: Final = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"
)
"""Unicode general category Cf, as a regex character class body."""

BLANK_LETTERS: Final = "\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0"
"""Letters and marks that render as nothing: combining grapheme joiner, Hangul choseong and
jungseong fillers, Khmer inherent vowels, Hangul filler, halfwidth Hangul filler."""

INVISIBLE_CLASS: Final = FORMAT_CHARACTERS + BLANK_LETTERS
"""Both lists, as a regex character class body (without the brackets)."""

INVISIBLE: Final = re.compile(f"[{INVISIBLE_CLASS}]")


def escape_code(char: str) -> str:
    """``\\uXXXX`` (``\\UXXXXXXXX`` past the BMP): the visible form of one character."""
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"

"""Escaping text that came from CloudTrail for each chat sink.

Everything in a drift that a person or an attacker chose (session names, user agents, tag
values, bucket names, request parameters) is hostile. A session name of ``<!channel>`` must
not page a whole Slack channel, and ``@everyone`` must not ping a Discord server.
"""

from __future__ import annotations

import re

from tfdrift_gitops.core.invisible import INVISIBLE_CLASS

ZWSP = "\u200b"
# A backtick inside a code span would end it; this look-alike (U+02CB) cannot.
BACKTICK_STANDIN = "\u02cb"

# Control characters, line separators and the characters that hide or reorder text (format
# characters such as zero-width spaces, bidi marks, overrides and isolates, and blank letters:
# core.invisible): a chat client would show ``admin\u2060`` as ``admin``. Lone surrogates
# too: sent as a JSON escape, they make a payload Slack or Discord may refuse whole. Newlines
# are kept where a field is multi-line by design and removed elsewhere.
_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff{INVISIBLE_CLASS}]")


def strip_controls(text: str) -> str:
    return _CONTROL.sub("\ufffd", text)


def one_line(text: str) -> str:
    return strip_controls(text.replace("\r", " ").replace("\n", " ").replace("\t", " "))


# An escape cut short: templates cut text already escaped, and half of Slack's "&lt;" would be
# a bare "&" followed by letters, a Discord "<" or "@" without its zero-width space a "<" or
# "@" the next text could complete.
_HALF_ENTITY = re.compile(r"(&[a-z]{0,3}|[<@])\Z")


def truncate(text: str, limit: int) -> str:
    """At most ``limit`` characters, with an ellipsis when cut; never half of an escape
    (``&amp;``, ``&lt;``, ``&gt;``, ``<`` or ``@`` and its zero-width space)."""
    if limit <= 0:
        return ""
    if len(text) <= limit:
        return text
    return _HALF_ENTITY.sub("", text[: limit - 1]) + "…"


def nonblank(text: str) -> str:
    """``-`` for a value with nothing to show: Slack refuses an empty text object, and an
    empty code span (two backticks) would pair with the next span's backtick instead."""
    return text if text.strip() else "-"


# --------------------------------------------------------------------------- Slack


# No word boundary required: "@everyone_1" must not be left for a client to read as
# "@everyone" followed by text.
_SLACK_MASS_MENTION = re.compile(r"@(?=channel|here|everyone)", re.IGNORECASE)

# Slack mrkdwn has no escape for its formatting characters: ``*bold*``, ``_italic_``,
# ``~strike~``, a backtick opening a code span that swallows the rest of the line, ``>`` (even
# as ``&gt;``) quoting a line. Outside a code span these become look-alikes (the ones jsx-slack
# uses): ``*`` U+2217 ASTERISK OPERATOR, ``_`` U+02CD MODIFIER LETTER LOW MACRON, ``~`` U+223C
# TILDE OPERATOR, a backtick U+02CB MODIFIER LETTER GRAVE ACCENT, and a line-leading ``>`` U+02C3
# MODIFIER LETTER RIGHT ARROWHEAD. Slack opens and closes ``*_~`` formatting only next to a
# non-word character, so one between two ASCII letters or digits (``aws_security_group``,
# ``my_role_name``, ``a*b``) is kept as typed: a plain name reads unchanged.
SLACK_LOOKALIKES = {"*": "\u2217", "_": "\u02cd", "~": "\u223c", "`": BACKTICK_STANDIN}
_SLACK_FORMATTING = re.compile(r"`|(?<![A-Za-z0-9])[*_~]|[*_~](?![A-Za-z0-9])")
_SLACK_QUOTE = re.compile(r"(?m)^(\s*)(?:&gt;|\uff1e)")


def _slack_entities(text: str) -> str:
    text = strip_controls(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SLACK_MASS_MENTION.sub("@" + ZWSP, text)


def slack_mrkdwn(text: str) -> str:
    """Text for a Slack mrkdwn text object, outside a code span (the top-level ``text`` a
    notification shows, a custom template's fields). Slack's three control characters are
    escaped: with ``<`` and ``>`` escaped no ``<!channel>``, ``<@U123>``, ``<#C123>`` or
    ``<http://x|label>`` can form; ``&`` is escaped first so that an existing ``&lt;`` stays
    literal text. A plain ``@channel``, ``@here`` or ``@everyone`` (a RoleSessionName may be
    ``@here``) is broken with a zero-width space: Block Kit parses those words in a mrkdwn text
    object unless it is ``verbatim``. Formatting characters that could open or close
    formatting become look-alikes (``SLACK_LOOKALIKES``): Slack has no escape for them."""
    text = _SLACK_FORMATTING.sub(lambda m: SLACK_LOOKALIKES[m.group()], _slack_entities(text))
    return _SLACK_QUOTE.sub("\\1\u02c3", text)


def slack_code(text: str) -> str:
    """Text for inside a Slack `code span`: ``slack_plain``'s, and backticks cannot close the
    span (formatting characters are literal there and stay as typed)."""
    return slack_plain(text).replace("`", BACKTICK_STANDIN)


def slack_plain(text: str) -> str:
    """One line for a Block Kit ``plain_text`` object (sent with ``"emoji": false``). Slack
    parses no formatting, mention, link or emoji code there, so ``*URGENT*``, ``_ops_`` and
    ``~x~`` are shown as typed, with no look-alike. ``&``, ``<`` and ``>`` are still escaped:
    Slack's docs ask for that in every text object and decode those three entities for display
    (so ``<!channel>`` reads as typed, and a value that holds ``&lt;`` reads ``&lt;``). Hidden
    characters and line breaks go as everywhere, ``@here`` and the like get their zero-width
    space, and an empty value is ``-`` (Slack refuses an empty text)."""
    return nonblank(_slack_entities(one_line(text)))


# --------------------------------------------------------------------------- Discord

_DISCORD_MARKDOWN = re.compile(r"([\\*_~`|\[\]()])")
# Headings, quotes and list markers only mean something at the start of a line.
_DISCORD_LINE_START = re.compile(r"(?m)^(\s*)([#>+-])")
_DISCORD_NUMBERED = re.compile(r"(?m)^(\s*\d+)\.")
# Discord's angle syntax keeps growing (<@id>, <@&id>, <#id>, <:e:id>, <a:e:id>, <t:0:R>,
# </cmd:id>, <id:guide>, <sound:..>): a zero-width space after every "<" that touches text.
_DISCORD_MENTION = re.compile(r"<(?=\S)")
_MASS_MENTION = re.compile(r"@(?=everyone|here)", re.IGNORECASE)  # boundary or not


def discord_text(text: str) -> str:
    """Markdown is escaped with backslashes; ``@everyone``/``@here`` and every ``<`` form
    (``<@id>``, ``<@&id>``, ``<#id>``, ``</cmd:id>``, ``<id:guide>`` ...) are broken with a
    zero-width space. The webhook also sends ``allowed_mentions: {"parse": []}``, so this is
    belt and braces."""
    text = strip_controls(text)
    text = _DISCORD_MARKDOWN.sub(r"\\\1", text)
    text = _DISCORD_LINE_START.sub(r"\1\\\2", text)
    text = _DISCORD_NUMBERED.sub(r"\1\\.", text)
    text = _MASS_MENTION.sub("@" + ZWSP, text)
    return _DISCORD_MENTION.sub("<" + ZWSP, text)


def discord_code(text: str) -> str:
    """Text for inside a Discord `code span`: no markdown applies there, but a backtick would
    end the span, and mentions are still resolved by some clients."""
    text = nonblank(one_line(text).replace("`", BACKTICK_STANDIN))
    text = _MASS_MENTION.sub("@" + ZWSP, text)
    return _DISCORD_MENTION.sub("<" + ZWSP, text)

"""Hostile CloudTrail text through Slack, Discord and the generic webhook, end to end.

Each case puts one attacker-chosen string where a caller can: the actor's name (an AssumeRole
RoleSessionName may hold ``@``) and a tag value in the change. The dispatcher delivers to real
local HTTP receivers; the checks read what arrived:

* Slack: no ``<``/``>`` (so no ``<!channel>``, ``<@U1>``, ``<http://x|y>``), no plain
  ``@channel``/``@here``/``@everyone`` (Block Kit mrkdwn with ``verbatim`` false parses those),
  no character that hides or reorders text (format characters, blank letters). Markup
  (``*bold*``, ``_italic_``, ``~strike~``, backticks, ``> quote``, emoji codes): the blocks carry
  CloudTrail text only in ``plain_text`` objects, shown as typed; the mrkdwn fallback ``text``
  has no character that could open formatting.
* Discord: no mass or id mention, ``allowed_mentions`` empty, no hidden characters; markdown
  (``**``, ``__``, ``~~``, ``||``, backticks, line-leading ``#``/``>``/``-``/``1.``, masked links)
  escaped so that the field shows the value as typed, on one line.
* Webhook: the signed body is the drift record, every character kept (it is for machines).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.collector.receivers import Receiver
from tests.notify.drifts import make_drift
from tfdrift_gitops.core.record import drift_to_record
from tfdrift_gitops.models import Change
from tfdrift_gitops.notify.channel import Secret
from tfdrift_gitops.notify.discord import DiscordChannel
from tfdrift_gitops.notify.dispatcher import Dispatcher, RetryPolicy
from tfdrift_gitops.notify.escape import ZWSP
from tfdrift_gitops.notify.slack import SlackChannel
from tfdrift_gitops.notify.webhook import SIGNATURE_HEADER, WebhookChannel, verify
from tfdrift_gitops.templating import Templates

FAST = RetryPolicy(backoff_base=0.05, backoff_cap=0.2, max_age=30)
SECRET = "whsec-hostile-0123456789"
# Blank letters and marks a reader cannot see (the Cf category is checked by name below).
BLANK = {"\u034f", "\u115f", "\u1160", "\u17b4", "\u17b5", "\u3164", "\uffa0"}

HOSTILE = [
    pytest.param("@here", id="slack-here"),
    pytest.param("@channel ops", id="slack-channel"),
    pytest.param("hi @Everyone", id="everyone-any-case"),
    pytest.param("@everyone_1 @here2", id="mass-mention-glued"),
    pytest.param("<!subteam^S0123|@oncall>", id="subteam-mention"),
    pytest.param("<http://evil.example|alan>", id="masked-link"),
    pytest.param("<@U012AB3CD> &lt;b&gt;", id="user-mention-entities"),
    pytest.param("<id:customize> <sound:1:2> <t:0:R>", id="discord-navigation-mention"),
    pytest.param("ad\u200bmin", id="zero-width-space"),
    pytest.param("admin\u2060", id="word-joiner"),
    pytest.param("\u2067nimda\u2069", id="rtl-isolate"),
    pytest.param("\u202enimda", id="rtl-override"),
    pytest.param("\u061cadmin", id="arabic-letter-mark"),
    pytest.param("\ufeffadmin", id="bom"),
    pytest.param("ad\u00admin", id="soft-hyphen"),
    pytest.param("admin\U000e0061\U000e0062", id="tag-characters"),
    pytest.param("admin\u3164", id="hangul-filler"),
    pytest.param("\x1b[31madmin\r", id="ansi-and-cr"),
    pytest.param("x" * 50_000 + "@here", id="very-long"),
    pytest.param("<" * 1000, id="long-entities-cut"),
    pytest.param("bad\udc80", id="lone-surrogate"),
]

# Markup a person chooses where CloudTrail records it (a RoleSessionName allows ``_``, ``=``,
# ``,``, ``.``, ``@`` and ``-``; a tag value or a user agent allows anything).
MARKUP = [
    pytest.param("_ops_", id="italic-session-name"),
    pytest.param("*URGENT*", id="bold"),
    pytest.param("~x~ ~~y~~", id="strikethrough"),
    pytest.param("`rm -rf` and the rest of the line", id="backtick-code-span"),
    pytest.param("x ```fenced``` y", id="code-fence"),
    pytest.param("**b** __u__ ***bi***", id="double-bold-underline"),
    pytest.param("||spoiler||", id="spoiler"),
    pytest.param("# HEADING", id="heading"),
    pytest.param("-# subtext", id="subtext"),
    pytest.param("> quoted", id="quote"),
    pytest.param(">>> block quote", id="block-quote"),
    pytest.param("- item", id="dash-list"),
    pytest.param("1. first", id="numbered-list"),
    pytest.param("[click here](https://evil.example)", id="markdown-masked-link"),
    pytest.param("alan\n# HEADING\n> quote\n- item", id="line-leading-after-newline"),
    pytest.param("back\\slash \\*x\\*", id="backslashes"),
    pytest.param(":rotating_light: :white_check_mark:", id="emoji-codes"),
]
ALL = HOSTILE + MARKUP


def _hidden(text: str) -> list[str]:
    return [f"U+{ord(c):04X}" for c in text if unicodedata.category(c) == "Cf" or c in BLANK]


def _ours_removed(text: str) -> str:
    """Without the zero-width space the escaping itself puts after ``@`` and ``<``."""
    return re.sub(f"(?<=[@<]){ZWSP}", "", text)


def _strings(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, key)
    elif isinstance(value, str):
        yield key, value


def _slack_mrkdwn_texts(payload: dict[str, Any]) -> list[str]:
    texts = [payload["text"]]
    for block in payload["blocks"]:
        for obj in [block.get("text"), *block.get("fields", []), *block.get("elements", [])]:
            if isinstance(obj, dict) and obj.get("type") == "mrkdwn":
                texts.append(obj["text"])
    return texts


@pytest.fixture(scope="module")
def deliveries() -> dict[str, tuple[Any, Any, bytes, dict[str, str], dict[str, Any]]]:
    """Every case delivered once, by one dispatcher, to three real receivers."""
    slack_rx, discord_rx, hook_rx = Receiver(), Receiver(), Receiver()
    templates = Templates()
    dispatcher = Dispatcher(
        [
            SlackChannel(Secret(slack_rx.url("/services/T0/B0/x")), templates),
            DiscordChannel(Secret(discord_rx.url("/api/webhooks/1/t")), templates),
            WebhookChannel(Secret(hook_rx.url()), Secret(SECRET)),
        ],
        timeout=2.0,
        policy=FAST,
    )
    values = [str(case.values[0]) for case in ALL]
    drifts = {}
    try:
        for number, value in enumerate(values):
            drift = make_drift(
                actor_name=value,
                changes=(Change("tags", {"Owner": "web"}, {"Owner": value}),),
                drift_id=f"d-{number:016x}",
            )
            drifts[drift.id] = drift
            assert dispatcher.submit(drift, "opened") == 3
        slack = {_slack_id(r.json()): r.json() for r in slack_rx.wait_for(len(values))}
        discord = {_discord_id(r.json()): r.json() for r in discord_rx.wait_for(len(values))}
        hooks = {json.loads(r.body)["id"]: r for r in hook_rx.wait_for(len(values))}
        assert dispatcher.flush(5)
    finally:
        dispatcher.close(timeout=1.0)
        for receiver in (slack_rx, discord_rx, hook_rx):
            receiver.close()
    return {
        str(drift.actor.name): (
            slack[drift_id],
            discord[drift_id],
            hooks[drift_id].body,
            hooks[drift_id].headers,
            drift_to_record(drift),
        )
        for drift_id, drift in drifts.items()
    }


_DRIFT_ID = re.compile(r"\bd-[0-9a-f]{16}\b")


def _slack_id(payload: dict[str, Any]) -> str:
    (drift,) = {m for _, t in _strings(payload["blocks"]) for m in _DRIFT_ID.findall(t)}
    return str(drift)


def _discord_id(payload: dict[str, Any]) -> str:
    return str(payload["embeds"][0]["footer"]["text"].split()[1])


@pytest.fixture
def delivered(deliveries: dict[str, Any]) -> Callable[[str], Any]:
    return lambda value: deliveries[value]


@pytest.mark.parametrize("value", ALL)
def test_slack_message_mentions_links_and_hides_nothing(
    delivered: Callable[[str], Any], value: str
) -> None:
    slack, _, _, _, _ = delivered(value)
    for text in _slack_mrkdwn_texts(slack):
        assert "<" not in text and ">" not in text, text[:300]
        assert re.search(r"&(?!amp;|lt;|gt;)", text) is None, text[:300]
    # plain_text is not parsed, but @here there gets its zero-width space all the same.
    for _, obj in _slack_text_objects(slack):
        assert re.search(r"(?i)@(channel|here|everyone)", obj["text"]) is None, obj["text"][:300]
    assert re.search(r"(?i)@(channel|here|everyone)", slack["text"]) is None, slack["text"][:300]
    for key, text in _strings(slack):
        assert _hidden(_ours_removed(text)) == [], (key, text[:300])
        assert "\x1b" not in text and "\r" not in text, (key, text[:300])
        text.encode("utf-8")  # strict: a lone surrogate escape is not JSON every parser takes


@pytest.mark.parametrize("value", ALL)
def test_discord_message_mentions_and_hides_nothing(
    delivered: Callable[[str], Any], value: str
) -> None:
    _, discord, _, _, _ = delivered(value)
    assert discord["allowed_mentions"] == {"parse": []}
    for key, text in _strings(discord):
        assert re.search(r"(?i)@(everyone|here)", text) is None, (key, text[:300])
        # <@id>, <#id>, <:emoji:id>, <t:stamp>, </cmd:id>, <id:guide>, <sound:...>: no "<"
        # may open Discord's angle syntax.
        assert re.search(r"<[^\s\u200b]", text) is None, (key, text[:300])
        assert _hidden(_ours_removed(text)) == [], (key, text[:300])
        assert "\x1b" not in text and "\r" not in text, (key, text[:300])
        text.encode("utf-8")  # strict: a lone surrogate escape is not JSON every parser takes


@pytest.mark.parametrize("value", ALL)
def test_chat_messages_stay_within_the_limits(delivered: Callable[[str], Any], value: str) -> None:
    """Over a limit, Slack or Discord refuses the whole message: the alert is lost."""
    slack, discord, _, _, _ = delivered(value)
    assert len(slack["blocks"]) <= 50
    for block in slack["blocks"]:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        for obj in [block.get("text"), *block.get("elements", [])]:
            if isinstance(obj, dict):
                assert 1 <= len(obj["text"]) <= 3000
        assert len(block.get("fields", [])) <= 10
        assert len(block.get("elements", [])) <= 10
        for field in block.get("fields", []):
            assert 1 <= len(field["text"]) <= 2000
    (embed,) = discord["embeds"]
    assert len(embed["title"]) <= 256
    assert len(embed["description"]) <= 4096
    assert len(embed["footer"]["text"]) <= 2048
    for field in embed["fields"]:
        assert len(field["name"]) <= 256
        assert len(field["value"]) <= 1024, (field["name"], len(field["value"]))
    total = len(embed["title"]) + len(embed["description"]) + len(embed["footer"]["text"])
    total += sum(len(f["name"]) + len(f["value"]) for f in embed["fields"])
    assert total <= 6000


@pytest.mark.parametrize("value", ALL)
def test_webhook_body_is_the_whole_record(delivered: Callable[[str], Any], value: str) -> None:
    _, _, body, headers, record = delivered(value)
    assert verify(SECRET, headers[SIGNATURE_HEADER], body)
    received = json.loads(body)
    assert received == json.loads(json.dumps(record))  # every character kept, none added
    assert received["actor"]["name"] == value


# ------------------------------------------------------------------ markup stays text

_SLACK_LABEL = re.compile(r"\*[A-Z][A-Za-z]*\*")
# Slack opens and closes *bold*, _italic_ and ~strike~ only next to a non-word character; a
# backtick anywhere may open a code span, a line-leading ">" (or "&gt;") a quote.
_SLACK_COULD_FORMAT = re.compile(r"(?m)`|(?<![A-Za-z0-9])[*_~]|[*_~](?![A-Za-z0-9])|^\s*(>|&gt;)")


def _slack_text_objects(payload: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for block in payload["blocks"]:
        for obj in [block.get("text"), *block.get("fields", []), *block.get("elements", [])]:
            if isinstance(obj, dict) and "type" in obj:
                yield block["type"], obj


def _slack_plain_values(payload: dict[str, Any]) -> dict[str, str]:
    """Each section field's value by its label: ``{"User": "alan (person) ..."}``."""
    out: dict[str, str] = {}
    for block in payload["blocks"]:
        fields = block.get("fields", [])
        for label, value in zip(fields[::2], fields[1::2], strict=False):
            out[label["text"].strip("*")] = value["text"]
    return out


@pytest.mark.parametrize("value", MARKUP)
def test_slack_blocks_show_markup_as_typed(delivered: Callable[[str], Any], value: str) -> None:
    """Only our labels are mrkdwn; the value sits in plain_text (emoji codes off), as typed."""
    slack, _, _, _, _ = delivered(value)
    for block_type, obj in _slack_text_objects(slack):
        if obj["type"] == "mrkdwn":
            assert _SLACK_LABEL.fullmatch(obj["text"]), (block_type, obj["text"][:300])
        else:
            assert obj["type"] == "plain_text"
            assert obj["text"].strip(), block_type  # Slack refuses an empty text
            assert obj.get("emoji") is (block_type == "header"), (block_type, obj)
    fields = _slack_plain_values(slack)
    typed = _slack_entities(value.replace("\n", " "))  # Slack decodes these three for display
    assert fields["User"].startswith(f"{typed} (person)"), fields["User"]
    changed = [o["text"] for t, o in _slack_text_objects(slack) if o["text"].startswith("• ")]
    summary = _slack_entities(f'Owner: "web" → {json.dumps(value, ensure_ascii=False)}')
    assert changed == [f"• tags: {summary}"]


def _slack_entities(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@pytest.mark.parametrize("value", ALL)
def test_slack_fallback_text_opens_no_formatting(
    delivered: Callable[[str], Any], value: str
) -> None:
    """The top-level text (what a notification shows) is mrkdwn, where Slack has no escape for
    * _ ~ and backticks: look-alikes, and a plain name reads unchanged."""
    slack, _, _, _, _ = delivered(value)
    text = slack["text"]
    assert _SLACK_COULD_FORMAT.search(text) is None, text[:300]
    assert "aws_security_group.webserver by " in text


def _discord_shown(text: str) -> str:
    """What Discord shows for ``text``, failing on any markdown that would still act: a
    backslash shows the punctuation after it as typed; any other ``* _ ~ ` | [ ] ( ) \\`` or a
    line-leading ``#``, ``>``, ``-``, ``+`` or ``1.`` would format."""
    shown: list[str] = []
    at_line_start = True
    i = 0
    while i < len(text):
        char = text[i]
        if at_line_start:
            assert re.match(r"[ \t]*(?:[#>+-]|\d+\.)", text[i:]) is None, text[:300]
        if char == "\\" and i + 1 < len(text) and not text[i + 1].isalnum():
            shown.append(text[i + 1])
            i += 2
        else:
            assert char not in "*_~`|[]()\\", (char, text[:300])
            shown.append(char)
            i += 1
        at_line_start = char == "\n"
    return "".join(shown)


@pytest.mark.parametrize("value", MARKUP)
def test_discord_fields_show_markup_as_typed(delivered: Callable[[str], Any], value: str) -> None:
    _, discord, _, _, _ = delivered(value)
    (embed,) = discord["embeds"]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    user, _, _ = fields["User"].partition(" (person)")
    assert _discord_shown(user) == value.replace("\n", " ")  # on one line: it adds no line
    for name in ("IP", "Region"):
        _discord_shown(fields[name])
    # The tag value stays inside its code span: one span for the path, one for the summary.
    assert re.fullmatch(r"• `[^`\n]+`: `[^`\n]+`", fields["Changed"]), fields["Changed"]

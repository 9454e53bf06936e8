"""Escaping CloudTrail text for Slack mrkdwn and Discord markdown: no mention, no link."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tfdrift_gitops.notify.escape import (
    ZWSP,
    discord_code,
    discord_text,
    slack_code,
    slack_mrkdwn,
    slack_plain,
    truncate,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("<!channel>", "&lt;!channel&gt;", id="channel"),
        pytest.param("<!here|here>", "&lt;!here|here&gt;", id="here"),
        pytest.param("<@U012AB3CD>", "&lt;@U012AB3CD&gt;", id="user-mention"),
        pytest.param("<#C123>", "&lt;#C123&gt;", id="channel-link"),
        pytest.param("<https://evil|ok>", "&lt;https://evil|ok&gt;", id="link"),
        pytest.param("a &lt; b", "a &amp;lt; b", id="entity-stays-literal"),
        pytest.param("tab\tnew\nline", "tab\tnew\nline", id="whitespace-kept"),
        pytest.param("bell\x07rtl\u202e", "bell\ufffdrtl\ufffd", id="controls-made-visible"),
        pytest.param("_ops_", "\u02cdops\u02cd", id="italic"),
        pytest.param("*URGENT*", "\u2217URGENT\u2217", id="bold"),
        pytest.param("~x~", "\u223cx\u223c", id="strike"),
        pytest.param("`rm` rest", "\u02cbrm\u02cb rest", id="code-span"),
        pytest.param("a\n> quote", "a\n\u02c3 quote", id="line-leading-quote"),
        pytest.param("a\n\uff1e quote", "a\n\u02c3 quote", id="fullwidth-quote"),
        pytest.param("x > y", "x &gt; y", id="mid-line-gt-kept"),
        pytest.param("my_role__x_", "my_role\u02cd\u02cdx\u02cd", id="only-at-boundaries"),
        pytest.param("aws_security_group.web a*b", "aws_security_group.web a*b", id="plain-name"),
    ],
)
def test_slack_mrkdwn(raw: str, expected: str) -> None:
    assert slack_mrkdwn(raw) == expected


def test_slack_code_cannot_close_the_span() -> None:
    assert "`" not in slack_code("a`b``c")
    assert "\n" not in slack_code("one\ntwo")
    assert slack_code("*b* _i_") == "*b* _i_"  # literal inside a code span: kept as typed
    assert slack_code(" ") == "-"  # two backticks would pair with the next span's


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("_ops_ *URGENT* ~x~ `c`", "_ops_ *URGENT* ~x~ `c`", id="markup-as-typed"),
        pytest.param("<!channel> & co", "&lt;!channel&gt; &amp; co", id="entities"),
        pytest.param("@here", f"@{ZWSP}here", id="mass-mention"),
        pytest.param("a\nb\tc", "a b c", id="one-line"),
        pytest.param("", "-", id="empty-is-refused-by-slack"),
        pytest.param("ad\u2060min", "ad\ufffdmin", id="hidden"),
    ],
)
def test_slack_plain(raw: str, expected: str) -> None:
    assert slack_plain(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("@everyone", f"@{ZWSP}everyone", id="everyone"),
        pytest.param("@HERE now", f"@{ZWSP}HERE now", id="here-any-case"),
        pytest.param("<@123456>", f"<{ZWSP}@123456>", id="user-mention"),
        pytest.param("<@&987>", f"<{ZWSP}@&987>", id="role-mention"),
        pytest.param("<#555>", f"<{ZWSP}#555>", id="channel-mention"),
        pytest.param("[x](https://e.example)", "\\[x\\]\\(https://e.example\\)", id="masked-link"),
        pytest.param(
            "**bold** __u__ ~~s~~", "\\*\\*bold\\*\\* \\_\\_u\\_\\_ \\~\\~s\\~\\~", id="md"
        ),
        pytest.param(
            "# title\n> quote\n- item\n1. one",
            "\\# title\n\\> quote\n\\- item\n1\\. one",
            id="line-starts",
        ),
        pytest.param("eu-west-1 a#b", "eu-west-1 a#b", id="mid-line-untouched"),
        pytest.param("||spoiler||", "\\|\\|spoiler\\|\\|", id="spoiler"),
    ],
)
def test_discord_text(raw: str, expected: str) -> None:
    assert discord_text(raw) == expected


def test_discord_code_breaks_mentions_and_backticks() -> None:
    out = discord_code("`@everyone <@1>`")
    assert "`" not in out
    assert "@everyone" not in out
    assert "<@" not in out
    assert discord_code("") == "-"  # two backticks would pair with the next span's


@given(st.text(max_size=200))
def test_no_slack_control_sequence_survives(text: str) -> None:
    out = slack_mrkdwn(text)
    assert "<" not in out
    assert ">" not in out
    assert re.search(r"&(?!amp;|lt;|gt;)", out) is None
    # Slack opens and closes * _ ~ formatting only next to a non-word character.
    assert re.search(r"(?m)`|(?<![A-Za-z0-9])[*_~]|[*_~](?![A-Za-z0-9])|^\s*&gt;", out) is None


@given(st.text(max_size=200))
def test_no_discord_mention_survives(text: str) -> None:
    for out in (discord_text(text), discord_code(text)):
        assert re.search(r"@(everyone|here)", out, re.IGNORECASE) is None
        assert re.search(r"<[@#]", out) is None


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        pytest.param("short", 10, "short", id="fits"),
        pytest.param("abcdefghij", 5, "abcd…", id="cut"),
        pytest.param("abc", 0, "", id="zero"),
    ],
)
def test_truncate(text: str, limit: int, expected: str) -> None:
    assert truncate(text, limit) == expected

"""Hostile values in every field a caller controls reach the report page as text only: no
element, script, link or entity forms from them, a lone surrogate does not break writing the
file, and Chromium shows them literally."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By

from tests.notify.drifts import make_drift
from tests.report.report_data import NOW
from tfdrift_gitops.models import Change, Drift
from tfdrift_gitops.render.report import render_report
from tfdrift_gitops.render.text import safe

ATTACKS = {
    "script": '</script><script>alert("x")</script>',
    "html": "<img src=x onerror=alert(1)>\"'&amp;</td></tr><!--",
    "bidi-and-controls": "a\u202eb\x1b[31mc\u2028d",
    "lone-surrogate": "x\ud800y",
    "hidden-characters": "ad\u2060min\u200b\u2067\ufeff\U000e0041\u3164",
    "template-and-url": "{{ 7*7 }}{% raw %}javascript:alert(1)//\u2028</script>",
}
# Characters a reader cannot see (Unicode Cf, blank letters): shown as \uXXXX, never raw.
_BLANK = {"\u034f", "\u115f", "\u1160", "\u17b4", "\u17b5", "\u3164", "\uffa0"}


def _hostile_drift(value: str) -> Drift:
    drift = make_drift(actor_name=value)
    actor = replace(drift.actor, arn=value, user_agent=value, kind_evidence=value, source_ip=value)
    event = replace(drift.event, name=value, region=value, id=value, account_id=value)
    return replace(
        drift,
        actor=actor,
        event=event,
        events=(event,),
        resource=replace(drift.resource, address=value, state=value, workspace=value),
        changes=(Change(value, None, value), Change("tags", {}, {value: value})),
    )


@pytest.mark.parametrize("value", ATTACKS.values(), ids=ATTACKS.keys())
def test_page_source_holds_no_markup_from_values(value: str) -> None:
    page = render_report([_hostile_drift(value)], now=NOW, repo=value)
    page.encode("utf-8")  # writable as UTF-8 whatever the input
    assert "<img" not in page
    assert 'alert("x")</script>' not in page
    assert page.count("<script") == 2
    assert page.count("</script>") == 2
    assert page.count("<!--") == 0
    assert "\u202e" not in page.split('id="drift-data">')[0]
    hidden = [f"U+{ord(c):04X}" for c in page if unicodedata.category(c) == "Cf" or c in _BLANK]
    assert hidden == []


@pytest.mark.parametrize("value", ATTACKS.values(), ids=ATTACKS.keys())
def test_chromium_shows_values_as_text(
    browser: webdriver.Chrome, tmp_path: Path, value: str
) -> None:
    out = tmp_path / "r.html"
    out.write_text(render_report([_hostile_drift(value)], now=NOW, repo=value), "utf-8")
    browser.get(out.as_uri())
    counts: Any = browser.execute_script(
        "return [document.images.length, document.scripts.length,"
        " document.querySelectorAll('#drifts tr.row').length, document.links.length]"
    )
    assert counts == [0, 2, 1, 0]
    address: Any = browser.execute_script(
        "return document.querySelector('#drifts tr.row td:nth-child(3)').textContent"
    )
    # The very string as text; controls, bidi overrides and surrogates made visible.
    assert address == safe(value)
    browser.find_element(By.CSS_SELECTOR, "#drifts tr.row").click()
    details = browser.find_element(By.CSS_SELECTOR, "#drifts tr.more")
    assert details.find_elements(By.TAG_NAME, "a") == []  # no link from an unchecked region or id

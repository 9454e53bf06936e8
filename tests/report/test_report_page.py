"""The drift report page in a real headless Chromium: no console errors, the counts in the DOM
are the ledger's, the filter narrows the table, rows expand, hostile values stay text; a
screenshot is kept in build/test-artifacts. Page weight for 5,000 drifts stays under 2 MB
(the load time is a bench: bench/bench_report.py)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.report.report_data import HOSTILE, NOW, all_drifts, build_drifts
from tfdrift_gitops.cli import cli
from tfdrift_gitops.ledger import StoredLedger
from tfdrift_gitops.models import ActorKind, Drift
from tfdrift_gitops.render.labels import ACTOR_KIND_LABEL
from tfdrift_gitops.render.report import account_of, render_report, report_context, service_of

MAX_BYTES = 2 * 1024 * 1024


def _write_report(ledger: StoredLedger, out: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "report",
            "--ledger",
            ledger.location,
            "--out",
            str(out),
            "--repo",
            "acme/infra",
            "--now",
            "2026-12-01T12:00:00Z",
        ],
    )
    assert result.exit_code == 0, result.output


def _bars(browser: webdriver.Chrome, section: str) -> dict[str, int]:
    bars = browser.find_elements(By.CSS_SELECTOR, f"#{section} g.bar")
    return {
        b.get_attribute("data-label") or "": int(b.get_attribute("data-count") or -1) for b in bars
    }


def _console(browser: webdriver.Chrome) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = browser.get_log("browser")  # type: ignore[no-untyped-call]
    return entries


def _shown(browser: webdriver.Chrome) -> int:
    return int(browser.find_element(By.ID, "shown").get_attribute("data-count") or -1)


def _visible_rows(browser: webdriver.Chrome) -> int:
    script = "return [...document.querySelectorAll('#drifts tr.row')].filter(r => !r.hidden).length"
    count: Any = browser.execute_script(script)
    return int(count)


@pytest.fixture(scope="module")
def page(
    browser: webdriver.Chrome, ledger_500: StoredLedger, tmp_path_factory: pytest.TempPathFactory
) -> tuple[webdriver.Chrome, tuple[Drift, ...]]:
    out = tmp_path_factory.mktemp("report") / "drift-report.html"
    _write_report(ledger_500, out)
    _console(browser)  # drop whatever an earlier page logged
    browser.get(out.as_uri())
    return browser, all_drifts(ledger_500)


def test_no_console_errors_and_no_network(page: tuple[webdriver.Chrome, tuple[Drift, ...]]) -> None:
    browser, _ = page
    problems = [e for e in _console(browser) if e["level"] in ("SEVERE", "WARNING")]
    assert problems == []
    resources: Any = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert resources == []


def test_counts_match_the_ledger(page: tuple[webdriver.Chrome, tuple[Drift, ...]]) -> None:
    browser, drifts = page
    open_drifts = [d for d in drifts if d.status.is_open]
    assert len(drifts) == 500
    count = browser.find_element(By.ID, "open-count")
    assert int(count.get_attribute("data-count") or -1) == len(open_drifts) == int(count.text)
    severities = Counter(d.severity.value for d in open_drifts)
    assert {k: v for k, v in _bars(browser, "by-severity").items() if v} == dict(severities)
    assert _bars(browser, "by-service") == dict(Counter(service_of(d) for d in open_drifts))
    assert _bars(browser, "by-account") == dict(Counter(account_of(d) for d in open_drifts))
    kinds = Counter(ACTOR_KIND_LABEL[d.actor.kind] for d in open_drifts)
    assert _bars(browser, "by-actor-kind") == dict(kinds)
    assert len(kinds) == 4  # person, CI/CD, automation and AI agent all present
    assert _shown(browser) == _visible_rows(browser) == len(open_drifts)


def test_filters_narrow_the_table(page: tuple[webdriver.Chrome, tuple[Drift, ...]]) -> None:
    browser, drifts = page
    status = Select(browser.find_element(By.ID, "filter-status"))
    kind = Select(browser.find_element(By.ID, "filter-kind"))
    text = browser.find_element(By.ID, "filter-text")
    status.select_by_value("")
    assert _shown(browser) == len(drifts)
    kind.select_by_value(ActorKind.AI_AGENT.value)
    agents = sum(1 for d in drifts if d.actor.kind is ActorKind.AI_AGENT)
    assert 0 < _shown(browser) == _visible_rows(browser) == agents < len(drifts)
    kind.select_by_value("")
    target = drifts[7]
    text.send_keys(target.id)
    assert _shown(browser) == _visible_rows(browser) == 1
    text.clear()
    text.send_keys("no such drift anywhere")
    assert _shown(browser) == 0
    text.clear()
    status.select_by_value("open")
    assert _shown(browser) == sum(1 for d in drifts if d.status.is_open)


def test_rows_expand_to_who_when_where_what_and_links(
    page: tuple[webdriver.Chrome, tuple[Drift, ...]],
) -> None:
    browser, drifts = page
    with_issue = next(
        d for d in drifts if d.issue_number and d.status.is_open and d.resource.address
    )
    text = browser.find_element(By.ID, "filter-text")
    text.clear()
    text.send_keys(with_issue.id)
    row = next(
        r for r in browser.find_elements(By.CSS_SELECTOR, "#drifts tr.row") if r.is_displayed()
    )
    row.click()
    details = browser.find_element(By.CSS_SELECTOR, "#drifts tr.more")
    labels = [dt.text for dt in details.find_elements(By.TAG_NAME, "dt")]
    for label in ("Who", "Actor kind", "When", "Where", "State", "What", "CloudTrail", "Issue"):
        assert label in labels
    links = {a.text: a.get_attribute("href") for a in details.find_elements(By.TAG_NAME, "a")}
    assert links[f"#{with_issue.issue_number}"] == (
        f"https://github.com/acme/infra/issues/{with_issue.issue_number}"
    )
    assert "terraform.tfstate" in details.text
    assert "/tmp" not in details.text
    row.click()
    assert browser.find_elements(By.CSS_SELECTOR, "#drifts tr.more") == []
    text.clear()


def test_hostile_values_stay_text(
    page: tuple[webdriver.Chrome, tuple[Drift, ...]], artifacts: Path
) -> None:
    browser, _ = page
    Select(browser.find_element(By.ID, "filter-status")).select_by_value("")
    text = browser.find_element(By.ID, "filter-text")
    text.clear()
    text.send_keys("onerror")
    assert _shown(browser) > 0
    assert HOSTILE in browser.find_element(By.ID, "drifts").text
    counts: Any = browser.execute_script(
        "return [document.images.length, document.scripts.length,"
        " document.querySelectorAll('td td').length]"
    )
    assert counts == [0, 2, 0]
    text.clear()
    Select(browser.find_element(By.ID, "filter-status")).select_by_value("open")
    browser.execute_script("window.scrollTo(0, 0)")
    assert browser.save_screenshot(str(artifacts / "drift-report.png"))


def test_5000_drifts_weigh_under_2_mb_and_list_in_pages(
    browser: webdriver.Chrome, tmp_path: Path
) -> None:
    drifts = build_drifts(tmp_path, 5000)
    page = render_report(drifts, now=NOW, repo="acme/infra")
    assert len(drifts) == 5000
    assert len(page.encode("utf-8")) < MAX_BYTES
    assert page.count('"d-') >= 5000  # every drift is in the page
    out = tmp_path / "drift-report.html"
    out.write_text(page, encoding="utf-8")
    browser.get(out.as_uri())
    open_total = sum(1 for d in drifts if d.status.is_open)
    assert _shown(browser) == open_total > 500
    assert _visible_rows(browser) == 500
    browser.find_element(By.ID, "show-more").click()
    assert _visible_rows(browser) == min(1000, open_total)
    Select(browser.find_element(By.ID, "filter-severity")).select_by_value("low")
    assert (
        _visible_rows(browser)
        == _shown(browser)
        == sum(1 for d in drifts if d.status.is_open and d.severity.value == "low")
    )
    assert [e for e in _console(browser) if e["level"] == "SEVERE"] == []


def test_script_data_cannot_close_its_element() -> None:
    html = render_report([], now=NOW, repo='acme/infra"><script>alert(1)</script>')
    assert html.count("<script") == 2
    assert "alert(1)" not in html
    data = re.search(r'id="drift-data">(.*?)</script>', html, re.S)
    assert data is not None
    assert '"repo":""' in data.group(1)


def test_per_day_and_resolution_numbers(tmp_path: Path) -> None:
    drifts = build_drifts(tmp_path, 200)
    context = report_context(drifts, now=NOW)
    assert len(context["days"]) == 90
    assert sum(d["opened"] for d in context["days"]) == context["opened_in_window"]
    assert sum(d["resolved"] for d in context["days"]) == context["resolved_in_window"]
    resolved = [d for d in drifts if d.status.value == "resolved"]
    assert context["resolution"]["count"] == len(resolved) > 0
    assert sum(b.count for b in context["resolution"]["buckets"]) == len(resolved)

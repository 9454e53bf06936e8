"""Load time of the drift report page in headless Chromium, for 500 and 5,000 drifts.

    python bench/bench_report.py [--drifts 500 5000] [--runs 5]

The drifts come from the report tests' generated estate (``detect`` on generated CloudTrail),
the page from ``render_report``; Chromium (Debian's ``chromium`` + ``chromium-driver``) opens it
from a file and the Navigation Timing API says when the load event ended, which is after the
inline script built the whole table. Target: < 1 s for 5,000 drifts. Prints bytes and the
median and worst load time per size.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402

from tests.report.conftest import CHROMEDRIVER, CHROMIUM  # noqa: E402
from tests.report.report_data import NOW, build_drifts  # noqa: E402
from tfdrift_gitops.render.report import render_report  # noqa: E402

LOAD_MS = (
    "const n = performance.getEntriesByType('navigation')[0];"
    " return [n.loadEventEnd, n.domContentLoadedEventEnd];"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--drifts", type=int, nargs="+", default=[500, 5000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in (
            "--headless",
            "--no-sandbox",
            "--disable-background-networking",
            "--disable-gpu",
            "--no-first-run",
            "--disable-dev-shm-usage",
            f"--user-data-dir={tmp}/profile",
        ):
            options.add_argument(flag)
        driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
        try:
            for size in args.drifts:
                drifts = build_drifts(Path(tmp) / f"estate-{size}", size)
                page = Path(tmp) / f"report-{size}.html"
                page.write_text(render_report(drifts, now=NOW, repo="acme/infra"), "utf-8")
                loads = []
                for _ in range(args.runs):
                    driver.get("about:blank")
                    driver.get(page.as_uri())
                    timing: Any = driver.execute_script(LOAD_MS)
                    loads.append(float(timing[0]))
                print(
                    f"{size:>6} drifts  {page.stat().st_size:>10,} bytes  "
                    f"load median {statistics.median(loads):7.1f} ms  worst {max(loads):7.1f} ms"
                )
        finally:
            driver.quit()


if __name__ == "__main__":
    main()

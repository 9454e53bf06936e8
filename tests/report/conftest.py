"""Headless Chromium for the report tests: Debian's ``chromium`` and ``chromium-driver``
packages (installed here when missing, as root does in CI), driven by selenium over the
WebDriver protocol. Nothing is downloaded by selenium: the driver's path is given, so its
driver manager is never asked."""

from __future__ import annotations

import fcntl
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from tests.report.report_data import build_ledger
from tfdrift_gitops.ledger import StoredLedger

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ARTIFACTS = Path(__file__).resolve().parents[2] / "build" / "test-artifacts"
INSTALL_LOCK = Path(tempfile.gettempdir()) / "tfdrift-tests-chromium-install.lock"


def _installed() -> bool:
    return Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()


def _ensure_chromium() -> None:
    if _installed():
        return
    if shutil.which("apt-get") is None:
        pytest.fail("the report tests need Debian's chromium and chromium-driver packages")
    # Each xdist worker running a report module gets here: one installs, the others wait for
    # it (two apt-get runs at once fail on dpkg's lock) and find the packages there.
    with open(INSTALL_LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _installed():
            return
        env = {"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
        wait = ["-o", "DPkg::Lock::Timeout=600"]  # another apt outside the suite: wait too
        subprocess.run(["apt-get", *wait, "update", "-qq"], check=True, env=env, timeout=600)
        subprocess.run(
            ["apt-get", *wait, "install", "-y", "-qq", "chromium", "chromium-driver"],
            check=True,
            env=env,
            timeout=1200,
        )


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    _ensure_chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-background-networking",
        "--disable-gpu",
        "--no-first-run",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
        "--window-size=1400,1500",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="session")
def ledger_500(tmp_path_factory: pytest.TempPathFactory) -> StoredLedger:
    return build_ledger(tmp_path_factory.mktemp("estate"), 500)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS

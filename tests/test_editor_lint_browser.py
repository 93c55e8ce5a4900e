"""The vocabulary lint in a real headless Chromium: the editor marks each warned-about term where it stands."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from .requirements import require

pytestmark = [pytest.mark.browser, pytest.mark.server]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def chromium() -> Iterator[WebDriver]:
    require("browser", Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists(),
            what="Debian's chromium and chromium-driver", install=".ci/run installs them (make browser)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def test_the_editor_marks_a_misspelt_term_at_its_position(chromium: WebDriver, live_url: str) -> None:
    query = "SELECT * WHERE {\n  ?f mmkg:endpiont res:pfs }"
    chromium.get(f"{live_url}/query?{urlencode({'query': query})}")
    mark = WebDriverWait(chromium, 10).until(ec.presence_of_element_located((By.CSS_SELECTOR, ".warning-term")))
    assert mark.text == "mmkg:endpiont" and "did you mean mmkg:endpoint?" in (mark.get_attribute("title") or "")
    line = chromium.find_element(By.CSS_SELECTOR, ".warning-line").find_element(By.XPATH, "..")  # its line's wrapper
    assert line.text.split() == ["2", "?f", "mmkg:endpiont", "res:pfs", "}"]  # line 2 (its number, then its text)
    warning = chromium.find_element(By.CSS_SELECTOR, "#query-warnings li")
    assert warning.text == "mmkg:endpiont at 2:6 is not a term of the ontology; did you mean mmkg:endpoint?"
    errors = [e for e in chromium.get_log("browser") if e["level"] == "SEVERE"]  # type: ignore[no-untyped-call]
    assert errors == [], errors

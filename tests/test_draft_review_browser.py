"""Review a draft in a real headless Chromium at desktop and phone widths: confirm, reject, correct, download."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.test_web_browser import _MEASURE, SHOTS, _no_console_errors, browser  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.server]

_DOWNLOAD = """
const form = document.getElementById('review');
const done = arguments[arguments.length - 1];
fetch(form.action, {method: 'POST', body: new URLSearchParams(new FormData(form))})
  .then(r => r.text().then(t => done([r.status, t]))).catch(e => done([0, String(e)]));
"""


@pytest.mark.parametrize("width", [1400, 390])
def test_review_a_draft_and_download_it(browser: WebDriver, live_url: str, width: int) -> None:  # noqa: F811
    browser.set_window_size(width, 1000)
    browser.get_log("browser")  # type: ignore[no-untyped-call]  # drop what earlier pages logged
    try:
        browser.get(live_url + "/draft")
        text = (Path(__file__).parent / "data" / "drafting" / "unseen-trial.txt").read_text(encoding="utf-8")
        browser.execute_script("document.getElementById('draft-text').value = arguments[0];", text)
        browser.find_element(By.CSS_SELECTOR, ".draft-form button[type=submit]").click()
        WebDriverWait(browser, 15).until(ec.presence_of_element_located((By.ID, "review")))
        assert len(browser.find_elements(By.CSS_SELECTOR, "a.figure-mark mark")) >= 10  # every figure marked
        rows = browser.find_elements(By.CSS_SELECTOR, "table.draft-findings tbody tr")
        ids = [row.get_attribute("id").removeprefix("f-") for row in rows]  # type: ignore[union-attr]
        hr = next(i for i in ids if "-hr-" in i)
        rejected = next(i for i in ids if i != hr)
        Select(browser.find_element(By.NAME, f"review.{hr}.status")).select_by_value("confirm")
        Select(browser.find_element(By.NAME, f"review.{hr}.endpoint")).select_by_value("os")
        Select(browser.find_element(By.NAME, f"review.{rejected}.status")).select_by_value("reject")
        scroll_width, client_width, _ = browser.execute_script(_MEASURE)
        assert scroll_width <= client_width, f"{scroll_width} px wide on a {client_width} px screen"
        browser.save_screenshot(str(SHOTS / f"draft-review-{width}.png"))
        status, body = browser.execute_async_script(_DOWNLOAD)
        assert status == 200, body
        data = yaml.safe_load(body)
        found = {f["id"]: f for f in data["findings"]}
        assert found[hr]["status"] == "curated" and found[hr]["endpoint"] == "os"
        assert rejected not in found and rejected in data["source"]["note"]
        assert all(f["status"] == "draft" for i, f in found.items() if i != hr)
        _no_console_errors(browser)
    finally:
        browser.set_window_size(1400, 1600)

"""The summary-of-findings page in a real headless Chromium: it fits the screen at desktop and phone
widths (its wide table scrolls inside its own box), and its links reach the findings."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests.test_web_browser import browser  # noqa: F401 - the shared Chromium fixture

pytestmark = [pytest.mark.browser, pytest.mark.server]


@pytest.mark.parametrize("width", [1400, 390])
@pytest.mark.parametrize("route", ["/evidence/summary", "/evidence/summary?drug=res%3Alenalidomide"])
def test_the_summary_of_findings_fits_the_screen(browser: WebDriver, live_url: str,  # noqa: F811
                                                 width: int, route: str) -> None:
    browser.set_window_size(width, 1000)
    browser.get(live_url + route)
    scroll_width, client_width = browser.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert scroll_width <= client_width, f"{route}: {scroll_width} px wide on a {client_width} px screen"
    headers = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "table.sof-table thead th")]
    assert "Certainty of the evidence" in headers
    link = browser.find_element(By.CSS_SELECTOR, "table.sof-table td a")
    href = link.get_attribute("href")
    assert href is not None and "/resource/" in href

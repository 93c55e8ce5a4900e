"""The newcomer's path in a real headless Chromium (Debian's chromium + chromium-driver, via Selenium).

``.ci/run`` installs the browser; elsewhere these tests skip when it is missing, unless
``MMKG_REQUIRE_BROWSER=1`` (set by CI) turns the absence into a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from .requirements import require

pytestmark = [pytest.mark.browser, pytest.mark.server]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
SHOTS = Path(os.environ.get("MMKG_SCREENSHOTS", "build/screenshots"))


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    require("browser", Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists(),
            what="Debian's chromium and chromium-driver", install=".ci/run installs them (make browser)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1400,1600"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


def _wait(driver: WebDriver) -> WebDriverWait[WebDriver]:
    return WebDriverWait(driver, 10)


def _no_console_errors(driver: WebDriver) -> None:
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]  # type: ignore[no-untyped-call]
    assert errors == [], errors


def test_search_find_lenalidomide_and_see_the_forest_plot(browser: WebDriver, live_url: str) -> None:
    browser.get(live_url + "/")
    box = browser.find_element(By.ID, "site-search")
    box.send_keys("lenalid")
    suggestion = _wait(browser).until(ec.visibility_of_element_located(
        (By.CSS_SELECTOR, "#site-search-suggestions li a")))
    assert suggestion.text == "lenalidomide"
    suggestion.click()
    _wait(browser).until(ec.url_contains("/resource/lenalidomide"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "lenalidomide"
    plot = browser.find_element(By.CSS_SELECTOR, "svg.forest")  # one panel per outcome
    assert plot.is_displayed() and plot.size["width"] > 400
    points = [p for p in browser.find_elements(By.CSS_SELECTOR, "svg.forest rect.fp-point") if p.is_displayed()]
    assert len(points) >= 3
    identifiers = browser.find_element(By.CSS_SELECTOR, "section.identifiers").text
    assert "CHEBI:63791" in identifiers and "DrugBank" in identifiers
    browser.save_screenshot(str(SHOTS / "lenalidomide.png"))
    _no_console_errors(browser)


def test_follow_a_trial_from_a_regimen(browser: WebDriver, live_url: str) -> None:
    browser.get(live_url + "/resource/len")
    browser.find_element(By.CSS_SELECTOR, 'a[href="/resource/myeloma-xi"]').click()
    _wait(browser).until(ec.url_contains("/resource/myeloma-xi"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Myeloma XI"
    assert "NCT01554852" in browser.find_element(By.CSS_SELECTOR, "section.identifiers").text
    browser.save_screenshot(str(SHOTS / "myeloma-xi.png"))


def test_run_a_saved_query_with_a_parameter(browser: WebDriver, live_url: str) -> None:
    browser.get(live_url + "/queries/significant-pfs-benefit")
    Select(browser.find_element(By.ID, "param-endpoint")).select_by_value("res:os")
    browser.find_element(By.CSS_SELECTOR, "#query-form button[type=submit]").click()
    _wait(browser).until(ec.url_contains("endpoint=res%3Aos"))
    count = browser.find_element(By.CSS_SELECTOR, "p.count").text
    assert count.endswith("rows") or count.endswith("row")
    browser.get(live_url + "/queries/adverse-events-by-drug")
    field = browser.find_element(By.ID, "param-drug")
    field.clear()
    field.send_keys("res:thalidomide")
    field.send_keys(Keys.ENTER)
    _wait(browser).until(ec.url_contains("drug=res%3Athalidomide"))
    rows = browser.find_elements(By.CSS_SELECTOR, "table.results tbody tr")
    assert rows, "the query returned rows"
    browser.save_screenshot(str(SHOTS / "saved-query.png"))
    _no_console_errors(browser)


def test_write_a_query_in_the_editor(browser: WebDriver, live_url: str) -> None:
    browser.get(live_url + "/query")
    editor = _wait(browser).until(ec.presence_of_element_located((By.CSS_SELECTOR, ".CodeMirror")))
    browser.execute_script("arguments[0].CodeMirror.setValue('')", editor)  # type: ignore[no-untyped-call]
    editor.click()
    area = browser.find_element(By.CSS_SELECTOR, ".CodeMirror textarea")
    area.send_keys("SELECT ?drug WHERE { ?drug a mmkg:Dru")
    area.send_keys(Keys.CONTROL, " ")
    hint = _wait(browser).until(ec.visibility_of_element_located((By.CSS_SELECTOR, ".CodeMirror-hint-active")))
    assert hint.text.startswith("mmkg:Drug")
    area.send_keys(Keys.ENTER)
    area.send_keys(" }")
    text = browser.execute_script("return arguments[0].CodeMirror.getValue()", editor)  # type: ignore[no-untyped-call]
    assert text.startswith("PREFIX mmkg: <https://w3id.org/mmkg/>"), "completion declares the prefix"
    area.send_keys(Keys.CONTROL, Keys.ENTER)
    _wait(browser).until(ec.presence_of_element_located((By.CSS_SELECTOR, "table.results")))
    assert "query=PREFIX" in browser.current_url, "the query is in the URL, so it can be shared"
    links = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "table.results a")]
    assert live_url + "/resource/lenalidomide" in links
    browser.save_screenshot(str(SHOTS / "editor.png"))
    _no_console_errors(browser)


def test_the_editor_completes_entities_remembers_queries_and_sorts_results(browser: WebDriver,
                                                                            live_url: str) -> None:
    browser.get(live_url + "/query")
    editor = _wait(browser).until(ec.presence_of_element_located((By.CSS_SELECTOR, ".CodeMirror")))
    browser.execute_script("localStorage.clear(); arguments[0].CodeMirror.setValue('')", editor)  # type: ignore[no-untyped-call]
    editor.click()
    area = browser.find_element(By.CSS_SELECTOR, ".CodeMirror textarea")
    area.send_keys("SELECT ?p ?o WHERE { Revlim")
    area.send_keys(Keys.CONTROL, " ")
    hint = _wait(browser).until(ec.visibility_of_element_located((By.CSS_SELECTOR, ".CodeMirror-hint-active")))
    assert hint.text.startswith("res:lenalidomide") and "Revlimid" in hint.text
    area.send_keys(Keys.ENTER)
    area.send_keys(" ?p ?o } LIMIT 30")
    text = browser.execute_script("return arguments[0].CodeMirror.getValue()", editor)  # type: ignore[no-untyped-call]
    assert "res:lenalidomide ?p ?o" in text
    area.send_keys(Keys.CONTROL, Keys.ENTER)
    table = _wait(browser).until(ec.presence_of_element_located((By.CSS_SELECTOR, "table.results.sortable")))
    head = table.find_element(By.CSS_SELECTOR, "thead th")
    head.click()
    assert head.get_attribute("aria-sort") == "ascending"
    column = [c.text.lower() for c in table.find_elements(By.CSS_SELECTOR, "tbody tr td:first-child")]
    assert column == sorted(column)
    browser.get(live_url + "/query")
    options = [o.text for o in browser.find_elements(By.CSS_SELECTOR, "#recent option")]
    assert any("res:lenalidomide ?p ?o" in o for o in options), options
    _no_console_errors(browser)


def test_hostile_literals_stay_inert(browser: WebDriver, live_url: str) -> None:
    from urllib.parse import urlencode

    query = ('SELECT ?x WHERE { VALUES ?x { "<script>window.pwned=1</script>" '
             '"\\"><img src=x onerror=\\"window.pwned=2\\">" } }')
    browser.get(live_url + "/query?" + urlencode({"query": query}))
    _wait(browser).until(ec.presence_of_element_located((By.CSS_SELECTOR, "table.results")))
    assert browser.execute_script("return window.pwned === undefined")  # type: ignore[no-untyped-call]
    cells = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "table.results td")]
    assert "<script>window.pwned=1</script>" in cells


ROUTES = ["/", "/evidence", "/evidence?source=s001", "/resource/lenalidomide", "/resource/myeloma-xi",
          "/resource/s001-os-hr", "/resource/imid-maintenance", "/resource/pfs", "/resource/s002",
          "/resource/second-primary-malignancy", "/ontology", "/ontology/HazardRatioEstimate", "/graph/source/s001",
          "/queries", "/queries/effect-estimates", "/queries/significant-pfs-benefit",
          "/query?query=SELECT%20*%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D%20LIMIT%2020", "/search?q=lenalidomide",
          "/docs/querying", "/sparql", "/describe?iri=http%3A%2F%2Fpurl.obolibrary.org%2Fobo%2FCHEBI_63791",
          "/resource/no-such-thing", "/draft"]
_MEASURE = """
const doc = document.documentElement;
const sizes = [];
for (const svg of document.querySelectorAll('svg.forest')) {
  const box = svg.getBoundingClientRect();
  if (!box.width || getComputedStyle(svg).display === 'none') continue;
  const scale = box.width / svg.viewBox.baseVal.width;
  for (const t of svg.querySelectorAll('text')) sizes.push(parseFloat(getComputedStyle(t).fontSize) * scale);
}
return [doc.scrollWidth, doc.clientWidth, sizes.length ? Math.min(...sizes) : null];
"""


@pytest.mark.parametrize("width", [1400, 390])
def test_every_route_fits_the_screen_and_plots_stay_legible(browser: WebDriver, live_url: str, width: int) -> None:
    """No page scrolls sideways at 1400 or 390 px, and every visible forest plot's text is at least 10 px."""
    browser.set_window_size(width, 1000)
    problems = []
    plotted = 0
    try:
        for route in ROUTES:
            browser.get(live_url + route)
            scroll_width, client_width, smallest = browser.execute_script(_MEASURE)
            if scroll_width > client_width:
                problems.append(f"{route}: {scroll_width} px wide on a {client_width} px screen")
            if smallest is not None:
                plotted += 1
                if smallest < 10:
                    problems.append(f"{route}: forest-plot text {smallest:.1f} px")
            name = route.strip("/").replace("/", "_").split("?")[0] or "home"
            browser.save_screenshot(str(SHOTS / f"{name}-{width}.png"))
    finally:
        browser.set_window_size(1400, 1600)
    assert problems == [], "\n".join(problems)
    assert plotted >= 5, "the evidence map, drug, trial, finding and saved-query pages have forest plots"


@pytest.mark.parametrize("width", [1400, 390])
def test_draft_an_article_in_the_page(browser: WebDriver, live_url: str, width: int) -> None:
    """Paste an article, submit, see its figures marked and linked to the drafted findings; nothing overflows."""
    browser.set_window_size(width, 1000)
    browser.get_log("browser")  # type: ignore[no-untyped-call]  # drop what earlier pages logged
    try:
        browser.get(live_url + "/draft")
        text = (Path(__file__).parent / "data" / "drafting" / "unseen-trial.txt").read_text(encoding="utf-8")
        browser.execute_script("document.getElementById('draft-text').value = arguments[0];", text)
        browser.find_element(By.CSS_SELECTOR, ".draft-form button[type=submit]").click()
        _wait(browser).until(ec.presence_of_element_located((By.CSS_SELECTOR, "table.draft-findings")))
        marks = browser.find_elements(By.CSS_SELECTOR, "a.figure-mark")
        assert len(marks) >= 10
        target = marks[0].get_attribute("href") or ""
        assert browser.find_elements(By.ID, target.split("#", 1)[1])  # the mark links to its drafted finding
        scroll_width, client_width, _ = browser.execute_script(_MEASURE)
        assert scroll_width <= client_width
        browser.save_screenshot(str(SHOTS / f"draft-result-{width}.png"))
        _no_console_errors(browser)
    finally:
        browser.set_window_size(1400, 1600)


_YASGUI_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>YASGUI elsewhere</title>
<link rel="stylesheet" href="%(app)s/static/vendor/yasgui/build/yasgui.min.css">
<script src="%(app)s/static/vendor/yasgui/build/yasgui.min.js"></script></head><body><div id="yasgui"></div>
<script>
localStorage.clear();
const yasgui = new Yasgui(document.getElementById("yasgui"), {
  requestConfig: { endpoint: "%(app)s/sparql", method: "POST" }, copyEndpointOnNewTab: false });
const tab = yasgui.getTab();
tab.setQuery("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?label WHERE { " +
             "<https://w3id.org/mmkg/resource/lenalidomide> rdfs:label ?label }");
window.mmkgDone = false;
tab.query().then(() => { window.mmkgDone = true; }, (e) => { window.mmkgError = String(e); });
</script></body></html>"""


def test_yasgui_on_another_origin_queries_the_endpoint_by_post(browser: WebDriver, live_url: str,
                                                               tmp_path: Path) -> None:
    """YASGUI (vendored), served from a different origin, runs a query against /sparql by POST."""
    import http.server
    import threading

    (tmp_path / "index.html").write_text(_YASGUI_PAGE % {"app": live_url}, encoding="utf-8")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return None

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), lambda *a: Quiet(*a, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        other = f"http://127.0.0.1:{server.server_address[1]}/index.html"
        assert not other.startswith(live_url)
        browser.get(other)
        WebDriverWait(browser, 20).until(lambda d: d.execute_script("return window.mmkgDone || !!window.mmkgError"))
        assert browser.execute_script("return window.mmkgError || null") is None
        _wait(browser).until(lambda d: "lenalidomide" in d.find_element(By.CSS_SELECTOR, ".yasr").text)
        browser.save_screenshot(str(SHOTS / "yasgui-other-origin.png"))
    finally:
        server.shutdown()

"""Dereferencing against the real gunicorn server (mini dataset) and, if Chromium is there, a real browser."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from lod.settings import Settings


def test_303_and_conditional_over_gunicorn(live_server: tuple[str, Settings]) -> None:
    base, _ = live_server
    r = requests.get(base + "/id/thing/alpha-1", headers={"Accept": "*/*"}, allow_redirects=False, timeout=10)
    assert r.status_code == 303 and r.headers["Location"].endswith("/doc/thing/alpha-1.ttl")
    doc = requests.get(base + "/doc/thing/alpha-1.ttl", timeout=10)
    assert doc.status_code == 200 and "Alpha eins" in doc.text
    again = requests.get(base + "/doc/thing/alpha-1.ttl", headers={"If-None-Match": doc.headers["ETag"]}, timeout=10)
    assert again.status_code == 304
    html = requests.get(base + "/id/thing/alpha-1", headers={"Accept": "text/html"}, timeout=10)
    assert html.status_code == 200 and "<h1>Alpha eins</h1>" in html.text
    assert requests.get(base + "/id/thing/nope", headers={"Accept": "text/html"}, timeout=10).status_code == 404


@dataclass
class Browser:
    page: Any
    errors: list[str] = field(default_factory=list)      # console errors
    failed: list[str] = field(default_factory=list)      # responses >= 400
    foreign: list[str] = field(default_factory=list)     # requests leaving 127.0.0.1


@contextmanager
def chromium() -> Iterator[Browser]:
    """Headless Debian Chromium driven by Playwright, recording console errors, failures and foreign requests."""
    executable = shutil.which("chromium")
    if not executable:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright (pip, test extra) is not installed")
    with playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=["--no-sandbox", "--disable-gpu"])
        try:
            b = Browser(browser.new_page())
            b.page.on("console", lambda m: b.errors.append(m.text) if m.type == "error" else None)
            b.page.on("response", lambda r: b.failed.append(r.url) if r.status >= 400 else None)
            b.page.on("request", lambda r: b.foreign.append(r.url)
                      if not r.url.startswith(("http://127.0.0.1", "data:")) else None)
            yield b
        finally:
            browser.close()


@pytest.mark.browser
def test_browser_renders_page(live_server: tuple[str, Settings], tmp_path: Path) -> None:
    base, _ = live_server
    with chromium() as b:
        b.page.goto(base + "/id/thing/alpha-1")
        assert b.page.locator("h1").inner_text() == "Alpha eins"
        b.page.screenshot(path=str(tmp_path / "alpha-1.png"), full_page=True)
        b.page.goto(base + "/search?q=alpha")
        b.page.keyboard.press("Tab")
        assert b.page.evaluate("document.activeElement.className") == "skip"
        b.page.screenshot(path=str(tmp_path / "search.png"), full_page=True)
    assert b.failed == [] and b.errors == [] and b.foreign == []
    assert (tmp_path / "alpha-1.png").stat().st_size > 1000


@pytest.mark.browser
def test_browser_runs_a_query_on_the_sparql_page_offline(live_server: tuple[str, Settings], tmp_path: Path) -> None:
    """The query page works in headless Chromium with nothing but the app: highlight, run, result table."""
    base, _ = live_server
    with chromium() as b:
        page = b.page
        page.goto(base + "/sparql", wait_until="networkidle")
        assert page.locator("#highlight").inner_text().startswith("PREFIX")   # highlighter ran
        page.fill("#query", "SELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l "
                            "FILTER(STRSTARTS(?l, 'Alpha')) } ORDER BY ?l")
        page.click("#sparql-form button[type=submit]")
        page.wait_for_selector("#results table")
        cells = page.locator("#results table td").all_inner_texts()
        assert "Alpha eins@de" in cells and "Alpha zwei@de" in cells
        assert "https://kep.example.org/id/thing/alpha-1" in cells
        page.screenshot(path=str(tmp_path / "sparql.png"), full_page=True)
    assert b.errors == [] and b.foreign == []

"""End-to-end in real headless Chromium: search, dossier, evidence map, highlighted spans, curation.

Screenshots go to ``$JAKATLAS_SCREENSHOTS`` (default: the test's temporary folder).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
SPAN_TEXT = "received baricitinib 4 mg once daily"  # as in conftest.CANDIDATE_TEXT

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed (apt-get install chromium)"),
]


@pytest.fixture
def server(atlas_url: str) -> Iterator[str]:
    import uvicorn

    from jakatlas.web import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(atlas_url), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline:
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("JAKATLAS_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_browse_search_study_and_curate(server: str, candidate_id: str, token: str, shots: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        violations: list[str] = []
        page.on("console", lambda m: violations.append(m.text) if "script-src" in m.text else None)
        external: list[str] = []
        page.on("request", lambda r: external.append(r.url) if not r.url.startswith((server, "data:")) else None)

        page.goto(server + "/")
        expect(page.locator("#evidence-map .main-svg").first).to_be_visible(timeout=15_000)
        expect(page.locator("#evidence-map .point").first).to_be_attached()
        page.screenshot(path=str(shots / "home.png"), full_page=True)

        page.get_by_label("Search a disease or a drug").fill("lichen")
        page.keyboard.press("Enter")
        page.wait_for_url("**/search?q=lichen")
        page.get_by_role("link", name="Lichen planus", exact=True).click()
        page.wait_for_url("**/diseases/lichen_planus")
        expect(page.get_by_role("heading", level=1)).to_have_text("Lichen planus")
        expect(page.locator("table.evidence").first).to_be_visible()
        expect(page.locator("#candidates")).to_contain_text("Baricitinib")
        page.screenshot(path=str(shots / "disease.png"), full_page=True)

        page.goto(f"{server}/studies/{candidate_id}")
        mark = page.locator("mark#span-1")
        expect(mark).to_have_text(SPAN_TEXT)
        assert page.evaluate("window.__pwned") is None  # the document's script never ran
        expect(page.locator(".document")).to_contain_text("<script>")
        page.screenshot(path=str(shots / "study.png"), full_page=True)

        page.get_by_role("link", name="Sign in with a curator token").click()
        page.get_by_label("Curator token").fill(token)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"**/studies/{candidate_id}")
        page.get_by_role("button", name="Accept into the atlas").click()
        expect(page.get_by_role("status")).to_contain_text("Study accepted")
        expect(page.locator(".audit")).to_contain_text("alice")
        expect(page.locator(".status-curated").first).to_be_visible()
        page.screenshot(path=str(shots / "curated.png"), full_page=True)

        phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
        phone.goto(server + "/diseases/hidradenitis_suppurativa")
        expect(phone.get_by_role("heading", level=1)).to_be_visible()
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 392, f"page scrolls sideways on a phone ({width}px)"
        phone.screenshot(path=str(shots / "phone-disease.png"))
        browser.close()
    assert violations == [], violations
    assert external == [], external


def test_keyboard_skip_link_and_focus(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        page.goto(server + "/drugs/baricitinib")
        page.keyboard.press("Tab")
        skip = page.locator(".skip-link")
        expect(skip).to_be_focused()
        expect(skip).to_be_in_viewport()
        page.keyboard.press("Enter")
        expect(page.locator("#main")).to_be_focused()
        browser.close()


def test_full_text_search_compare_and_map_key_in_the_browser(server: str, shots: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})

        page.goto(server + "/search?q=tofacitinib+morphea")
        results = page.locator("ol.results li.result")
        expect(results.first).to_be_visible()
        assert results.count() >= 2
        expect(results.first.locator("mark").first).to_be_visible()  # highlighted matches
        expect(page.get_by_role("link", name="RIS")).to_be_visible()
        page.screenshot(path=str(shots / "search.png"), full_page=True)

        page.goto(server + "/compare?disease=hidradenitis+suppurativa")
        head = page.locator("table.compare thead th a")
        expect(head.first).to_be_visible()
        drugs = head.all_inner_texts()
        assert drugs[-1].lower() == "tofacitinib"  # case series last: ordered by evidence strength
        expect(page.locator("table.compare tr.key").nth(2)).to_contain_text("vs placebo")
        select = page.locator("#c-disease")
        box = select.bounding_box()
        assert box is not None and box["width"] > 600  # whole disease names fit the list
        page.screenshot(path=str(shots / "compare.png"), full_page=True)

        page.goto(server + "/")
        expect(page.locator("#evidence-map .main-svg").first).to_be_visible(timeout=15_000)
        expect(page.locator("#evidence-map")).to_contain_text("Bubble area")  # the size key is drawn
        expect(page.locator("#evidence-map")).to_contain_text("class-level (no drug named)")
        assert "JAK inhibitor (unnamed)" not in page.content()
        plot_width = page.evaluate("document.querySelector('#evidence-map .nsewdrag').getBBox().width")
        assert plot_width > 500, f"the map's plot area is squeezed to {plot_width}px"
        page.screenshot(path=str(shots / "home-map.png"), full_page=True)
        browser.close()

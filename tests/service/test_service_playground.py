"""The playground page in headless Chromium (Debian's, driven by Playwright): paste a seed, see what went."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from service_helpers import API_KEYS, seed_texts

from heuristics import clean

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), "Debian chromium is missing: run `make test-deps` (as root)"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


def seed_with_most_removals() -> tuple[str, str]:
    return max(seed_texts(), key=lambda seed: len(clean(seed[1]).removed))


def run_page(browser, url: str, text: str, api_key: str = "", screenshot: Path | None = None):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url + "/")
    page.fill("#input", text)
    if api_key:
        page.fill("#apikey", api_key)
    page.click("#clean")
    page.wait_for_function("document.getElementById('status').textContent.match(/^(done|[0-9]{3} |request failed)/)")
    if screenshot is not None:
        page.screenshot(path=str(screenshot), full_page=False)
    return page


def test_page_shows_the_removed_lines_with_their_categories(server, browser, tmp_path):
    name, text = seed_with_most_removals()
    expected = clean(text)
    assert expected.removed, "the chosen seed should lose some lines"
    page = run_page(browser, server.url, text, screenshot=tmp_path / "playground.png")
    try:
        assert page.text_content("#status").startswith("done")
        shown = page.eval_on_selector_all(
            "#lines li.removed", "items => items.map(li => [Number(li.dataset.line), li.dataset.category])")
        assert shown == [[r.line, r.category] for r in expected.removed]
        for removal in expected.removed:
            item = page.locator(f'#lines li[data-line="{removal.line}"]')
            assert removal.category in item.text_content()
            assert removal.text.strip() in item.text_content()
        assert page.text_content("#output-text") == expected.text
        assert page.locator("#lines li").count() >= max(r.line for r in expected.removed) + 1
    finally:
        page.close()


def test_page_reports_a_problem_from_the_api(keyed_server, browser):
    _, text = seed_with_most_removals()
    page = run_page(browser, keyed_server.url, text)
    try:
        assert page.text_content("#status").startswith("401 ")
        assert "API key" in page.text_content("#status")
    finally:
        page.close()
    page = run_page(browser, keyed_server.url, text, api_key=API_KEYS[0])
    try:
        assert page.text_content("#status").startswith("done")
        assert page.locator("#lines li.removed").count() == len(clean(text).removed)
    finally:
        page.close()


EXAMPLES = Path(__file__).resolve().parents[2] / "service" / "static"


@pytest.mark.parametrize(("kind", "example"), [("text", "example.txt"), ("html", "example.html")])
def test_the_example_cleans_with_body_and_removed_lines_side_by_side(server, browser, kind, example):
    source = (EXAMPLES / example).read_text(encoding="utf-8")
    expected = clean(source) if kind == "text" else clean(html=source, explain=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(server.url + "/")
        page.select_option("#kind", kind)
        page.click("#example")
        page.wait_for_function("document.getElementById('status').textContent.startsWith('example loaded')")
        assert page.input_value("#input") == source
        page.click("#clean")
        page.wait_for_function("document.getElementById('status').textContent.match(/^(done|[0-9]{3} |request failed)/)")
        assert page.text_content("#status").startswith("done")
        assert page.text_content("#output-text") == expected.text
        shown = page.eval_on_selector_all("#removed li", "items => items.map(li => [Number(li.dataset.line), li.dataset.category])")
        assert shown == [[r.line, r.category] for r in expected.removed] and shown
        body, removed = page.locator("#output-text").bounding_box(), page.locator("#removed").bounding_box()
        assert abs(body["y"] - removed["y"]) < 5 and removed["x"] > body["x"] + body["width"] - 1  # side by side
        for removal in expected.removed:
            assert removal.text.strip() in page.locator(f'#lines li[data-line="{removal.line}"]').text_content()
    finally:
        page.close()

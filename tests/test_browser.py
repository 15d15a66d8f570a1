"""The storefront in a real headless Chromium against a real server on a loopback port.

Screenshots go to test-artifacts/ (gitignored) for people to look at.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


@pytest.fixture
def server(app) -> Iterator[str]:
    """The app (demo catalog indexed in a tmp data dir) served by werkzeug in a thread."""
    from werkzeug.serving import make_server

    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def page(server):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent")
    ARTIFACTS.mkdir(exist_ok=True)
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU")
            page = context.new_page()
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.console_errors = errors
            yield page
            context.close()
            blocked = [e for e in errors if "Content Security Policy" in e]
            assert not blocked, f"the CSP blocked something: {blocked}"
        finally:
            browser.close()


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_russian_landing_and_search_render(page, server):
    page.goto(f"{server}/ru/")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.locator(".card").count() > 0
    assert "₽" in page.locator(".card__price").first.inner_text()
    shot(page, "landing-ru")

    page.fill("#site-search", "кожаная сумка")
    page.press("#site-search", "Enter")
    page.wait_for_url("**/ru/search?q=*")
    assert page.locator(".card").count() > 0
    assert "Найден" in page.locator(".results__count").inner_text()
    shot(page, "search-ru")


def test_arabic_pages_are_right_to_left(page, server):
    page.goto(f"{server}/ar/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    direction = page.evaluate("getComputedStyle(document.body).direction")
    assert direction == "rtl"
    box = page.locator("#site-search").bounding_box()
    brand = page.locator(".brand").bounding_box()
    width = page.viewport_size["width"]
    # Mirrored header: the brand sits at the right edge, the search box just left of it,
    # where the Russian page has them at the left edge.
    assert brand["x"] > width / 2
    assert box["x"] < brand["x"]
    assert box["x"] + box["width"] > width * 0.75
    shot(page, "landing-ar")
    page.goto(f"{server}/ru/")
    ltr = page.locator("#site-search").bounding_box()
    assert abs((width - (box["x"] + box["width"])) - ltr["x"]) < 60, "the header should mirror"

    page.goto(f"{server}/ar/search?q=%D8%B3%D8%A7%D8%B9%D8%A9")  # "ساعة" (watch)
    filters = page.locator(".filters").bounding_box()
    results = page.locator(".results").bounding_box()
    assert filters["x"] > results["x"], "the filter column should be on the right in Arabic"
    assert "ر.س" in page.locator("body").inner_text()
    shot(page, "search-ar")


def test_product_page_renders(page, server):
    page.goto(f"{server}/ru/search?q=samsung")
    page.locator(".card__link").first.click()
    page.wait_for_url("**/ru/product/*")
    assert page.locator("h1.product__title").inner_text()
    assert page.locator("table.delivery").count() == 1
    shot(page, "product-ru")


def test_autocomplete_suggests_while_typing(page, server, app):
    if not any(rule.rule == "/api/v1/suggest" for rule in app.url_map.iter_rules()):
        pytest.skip("GET /api/v1/suggest is not implemented yet; the search box works without it")
    page.goto(f"{server}/ru/")
    page.locator("#site-search").press_sequentially("сумк", delay=60)
    listbox = page.locator("#site-search-suggestions")
    listbox.wait_for(state="visible", timeout=5000)
    assert page.locator("#site-search").get_attribute("aria-expanded") == "true"
    assert listbox.locator("[role=option]").count() > 0
    page.keyboard.press("ArrowDown")
    first = listbox.locator("[role=option]").first
    assert first.get_attribute("aria-selected") == "true"
    shot(page, "autocomplete-ru")
    page.keyboard.press("Enter")
    page.wait_for_url("**/ru/search?q=*")


def test_autocomplete_in_arabic_opens_a_product(page, server, app):
    if not any(rule.rule == "/api/v1/suggest" for rule in app.url_map.iter_rules()):
        pytest.skip("GET /api/v1/suggest is not implemented yet; the search box works without it")
    page.goto(f"{server}/ar/")
    page.locator("#site-search").press_sequentially("سام", delay=60)
    option = page.locator("#site-search-suggestions [role=option]", has_text="جالكسي").first
    option.wait_for(state="visible", timeout=5000)
    listbox = page.locator("#site-search-suggestions").bounding_box()
    box = page.locator("#site-search").bounding_box()
    assert abs((listbox["x"] + listbox["width"]) - (box["x"] + box["width"])) < 2
    shot(page, "autocomplete-ar")
    option.click()
    page.wait_for_url("**/ar/product/*")


@pytest.mark.parametrize("locale", ["ru", "ar"])
def test_phone_layout_fits_the_screen(page, server, locale):
    page.set_viewport_size({"width": 390, "height": 844})
    for path, name in (
        (f"/{locale}/search?q=samsung", "search"),
        (f"/{locale}/product/demo-0001", "product"),
    ):
        page.goto(server + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
        shot(page, f"{name}-{locale}-phone")

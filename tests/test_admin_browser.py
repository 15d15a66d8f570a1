"""The merchandisers' main flows in a real headless Chromium against a real server:
signing in, pinning a product for tomorrow by searching for it, a query rule with its
live preview, fixing a query that found nothing from the report, refusing bad synonyms.

Screenshots go to test-artifacts/ (gitignored) for people to look at.
"""

# ruff: noqa: F811 (the fixtures imported by name are the tests' parameters)

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from merchandising.dates import local_today
from tests.admin_fixtures import *  # noqa: F403 (the fixtures)
from tests.admin_fixtures import PASSWORD
from tests.test_browser import page, playwright_api, server, shot  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser
expect = playwright_api.expect

NOODLES = "demo-0300"


def sign_in(page, server, name: str) -> None:
    page.goto(f"{server}/admin/deals")
    page.wait_for_url(re.compile(r".*/admin/login\b.*"))
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url("**/admin/deals")


def first_deal(page) -> str:
    return page.locator(".deal-list .deal code").first.inner_text()


def test_a_merchandiser_pins_a_product_for_tomorrow_by_searching_for_it(page, server, merchandiser):
    sign_in(page, server, merchandiser.name)
    assert page.locator("h1").inner_text().startswith("Предложения дня")  # the browser's language
    tomorrow = (local_today("Europe/Moscow") + timedelta(days=1)).isoformat()
    page.goto(f"{server}/admin/deals?country=RU&date={tomorrow}")
    page.locator("#pin-product").press_sequentially("доширак", delay=40)
    option = page.locator("#pin-product-options [role=option]").first
    option.wait_for(state="visible", timeout=5000)
    assert "Доширак" in option.inner_text()
    shot(page, "admin-pin-autocomplete")
    option.click()
    assert page.input_value("#pin-product") == NOODLES
    assert "Доширак" in page.locator(".picker__chosen").first.inner_text()
    page.fill("input[name=position]", "1")
    page.fill("input[name=badge]", "−30%")
    page.click("text=Закрепить >> nth=-1")
    page.wait_for_selector(".flash--ok")
    assert first_deal(page) == NOODLES
    assert page.locator(".deal-list .deal").first.locator(".badge").inner_text() == "−30%"
    shot(page, "admin-deals-tomorrow")
    page.goto(f"{server}/admin/deals?country=RU")
    assert first_deal(page) != NOODLES  # today is as it was
    assert page.locator("table.data").get_by_text(NOODLES).count() == 1  # scheduled


def test_a_query_rule_with_its_live_preview(page, server, merchandiser):
    sign_in(page, server, merchandiser.name)
    page.goto(f"{server}/admin/rules")
    page.fill("#query", "смартфон")
    page.select_option("#locale", "ru")
    preview = page.locator("#rule-preview")
    preview.locator(".deal").first.wait_for(timeout=5000)
    assert NOODLES not in preview.inner_text()
    page.locator("#rule-promote-search").press_sequentially(NOODLES, delay=30)
    page.locator("#rule-promote-search-options [role=option]").first.click()
    assert page.locator(".picker--list .chip").first.get_attribute("data-id") == NOODLES
    expect(preview.locator(".deal code").first).to_have_text(NOODLES, timeout=5000)
    assert preview.locator(".deal").first.locator(".tag--pinned").count() == 1  # "promoted"
    shot(page, "admin-rule-preview")
    page.click("#rule-form button.button--primary")
    page.wait_for_selector(".flash--ok")
    assert "смартфон" in page.locator("table.data").inner_text()
    page.goto(f"{server}/ru/search?q=cvfhnajy")
    first = page.locator(".card__link").first.get_attribute("href")
    assert first.endswith(NOODLES)
    shot(page, "admin-rule-applied")


def test_a_query_that_found_nothing_is_fixed_from_the_report(page, server, merchandiser):
    page.goto(f"{server}/ru/search?q=вермишелька")
    assert page.locator(".card").count() == 0
    sign_in(page, server, merchandiser.name)
    page.goto(f"{server}/admin/reports?kind=zero")
    row = page.locator("table.data tbody tr", has_text="вермишелька")
    assert row.count() == 1
    assert page.locator(".chart svg rect.chart__bar").count() == 7
    shot(page, "admin-reports")
    row.locator("input[name=synonym]").fill("лапша")
    row.locator("form button[type=submit]").click()
    page.wait_for_selector(".flash--ok")
    assert "«вермишелька» теперь находит и «лапша»" in page.locator(".flash--ok").inner_text()
    page.goto(f"{server}/ru/search?q=вермишелька")
    assert page.locator(".card").count() > 0


def test_a_malformed_synonym_group_is_refused_and_kept_for_fixing(page, server, merchandiser):
    sign_in(page, server, merchandiser.name)
    page.goto(f"{server}/admin/synonyms")
    typed = page.input_value("#groups") + "\nмобильный телефон, сотовый"
    page.fill("#groups", typed)
    page.click("form[action='/admin/synonyms'] button[type=submit]")
    error = page.locator(".flash--error")
    error.wait_for()
    assert "Ничего не сохранено" in error.inner_text() and "мобильный телефон" in error.inner_text()
    assert page.input_value("#groups") == typed
    shot(page, "admin-synonyms-refused")


def test_the_admin_fits_a_phone(page, server, admin):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, server, admin.name)
    for path in ("/admin/deals", "/admin/rules", "/admin/reports", "/admin/audit"):
        page.goto(server + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
    shot(page, "admin-audit-phone")

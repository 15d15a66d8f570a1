"""Trust signals and localisation in a real Chromium: Russian, Arabic and Portuguese.

Screenshots go to test-artifacts/ (gitignored); people look at them.
"""

from __future__ import annotations

import pytest

from tests.test_browser import page, server, shot  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def choose_country(page, code: str) -> None:  # noqa: F811
    page.select_option("#country-select", code)
    page.click(".country-form button[type=submit]")
    page.wait_for_load_state()


def test_russian_cards_show_seller_rating_and_local_warehouse(page, server):  # noqa: F811
    page.goto(f"{server}/ru/search?q=%D1%81%D1%83%D0%BC%D0%BA%D0%B0")  # сумка
    page.get_by_role("link", name="Быстрая доставка").click()
    page.wait_for_url("**sort=delivery*")
    first = page.locator(".card").first
    assert "С местного склада: 3–10 дней" in first.locator(".card__delivery--local").inner_text()
    assert first.locator(".seller-rating").inner_text().startswith("Продавец ")
    assert "оцен" in first.locator(".seller-rating__count").inner_text()
    assert first.locator(".badge--protection").is_visible()
    cards = page.locator(".card")
    assert all("Продавец" in cards.nth(i).inner_text() for i in range(min(4, cards.count())))
    footer = page.locator(".site-footer .protection")
    assert "Защита покупателя (Россия)" in footer.inner_text()
    shot(page, "trust-search-ru")


def test_arabic_product_page_explains_buyer_protection_right_to_left(page, server):  # noqa: F811
    page.goto(f"{server}/ar/product/demo-0001")
    section = page.locator(".product .protection")
    assert section.is_visible()
    assert "حماية المشتري" in section.locator("h2").inner_text()
    assert "استرداد أموالك إذا لم يصل الطلب" in section.inner_text()
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.protection')).direction") == "rtl"
    )
    box, title = section.bounding_box(), page.locator(".product__title").bounding_box()
    assert abs((box["x"] + box["width"]) - (title["x"] + title["width"])) < 4  # aligned right
    assert page.locator("html").get_attribute("lang") == "ar"
    shot(page, "trust-product-ar")


def test_arabic_shoppers_find_samsung_however_they_spell_it(page, server):  # noqa: F811
    counts = {}
    for spelling in ("سامسونج", "سامسونغ"):
        page.goto(f"{server}/ar/")
        page.fill("#site-search", spelling)
        page.press("#site-search", "Enter")
        page.wait_for_url("**/ar/search?q=*")
        counts[spelling] = page.locator(".card").count()
        titles = page.locator(".card__title").all_inner_texts()
        assert titles and all("سامسونج" in t or "Samsung" in t for t in titles)
    assert counts["سامسونج"] == counts["سامسونغ"] > 0
    shot(page, "brand-search-ar")


def test_portuguese_product_page_and_filters_that_find_nothing(page, server):  # noqa: F811
    page.goto(f"{server}/pt/")
    choose_country(page, "BR")
    assert "Proteção ao comprador (Brasil)" in page.locator(".site-footer").inner_text()
    page.goto(f"{server}/pt/product/demo-0480")
    section = page.locator(".product .protection")
    assert "Proteção ao comprador" in section.inner_text()
    assert "90 dias após o pagamento" in section.inner_text()
    assert "De um armazém local" in page.locator(".product").inner_text() or (
        "Entrega rápida de um armazém local" in page.locator(".product").inner_text()
    )
    assert page.locator("html").get_attribute("lang") == "pt"
    shot(page, "trust-product-pt")

    # Two filters that find nothing together: both stay listed, ticked, with 0.
    page.goto(f"{server}/pt/search?q=nike&category=shoes&ships_from=DE")
    page.locator(".facet__option.is-on", has_text="Calçados").first.wait_for()
    ticked = page.locator(".facet__option.is-on")
    assert ticked.count() == 2
    assert all(ticked.nth(i).locator(".facet__count").inner_text() == "0" for i in range(2))
    shot(page, "zero-results-pt")
    ticked.filter(has_text="Alemanha").click()  # untick the origin
    page.wait_for_load_state()
    assert "ships_from" not in page.url
    assert page.locator(".card").count() > 0

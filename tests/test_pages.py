"""The storefront pages as a shopper sees them, through the Flask test client."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from urllib.parse import quote, unquote

import pytest
from babel.messages.pofile import read_po

from indexer.indexing import index_feed
from locales.registry import LOCALES_DIR
from tests.conftest import make_product, write_feed
from vitrina.services import Services

ENABLED = ("en", "ru", "es", "pt", "de", "ar")


def text_of(html: str) -> str:
    """The visible interface text of a page: no tags, attribute values or product titles."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r'<span class="card__title"[^>]*>.*?</span>', " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def page(client, url: str, **kwargs) -> str:
    response = client.get(url, **kwargs)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


# -- choosing the locale ----------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "cookie", "expected"),
    [
        ({}, None, "/en/"),
        ({"Accept-Language": "pt-BR,pt;q=0.9,en;q=0.5"}, None, "/pt/"),
        ({"Accept-Language": "ja,ar;q=0.8"}, None, "/ar/"),
        ({"Accept-Language": "ja"}, None, "/en/"),
        ({"Accept-Language": "de-AT"}, "ru", "/ru/"),
        ({"Accept-Language": "es"}, "xx", "/es/"),
    ],
)
def test_root_redirects_by_cookie_then_accept_language_then_english(
    client, headers, cookie, expected
):
    if cookie:
        client.set_cookie("locale", cookie)
    response = client.get("/", headers=headers)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(expected)


def test_visiting_a_locale_remembers_it_for_the_root(client):
    page(client, "/es/")
    assert client.get("/", headers={"Accept-Language": "de"}).headers["Location"].endswith("/es/")


def test_unknown_locale_is_not_found(client):
    assert client.get("/xx/").status_code == 404


@pytest.mark.parametrize(
    ("locale", "direction"), [(code, "rtl" if code == "ar" else "ltr") for code in ENABLED]
)
def test_html_lang_and_direction(client, locale, direction):
    html = page(client, f"/{locale}/")
    assert f'<html lang="{locale}" dir="{direction}">' in html


# -- prices and plurals -----------------------------------------------------------


def test_russian_landing_shows_rubles_and_russian_deals(client):
    html = page(client, "/ru/")
    prices = re.findall(r'class="card__price">([^<]+)<', html)
    assert prices and all(p.endswith("\N{NO-BREAK SPACE}₽") for p in prices)
    assert "Предложения дня" in html
    assert "QIWI Кошелёк" in html and "Банковские карты" in html


def test_arabic_landing_shows_riyals(client):
    html = page(client, "/ar/")
    prices = re.findall(r'class="card__price">([^<]+)<', html)
    assert prices and all("ر.س." in p for p in prices)
    assert "عروض اليوم" in html
    assert "الدفع عند الاستلام" in html  # cash on delivery, a Saudi payment method


def test_country_cookie_sets_the_currency_and_keeps_the_page(client):
    response = client.get("/ru/country?country=KZ&next=/ru/search%3Fq%3Dсумка")
    assert response.status_code == 303
    assert unquote(response.headers["Location"]) == "/ru/search?q=сумка"
    html = page(client, "/ru/search?q=сумка")
    assert "₸" in html and "₽" not in html
    assert '<option value="KZ" selected>' in html


def test_country_switcher_never_redirects_off_site(client):
    response = client.get("/ru/country?country=DE&next=//evil.example/")
    assert response.headers["Location"] == "/ru/"


@pytest.fixture
def backpacks_client(services: Services):
    """A catalog with 21 backpacks in bags, 1 in shoes and 3 in toys (25 in all)."""
    products = [make_product(f"b{i}", f"Рюкзак городской {i}", "luggage_bags") for i in range(21)]
    products.append(make_product("s1", "Рюкзак для обуви", "shoes"))
    products += [make_product(f"t{i}", f"Рюкзак детский {i}", "toys") for i in range(3)]
    feed = write_feed(services.settings.ensure_data_dir() / "backpacks.jsonl", products)
    index_feed(feed, services.indexing_engine, services.settings.data_dir)
    from web.app import create_app

    return create_app(services, {"TESTING": True}).test_client()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=рюкзак&category=luggage_bags", "Найдено 21 товар"),
        ("q=рюкзак&category=luggage_bags&category=shoes", "Найдено 22 товара"),
        ("q=рюкзак", "Найдено 25 товаров"),
    ],
)
def test_russian_result_count_uses_plural_forms(backpacks_client, query, expected):
    html = page(backpacks_client, f"/ru/search?{query}")
    count = re.search(r'class="results__count"[^>]*>([^<]+)<', html).group(1)
    assert count == expected


def test_plural_forms_come_from_the_catalogs(app):
    from flask_babel import ngettext

    expected = {
        1: "1 товар",
        2: "2 товара",
        5: "5 товаров",
        11: "11 товаров",
        21: "21 товар",
        104: "104 товара",
    }
    with app.test_request_context("/ru/"):
        for n, words in expected.items():
            assert (
                ngettext("%(count)s product found", "%(count)s products found", n, count=n)
                == f"Найдено {words}"
            )
    with app.test_request_context("/ar/"):
        assert (
            ngettext("%(count)s product found", "%(count)s products found", 2, count=2)
            == "عُثر على منتجين"
        )
        assert (
            ngettext("%(count)s product found", "%(count)s products found", 5, count=5)
            == "عُثر على 5 منتجات"
        )


# -- search page ------------------------------------------------------------------


def test_query_echo_is_escaped(client):
    html = client.get("/ru/search?q=" + quote("<script>alert(1)</script>")).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_highlights_mark_matched_words(client):
    html = page(client, "/ru/search?q=сумка")
    assert re.search(r"<mark>Сумк[аи]</mark>", html)


def test_facets_link_to_filtered_searches(client):
    html = page(client, "/ru/search?q=сумка")
    assert 'href="/ru/search?q=%D1%81%D1%83%D0%BC%D0%BA%D0%B0&amp;category=luggage_bags"' in html
    assert "Сумки и чемоданы" in html
    filtered = page(client, "/ru/search?q=сумка&category=luggage_bags")
    assert 'class="facet__option is-on"' in filtered
    assert "Выбрано:" in filtered


def test_browsing_paginates(client):
    html = page(client, "/ru/search")
    assert re.search(r'rel="next" href="/ru/search\?page=2"', html)
    second = page(client, "/ru/search?page=2")
    assert 'aria-current="page">2<' in second
    assert 'rel="prev" href="/ru/search"' in second


def test_sort_and_price_form_keep_the_query(client):
    html = page(client, "/ru/search?q=сумка&price_min=1000")
    assert "sort=price_asc" in html and "Сначала дешёвые" in html
    assert '<input type="hidden" name="q" value="сумка">' in html
    assert 'name="price_min" min="0" step="any" inputmode="decimal" value="1000"' in html
    assert "Цена, ₽" in html


def test_rating_filter(client):
    html = page(client, "/ru/search?q=сумка")
    assert 'href="/ru/search?q=%D1%81%D1%83%D0%BC%D0%BA%D0%B0&amp;rating_min=4.5"' in html
    assert "от 4,5" in html
    filtered = page(client, "/ru/search?q=сумка&rating_min=4.5")
    ratings = re.findall(r'<span class="visually-hidden">Рейтинг</span> ([\d,]+)', filtered)
    assert ratings and all(float(r.replace(",", ".")) >= 4.5 for r in ratings)


def test_large_prices_stay_plain_numbers_in_links(client):
    client.set_cookie("country", "KZ")
    html = page(client, "/ru/search?q=сумка&price_max=2500000")
    assert 'value="2500000"' in html and "e+06" not in html
    assert "price_max=2500000" in html


def test_bad_filters_are_dropped_with_a_note(client):
    html = page(client, "/ru/search?q=сумка&price_min=abc&category=nonsense")
    assert "не распознаны" in html
    assert "Найдено" in html


def test_layout_correction_is_explained(client):
    html = page(client, "/ru/search?q=" + quote("cevrf"))
    assert "Показаны результаты по запросу «сумка»" in html
    assert "(исправлена раскладка клавиатуры)" in html


def test_spelling_correction_is_explained(client):
    html = page(client, "/ru/search?q=" + quote("сумка кожанная"))
    assert "Показаны результаты по запросу «сумка кожаная»" in html
    assert "(исправлена опечатка)" in html


def test_zero_results_offer_help(client):
    html = page(client, "/ru/search?q=" + quote("щщщщщщ ъъъъъъ"))
    assert "Ничего не найдено" in html
    assert "Проверьте, нет ли опечаток" in html


def test_language_switcher_keeps_the_page(client):
    html = page(client, "/ru/search?q=watch")
    assert 'href="/en/search?q=watch"' in html
    assert 'href="/ar/search?q=watch"' in html


def test_hreflang_alternates_and_canonical(client):
    html = page(client, "/de/search?q=uhr")
    for code in ENABLED:
        assert (
            f'<link rel="alternate" hreflang="{code}" href="http://localhost/{code}/search?q=uhr">'
            in html
        )
    assert (
        '<link rel="alternate" hreflang="x-default" href="http://localhost/en/search?q=uhr">'
        in html
    )
    assert '<link rel="canonical" href="http://localhost/de/search?q=uhr">' in html
    tracked = page(client, "/de/search?q=uhr&utm_source=mail&page=2")
    assert '<link rel="canonical" href="http://localhost/de/search?q=uhr&amp;page=2">' in tracked
    landing = page(client, "/de/")
    assert '<link rel="alternate" hreflang="x-default" href="http://localhost/">' in landing


# -- product, deals and error pages ----------------------------------------------


def test_product_page(client):
    html = page(client, "/ru/product/demo-0001")
    assert "Смартфон Samsung Galaxy A54" in html
    assert "₽" in html and "Сроки доставки" in html and "Китай" in html
    assert "Характеристики" in html and "Цвет" in html


def test_product_text_in_another_language_is_marked_as_such(client):
    html = page(client, "/ar/product/demo-0001")
    assert '<p class="product__description" dir="auto" lang="en">Genuine Samsung' in html
    assert '<h1 class="product__title" dir="auto">هاتف سامسونج' in html


def test_missing_product_is_a_localized_404(client):
    response = client.get("/ru/product/no-such-product")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert '<html lang="ru" dir="ltr">' in html
    assert "Страница не найдена" in html


def test_unknown_path_gets_the_error_page_in_the_preferred_locale(client):
    response = client.get("/no/such/page", headers={"Accept-Language": "de"})
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.get_data(as_text=True)


def test_unexpected_errors_get_a_localized_500_without_a_trace(demo_services):
    from web.app import create_app

    app = create_app(demo_services, {"TESTING": True})

    def broken(locale):
        raise RuntimeError("secret internals")

    app.add_url_rule("/<locale:locale>/broken", view_func=broken)
    response = app.test_client().get("/pt/broken")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Algo deu errado" in html
    assert "secret internals" not in html and "Traceback" not in html


def test_engine_without_an_index_answers_a_localized_503(services):
    from web.app import create_app

    client = create_app(services, {"TESTING": True}).test_client()
    response = client.get("/es/search?q=bolso")
    assert response.status_code == 503
    assert "La búsqueda no está disponible temporalmente" in response.get_data(as_text=True)


def test_deals_follow_the_countrys_recent_orders(app, demo_services, tmp_path):

    from indexer.events import ingest_events

    yesterday = datetime.now(UTC) - timedelta(hours=30)  # lists count orders before today
    lines = [
        {
            "product_id": "demo-0173",
            "country": "RU",
            "quantity": 40,
            "ts": yesterday.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    ]
    events = write_feed(tmp_path / "events.jsonl", lines)
    ingest_events(events, demo_services.database, demo_services.data_dir)
    html = page(app.test_client(), "/ru/deals")
    first = re.search(r'<li class="card">.*?</li>', html, re.S).group(0)
    assert 'href="/ru/product/demo-0173"' in first
    assert "В тренде" in first


def test_deals_page_lists_the_countrys_products(client):
    html = page(client, "/pt/deals")
    assert "Ofertas do dia" in html
    assert len(re.findall(r'class="card"', html)) > 0
    assert "R$" in html


# -- no English left on translated pages --------------------------------------------


def _english_strings(locale: str) -> set[str]:
    """English interface strings whose translation differs (brand names don't)."""
    with open(LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalog = read_po(f)
    english = set()
    for message in catalog:
        if not message.id or not isinstance(message.id, str) or message.string == message.id:
            continue
        fixed = re.split(r"%\(\w+\)s", message.id)
        english.update(part.strip(" :.,()“”") for part in fixed if len(part.strip()) > 3)
    return english


def _leftovers(html: str, locale: str) -> list[str]:
    chrome = re.sub(r"\s+", " ", text_of(html))
    return [
        s for s in _english_strings(locale) if re.search(rf"(?<!\w){re.escape(s)}(?!\w)", chrome)
    ]


@pytest.mark.parametrize(
    "url",
    ["/ru/", "/ru/search?q=сумка", "/ru/deals", "/ru/product/demo-0001", "/ru/search?q=zzzzqqq"],
)
def test_no_english_interface_text_on_russian_pages(client, url):
    assert not _leftovers(page(client, url), "ru")


@pytest.mark.parametrize("locale", ["es", "pt", "de", "ar"])
def test_no_english_interface_text_in_other_locales(client, locale):
    for url in (f"/{locale}/", f"/{locale}/search?q=samsung"):
        assert not _leftovers(page(client, url), locale), url

"""Trust signals shoppers look for, and localisation that needs no developer.

Buyer protection per country from the registry (product pages, cards, footer), seller
rating and number of ratings, local-warehouse delivery, sort by fastest delivery,
labels from the registry and catalogs (a label without a translation fails the
check), BCP 47 tags, and ticked filters that stay listed.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from locales import tooling
from locales.registry import load_registry
from tests.test_locales_tooling import translate
from vitrina.cli import main


def api(client, **params) -> dict:
    response = client.get("/api/v1/search", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def page(client, url: str, country: str | None = None) -> str:
    if country:
        client.set_cookie("country", country)
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def cards(html: str) -> list[str]:
    return re.findall(r'<li class="card">.*?</li>', html, flags=re.S)


# -- the API ----------------------------------------------------------------------


def test_items_carry_the_seller_and_the_delivery_to_the_shoppers_country(client):
    local = api(client, country="RU", ships_from="RU", per_page=100)["items"]
    assert local and all(i["local_warehouse"] and i["delivery_days"] == [3, 10] for i in local)
    seller = local[0]["seller"]
    assert set(seller) == {"id", "rating", "ratings"}
    assert 0 <= seller["rating"] <= 100 and seller["ratings"] > 0
    same = api(client, country="US", q=local[0]["title"], per_page=100)["items"]
    elsewhere = next(i for i in same if i["id"] == local[0]["id"])
    assert not elsewhere["local_warehouse"] and elsewhere["delivery_days"][1] > 10


def test_sort_by_delivery_puts_the_local_warehouse_first(client):
    items = api(client, country="RU", sort="delivery", per_page=100)["items"]
    days = [tuple(i["delivery_days"][::-1]) for i in items]
    assert days == sorted(days)
    assert items[0]["local_warehouse"] and not items[-1]["local_warehouse"]
    searched = api(client, q="сумка", country="RU", sort="delivery", per_page=100)["items"]
    assert searched[0]["local_warehouse"]
    assert [i["delivery_days"][1] for i in searched] == sorted(
        i["delivery_days"][1] for i in searched
    )


# -- cards, product pages, footer ---------------------------------------------------


def test_russian_cards_show_the_seller_rating_and_the_local_warehouse(client):
    html = page(client, "/ru/search?q=%D1%81%D1%83%D0%BC%D0%BA%D0%B0&sort=delivery")  # сумка
    shown = cards(html)
    assert all("Продавец " in card and "оцен" in card for card in shown)
    assert "С местного склада: 3–10 дней" in shown[0]
    assert all("Защита покупателя" in card for card in shown)
    assert "Быстрая доставка" in html  # the sort option


def test_product_pages_explain_buyer_protection_in_arabic_and_portuguese(client):
    arabic = page(client, "/ar/product/demo-0001")
    assert "حماية المشتري" in arabic
    assert "استرداد أموالك إذا لم يصل الطلب" in arabic
    assert "خلال 60 يومًا من الدفع" in arabic  # Saudi Arabia's terms
    portuguese = page(client, "/pt/product/demo-0001", country="BR")
    assert "Proteção ao comprador" in portuguese
    assert "Seu dinheiro de volta se o pedido não chegar" in portuguese
    assert "não chegar em 90 dias após o pagamento" in portuguese  # Brazil's terms
    assert "Vendedor: 98,6% de avaliações positivas" in portuguese


def test_buyer_protection_is_in_the_footer_of_every_page(client):
    for url in ("/ru/", "/ru/deals", "/ru/search?q=x", "/ru/product/demo-0001"):
        footer = page(client, url).split('<footer class="site-footer">')[1]
        assert "Защита покупателя (Россия)" in footer


def test_operators_change_the_terms_in_the_registry(demo_services):
    from web.app import create_app

    registry = demo_services.registry
    russia = registry.country("RU")
    assert russia.buyer_protection is not None
    changed = replace(
        russia, buyer_protection=replace(russia.buyer_protection, guarantee_days=45, covers=())
    )
    demo_services.__dict__["registry"] = replace(
        registry, countries={**registry.countries, "RU": changed}
    )
    html = create_app(demo_services, {"TESTING": True}).test_client().get("/ru/product/demo-0001")
    text = html.get_data(as_text=True)
    assert "в течение 45 дней после оплаты" in text
    assert "Деньги вернутся, если заказ не придёт" not in text


def test_a_country_without_buyer_protection_shows_none(demo_services):
    from web.app import create_app

    registry = demo_services.registry
    bare = replace(registry.country("RU"), buyer_protection=None)
    demo_services.__dict__["registry"] = replace(
        registry, countries={**registry.countries, "RU": bare}
    )
    html = create_app(demo_services, {"TESTING": True}).test_client().get("/ru/search?q=сумка")
    assert "Защита покупателя" not in html.get_data(as_text=True)


# -- labels from the registry and the catalogs --------------------------------------


def test_payment_methods_are_named_from_the_registry_in_the_page_language(client):
    assert "QIWI Кошелёк" in page(client, "/ru/")
    html = page(client, "/ar/", country="EG")
    assert "الدفع عند الاستلام" in html and "cash_on_delivery" not in html


@pytest.fixture
def locales_copy(tmp_path: Path) -> Path:
    """A copy of the project's locales (registry, catalogs); the project's own code."""
    target = tmp_path / "locales"
    shutil.copytree(
        tooling.LOCALES_DIR, target, ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    return target


def run(locales_dir: Path, *args: str):
    return CliRunner().invoke(
        main,
        ["locales", "--locales-dir", str(locales_dir), "--root", str(tooling.PROJECT_ROOT), *args],
    )


def add_payment_method(locales_dir: Path, country: str, key: str, name: str | None) -> None:
    countries = locales_dir / "countries.toml"
    text = countries.read_text(encoding="utf-8")
    section = text.index(f"[countries.{country}]")
    line = text.index("payment_methods = [", section)
    text = text[:line] + text[line:].replace(
        "payment_methods = [", f'payment_methods = ["{key}", ', 1
    )
    countries.write_text(text, encoding="utf-8")
    if name is not None:
        labels = locales_dir / "labels.toml"
        text = labels.read_text(encoding="utf-8")
        text = text.replace("[payment_methods]\n", f'[payment_methods]\n{key} = "{name}"\n', 1)
        labels.write_text(text, encoding="utf-8")


def test_the_real_project_passes_the_check(locales_copy):
    result = run(locales_copy, "check")
    assert result.exit_code == 0, result.output


def test_a_payment_method_without_a_name_fails_the_check(locales_copy):
    add_payment_method(locales_copy, "DE", "carte_bancaire", None)
    result = run(locales_copy, "check")
    assert result.exit_code == 1
    assert "payment method 'carte_bancaire' has no name in labels.toml" in result.output


def test_a_payment_method_without_a_translation_fails_the_check(locales_copy):
    add_payment_method(locales_copy, "DE", "carte_bancaire", "Carte Bancaire card")
    stale = run(locales_copy, "check")
    assert stale.exit_code == 1 and "template is stale" in stale.output
    assert '"Carte Bancaire card"' in stale.output
    assert run(locales_copy, "extract").exit_code == 0
    assert run(locales_copy, "update").exit_code == 0
    untranslated = run(locales_copy, "check")
    assert untranslated.exit_code == 1
    for code in ("ru", "es", "pt", "de", "ar"):
        assert f'{code}: 1 untranslated: "Carte Bancaire card"' in untranslated.output
    for code in ("ru", "es", "pt", "de", "ar"):
        translate_one(locales_copy, code, "Carte Bancaire card", f"{code}: Carte Bancaire")
    assert run(locales_copy, "compile").exit_code == 0
    assert run(locales_copy, "check").exit_code == 0


def translate_one(locales_dir: Path, code: str, msgid: str, text: str) -> None:
    path = tooling.catalog_path(locales_dir, code)
    catalog = tooling.read_catalog(path, code)
    catalog[msgid].string = text
    catalog[msgid].flags.discard("fuzzy")
    tooling.write_catalog(path, catalog)


def test_registry_labels_reach_the_template_with_a_note_for_translators():
    template = tooling.read_catalog(tooling.template_path(tooling.LOCALES_DIR))
    message = template["QIWI Wallet"]
    assert "payment method `qiwi` (locales/labels.toml [payment_methods])" in (
        message.auto_comments
    )
    assert template["Your money back if the order does not arrive"] is not None


# -- BCP 47 -------------------------------------------------------------------------


def test_pages_say_their_language_as_a_bcp47_tag(client):
    response = client.get("/ar/")
    assert response.headers["Content-Language"] == "ar"
    html = response.get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html
    assert 'hreflang="pt"' in html


def test_a_regional_locale_is_tagged_fr_CA(locales_copy, demo_services, monkeypatch):
    """`vitrina locales add fr_CA` to a live storefront: lang, hreflang and
    Content-Language say fr-CA (the URL keeps the catalog's code)."""
    import web.i18n
    from locales.i18n import chained_translations
    from web.app import create_app

    assert run(locales_copy, "add", "fr_CA").exit_code == 0
    translate(locales_copy, "fr_CA")
    assert run(locales_copy, "compile").exit_code == 0
    assert run(locales_copy, "enable", "fr_CA").exit_code == 0
    registry = load_registry(locales_copy)
    assert registry.locale_info("fr_CA").tag == "fr-CA"
    demo_services.__dict__["registry"] = registry
    monkeypatch.setattr(
        web.i18n,
        "translations",
        lambda code: chained_translations(code, locales_copy, registry),
    )
    client = create_app(demo_services, {"TESTING": True}).test_client()
    response = client.get("/fr_CA/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "fr-CA"
    assert '<html lang="fr-CA" dir="ltr">' in html
    assert re.search(r'<link rel="alternate" hreflang="fr-CA" href="http://[^"]+/fr_CA/">', html)
    assert 'lang="fr-CA"' in html.split('class="languages"')[1]
    assert "fr_CA" not in re.findall(r'(?:lang|hreflang)="([^"]+)"', html)
    chosen = client.get("/", headers={"Accept-Language": "fr-CA,fr;q=0.8"})
    assert chosen.headers["Location"].endswith("/fr_CA/")


# -- filters ------------------------------------------------------------------------


def test_ticked_filters_stay_listed_with_zero_when_nothing_is_found(client):
    html = page(client, "/ru/search?q=samsung&category=shoes&brand=Samsung&ships_from=AE")
    assert "Найдено 0 товаров" in html or "Ничего не найдено" in html
    sidebar = html.split('<aside class="filters"')[1].split("</aside>")[0]
    for name, value, label in (
        ("category", "shoes", "Обувь"),
        ("brand", "Samsung", "Samsung"),
        ("ships_from", "AE", "ОАЭ"),
    ):
        ticked = re.findall(r'<a class="facet__option is-on" href="([^"]+)">(.*?)</a>', sidebar)
        href, inner = next((h, i) for h, i in ticked if f">{label}<" in i)
        assert '<span class="facet__count">0</span>' in inner, name
        assert f"{name}={value}" not in href  # the link unticks it

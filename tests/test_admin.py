"""The merchandisers' pages at /admin/: signing in (throttled, CSRF, cookie flags), roles,
deals over dates, query rules, synonyms, search reports, accounts, languages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from merchandising.dates import local_today
from tests.admin_fixtures import *  # noqa: F403 (the fixtures)
from tests.admin_fixtures import PASSWORD, csrf, sign_in
from vitrina.services import Services
from web.app import create_app

NOODLES = "demo-0300"


def text(answer) -> str:
    return answer.get_data(as_text=True)


def post_form(client, page_url: str, action: str, data: dict, **kwargs):
    """Post a form of a page the way a browser would: with the page's CSRF token."""
    token = csrf(text(client.get(page_url)))
    return client.post(action, data={"csrf_token": token, **data}, **kwargs)


# -- signing in ---------------------------------------------------------------------------


def test_pages_need_a_sign_in(client):
    for path in ("/admin/", "/admin/deals", "/admin/rules", "/admin/synonyms", "/admin/reports",
                 "/admin/audit", "/admin/users", "/admin/lookup/products?q=x"):  # fmt: skip
        answer = client.get(path)
        assert answer.status_code == 302 and "/admin/login" in answer.headers["Location"], path


def test_signing_in_sets_a_locked_down_session_cookie(client, merchandiser):
    answer = sign_in(client, merchandiser.name)
    assert answer.status_code == 302 and answer.headers["Location"] == "/admin/deals"
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/admin" in cookie
    assert "Secure" not in cookie  # plain HTTP here
    assert client.get("/admin/deals").status_code == 200
    logout = post_form(client, "/admin/deals", "/admin/logout", {})
    assert logout.status_code == 302 and client.get("/admin/deals").status_code == 302


def test_the_cookie_is_secure_behind_tls(app, merchandiser):
    for kwargs in ({"base_url": "https://shop.example"}, {}):
        client = app.test_client()
        # Over TLS a browser sends the page it is on, and Flask-WTF checks it.
        headers = (
            {"Referer": "https://shop.example/admin/login"}
            if kwargs
            else {"X-Forwarded-Proto": "https"}
        )
        token = csrf(text(client.get("/admin/login", **kwargs)))
        answer = client.post(
            "/admin/login",
            data={"csrf_token": token, "name": merchandiser.name, "password": PASSWORD},
            headers=headers,
            **kwargs,
        )
        assert answer.status_code == 302 and "Secure" in answer.headers["Set-Cookie"]


def test_forms_without_their_csrf_token_are_refused(client, merchandiser):
    answer = client.post("/admin/login", data={"name": merchandiser.name, "password": PASSWORD})
    assert answer.status_code == 400 and "expired" in text(answer)
    assert client.get("/admin/deals").status_code == 302
    assert sign_in(client, merchandiser.name).status_code == 302
    forged = client.post("/admin/rules", data={"query": "x", "locale": "ru", "hide": NOODLES})
    assert forged.status_code == 400
    assert client.get("/admin/api/v1/rules", headers=merchandiser.headers).get_json() == {
        "items": []
    }


def test_ten_wrong_passwords_in_a_row_meet_429(client, merchandiser):
    statuses = [sign_in(client, merchandiser.name, "wrong password").status_code for _ in range(10)]
    assert statuses == [401] * 5 + [429] * 5
    locked = sign_in(client, merchandiser.name)  # even the right password, for 15 minutes
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 14 * 60
    assert "Too many failed attempts" in text(locked)


def test_the_limit_counts_per_client_across_accounts_and_processes(app, settings, merchandiser):
    """Five wrong guesses at five names from one client lock that client, in every worker."""
    first = app.test_client()
    for n in range(5):
        assert sign_in(first, f"guess{n}", "nope nope").status_code == 401
    other_worker = create_app(Services(settings), {"TESTING": True}).test_client()
    assert sign_in(other_worker, merchandiser.name).status_code == 429
    elsewhere = sign_in(other_worker, merchandiser.name, address="10.0.0.7")
    assert elsewhere.status_code == 302  # the account itself is not locked


def test_an_account_is_locked_from_every_client_but_others_still_sign_in(app, admin, merchandiser):
    attacker = app.test_client()
    for n in range(5):
        sign_in(attacker, merchandiser.name, "wrong password", address=f"10.9.9.{n}")
    assert sign_in(app.test_client(), merchandiser.name, address="10.1.2.3").status_code == 429
    assert sign_in(app.test_client(), admin.name, address="10.1.2.3").status_code == 302


def test_a_disabled_account_is_signed_out(app, signed_in, merchandiser):
    app.extensions["vitrina"].accounts.set_disabled(merchandiser.name)
    assert signed_in.get("/admin/deals").status_code == 302
    assert sign_in(app.test_client(), merchandiser.name).status_code == 401


# -- roles --------------------------------------------------------------------------------


def test_merchandisers_neither_read_the_audit_log_nor_manage_accounts(signed_in):
    assert signed_in.get("/admin/audit").status_code == 403
    assert signed_in.get("/admin/users").status_code == 403
    page = text(signed_in.get("/admin/deals"))
    assert "/admin/audit" not in page and "/admin/users" not in page


def test_admins_read_the_audit_log_and_manage_accounts(admin_client, signed_in, merchandiser):
    post_form(signed_in, "/admin/synonyms", "/admin/synonyms", {"groups": "лапша, вермишелька"})
    audit = text(admin_client.get("/admin/audit"))
    assert "synonyms.save" in audit and merchandiser.name in audit and "вермишелька" in audit
    saved = post_form(admin_client, "/admin/users", "/admin/users",
                      {"name": "petya", "role": "merchandiser", "password": "long enough"})  # fmt: skip
    assert saved.status_code == 302
    assert "petya" in text(admin_client.get("/admin/users"))
    short = post_form(admin_client, "/admin/users", "/admin/users",
                      {"name": "vasya", "role": "admin", "password": "short"})  # fmt: skip
    assert short.status_code == 400
    post_form(admin_client, "/admin/users", f"/admin/users/{merchandiser.name}/disable", {})
    assert signed_in.get("/admin/deals").status_code == 302
    post_form(admin_client, "/admin/users", f"/admin/users/{merchandiser.name}/enable", {})
    assert sign_in(signed_in, merchandiser.name).status_code == 302


# -- daily deals -------------------------------------------------------------------------------


def test_a_merchandiser_pins_for_tomorrow_through_the_page(signed_in):
    today = local_today("Europe/Moscow")
    tomorrow = (today + timedelta(days=1)).isoformat()
    answer = post_form(
        signed_in, "/admin/deals?country=RU", "/admin/pins",
        {"country": "RU", "product_id": NOODLES, "starts": tomorrow, "ends": tomorrow,
         "badge": "Выбор редакции"},
    )  # fmt: skip
    assert answer.status_code == 302
    page = text(signed_in.get(answer.headers["Location"]))
    assert "Pinned demo-0300" in page
    first = re.search(r'<li class="deal">.*?<code>([^<]+)</code>', page, re.S).group(1)
    assert first == NOODLES and "Выбор редакции" in page
    today_page = text(signed_in.get(f"/admin/deals?country=RU&date={today.isoformat()}"))
    first_today = re.search(r'<li class="deal">.*?<code>([^<]+)</code>', today_page, re.S)
    assert first_today.group(1) != NOODLES
    assert "Remove pin" in today_page  # scheduled from today on


def test_exclusions_removals_and_rebuilds_through_the_page(signed_in, client, merchandiser):
    today = local_today("Europe/Moscow").isoformat()
    client.get("/api/v1/recommendations/RU")
    top = client.get("/api/v1/recommendations/RU").get_json()["items"][0]["id"]
    post_form(signed_in, "/admin/deals", "/admin/exclusions",
              {"country": "RU", "product_id": top, "starts": today, "ends": today})  # fmt: skip
    assert top not in [
        i["id"] for i in client.get("/api/v1/recommendations/RU").get_json()["items"]
    ]
    exclusion = client.get("/admin/api/v1/exclusions", headers=merchandiser.headers).get_json()
    removed = post_form(signed_in, "/admin/deals",
                        f"/admin/exclusions/{exclusion['items'][0]['id']}/remove", {})  # fmt: skip
    assert removed.status_code == 302
    assert client.get("/api/v1/recommendations/RU").get_json()["items"][0]["id"] == top
    rebuilt = post_form(signed_in, "/admin/deals", "/admin/rebuild", {"country": "RU", "date": today},
                        follow_redirects=True)  # fmt: skip
    assert "The list was built again" in text(rebuilt)


def test_bad_pins_through_the_page_say_why_and_change_nothing(signed_in, merchandiser):
    today = local_today("Europe/Moscow")
    cases = [
        ({"product_id": "no-such-thing"}, "There is no such product in the catalog"),
        ({"ends": (today - timedelta(days=1)).isoformat()}, "The last day is before the first"),
        ({"position": "0"}, "Position"),
    ]
    for change, message in cases:
        data = {"country": "RU", "product_id": NOODLES, "starts": today.isoformat(),
                "ends": today.isoformat(), **change}  # fmt: skip
        answer = post_form(signed_in, "/admin/deals", "/admin/pins", data, follow_redirects=True)
        assert message in text(answer), change
    assert signed_in.get("/admin/deals?country=XX").status_code == 400
    assert signed_in.get("/admin/deals?country=RU&date=soon").status_code == 400
    assert signed_in.get("/admin/api/v1/pins", headers=merchandiser.headers).get_json() == {
        "items": []
    }


# -- rules, synonyms, reports -------------------------------------------------------------


def test_a_rule_made_on_the_page_is_previewed_and_applied(signed_in, client):
    preview = signed_in.get(f"/admin/rules/preview?query=смартфоны&locale=ru&promote={NOODLES}")
    assert preview.status_code == 200
    assert re.search(r"<code>([^<]+)</code>", text(preview)).group(1) == NOODLES
    assert "promoted" in text(preview)
    saved = post_form(signed_in, "/admin/rules", "/admin/rules",
                      {"query": "смартфон", "locale": "ru", "country": "", "promote": NOODLES,
                       "hide": ""}, follow_redirects=True)  # fmt: skip
    assert "is in effect" in text(saved)
    found = client.get("/api/v1/search?q=cvfhnajy").get_json()
    assert found["items"][0]["id"] == NOODLES
    refused = post_form(signed_in, "/admin/rules", "/admin/rules",
                        {"query": "чай", "locale": "ru", "promote": "no-such"},
                        follow_redirects=True)  # fmt: skip
    assert "There is no such product in the catalog" in text(refused)


def test_a_malformed_synonym_line_is_refused_on_the_page_and_search_keeps_working(
    signed_in, client
):
    before = client.get("/api/v1/search?q=смартфон").get_json()
    typed = "смартфон, телефон\nмобильный телефон, сотовый\n"
    answer = post_form(signed_in, "/admin/synonyms", "/admin/synonyms", {"groups": typed})
    assert answer.status_code == 400
    page = text(answer)
    assert "Nothing was saved" in page and "мобильный телефон" in page
    assert typed.strip() in page  # what was typed is kept for fixing
    assert client.get("/api/v1/search?q=смартфон").get_json() == before
    good = post_form(signed_in, "/admin/synonyms", "/admin/aliases", {"aliases": "жиаоми = xiaomi"})
    assert good.status_code == 302
    assert client.get("/api/v1/search?q=жиаоми").get_json()["total"] > 0


def test_a_zero_result_query_gets_a_synonym_in_one_step(signed_in, client):
    client.get("/api/v1/search?q=вермишелька&locale=ru&country=RU")
    report = text(signed_in.get("/admin/reports?kind=zero"))
    assert "вермишелька" in report and "<svg" in report
    assert 'href="/admin/rules?query=' in report  # a rule is one click away too
    answer = post_form(signed_in, "/admin/reports?kind=zero", "/admin/synonyms/add",
                       {"word": "вермишелька", "synonym": "лапша",
                        "next": "/admin/reports?kind=zero"})  # fmt: skip
    assert answer.status_code == 302 and answer.headers["Location"] == "/admin/reports?kind=zero"
    assert client.get("/api/v1/search?q=вермишелька").get_json()["total"] > 0
    top = text(signed_in.get("/admin/reports?kind=top&sort=query&dir=asc&days=30&locale=ru"))
    assert "вермишелька" in top


@pytest.mark.parametrize(
    ("language", "words"),
    [("ru", ["Ежедневные предложения", "Выйти"]), ("en", ["Daily deals", "Sign out"])],
)
def test_the_admin_speaks_the_merchandisers_language(signed_in, language, words):
    answer = signed_in.get(f"/admin/language/{language}?next=/admin/deals")
    assert answer.status_code == 302 and answer.headers["Location"] == "/admin/deals"
    page = text(signed_in.get("/admin/deals"))
    assert f'<html lang="{language}"' in page
    for word in words:
        assert word in page


def test_arabic_admin_is_right_to_left(signed_in):
    signed_in.get("/admin/language/ar")
    assert '<html lang="ar" dir="rtl"' in text(signed_in.get("/admin/rules"))


def test_products_are_chosen_by_searching(signed_in):
    found = signed_in.get("/admin/lookup/products?q=доширак").get_json()["items"]
    assert found[0]["id"] == NOODLES and found[0]["price"]
    assert (
        signed_in.get(f"/admin/lookup/products?q={NOODLES}").get_json()["items"][0]["id"] == NOODLES
    )


def test_users_add_reads_the_password_from_stdin(runner, settings):
    from vitrina.cli import main

    result = runner.invoke(
        main,
        ["users", "add", "petya", "--role", "merchandiser", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    user = Services(settings).accounts.authenticate("petya", PASSWORD)
    assert user is not None and user.role == "merchandiser"
    short = runner.invoke(main, ["users", "add", "vasya", "--password-stdin"], input="123\n")
    assert short.exit_code == 2 and "at least 8" in short.output


def test_badges_show_on_the_deals_and_landing_pages(app, client):
    services = app.extensions["vitrina"]
    today = local_today("Europe/Moscow")
    services.curation.add_pin("RU", NOODLES, today, today, position=1, badge="−30%", user="t")
    client.get("/api/v1/recommendations/RU")  # today's list is built
    for path in ("/ru/", "/ru/deals"):
        page = text(client.get(path))
        card = re.search(r'<li class="card">(.*?)</li>', page, re.S).group(1)
        assert (
            "Доширак" in card and '<span class="badge badge--merchandiser">−30%</span>' in card
        ), path


def test_refusals_name_the_line_in_the_merchandisers_language(signed_in):
    signed_in.get("/admin/language/ru")
    groups = "# seed\nсмартфон, телефон\n\nмобильный телефон, сотовый\n"
    page = text(post_form(signed_in, "/admin/synonyms", "/admin/synonyms", {"groups": groups}))
    assert "Ничего не сохранено: строка 4: «мобильный телефон» должно быть одним словом" in page
    aliases = "сяоми = xiaomi\nсяоми = xiaomi\n"
    page = text(post_form(signed_in, "/admin/synonyms", "/admin/aliases", {"aliases": aliases}))
    assert "строка 2: «сяоми» встречается дважды" in page
    page = text(post_form(signed_in, "/admin/synonyms", "/admin/aliases", {"aliases": "эпл apple"}))
    assert "строка 1: пишите по одному слову по обе стороны от «=»" in page

"""The Host header and forwarded headers are trusted only as configured (issue 13, defect 9):
canonical and hreflang links and redirects never name a host the operator did not list."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from vitrina.config import ConfigError, load_settings
from vitrina.services import Services
from web.app import create_app


def client_for(demo_services, **changes):
    settings = replace(demo_services.settings, **changes)
    return create_app(Services(settings), {"TESTING": True}).test_client()


def links(html: str) -> list[str]:
    return re.findall(r'<link rel="(?:canonical|alternate)"[^>]*href="([^"]+)"', html)


def test_an_unlisted_host_is_refused_everywhere(demo_services):
    client = client_for(demo_services, trusted_hosts=("shop.example", ".shop.example"))
    for path in ("/", "/ru/", "/ru/search?q=сумка", "/api/v1/search?q=x", "/admin/login"):
        answer = client.get(path, headers={"Host": "evil.example"})
        assert answer.status_code == 400, path
        assert "evil.example" not in answer.get_data(as_text=True), path
        assert "evil.example" not in answer.headers.get("Location", ""), path
    good = client.get("/ru/", headers={"Host": "shop.example"})
    assert good.status_code == 200
    found = links(good.get_data(as_text=True))
    assert found and all(url.startswith("http://shop.example/") for url in found), found
    assert client.get("/ru/", headers={"Host": "m.shop.example:8443"}).status_code == 200
    assert client.get("/", headers={"Host": "shop.example"}).headers["Location"].startswith("/")


def test_forwarded_headers_count_only_from_trusted_proxies(demo_services):
    forwarded = {"Host": "10.0.0.5:8000", "X-Forwarded-Host": "evil.example",
                 "X-Forwarded-Proto": "https"}  # fmt: skip
    direct = client_for(demo_services)  # no proxy in front: forwarded headers are ignored
    html = direct.get("/ru/", headers=forwarded).get_data(as_text=True)
    assert not [url for url in links(html) if "evil.example" in url]
    assert all(url.startswith("http://10.0.0.5:8000/") for url in links(html))

    proxied = client_for(demo_services, trusted_proxies=1, trusted_hosts=("shop.example",))
    assert proxied.get("/ru/", headers=forwarded).status_code == 400
    html = proxied.get("/ru/", headers={**forwarded, "X-Forwarded-Host": "shop.example"}).get_data(
        as_text=True
    )
    assert links(html) and all(url.startswith("https://shop.example/") for url in links(html))


def test_settings_from_the_environment():
    settings = load_settings(
        {"VITRINA_TRUSTED_HOSTS": " Shop.example, .shop.example ,", "VITRINA_TRUSTED_PROXIES": "1"}
    )
    assert settings.trusted_hosts == ("shop.example", ".shop.example")
    assert settings.trusted_proxies == 1
    assert load_settings({}).trusted_hosts == () and load_settings({}).trusted_proxies == 0
    with pytest.raises(ConfigError):
        load_settings({"VITRINA_TRUSTED_PROXIES": "many"})

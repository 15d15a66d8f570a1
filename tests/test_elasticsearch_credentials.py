"""Elasticsearch credentials come from their own variables, never from inside a URL.

The engine is built from settings exactly as the composition root builds it, and its
requests reach the team's loopback fake, which records their headers: a password with
`@ : / # % ?` arrives intact, an API key arrives as one, and the settings never show
either.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from search.engines.elasticsearch import ElasticsearchEngine
from tests.es_fake import FakeCluster
from vitrina.config import ConfigError, load_settings

PASSWORDS = ["p@ss:w/rd#1%?x", "a:b@c/d#e%f?g h", "%40%3A", "пароль:@"]


@pytest.fixture
def cluster() -> Iterator[FakeCluster]:
    cluster = FakeCluster()
    yield cluster
    cluster.close()


def authorization_sent(cluster: FakeCluster, env: dict[str, str]) -> str:
    """The Authorization header of a health check by an engine built from `env`."""
    settings = load_settings({"VITRINA_SEARCH_BACKEND": "elasticsearch", **env})
    engine = ElasticsearchEngine.from_settings(settings, timeout=5.0)
    engine.health()
    [request] = cluster.requests("GET", "/_cluster/health")
    headers = {k.lower(): v for k, v in request["headers"].items()}
    return headers["authorization"]


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


@pytest.mark.parametrize("password", PASSWORDS)
def test_a_password_with_any_character_authenticates(cluster, password):
    env = {"ELASTICSEARCH_URL": cluster.url, "ELASTICSEARCH_USERNAME": "elastic",
           "ELASTICSEARCH_PASSWORD": password}  # fmt: skip
    assert authorization_sent(cluster, env) == basic("elastic", password)
    settings = load_settings({"VITRINA_SEARCH_BACKEND": "elasticsearch", **env})
    assert password not in repr(settings)


def test_an_api_key_authenticates(cluster):
    key = "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw=="
    env = {"ELASTICSEARCH_URL": cluster.url, "ELASTICSEARCH_API_KEY": key}
    assert authorization_sent(cluster, env) == f"ApiKey {key}"
    assert key not in repr(load_settings({"VITRINA_SEARCH_BACKEND": "elasticsearch", **env}))


def test_credentials_inside_the_url_still_work_when_percent_encoded(cluster):
    """SPEC.md's ELASTICSEARCH_URL example keeps working (an encoded password included)."""
    password = "p@ss:w/rd#1%?x"
    url = cluster.url.replace("://", f"://elastic:{quote(password, safe='')}@")
    assert authorization_sent(cluster, {"ELASTICSEARCH_URL": url}) == basic("elastic", password)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ELASTICSEARCH_PASSWORD": "x"}, "needs ELASTICSEARCH_USERNAME"),
        ({"ELASTICSEARCH_USERNAME": "elastic"}, "needs ELASTICSEARCH_PASSWORD"),
        (
            {
                "ELASTICSEARCH_USERNAME": "elastic",
                "ELASTICSEARCH_PASSWORD": "x",
                "ELASTICSEARCH_API_KEY": "k",
            },
            "not both",
        ),  # fmt: skip
        (
            {"ELASTICSEARCH_URL": "http://elastic:x@es:9200", "ELASTICSEARCH_API_KEY": "k"},
            "keep them out of the URL",
        ),  # fmt: skip
    ],
)
def test_ambiguous_credentials_are_refused_with_a_clear_message(env, message):
    base = {"VITRINA_SEARCH_BACKEND": "elasticsearch", "ELASTICSEARCH_URL": "http://es:9200"}
    with pytest.raises(ConfigError, match=message):
        load_settings({**base, **env})


def test_no_credentials_send_no_authorization(cluster):
    settings = load_settings(
        {"VITRINA_SEARCH_BACKEND": "elasticsearch", "ELASTICSEARCH_URL": cluster.url}
    )
    ElasticsearchEngine.from_settings(settings, timeout=5.0).health()
    [request] = cluster.requests("GET", "/_cluster/health")
    assert "authorization" not in {k.lower() for k in request["headers"]}

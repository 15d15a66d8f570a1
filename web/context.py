"""How views reach the app's services: `services()`, from `current_app.extensions`.

The composition root builds the services and `create_app` stores them on the app;
blueprints never import either (the pattern of Flask-SQLAlchemy and the Flask
tutorial's `get_db`). `WebServices` says what the web uses of them.
"""

from __future__ import annotations

from typing import Protocol, cast

from flask import current_app

from locales.registry import Registry
from merchandising.accounts import Accounts
from merchandising.audit import AuditLog
from merchandising.curation import Curation
from merchandising.reports import SearchReports
from merchandising.rules import QueryRules
from merchandising.service import RecommendationService
from merchandising.synonyms import Wording
from merchandising.throttle import LoginThrottle
from search.engines.base import SearchEngine
from search.service import SearchService
from storage import Database

EXTENSION = "vitrina"


class WebSettings(Protocol):
    """What the web reads of the settings."""

    @property
    def search_backend(self) -> str: ...
    @property
    def celery_broker_url(self) -> str | None: ...
    @property
    def trusted_hosts(self) -> tuple[str, ...]: ...
    @property
    def trusted_proxies(self) -> int: ...


class WebServices(Protocol):
    """What the web app uses of the services the composition root built."""

    @property
    def settings(self) -> WebSettings: ...
    @property
    def secret_key(self) -> str: ...
    @property
    def registry(self) -> Registry: ...
    @property
    def engine(self) -> SearchEngine: ...
    @property
    def search(self) -> SearchService: ...
    @property
    def database(self) -> Database: ...
    @property
    def recommendations(self) -> RecommendationService: ...
    @property
    def curation(self) -> Curation: ...
    @property
    def accounts(self) -> Accounts: ...
    @property
    def login_throttle(self) -> LoginThrottle: ...
    @property
    def rules(self) -> QueryRules: ...
    @property
    def wording(self) -> Wording: ...
    @property
    def reports(self) -> SearchReports: ...
    @property
    def audit(self) -> AuditLog: ...


def services() -> WebServices:
    """The current app's services."""
    return cast(WebServices, current_app.extensions[EXTENSION])

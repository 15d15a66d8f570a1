"""The Flask application factory: `create_app(services, config=None)`.

`services` come from the composition root (`vitrina.services.Services`); they are
kept in `app.extensions` for the blueprints (web/context.py).
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import admin, api, errors, pages, security
from . import i18n as web_i18n
from .answers import JSONProvider
from .context import EXTENSION, WebServices, WebSettings


class Storefront(Flask):
    json_provider_class = JSONProvider


def create_app(services: WebServices, config: dict[str, Any] | None = None) -> Flask:
    """The storefront and its JSON API. `config` overrides Flask settings (tests pass their own)."""
    app = Storefront(__name__)
    app.config.update(SECRET_KEY=services.secret_key, MAX_CONTENT_LENGTH=1024 * 1024)
    trust_hosts_and_proxies(app, services.settings)
    if config:
        app.config.update(config)
    app.extensions[EXTENSION] = services
    errors.register(app)
    security.register(app)
    app.register_blueprint(api.blueprint)
    admin.register(app)
    web_i18n.init_app(app)
    pages.register(app)
    return app


def trust_hosts_and_proxies(app: Flask, settings: WebSettings) -> None:
    """Links and redirects are built from the Host header (or X-Forwarded-Host behind a
    proxy): only the configured host names are answered (others get 400), and forwarded
    headers count only from as many proxies as the operator says stand in front."""
    if settings.trusted_hosts:
        app.config["TRUSTED_HOSTS"] = list(settings.trusted_hosts)
    if settings.trusted_proxies:
        hops = settings.trusted_proxies
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=0
        )

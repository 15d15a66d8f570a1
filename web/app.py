"""The Flask application factory: `create_app(services, config=None)`.

`services` come from the composition root (`vitrina.services.Services`); they are
kept in `app.extensions` for the blueprints (web/context.py).
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from . import admin, api, errors, pages, security
from . import i18n as web_i18n
from .answers import JSONProvider
from .context import EXTENSION, WebServices


class Storefront(Flask):
    json_provider_class = JSONProvider


def create_app(services: WebServices, config: dict[str, Any] | None = None) -> Flask:
    """The storefront and its JSON API. `config` overrides Flask settings (tests pass their own)."""
    app = Storefront(__name__)
    app.config.update(SECRET_KEY=services.secret_key, MAX_CONTENT_LENGTH=1024 * 1024)
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

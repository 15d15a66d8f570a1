"""The Flask application factory: `create_app(config=None)`."""

from __future__ import annotations

from typing import Any

from flask import Flask

from vitrina.config import Settings, load_settings
from vitrina.services import Services

from . import errors, security
from . import i18n as web_i18n


def create_app(config: dict[str, Any] | None = None, settings: Settings | None = None) -> Flask:
    """Build the storefront. `config` overrides Flask settings (tests pass their own)."""
    from . import admin, api, api_recommendations, pages  # they import services() from this module

    settings = settings or load_settings()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.session_secret(),
        JSON_AS_ASCII=False,
        MAX_CONTENT_LENGTH=1024 * 1024,
    )
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    if config:
        app.config.update(config)
    app.extensions["vitrina"] = Services(settings)
    errors.register(app)
    security.register(app)
    app.register_blueprint(api.blueprint)
    app.register_blueprint(api_recommendations.blueprint)
    app.register_blueprint(admin.blueprint)
    web_i18n.init_app(app)
    pages.register(app)
    return app


def services() -> Services:
    """The current app's Services (engine, registry, search service)."""
    from flask import current_app

    return current_app.extensions["vitrina"]

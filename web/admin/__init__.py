"""The merchandisers' admin: pages at /admin/ (web/admin/views.py, session and CSRF) and
the JSON API at /admin/api/v1/ (web/admin/api.py, API tokens)."""

from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFProtect

# The page modules add their routes to the admin blueprint of views.py when imported.
from . import accounts, api, deals, reports, rules_pages, views, wording  # noqa: F401
from .auth import configure_sessions

csrf = CSRFProtect()


def register(app: Flask) -> None:
    """Add the admin pages and API to `app`: every form needs its CSRF token, except
    the API's (it takes no cookies, only tokens)."""
    configure_sessions(app)
    csrf.init_app(app)
    csrf.exempt(api.blueprint)
    app.register_blueprint(views.blueprint)
    app.register_blueprint(api.blueprint)

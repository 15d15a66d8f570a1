"""The merchandisers' admin: pages at /admin/ (web/admin/views.py, session and CSRF) and
the JSON API at /admin/api/v1/ (web/admin/api.py, API tokens)."""

from __future__ import annotations

from flask import Flask, request
from flask_wtf.csrf import CSRFProtect

# The page modules add their routes to the admin blueprint of views.py when imported.
from . import accounts, api, deals, reports, rules_pages, views, wording  # noqa: F401
from .auth import configure_sessions

csrf = CSRFProtect()


def register(app: Flask) -> None:
    """Add the admin pages and API to `app`: every form needs its CSRF token, except
    the API's (it takes no cookies, only tokens)."""
    configure_sessions(app)
    # Only a request whose method needs a token asks whether its view is exempt (that
    # takes ~15 us, which every storefront GET would otherwise spend).
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    csrf.init_app(app)
    csrf.exempt(api.blueprint)
    methods = frozenset(app.config["WTF_CSRF_METHODS"])

    @app.before_request
    def csrf_protect() -> None:
        if request.method in methods and app.config["WTF_CSRF_ENABLED"]:
            csrf.protect(apply_exemptions=True)

    app.register_blueprint(views.blueprint)
    app.register_blueprint(api.blueprint)

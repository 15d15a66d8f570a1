"""Who is asking, in the admin: a signed-in person (pages) or an API token (JSON API).

Pages use the Flask session: a cookie only /admin/ receives, HttpOnly and SameSite=Lax,
Secure when the request came over TLS (directly or through a proxy that says so),
expiring after ADMIN_SESSION_HOURS. The JSON API uses `Authorization: Bearer TOKEN`
(tokens from `vitrina users token`); no or a bad token answers 401, a role without
the right 403, in the API's error shape.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar, cast

from flask import Flask, Request, abort, g, redirect, request, session, url_for
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

from merchandising.accounts import User

from ..context import services
from ..errors import error_response

SESSION_USER = "admin_user"
ADMIN_SESSION_HOURS = 12
V = TypeVar("V", bound=Callable[..., Any])


class AdminSessionInterface(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the page was served over TLS."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        # Without a cookie (every storefront and API request: browsers send it only
        # under its path, /admin), an empty session, with no signing serializer built
        # for it, and no Cookie header parsed outside that path.
        if app.secret_key and (
            not (request.script_root + request.path).startswith(self.get_cookie_path(app))
            or not request.cookies.get(self.get_cookie_name(app))
        ):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: Any, response: Any) -> None:
        # An empty session nobody touched writes nothing (Flask's own would work out
        # every cookie setting first, the forwarded scheme included, to then do nothing).
        if session or session.modified or session.accessed:
            super().save_session(app, session, response)

    def get_cookie_secure(self, app: Flask) -> bool:
        if super().get_cookie_secure(app):
            return True
        forwarded = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
        return request.is_secure or forwarded == "https"


SESSION_CONFIG = {
    "SESSION_COOKIE_PATH": "/admin",  # the storefront needs no session
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=ADMIN_SESSION_HOURS),
}


def configure_sessions(app: Flask) -> None:
    """The admin's session cookie, where the app's config leaves Flask's defaults."""
    app.session_interface = AdminSessionInterface()
    for key, value in SESSION_CONFIG.items():
        if app.config.get(key) == app.default_config.get(key):
            app.config[key] = value
    # A form's token lives as long as the session (the default hour would expire open forms).
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)


def sign_in(user: User) -> None:
    session.clear()
    session.permanent = True
    session[SESSION_USER] = user.id


def sign_out() -> None:
    session.clear()


def current_user() -> User | None:
    """The signed-in, enabled user of this request (None when there is none)."""
    if "admin_user_checked" not in g:
        user_id = session.get(SESSION_USER)
        g.admin_user = services().accounts.get(user_id) if isinstance(user_id, int) else None
        g.admin_user_checked = True
        if g.admin_user is None and user_id is not None:
            session.pop(SESSION_USER, None)  # disabled or removed since signing in
    return g.admin_user


def signed_in(right: str | None = None) -> Callable[[V], V]:
    """A page for signed-in people (with `right`, only roles that have it: 403 otherwise)."""

    def decorate(view: V) -> V:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))
            if right is not None and not user.can(right):
                abort(403)
            return view(*args, **kwargs)

        return cast(V, wrapped)

    return decorate


def token_user(right: str | None = None) -> Callable[[V], V]:
    """A JSON API route for API tokens (with `right`, only roles that have it)."""

    def decorate(view: V) -> V:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            scheme, _, token = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                return _unauthorized("send an API token: Authorization: Bearer TOKEN")
            user = services().accounts.by_token(token.strip())
            if user is None:
                return _unauthorized("the API token is not valid (revoked, or its user disabled)")
            if right is not None and not user.can(right):
                return error_response(403, "forbidden", f"the {user.role} role cannot do this")
            g.api_user = user
            return view(*args, **kwargs)

        return cast(V, wrapped)

    return decorate


def _unauthorized(message: str):
    response = error_response(401, "unauthorized", message)
    response.headers["WWW-Authenticate"] = 'Bearer realm="vitrina-admin"'
    return response


def api_user() -> User:
    user: User = g.api_user
    return user

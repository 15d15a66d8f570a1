"""The merchandisers' pages at /admin/: the frame every page shares, signing in and out,
the language, and the product picker's lookups. The pages themselves are by subject:
`deals.py` (daily deals: preview, pins, exclusions), `rules_pages.py` (query rules),
`wording.py` (synonyms and brand aliases), `reports.py` (search reports),
`accounts.py` (for admins: the audit log and accounts).

Every page needs a signed-in account; every form is a Flask-WTF form with its CSRF
token; every change goes through the same merchandising services as the JSON API
(so the audit log records it) and redirects back with a message (post/redirect/get).
Texts are translated through the storefront's catalogs in the admin's language
(the `locale` cookie, then the browser's languages).
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as WerkzeugResponse

from merchandising.curation import CurationError

from .. import i18n
from ..context import services
from ..errors import with_exception_headers
from ..limits import local_target, parse_sane_day
from . import forms
from .auth import current_user, sign_in, sign_out, signed_in
from .shared import product_lookup, target_country

log = logging.getLogger("vitrina.web")
blueprint = Blueprint("admin", __name__, url_prefix="/admin")

LANGUAGE_COOKIE_DAYS = 365


# -- the frame of every page --------------------------------------------------------


def page_locale() -> str:
    return str(get_locale() or i18n.FALLBACK_LOCALE)


@blueprint.context_processor
def frame() -> dict[str, Any]:
    svc = services()
    return {
        "user": current_user(),
        "action_form": forms.ActionForm(),
        "admin_locales": [svc.registry.locale_info(code) for code in svc.registry.enabled_locales],
        "admin_locale": page_locale(),
        "role_label": role_label,
    }


def role_label(role: str) -> str:
    return {"admin": _("Administrator"), "merchandiser": _("Merchandiser")}.get(role, role)


def error_page(status: int, message: str) -> WerkzeugResponse:
    """The admin's error page; with the database down, it is shown as to a signed-out person
    (the frame would otherwise ask the database who is signed in, and fail in turn)."""
    try:
        return make_response(render_template("admin/error.html", status=status, message=message),
                             status)  # fmt: skip
    except OperationalError:
        g.admin_user, g.admin_user_checked = None, True
        return make_response(render_template("admin/error.html", status=status, message=message),
                             status)  # fmt: skip


@blueprint.errorhandler(CSRFError)
def form_expired(exc: CSRFError):
    return error_page(400, _("The form has expired. Go back, reload the page and try again."))


@blueprint.errorhandler(403)
def forbidden(exc: Any):
    return error_page(403, _("Your role does not allow this page."))


@blueprint.errorhandler(Exception)
def unexpected(exc: Exception):
    if isinstance(exc, HTTPException):
        return with_exception_headers(error_page(exc.code or 500, exc.description or ""), exc)
    log.exception("unhandled error on %s", request.path)
    return error_page(500, _(
        "Something went wrong on our side. Try again; if it happens again, tell the team."
    ))  # fmt: skip


@blueprint.errorhandler(OperationalError)
def database_unavailable(exc: OperationalError):
    log.warning("database unavailable: %s", exc)
    g.admin_user, g.admin_user_checked = None, True  # who is signed in is unknown: ask nobody
    response = error_page(503, _("The database is not answering. Try again in a minute."))
    response.headers["Retry-After"] = "30"
    return response


def back(default: str) -> WerkzeugResponse:
    """Back to the page the form was on (only /admin/ pages), else to `default`."""
    given = request.form.get("next") or request.args.get("next")
    return redirect(local_target(given, "/admin/") or default)


def form_errors(form: Any) -> None:
    for field, messages in form.errors.items():
        label = getattr(getattr(form, field, None), "label", None)
        for message in messages:
            flash(f"{label.text}: {message}" if label else str(message), "error")


# -- signing in and out -------------------------------------------------------------


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    form = forms.LoginForm()
    status = 200
    if form.validate_on_submit():
        svc = services()
        name, client = form.name.data.strip(), request.remote_addr or "unknown"
        lockout = svc.login_throttle.locked(name, client)
        if lockout is None:
            user = svc.accounts.authenticate(name, form.password.data)
            if user is not None:
                svc.login_throttle.succeeded(name)
                sign_in(user)
                return back(url_for("admin.deals"))
            svc.login_throttle.failed(name, client)
            flash(_("Wrong name or password."), "error")
            status = 401
        else:
            minutes = -(-lockout.retry_after() // 60)
            flash(
                _("Too many failed attempts. Try again in %(minutes)s min.", minutes=minutes),
                "error",
            )
            response = make_response(render_template("admin/login.html", form=form), 429)
            response.headers["Retry-After"] = str(lockout.retry_after())
            return response
    elif form.is_submitted():
        status = 400
        form_errors(form)
    return render_template("admin/login.html", form=form), status


@blueprint.post("/logout")
def logout():
    if forms.ActionForm().validate_on_submit():
        sign_out()
    return redirect(url_for("admin.login"))


@blueprint.get("/language/<code>")
def language(code: str):
    """Show the admin in another enabled language (the storefront's cookie)."""
    svc = services()
    response = back(url_for("admin.deals"))
    if code in svc.registry.enabled_locales:
        response.set_cookie(
            i18n.LOCALE_COOKIE, code, max_age=LANGUAGE_COOKIE_DAYS * 86400, samesite="Lax",
            httponly=True,
        )  # fmt: skip
    return response


@blueprint.get("/")
@signed_in()
def index():
    return redirect(url_for("admin.deals"))


def _target() -> tuple[str, date]:
    """The (country, date) a page is about; 400 when either is not usable."""
    svc = services()
    source = request.form if request.method == "POST" else request.args
    country = target_country(source.get("country") or "RU")
    if country is None:
        abort(400, description="unknown country")
    raw = (source.get("date") or "").strip()
    try:
        day = parse_sane_day(raw) if raw else svc.recommendations.today(country)
    except ValueError as exc:
        abort(400, description=str(exc))
    return country, day


def _titles(ids: list[str], country: str) -> dict[str, Any]:
    items = services().search.products(list(dict.fromkeys(ids)), page_locale(), country)
    return {item["id"]: item for item in items}


def _curation_message(exc: CurationError) -> str:
    """The domain's refusal in the page's language, where it is one the pages can meet."""
    if "catalog" in exc.message:
        return _("There is no such product in the catalog.")
    if exc.field == "ends":
        return _("A span runs from its first day to its last, at most a year.")
    return exc.message


# -- the product picker's lookups -----------------------------------------------------------


@blueprint.get("/lookup/products")
@signed_in()
def lookup_products():
    """Products by id or title for the pages' product pickers (session, not API token)."""
    text = (request.args.get("q") or "").strip()
    country = request.args.get("country")
    items = product_lookup(text, page_locale(), country) if text else []
    return jsonify(
        {
            "items": [
                {"id": i["id"], "title": i["title"], "price": i["price"]["formatted"],
                 "category": i["category_label"]}
                for i in items
            ]
        }
    )  # fmt: skip

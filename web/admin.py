"""Merchandiser tools at /admin/: view a country's daily list, pin, exclude, rebuild.

Login with a users-table account (Flask session); every form carries a CSRF token.
"""

from __future__ import annotations

import functools
import hmac
import secrets
from datetime import date

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from sqlalchemy.exc import OperationalError

from locales.registry import UnknownCountry
from merchandising.accounts import ROLES
from merchandising.dates import local_today, parse_day

from .context import services

blueprint = Blueprint("admin", __name__, url_prefix="/admin")


@blueprint.errorhandler(OperationalError)
def database_unavailable(exc: OperationalError):
    abort(503, description="the database is temporarily unavailable")


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


@blueprint.before_request
def check_csrf() -> None:
    if request.method == "POST":
        sent = request.form.get("csrf", "")
        if not hmac.compare_digest(sent, session.get("csrf", "\0")):
            abort(400, description="the form expired; reload the page and try again")


@blueprint.context_processor
def inject_csrf() -> dict:
    return {"csrf_token": csrf_token}


def login_required(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        user_id = session.get("admin_user")
        user = services().accounts.get(user_id) if user_id else None
        if user is None or user.role not in ROLES:
            session.pop("admin_user", None)
            return redirect(url_for("admin.login", next=request.full_path))
        g.admin_user = user
        return view(*args, **kwargs)

    return wrapped


def _target() -> tuple[str, date]:
    """The (country, date) a request is about; 400 when either is not usable."""
    source = request.form if request.method == "POST" else request.args
    registry = services().registry
    try:
        country = registry.country(source.get("country") or "RU").code
    except UnknownCountry:
        abort(400, description=f"unknown country; one of {', '.join(registry.countries)}")
    raw = (source.get("date") or "").strip()
    try:
        day = parse_day(raw) if raw else local_today(registry.country(country).timezone)
    except ValueError as exc:
        abort(400, description=str(exc))
    return country, day


def _product_id() -> str:
    product_id = (request.form.get("product_id") or "").strip()
    if not product_id or len(product_id) > 64:
        abort(400, description="product id: 1..64 characters")
    return product_id


def _back(country: str, day: date):
    return redirect(url_for("admin.index", country=country, date=day.isoformat()))


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        user = services().accounts.authenticate(
            request.form.get("name", ""), request.form.get("password", "")
        )
        if user is not None and user.role in ROLES:
            session.clear()
            session["admin_user"] = user.id
            target = request.args.get("next") or ""
            return redirect(target if target.startswith("/admin/") else url_for("admin.index"))
        error = "Wrong name or password."
    return render_template("admin/login.html", error=error), 401 if error else 200


@blueprint.post("/logout")
def logout():
    session.clear()
    return redirect(url_for("admin.login"))


@blueprint.get("/")
@login_required
def index():
    svc = services()
    country, day = _target()
    current = svc.recommendations.stored(country, day)
    pins = svc.curation.pins(country, day)
    exclusions = sorted(svc.curation.exclusions(country, day))
    locale = svc.registry.country(country).locale
    ids = list(
        dict.fromkeys([e.product_id for e in current.entries] if current else [])
        | dict.fromkeys(pins + exclusions)
    )
    products = {item["id"]: item for item in svc.search.products(ids, locale, country)}
    return render_template(
        "admin/list.html",
        user=g.admin_user,
        countries=sorted(svc.registry.countries),
        country=country,
        day=day,
        current=current,
        pins=pins,
        exclusions=exclusions,
        products=products,
    )


@blueprint.post("/pin")
@login_required
def add_pin():
    country, day = _target()
    product_id = _product_id()
    if not services().engine.get_products([product_id]):
        flash(f"No product {product_id} in the catalog.", "error")
        return _back(country, day)
    position = request.form.get("position", "").strip()
    services().curation.pin(country, day, product_id, int(position) if position.isdigit() else None)
    flash(f"Pinned {product_id}; rebuild the list to apply.", "ok")
    return _back(country, day)


@blueprint.post("/unpin")
@login_required
def remove_pin():
    country, day = _target()
    services().curation.unpin(country, day, _product_id())
    flash("Pin removed; rebuild the list to apply.", "ok")
    return _back(country, day)


@blueprint.post("/exclude")
@login_required
def add_exclusion():
    country, day = _target()
    product_id = _product_id()
    services().curation.exclude(country, day, product_id)
    flash(f"Excluded {product_id}; rebuild the list to apply.", "ok")
    return _back(country, day)


@blueprint.post("/unexclude")
@login_required
def remove_exclusion():
    country, day = _target()
    services().curation.unexclude(country, day, _product_id())
    flash("Exclusion removed; rebuild the list to apply.", "ok")
    return _back(country, day)


@blueprint.post("/rebuild")
@login_required
def rebuild():
    country, day = _target()
    built = services().recommendations.build(country, day)
    flash(f"Rebuilt {country} {day.isoformat()}: {len(built.entries)} products.", "ok")
    return _back(country, day)

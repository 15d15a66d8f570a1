"""The merchandisers' pages at /admin/: daily deals, query rules, synonyms, search reports,
and for admins the audit log and accounts.

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
    Response,
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError

from merchandising.accounts import ROLES
from merchandising.curation import CurationError
from merchandising.dates import parse_day
from merchandising.reports import KINDS, MAX_DAYS
from search.analysis.text import normalize
from search.params import SearchParams
from search.rules import Adjustment
from search.understanding.editable import DataError

from .. import i18n
from ..context import services
from . import forms
from .auth import current_user, sign_in, sign_out, signed_in
from .shared import preview_list, product_lookup, target_country

log = logging.getLogger("vitrina.web")
blueprint = Blueprint("admin", __name__, url_prefix="/admin")

LANGUAGE_COOKIE_DAYS = 365
REPORT_SORTS = ("query", "searches", "results")


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


@blueprint.errorhandler(CSRFError)
def form_expired(exc: CSRFError):
    return render_template("admin/error.html", status=400, message=_(
        "The form has expired. Go back, reload the page and try again."
    )), 400  # fmt: skip


@blueprint.errorhandler(403)
def forbidden(exc: Any):
    return render_template(
        "admin/error.html", status=403, message=_("Your role does not allow this page.")
    ), 403


@blueprint.errorhandler(Exception)
def unexpected(exc: Exception):
    from werkzeug.exceptions import HTTPException

    if isinstance(exc, HTTPException):
        status = exc.code or 500
        return render_template("admin/error.html", status=status, message=exc.description), status
    log.exception("unhandled error on %s", request.path)
    return render_template("admin/error.html", status=500, message=_(
        "Something went wrong on our side. Try again; if it happens again, tell the team."
    )), 500  # fmt: skip


@blueprint.errorhandler(OperationalError)
def database_unavailable(exc: OperationalError):
    log.warning("database unavailable: %s", exc)
    return render_template("admin/error.html", status=503, message=_(
        "The database is not answering. Try again in a minute."
    )), 503  # fmt: skip


def back(default: str) -> Response:
    """Back to the page the form was on (only /admin/ pages), else to `default`."""
    target = request.form.get("next") or request.args.get("next") or ""
    if not target.startswith("/admin/") or target.startswith("//"):
        target = default
    return redirect(target)  # type: ignore[return-value]


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


# -- daily deals: preview, pins, exclusions ----------------------------------------------


def _target() -> tuple[str, date]:
    """The (country, date) a page is about; 400 when either is not usable."""
    svc = services()
    source = request.form if request.method == "POST" else request.args
    country = target_country(source.get("country") or "RU")
    if country is None:
        abort(400, description="unknown country")
    raw = (source.get("date") or "").strip()
    try:
        day = parse_day(raw) if raw else svc.recommendations.today(country)
    except ValueError:
        abort(400, description="date: YYYY-MM-DD")
    return country, day


def _titles(ids: list[str], country: str) -> dict[str, Any]:
    items = services().search.products(list(dict.fromkeys(ids)), page_locale(), country)
    return {item["id"]: item for item in items}


@blueprint.get("/deals")
@signed_in()
def deals():
    svc = services()
    country, day = _target()
    preview = preview_list(country, day, page_locale())
    today = svc.recommendations.today(country)
    active_pins = svc.curation.pins(country, day)
    active_exclusions = svc.curation.exclusions(country, day)
    scheduled_pins = [p for p in svc.curation.pins(country) if p.ends >= today]
    scheduled_exclusions = [e for e in svc.curation.exclusions(country) if e.ends >= today]
    ids = [p.product_id for p in scheduled_pins + active_pins]
    ids += [e.product_id for e in scheduled_exclusions + active_exclusions]
    defaults = {"country": country, "starts": day, "ends": day}
    return render_template(
        "admin/deals.html",
        country=country,
        countries=sorted(svc.registry.countries, key=i18n.territory_name),
        day=day,
        today=today,
        preview=preview,
        active_pins=active_pins,
        active_exclusions=active_exclusions,
        scheduled_pins=scheduled_pins,
        scheduled_exclusions=scheduled_exclusions,
        products=_titles(ids, country),
        pin_form=forms.PinForm(formdata=None, data=defaults),
        exclusion_form=forms.ExclusionForm(formdata=None, data=defaults),
    )


def _deals_url(country: str, day: date | None) -> str:
    return url_for("admin.deals", country=country, date=day.isoformat() if day else None)


@blueprint.post("/pins")
@signed_in()
def add_pin():
    form = forms.PinForm()
    if not form.validate_on_submit():
        form_errors(form)
        return back(_deals_url(form.country.data or "RU", form.starts.data))
    user = current_user()
    assert user is not None
    try:
        pin = services().curation.add_pin(
            form.country.data, form.product_id.data, form.starts.data, form.ends.data,
            form.position.data, form.badge.data, user=user.name,
        )  # fmt: skip
    except CurationError as exc:
        flash(_curation_message(exc), "error")
        return back(_deals_url(form.country.data, form.starts.data))
    flash(_("Pinned %(product)s from %(starts)s to %(ends)s.", product=pin.product_id,
            starts=format_date(pin.starts), ends=format_date(pin.ends)), "ok")  # fmt: skip
    return back(_deals_url(pin.country, pin.starts))


@blueprint.post("/exclusions")
@signed_in()
def add_exclusion():
    form = forms.ExclusionForm()
    if not form.validate_on_submit():
        form_errors(form)
        return back(_deals_url(form.country.data or "RU", form.starts.data))
    user = current_user()
    assert user is not None
    try:
        exclusion = services().curation.add_exclusion(
            form.country.data, form.product_id.data, form.starts.data, form.ends.data,
            user=user.name,
        )  # fmt: skip
    except CurationError as exc:
        flash(_curation_message(exc), "error")
        return back(_deals_url(form.country.data, form.starts.data))
    flash(_("Excluded %(product)s from %(starts)s to %(ends)s.", product=exclusion.product_id,
            starts=format_date(exclusion.starts), ends=format_date(exclusion.ends)),
          "ok")  # fmt: skip
    return back(_deals_url(exclusion.country, exclusion.starts))


@blueprint.post("/pins/<int:pin_id>/remove")
@signed_in()
def remove_pin(pin_id: int):
    user = current_user()
    if forms.ActionForm().validate_on_submit() and user is not None:
        pin = services().curation.remove_pin(pin_id, user=user.name)
        flash(_("Pin removed.") if pin else _("That pin was already removed."), "ok")
    return back(url_for("admin.deals"))


@blueprint.post("/exclusions/<int:exclusion_id>/remove")
@signed_in()
def remove_exclusion(exclusion_id: int):
    user = current_user()
    if forms.ActionForm().validate_on_submit() and user is not None:
        gone = services().curation.remove_exclusion(exclusion_id, user=user.name)
        flash(_("Exclusion removed.") if gone else _("That exclusion was already removed."), "ok")
    return back(url_for("admin.deals"))


@blueprint.post("/rebuild")
@signed_in()
def rebuild():
    country, day = _target()
    user = current_user()
    if forms.ActionForm().validate_on_submit() and user is not None:
        built = services().recommendations.build(country, day)
        services().audit.note(
            user.name, "list.rebuild",
            after={"country": country, "date": day.isoformat(), "products": len(built.entries)},
        )  # fmt: skip
        flash(_("The list was built again: %(count)s products.", count=len(built.entries)), "ok")
    return redirect(_deals_url(country, day))


def _curation_message(exc: CurationError) -> str:
    """The domain's refusal in the page's language, where it is one the pages can meet."""
    if "catalog" in exc.message:
        return _("There is no such product in the catalog.")
    if exc.field == "ends":
        return _("A span runs from its first day to its last, at most a year.")
    return exc.message


# -- query rules --------------------------------------------------------------------------


def _rule_form(formdata: Any = None) -> forms.RuleForm:
    svc = services()
    form = forms.RuleForm(formdata=formdata) if formdata is not None else forms.RuleForm(
        formdata=None,
        data={
            "query": request.args.get("query", ""),
            "locale": request.args.get("locale") or page_locale(),
            "country": (request.args.get("country") or "").upper(),
            "promote": request.args.get("promote", ""),
            "hide": request.args.get("hide", ""),
        },
    )  # fmt: skip
    form.locale.choices = [
        (code, svc.registry.locale_info(code).name) for code in svc.registry.enabled_locales
    ]
    form.country.choices = [("", _("Every country"))] + [
        (code, f"{i18n.territory_name(code)} ({code})")
        for code in sorted(svc.registry.countries, key=i18n.territory_name)
    ]
    return form


def rule_preview(query: str, locale: str, country: str, promote: list[str], hide: list[str]):
    """The first page a shopper in (locale, country) gets for `query` with this rule."""
    svc = services()
    if locale not in svc.registry.enabled_locales:
        locale = page_locale()
    country = target_country(country) or svc.registry.default_country(locale)
    params = SearchParams(q=query, locale=locale, country=country, per_page=12)
    adjustment = Adjustment(tuple(p for p in promote if p not in hide), tuple(hide), ())
    answer = svc.search.render(svc.search.run(params, observed=False, adjustment=adjustment))
    return answer, set(promote), country


@blueprint.get("/rules")
@signed_in()
def rules():
    svc = services()
    form = _rule_form()
    found = svc.rules.list()
    ids = [pid for rule in found for pid in (*rule.promote, *rule.hide)]
    ids += form.ids(form.promote) + form.ids(form.hide)
    preview = None
    if form.query.data:
        preview = rule_preview(
            form.query.data, form.locale.data, form.country.data or "",
            form.ids(form.promote), form.ids(form.hide),
        )  # fmt: skip
    return render_template(
        "admin/rules.html",
        form=form,
        rules=found,
        products=_titles(ids, "RU"),
        preview=preview,
    )


@blueprint.get("/rules/preview")
@signed_in()
def rules_preview():
    """The preview panel alone, for the page's script to refresh as the rule is edited."""
    form = _rule_form()
    preview = None
    if form.query.data:
        preview = rule_preview(
            form.query.data, form.locale.data, form.country.data or "",
            form.ids(form.promote), form.ids(form.hide),
        )  # fmt: skip
    return render_template("admin/_rule_preview.html", preview=preview)


@blueprint.post("/rules")
@signed_in()
def add_rule():
    form = _rule_form(request.form)
    user = current_user()
    if not form.validate_on_submit() or user is None:
        form_errors(form)
        return back(url_for("admin.rules"))
    try:
        rule = services().rules.add(
            form.query.data, form.locale.data, form.country.data or None,
            form.ids(form.promote), form.ids(form.hide), form.starts.data, form.ends.data,
            user=user.name,
        )  # fmt: skip
    except CurationError as exc:
        flash(_curation_message(exc), "error")
        args: dict[str, Any] = {
            k: request.form.get(k, "") for k in ("query", "locale", "country", "promote", "hide")
        }
        return redirect(url_for("admin.rules", **args))
    flash(_("The rule for “%(query)s” is in effect.", query=rule.query), "ok")
    return redirect(url_for("admin.rules"))


@blueprint.post("/rules/<int:rule_id>/remove")
@signed_in()
def remove_rule(rule_id: int):
    user = current_user()
    if forms.ActionForm().validate_on_submit() and user is not None:
        gone = services().rules.remove(rule_id, user=user.name)
        flash(_("Rule removed.") if gone else _("That rule was already removed."), "ok")
    return redirect(url_for("admin.rules"))


# -- synonyms and brand aliases --------------------------------------------------------------


@blueprint.get("/synonyms")
@signed_in()
def synonyms():
    wording = services().wording
    return render_template(
        "admin/synonyms.html",
        synonyms_form=forms.SynonymsForm(
            formdata=None, data={"groups": "\n".join(", ".join(g) for g in wording.synonyms())}
        ),
        aliases_form=forms.AliasesForm(
            formdata=None,
            data={"aliases": "\n".join(f"{k} = {v}" for k, v in wording.aliases().items())},
        ),
    )


@blueprint.post("/synonyms")
@signed_in()
def save_synonyms():
    form = forms.SynonymsForm()
    user = current_user()
    if form.validate_on_submit() and user is not None:
        lines = [line.split("#", 1)[0] for line in (form.groups.data or "").splitlines()]
        groups = [[w.strip() for w in line.split(",")] for line in lines if line.strip()]
        try:
            saved = services().wording.save_synonyms(groups, user=user.name)
        except DataError as exc:
            flash(_("Nothing was saved: %(problem)s", problem=str(exc)), "error")
            return _synonyms_again(groups_text=form.groups.data or "")
        flash(_("Saved %(count)s synonym groups; search uses them now.", count=len(saved)), "ok")
    return redirect(url_for("admin.synonyms"))


@blueprint.post("/aliases")
@signed_in()
def save_aliases():
    form = forms.AliasesForm()
    user = current_user()
    if form.validate_on_submit() and user is not None:
        aliases: dict[str, str] = {}
        problem = None
        for number, line in enumerate((form.aliases.data or "").splitlines(), 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            typed, sep, catalog = line.partition("=")
            if not sep:
                problem = _("line %(number)s: write “typed = catalog”", number=number)
                break
            aliases[typed.strip()] = catalog.strip()
        try:
            if problem is not None:
                raise DataError(problem)
            saved = services().wording.save_aliases(aliases, user=user.name)
        except DataError as exc:
            flash(_("Nothing was saved: %(problem)s", problem=str(exc)), "error")
            return _synonyms_again(aliases_text=form.aliases.data or "")
        flash(_("Saved %(count)s brand aliases; search uses them now.", count=len(saved)), "ok")
    return redirect(url_for("admin.synonyms"))


def _synonyms_again(groups_text: str | None = None, aliases_text: str | None = None):
    """The synonyms page with what was typed kept, so a refused edit loses nothing."""
    wording = services().wording
    if groups_text is None:
        groups_text = "\n".join(", ".join(g) for g in wording.synonyms())
    if aliases_text is None:
        aliases_text = "\n".join(f"{k} = {v}" for k, v in wording.aliases().items())
    page = render_template(
        "admin/synonyms.html",
        synonyms_form=forms.SynonymsForm(formdata=None, data={"groups": groups_text}),
        aliases_form=forms.AliasesForm(formdata=None, data={"aliases": aliases_text}),
    )
    return page, 400


@blueprint.post("/synonyms/add")
@signed_in()
def add_synonym():
    """One step from a query that found nothing: it means this word."""
    form = forms.AddSynonymForm()
    user = current_user()
    if form.validate_on_submit() and user is not None:
        try:
            services().wording.add_synonym(form.word.data, form.synonym.data, user=user.name)
        except DataError as exc:
            flash(_("Nothing was saved: %(problem)s", problem=str(exc)), "error")
        else:
            flash(_("“%(word)s” now also finds “%(synonym)s”.", word=form.word.data,
                    synonym=form.synonym.data), "ok")  # fmt: skip
    else:
        form_errors(form)
    return back(url_for("admin.reports"))


# -- search reports ------------------------------------------------------------------------


@blueprint.get("/reports")
@signed_in()
def reports():
    svc = services()
    kind = request.args.get("kind", "zero")
    kind = kind if kind in KINDS else "zero"
    locale = request.args.get("locale") or ""
    if locale not in svc.registry.enabled_locales:
        locale = ""
    country = target_country(request.args.get("country")) or ""
    try:
        days = max(1, min(int(request.args.get("days", "7")), MAX_DAYS))
    except ValueError:
        days = 7
    sort = request.args.get("sort", "searches")
    sort = sort if sort in REPORT_SORTS else "searches"
    descending = request.args.get("dir", "desc" if sort != "query" else "asc") == "desc"
    rows = svc.reports.queries(kind, locale or None, country or None, days, limit=200)
    rows.sort(key=lambda r: getattr(r, sort), reverse=descending)
    per_day = svc.reports.per_day(locale or None, country or None, min(days, 92))
    return render_template(
        "admin/reports.html",
        kind=kind,
        locale=locale,
        country=country,
        days=days,
        sort=sort,
        descending=descending,
        rows=rows,
        per_day=per_day,
        chart=bar_chart(per_day),
        countries=sorted(svc.registry.countries, key=i18n.territory_name),
        locales=[svc.registry.locale_info(code) for code in svc.registry.enabled_locales],
        synonym_form=forms.AddSynonymForm(formdata=None),
        normalized=lambda text: normalize(text).split()[0] if normalize(text).split() else text,
    )


def bar_chart(per_day: list[tuple[date, int, int]], height: int = 120) -> dict[str, Any]:
    """Bars for an inline SVG (no script): searches per day, the zero-result part darker."""
    most = max((searches for _, searches, _ in per_day), default=0) or 1
    width = max(1, len(per_day))
    step = 100.0 / width
    bars = []
    for i, (day, searches, zero) in enumerate(per_day):
        total_h = height * searches / most
        zero_h = height * zero / most
        bars.append(
            {
                "x": round(i * step + step * 0.1, 3),
                "width": round(step * 0.8, 3),
                "y": round(height - total_h, 2),
                "height": round(total_h, 2),
                "zero_y": round(height - zero_h, 2),
                "zero_height": round(zero_h, 2),
                "day": day,
                "searches": searches,
                "zero": zero,
            }
        )
    return {"bars": bars, "height": height, "most": most}


# -- admins: audit log and accounts -------------------------------------------------------------


@blueprint.get("/audit")
@signed_in("audit")
def audit():
    try:
        limit = max(1, min(int(request.args.get("limit", "200")), 1000))
    except ValueError:
        limit = 200
    return render_template("admin/audit.html", entries=services().audit.recent(limit))


@blueprint.route("/users", methods=["GET", "POST"])
@signed_in("accounts")
def users():
    svc = services()
    form = forms.UserForm()
    form.role.choices = [(role, role_label(role)) for role in ROLES]
    status = 200
    if form.validate_on_submit():
        user = current_user()
        assert user is not None
        try:
            saved = svc.accounts.add(form.name.data.strip(), form.password.data, form.role.data,
                                     by=user.name)  # fmt: skip
        except ValueError as exc:
            flash(str(exc), "error")
            status = 400
        else:
            flash(_("Account %(name)s saved.", name=saved.name), "ok")
            return redirect(url_for("admin.users"))
    elif form.is_submitted():
        form_errors(form)
        status = 400
    return render_template("admin/users.html", form=form, accounts=svc.accounts.list()), status


@blueprint.post("/users/<name>/<any(disable, enable):change>")
@signed_in("accounts")
def change_user(name: str, change: str):
    user = current_user()
    if forms.ActionForm().validate_on_submit() and user is not None:
        if name == user.name and change == "disable":
            flash(_("You cannot disable your own account."), "error")
        else:
            try:
                services().accounts.set_disabled(name, change == "disable", by=user.name)
            except ValueError as exc:
                flash(str(exc), "error")
            else:
                flash(_("Account %(name)s disabled.", name=name) if change == "disable"
                      else _("Account %(name)s enabled.", name=name), "ok")  # fmt: skip
    return redirect(url_for("admin.users"))


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

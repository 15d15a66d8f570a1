"""Query rules in the admin: the rules in force, a form to make one, and its live preview."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from merchandising.curation import CurationError
from search.params import SearchParams
from search.rules import Adjustment

from .. import i18n
from ..context import services
from . import forms
from .auth import current_user, signed_in
from .shared import target_country
from .views import _curation_message, _titles, back, blueprint, form_errors, page_locale

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

"""Daily deals in the admin: a country's list on any date (stored, or as it would be built),
the pins and exclusions in force, and forms to add, remove and rebuild."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, url_for
from flask_babel import format_date
from flask_babel import gettext as _

from merchandising.curation import CurationError

from .. import i18n
from ..context import services
from ..limits import EARLIEST_DAY, LATEST_DAY
from . import forms
from .auth import current_user, signed_in
from .shared import preview_list
from .views import _curation_message, _target, _titles, back, blueprint, form_errors, page_locale

# -- daily deals: preview, pins, exclusions ----------------------------------------------


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
    """The deals page of `country` on `day` (today there when `day` is none, or not sane)."""
    shown = day.isoformat() if day and EARLIEST_DAY <= day <= LATEST_DAY else None
    return url_for("admin.deals", country=country, date=shown)


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

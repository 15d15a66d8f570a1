"""Search reports in the admin: top and zero-result queries per locale, country and period,
a sortable table and an inline SVG chart of searches per day (no script)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import render_template, request

from merchandising.reports import KINDS, MAX_DAYS
from search.analysis.text import normalize

from .. import i18n
from ..context import services
from . import forms
from .auth import signed_in
from .shared import target_country
from .views import blueprint

REPORT_SORTS = ("query", "searches", "results")

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

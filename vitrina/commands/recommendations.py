"""`vitrina recommend`: build daily recommendations, as the Celery task does."""

from __future__ import annotations

import sys

import click
from tqdm import tqdm

from merchandising.dates import local_today, parse_day

from ..services import Services


@click.command("recommend")
@click.option(
    "--date", "day", default=None, help="Local date YYYY-MM-DD (default: today in each country)."
)
@click.option("--country", default=None, help="One country (default: every country).")
@click.pass_obj
def recommend_command(services: Services, day: str | None, country: str | None) -> None:
    """Build daily recommendations (the same code the Celery task runs) and print them."""
    registry = services.registry
    try:
        wanted = parse_day(day) if day else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--date") from None
    if country and country.upper() not in registry.countries:
        raise click.BadParameter(
            f"unknown country {country!r}; one of {', '.join(registry.countries)}",
            param_hint="--country",
        )
    codes = [country.upper()] if country else sorted(registry.countries)
    lists = services.recommendations
    built = [
        lists.build(code, wanted or local_today(registry.country(code).timezone))
        for code in tqdm(
            codes, desc="countries", disable=not sys.stderr.isatty() or len(codes) < 2, leave=False
        )
    ]
    for stored in built:
        locale = registry.country(stored.country).locale
        ids = [e.product_id for e in stored.entries]
        items = {i["id"]: i for i in services.search.products(ids, locale, stored.country)}
        click.echo(f"{stored.country} {stored.date.isoformat()}: {len(stored.entries)} products")
        for position, entry in enumerate(stored.entries, start=1):
            item = items.get(entry.product_id)
            title = item["title"] if item else "(no longer in the catalog)"
            click.echo(
                f"  {position:>2}. {entry.reason:<8} {entry.score:>10.3f}  "
                f"{entry.product_id:<16} {title[:60]}"
            )

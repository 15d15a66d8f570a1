"""`vitrina events ingest`, `vitrina recommend` and `vitrina users add`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from sqlalchemy.exc import SQLAlchemyError
from tqdm import tqdm

from indexer.events import EventsUnusable, ingest_events
from indexer.recommendations import Recommender, local_today, parse_day
from indexer.storage import database_for
from indexer.storage.users import ROLES, UserError, add_user
from locales.registry import UnknownCountry
from search.engines.base import EngineUnavailable

from ..services import services_from_env


@click.group("events")
def events_group() -> None:
    """Order events (they drive country popularity and daily recommendations)."""


@events_group.command("ingest")
@click.argument("events", type=click.Path(path_type=Path, dir_okay=True))
@click.option(
    "--rejects",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where rejected lines go (default: the data dir's rejects/).",
)
def ingest_command(events: Path, rejects: Path | None) -> None:
    """Validate and store order events (JSON Lines).

    Exit status: 0 all lines accepted, 1 some lines rejected (the rest stored),
    2 the file could not be used (nothing stored). Ingesting the same file twice
    stores it once.
    """
    svc = services_from_env()
    try:
        report = ingest_events(
            events,
            database_for(svc.settings),
            svc.settings.ensure_data_dir(),
            rejects_path=rejects,
            progress=sys.stderr.isatty(),
            parallel=True,
        )
    except EventsUnusable as exc:
        click.echo(f"vitrina events ingest: {exc}", err=True)
        sys.exit(2)
    except (OSError, SQLAlchemyError) as exc:
        click.echo(f"vitrina events ingest: {exc}", err=True)
        sys.exit(2)
    click.echo(report.summary())
    for sample in report.rejection_samples:
        click.echo(f"  line {sample.line}: {sample.reason}", err=True)
    sys.exit(report.exit_code)


@click.command("recommend")
@click.option(
    "--date", "day", default=None, help="Local date YYYY-MM-DD (default: today in each country)."
)
@click.option("--country", default=None, help="One country (default: every country).")
def recommend_command(day: str | None, country: str | None) -> None:
    """Build daily recommendations (the same code the Celery task runs) and print them."""
    svc = services_from_env()
    registry = svc.registry
    try:
        wanted = parse_day(day) if day else None
        codes = [registry.country(country).code] if country else sorted(registry.countries)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--date") from None
    except UnknownCountry:
        raise click.BadParameter(
            f"unknown country {country!r}; one of {', '.join(registry.countries)}",
            param_hint="--country",
        ) from None
    recommender = Recommender(database_for(svc.settings), svc.indexing_engine, registry)
    built = []
    try:
        for code in tqdm(
            codes, desc="countries", disable=not sys.stderr.isatty() or len(codes) < 2, leave=False
        ):
            built.append(
                recommender.build(code, wanted or local_today(registry.country(code).timezone))
            )
    except EngineUnavailable as exc:
        click.echo(f"vitrina recommend: {exc}", err=True)
        sys.exit(3)
    except SQLAlchemyError as exc:
        click.echo(f"vitrina recommend: database error: {exc}", err=True)
        sys.exit(3)
    for stored in built:
        locale = registry.country(stored.country).locale
        items = {
            i["id"]: i
            for i in svc.search.products(
                [e.product_id for e in stored.entries], locale, stored.country
            )
        }
        click.echo(f"{stored.country} {stored.date.isoformat()}: {len(stored.entries)} products")
        for position, entry in enumerate(stored.entries, start=1):
            item = items.get(entry.product_id)
            title = item["title"] if item else "(no longer in the catalog)"
            click.echo(
                f"  {position:>2}. {entry.reason:<8} {entry.score:>10.3f}  {entry.product_id:<16} {title[:60]}"
            )


@click.group("users")
def users_group() -> None:
    """Merchandiser accounts for the /admin/ tools."""


@users_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default="merchandiser", show_default=True)
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of stdin."
)
def users_add_command(name: str, role: str, password_stdin: bool) -> None:
    """Create an account (or reset its password and role)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    svc = services_from_env()
    try:
        user = add_user(database_for(svc.settings), name, password, role)
    except UserError as exc:
        click.echo(f"vitrina users add: {exc}", err=True)
        sys.exit(2)
    click.echo(f"user {user.name} ({user.role}) saved")

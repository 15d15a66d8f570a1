"""`vitrina index` and `vitrina search`: the catalog."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from babel.numbers import format_decimal

from indexer.indexing import index_feed
from indexer.processes import sigterm_interrupts
from locales.i18n import translations
from search.params import parse_search_params

from ..services import Services


@click.command("index")
@click.argument("feed", type=click.Path(path_type=Path, dir_okay=True))
@click.option(
    "--rejects",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where rejected lines go (default: the data dir's rejects/).",
)
@click.option(
    "--changes", is_flag=True, help="Apply the feed to the live index instead of rebuilding it."
)
@click.option(
    "--allow-shrink",
    is_flag=True,
    help="Swap in a rebuild even if it drops more of the catalog than VITRINA_INDEX_MAX_SHRINK "
    "allows (default 20%); an empty catalog is still refused.",
)
@click.option(
    "--queue",
    is_flag=True,
    help="Hand the work to the Celery workers (CELERY_BROKER_URL); a request made while "
    "one for the same feed is still queued is folded into it.",
)
@click.pass_obj
def index_command(
    services: Services,
    feed: Path,
    rejects: Path | None,
    changes: bool,
    allow_shrink: bool,
    queue: bool,
) -> None:
    """Validate and index a catalog feed (JSON Lines).

    A rebuild swaps the new index in only when it is complete, not empty, and not more
    than VITRINA_INDEX_MAX_SHRINK (20%) smaller than the catalog in service. Exit
    status 1: some lines were rejected (the rest is indexed); 2: the feed could not
    be used or the new catalog was refused (the index is unchanged); 3: the engine is
    down, another indexing run holds the lock, or the disk is full (the index in
    service is unchanged). With --queue (and a broker) the workers index the feed,
    which they must be able to read at the same path.
    """
    if queue and services.jobs.queued:
        asked = services.jobs.reindex(str(feed.resolve()), full=not changes)
        click.echo(json.dumps(asked, ensure_ascii=False))
        return
    with sigterm_interrupts():  # stopped, a run unwinds: no half-built generation stays
        report = index_feed(
            feed,
            services.indexing_engine,
            services.data_dir,
            rejects_path=rejects,
            full=not changes,
            progress=sys.stderr.isatty(),
            analyzer=services.analyzer,
            max_shrink=None if allow_shrink else services.index_max_shrink,
            lock=services.jobs.indexing_lock(not changes),
            vocabulary_lock=services.jobs.vocabulary_lock(not changes),
        )
    click.echo(report.summary())
    for sample in report.rejection_samples:
        click.echo(f"  line {sample.line}: {sample.reason}", err=True)
    sys.exit(report.exit_code)


@click.command("search")
@click.argument("query", nargs=-1)
@click.option("--locale", default="ru", show_default=True)
@click.option("--country", default=None, help="Shopper country (default: the locale's).")
@click.option("--category", default=None)
@click.option("--sort", default="relevance", show_default=True)
@click.option("--page", default="1")
@click.option("--per-page", default="10")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON answer.")
@click.pass_obj
def search_command(
    services: Services,
    query: tuple[str, ...],
    locale: str,
    country: str | None,
    category: str | None,
    sort: str,
    page: str,
    per_page: str,
    as_json: bool,
) -> None:
    """Run one search from the terminal."""
    args = {"q": " ".join(query), "locale": locale, "sort": sort, "page": page}
    args["per_page"] = per_page
    if country:
        args["country"] = country
    if category:
        args["category"] = category
    params = parse_search_params(args, services.registry)
    answer = services.search.search(params)
    if as_json:
        click.echo(json.dumps(answer, ensure_ascii=False, indent=2))
        return
    understood = answer["query"]
    if understood["corrections"]:
        click.echo("understood as: " + understood["understood"])
    click.echo(found(answer["total"], params.locale))
    for item in answer["items"]:
        click.echo(f"  {item['price']['formatted']:>14}  {item['title']}  [{item['id']}]")


def found(total: int, locale: str) -> str:
    """ "Найдено 21 товар", "Found 1 product": the storefront's words for a search's total."""
    phrase = translations(locale).ngettext(
        "%(count)s product found", "%(count)s products found", total
    )
    return phrase % {"count": format_decimal(total, locale=locale)}

"""`vitrina index` and `vitrina search`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from indexer.indexing import FeedUnusable, index_feed
from indexer.locking import LockTimeout
from search.engines.base import EngineUnavailable
from search.params import BadParameter, parse_search_params

from ..services import services_from_env


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
def index_command(feed: Path, rejects: Path | None, changes: bool) -> None:
    """Validate and index a catalog feed (JSON Lines).

    Exit status: 0 all lines accepted, 1 some lines rejected (the rest indexed),
    2 the feed could not be used (the index is left unchanged).
    """
    svc = services_from_env()
    try:
        report = index_feed(
            feed,
            svc.indexing_engine,
            svc.settings.ensure_data_dir(),
            rejects_path=rejects,
            full=not changes,
            progress=sys.stderr.isatty(),
            analyzer=svc.analyzer,
        )
    except (FeedUnusable, LockTimeout, EngineUnavailable) as exc:
        click.echo(f"vitrina index: {exc}", err=True)
        sys.exit(2)
    except OSError as exc:
        click.echo(f"vitrina index: cannot write: {exc}", err=True)
        sys.exit(2)
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
def search_command(query, locale, country, category, sort, page, per_page, as_json) -> None:
    """Run one search from the terminal."""
    svc = services_from_env()
    args = {
        "q": " ".join(query),
        "locale": locale,
        "sort": sort,
        "page": page,
        "per_page": per_page,
    }
    if country:
        args["country"] = country
    if category:
        args["category"] = category
    try:
        answer = svc.search.search(parse_search_params(args, svc.registry))
    except BadParameter as exc:
        click.echo(f"vitrina search: {exc.message}", err=True)
        sys.exit(2)
    except EngineUnavailable as exc:
        click.echo(f"vitrina search: {exc}", err=True)
        sys.exit(3)
    if as_json:
        click.echo(json.dumps(answer, ensure_ascii=False, indent=2))
        return
    q = answer["query"]
    if q["corrections"]:
        click.echo("understood as: " + q["understood"])
    click.echo(f"{answer['total']} products")
    for item in answer["items"]:
        click.echo(f"  {item['price']['formatted']:>14}  {item['title']}  [{item['id']}]")

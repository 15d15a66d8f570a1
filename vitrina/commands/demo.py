"""`vitrina demo`: a working storefront on a fresh machine, nothing but Python."""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

import click

from indexer.events import ingest_events
from indexer.indexing import index_feed

from ..demo.events import write_demo_events
from ..services import Services
from .serve import default_workers, serve

DEMO_CATALOG = "catalog.jsonl"


def demo_catalog_path() -> Path:
    return Path(str(resources.files("vitrina.demo").joinpath(DEMO_CATALOG)))


def load_demo(services: Services, progress: bool = False, allow_shrink: bool = False) -> None:
    """Index the bundled demo catalog, ingest a month of demo order events and build
    today's recommendations in every country. Like `vitrina index`, it will not replace
    a bigger catalog in service unless `allow_shrink`."""
    data_dir = services.data_dir
    report = index_feed(
        demo_catalog_path(),
        services.indexing_engine,
        data_dir,
        progress=progress,
        analyzer=services.analyzer,
        max_shrink=None if allow_shrink else services.index_max_shrink,
        lock=services.jobs.indexing_lock(),
        vocabulary_lock=services.jobs.vocabulary_lock(),
    )
    click.echo("demo catalog: " + report.summary())
    events = write_demo_events(demo_catalog_path(), services.registry, data_dir / "demo")
    stored = ingest_events(events, services.database, data_dir, progress=progress)
    click.echo("demo events: " + stored.summary())
    built = services.recommendations.build_all()
    click.echo(
        f"recommendations: {len(built)} countries, {sum(len(b.entries) for b in built)} products"
    )


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Load the demo data and exit.")
@click.option(
    "--allow-shrink",
    is_flag=True,
    help="Replace a bigger catalog already in the data dir's index with the demo's.",
)
@click.pass_obj
def demo_command(
    services: Services, host: str, port: int, no_serve: bool, allow_shrink: bool
) -> None:
    """Load the bundled demo catalog and events, build today's recommendations, serve."""
    load_demo(services, progress=sys.stderr.isatty(), allow_shrink=allow_shrink)
    if no_serve:
        return
    services.database.dispose()  # the serving workers open their own connections
    click.echo(f"storefront: http://{host}:{port}/")
    serve(host, port, default_workers())

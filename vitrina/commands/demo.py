"""`vitrina demo`: a working storefront on a fresh machine, nothing but Python."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import click

from indexer.indexing import index_feed

from ..services import services_from_env
from .serve import default_workers, serve

DEMO_CATALOG = "catalog.jsonl"


def demo_catalog_path() -> Path:
    return Path(str(resources.files("vitrina.demo").joinpath(DEMO_CATALOG)))


def load_demo(progress: bool = False) -> None:
    """Index the bundled demo catalog (and whatever else the demo needs)."""
    svc = services_from_env()
    report = index_feed(
        demo_catalog_path(),
        svc.indexing_engine,
        svc.settings.ensure_data_dir(),
        progress=progress,
        analyzer=svc.analyzer,
    )
    click.echo("demo catalog: " + report.summary())
    load_demo_events(svc, progress)


def load_demo_events(svc, progress: bool = False) -> None:
    """Ingest a month of demo order events and build today's recommendations everywhere."""
    from indexer.events import ingest_events
    from indexer.recommendations import Recommender, build_all
    from indexer.storage import database_for
    from vitrina.demo.events import write_demo_events

    data_dir = svc.settings.ensure_data_dir()
    events = write_demo_events(demo_catalog_path(), svc.registry, data_dir / "demo")
    db = database_for(svc.settings)
    click.echo("demo events: " + ingest_events(events, db, data_dir, progress=progress).summary())
    built = build_all(Recommender(db, svc.indexing_engine, svc.registry))
    click.echo(
        f"recommendations: {len(built)} countries, {sum(len(b.entries) for b in built)} products"
    )


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Load the demo data and exit.")
def demo_command(host: str, port: int, no_serve: bool) -> None:
    """Load the bundled demo catalog and events, build today's recommendations, serve."""
    load_demo(progress=True)
    if no_serve:
        return
    click.echo(f"storefront: http://{host}:{port}/")
    serve(host, port, default_workers())

"""`vitrina events ingest`: order events, which drive popularity and daily lists."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from indexer.events import ingest_events

from ..boundary import VitrinaGroup
from ..services import Services


@click.group("events", cls=VitrinaGroup)
def events_group() -> None:
    """Order events (they drive country popularity and daily recommendations)."""


@events_group.command("ingest")
@click.argument("events", type=click.Path(path_type=Path, dir_okay=True))
@click.option(
    "--rejects",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where rejected lines go (default: the data dir's rejects/).",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the counts as one JSON object on stdout."
)
@click.pass_obj
def ingest_command(services: Services, events: Path, rejects: Path | None, as_json: bool) -> None:
    """Validate and store order events (JSON Lines).

    Each event is stored once (by order_id, or its product, country, ts and quantity):
    a file sent again, or with more lines, stores only what is new. Exit status 1: some
    lines were rejected (the rest is stored); 2: the file could not be used (nothing stored).
    """
    report = ingest_events(
        events,
        services.database,
        services.data_dir,
        rejects_path=rejects,
        progress=sys.stderr.isatty(),
        parallel=True,
    )
    if as_json:
        click.echo(json.dumps(report.counts()))
    else:
        click.echo(report.summary())
    for sample in report.rejection_samples:
        click.echo(f"  line {sample.line}: {sample.reason}", err=True)
    sys.exit(report.exit_code)

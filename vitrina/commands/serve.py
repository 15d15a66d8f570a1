"""`vitrina serve`: the storefront and API under gunicorn.

The app is loaded once in gunicorn's master (`preload_app`), with the dictionaries
and the vocabulary query understanding reads, and the lemmas the indexer saved in
the data dir, before the port opens; the forked workers share them. Each worker then
opens the index and runs a few searches itself before it takes a request: nothing of
tantivy or the database crosses a fork. What is loaded by then is frozen out of the
garbage collector's sight (`gc.freeze`): a full collection would otherwise walk it
all again in every worker, a pause of a few hundred ms now and then.

Workers are threaded (gthread) and keep connections alive, as a production deploy
runs them: a client's (or a proxy's) next request skips the TCP handshake, and one
request's time inside tantivy, outside the GIL, overlaps another's Python.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
from typing import TYPE_CHECKING, Any

import click
from gunicorn.app.base import BaseApplication

from indexer.indexing import LEMMA_CACHE_FILE

from ..services import Services

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger("vitrina.serve")

THREADS = 4  # per worker
KEEPALIVE_S = 5


class StorefrontServer(BaseApplication):
    """gunicorn serving the web app of `services`, warmed up before the first request."""

    def __init__(self, options: dict[str, Any], services: Services | None = None) -> None:
        self.options = options
        # A web worker's services: short database and broker timeouts.
        self.services = services or Services(serving=True)
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        self.cfg.set("post_fork", self.post_fork)

    def load(self) -> Flask:
        from web.app import create_app

        app = create_app(self.services)
        # In the master: pymorphy3's dictionaries, the vocabulary and its lookups, and
        # the catalog's lemmas (half the room: shoppers' own words fill the rest).
        words = self.services.analyzer.words
        words.load_cache(
            self.services.settings.data_dir / LEMMA_CACHE_FILE, at_most=words.cache_limit // 2
        )
        try:
            self.services.understanding.warm_up()
        except Exception as exc:  # no vocabulary yet: the workers load it when there is one
            log.warning("warm-up skipped: %s", exc)
        # What the master loaded lives as long as the workers: out of the collector's
        # sight, a worker's collections never write to (and so copy) those shared pages.
        gc.collect()
        gc.freeze()
        return app

    def post_fork(self, server: Any, worker: Any) -> None:
        """In a new worker, before its first request: the index, one of each search."""
        if "database" in self.services.__dict__:  # never share the master's connections
            self.services.database.engine.dispose(close=False)
        try:
            self.services.search.warm_up()
        except Exception as exc:  # no index yet, the database down: serve all the same
            log.warning("worker %s: warm-up skipped: %s", os.getpid(), exc)
        gc.freeze()


def default_workers() -> int:
    return max(2, min(4, multiprocessing.cpu_count()))


def serve(
    host: str, port: int, workers: int, services: Services | None = None, threads: int = THREADS
) -> None:
    StorefrontServer(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "gthread" if threads > 1 else "sync",
            "threads": threads,
            "keepalive": KEEPALIVE_S,
            "preload_app": True,
            "timeout": 30,
            "graceful_timeout": 10,
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "info",
            "control_socket_disable": True,
        },
        services,
    ).run()


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--workers", default=None, type=int, help="gunicorn workers (default: one per core, 2-4)."
)
@click.option(
    "--threads",
    default=THREADS,
    show_default=True,
    type=click.IntRange(min=1),
    help="Threads per worker (1: gunicorn's sync worker, no kept-alive connections).",
)
@click.pass_obj
def serve_command(
    services: Services, host: str, port: int, workers: int | None, threads: int
) -> None:
    """Serve the storefront and the API under gunicorn."""
    click.echo(f"search: {services.settings.search_backend}", err=True)  # a bad config stops here
    # The web workers' own services, with short database and broker timeouts.
    serve(
        host,
        port,
        workers or default_workers(),
        Services(services.settings, serving=True),
        threads=threads,
    )

"""`vitrina serve`: the storefront and API under gunicorn."""

from __future__ import annotations

import multiprocessing
from typing import TYPE_CHECKING, Any

import click
from gunicorn.app.base import BaseApplication

from ..services import Services

if TYPE_CHECKING:
    from flask import Flask


class StorefrontServer(BaseApplication):
    """gunicorn serving the web app; each worker builds its own services on load."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        from web.app import create_app

        return create_app(Services(serving=True))  # short database and broker timeouts


def default_workers() -> int:
    return max(2, min(4, multiprocessing.cpu_count()))


def serve(host: str, port: int, workers: int) -> None:
    StorefrontServer(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "sync",
            "timeout": 30,
            "graceful_timeout": 10,
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "info",
            "control_socket_disable": True,
        }
    ).run()


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--workers", default=None, type=int, help="gunicorn workers (default: one per core, 2-4)."
)
@click.pass_obj
def serve_command(services: Services, host: str, port: int, workers: int | None) -> None:
    """Serve the storefront and the API under gunicorn."""
    click.echo(f"search: {services.settings.search_backend}", err=True)  # a bad config stops here
    serve(host, port, workers or default_workers())

"""`vitrina serve`: the storefront and API under gunicorn."""

from __future__ import annotations

import multiprocessing

import click
from gunicorn.app.base import BaseApplication


class StorefrontServer(BaseApplication):
    """gunicorn running web.app:create_app() with options set from Python."""

    def __init__(self, options: dict) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from web.app import create_app

        return create_app()


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
def serve_command(host: str, port: int, workers: int | None) -> None:
    """Serve the storefront and the API under gunicorn."""
    serve(host, port, workers or default_workers())

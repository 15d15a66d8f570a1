"""The `vitrina` command line (see SPEC.md, "Command line")."""

from __future__ import annotations

import logging

import click

from .commands.catalog import index_command, search_command
from .commands.demo import demo_command
from .commands.locales import locales_command
from .commands.recommendations import events_group, recommend_command, users_group
from .commands.serve import serve_command
from .config import ConfigError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Vitrina: localized storefront search."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("pymorphy3").setLevel(logging.WARNING)


main.add_command(index_command)
main.add_command(search_command)
main.add_command(serve_command)
main.add_command(demo_command)
main.add_command(locales_command)
main.add_command(events_group)
main.add_command(recommend_command)
main.add_command(users_group)


def run() -> None:
    try:
        main()
    except ConfigError as exc:
        raise SystemExit(f"vitrina: configuration error: {exc}") from None

"""The `vitrina` command line (see SPEC.md, "Command line"), one module per subject.

Commands get the process's services (built by vitrina/services.py) as click's
`ctx.obj`; failures go through the one error boundary of vitrina/boundary.py.
"""

from __future__ import annotations

import click

from .boundary import DEBUG, EXIT_STATUS_HELP, VitrinaGroup, configure_logging
from .commands.catalog import index_command, search_command
from .commands.demo import demo_command
from .commands.events import events_group
from .commands.locales import locales_command
from .commands.recommendations import recommend_command
from .commands.serve import serve_command
from .commands.users import users_group
from .services import Services


@click.group(
    "vitrina",
    cls=VitrinaGroup,
    epilog=EXIT_STATUS_HELP,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option("--debug", is_flag=True, help="On failure, print the traceback; log everything.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Vitrina: localized storefront search."""
    configure_logging(debug)
    ctx.meta[DEBUG] = debug
    if ctx.obj is None:
        ctx.obj = Services()


for command in (
    index_command,
    search_command,
    serve_command,
    demo_command,
    locales_command,
    events_group,
    recommend_command,
    users_group,
):
    main.add_command(command)


def run() -> None:
    """The console script: `vitrina …`."""
    main(prog_name="vitrina")

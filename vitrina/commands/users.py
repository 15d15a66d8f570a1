"""`vitrina users …`: the accounts of the people who use /admin/."""

from __future__ import annotations

import sys

import click

from merchandising.accounts import ROLES

from ..boundary import VitrinaGroup
from ..services import Services


@click.group("users", cls=VitrinaGroup)
def users_group() -> None:
    """Merchandiser accounts for the /admin/ tools."""


@users_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default="merchandiser", show_default=True)
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of stdin."
)
@click.pass_obj
def users_add_command(services: Services, name: str, role: str, password_stdin: bool) -> None:
    """Create an account (or reset its password and role)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = services.accounts.add(name, password, role)
    click.echo(f"user {user.name} ({user.role}) saved")

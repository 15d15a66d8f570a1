"""`vitrina users …`: the accounts of the people who use /admin/ and its JSON API.

Changes are written to the audit log as made by `cli:<operating-system user>`.
`users token` prints the new token alone on stdout (so `TOKEN=$(vitrina users token
masha)` works) and everything else on stderr; only the token's hash is stored.
"""

from __future__ import annotations

import getpass
import sys
from datetime import UTC, datetime

import click

from merchandising.accounts import ROLES

from ..boundary import VitrinaGroup
from ..services import Services


def operator() -> str:
    """Who changes accounts from the command line, for the audit log."""
    try:
        return f"cli:{getpass.getuser()}"[:64]
    except Exception:  # no user name in a bare container
        return "cli"


@click.group("users", cls=VitrinaGroup)
def users_group() -> None:
    """Accounts for the /admin/ tools and the admin API."""


@users_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default="merchandiser", show_default=True)
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of stdin."
)
@click.pass_obj
def users_add_command(services: Services, name: str, role: str, password_stdin: bool) -> None:
    """Create an account (or set its password and role, enabling it again)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
    user = services.accounts.add(name, password, role, by=operator())
    click.echo(f"user {user.name} ({user.role}) saved")


@users_group.command("list")
@click.pass_obj
def users_list_command(services: Services) -> None:
    """Every account: name, role, whether it is enabled and holds an API token."""
    accounts = services.accounts.list()
    if not accounts:
        click.echo("no accounts yet: vitrina users add NAME --role admin", err=True)
        return
    width = max(len("name"), *(len(u.name) for u in accounts))
    click.echo(f"{'name':<{width}}  {'role':<12}  {'status':<8}  {'token':<5}  created")
    for user in accounts:
        created = datetime.fromtimestamp(user.created_at, UTC).strftime("%Y-%m-%d")
        status = "disabled" if user.disabled else "active"
        token = "yes" if user.has_token else "no"
        click.echo(f"{user.name:<{width}}  {user.role:<12}  {status:<8}  {token:<5}  {created}")


@users_group.command("disable")
@click.argument("name")
@click.option("--enable", is_flag=True, help="Enable the account again instead.")
@click.pass_obj
def users_disable_command(services: Services, name: str, enable: bool) -> None:
    """Disable an account: it can no longer sign in nor use its API token."""
    user = services.accounts.set_disabled(name, not enable, by=operator())
    click.echo(f"user {user.name} {'disabled' if user.disabled else 'enabled'}")


@users_group.command("token")
@click.argument("name")
@click.pass_obj
def users_token_command(services: Services, name: str) -> None:
    """Print a new API token for the account (shown once; it replaces any older one)."""
    token = services.accounts.new_token(name, by=operator())
    click.echo(token)
    click.echo(
        f"a new API token for {name}; it is shown only now (only its hash is stored) and "
        "replaces the old one. Send it as: Authorization: Bearer TOKEN",
        err=True,
    )

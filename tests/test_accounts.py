"""Accounts: hashed passwords and tokens, roles that differ, login throttling, and the
`vitrina users add/list/disable/token` commands."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from merchandising.accounts import UserError
from merchandising.throttle import LoginThrottle
from storage.schema import audit_log, users
from vitrina.cli import main
from vitrina.services import Services

PASSWORD = "correct horse battery"


def test_passwords_and_tokens_are_stored_hashed(services):
    accounts = services.accounts
    accounts.add("masha", PASSWORD, "merchandiser")
    token = accounts.new_token("masha")
    with services.database.connect() as conn:
        row = conn.execute(select(users).where(users.c.name == "masha")).one()
    assert row.password_hash.startswith("scrypt:") and PASSWORD not in row.password_hash
    assert token not in (row.token_hash or "") and len(row.token_hash) == 64
    assert accounts.by_token(token).name == "masha"
    assert accounts.by_token(token + "x") is None and accounts.by_token("") is None
    newer = accounts.new_token("masha")
    assert accounts.by_token(token) is None and accounts.by_token(newer).name == "masha"


def test_roles_differ(services):
    merchandiser = services.accounts.add("masha", PASSWORD, "merchandiser")
    admin = services.accounts.add("root", PASSWORD, "admin")
    assert not merchandiser.can("audit") and not merchandiser.can("accounts")
    assert admin.can("audit") and admin.can("accounts")
    with pytest.raises(UserError, match="role"):
        services.accounts.add("x", PASSWORD, "owner")


def test_a_disabled_account_cannot_sign_in_and_saving_it_again_enables_it(services):
    accounts = services.accounts
    user = accounts.add("masha", PASSWORD)
    accounts.set_disabled("masha")
    assert accounts.authenticate("masha", PASSWORD) is None and accounts.get(user.id) is None
    with pytest.raises(UserError, match="disabled"):
        accounts.new_token("masha")
    accounts.add("masha", PASSWORD)
    assert accounts.authenticate("masha", PASSWORD).name == "masha"
    with pytest.raises(UserError, match="no user"):
        accounts.set_disabled("nobody")


def test_five_failures_lock_the_account_or_the_client_for_fifteen_minutes(services):
    throttle = LoginThrottle(services.database)
    start = 1_800_000_000
    for n in range(4):
        assert throttle.failed("masha", "1.1.1.1", now=start + n) is None
    assert throttle.locked("masha", "1.1.1.1", now=start + 4) is None
    lockout = throttle.failed("masha", "1.1.1.1", now=start + 4)
    assert lockout is not None and lockout.until == start + 4 + 900
    assert throttle.locked("MASHA", "9.9.9.9", now=start + 5) is not None  # the account
    assert throttle.locked("petya", "1.1.1.1", now=start + 5) is not None  # the client
    assert throttle.locked("petya", "9.9.9.9", now=start + 5) is None
    assert throttle.locked("masha", "1.1.1.1", now=start + 905) is None  # 15 minutes later


def test_failures_older_than_the_window_do_not_count(services):
    throttle = LoginThrottle(services.database)
    start = 1_800_000_000
    for n in range(4):
        throttle.failed("masha", "1.1.1.1", now=start + n)
    assert throttle.failed("masha", "1.1.1.1", now=start + 901) is None  # the first four expired
    throttle.succeeded("masha")
    for n in range(3):
        assert throttle.failed("masha", "2.2.2.2", now=start + 902 + n) is None


def test_users_commands(runner, settings):
    add = runner.invoke(
        main, ["users", "add", "root", "--role", "admin", "--password-stdin"], input=PASSWORD
    )
    assert add.exit_code == 0, add.output
    token = runner.invoke(main, ["users", "token", "root"])
    assert token.exit_code == 0
    assert token.stdout.strip().startswith("vt_") and len(token.stdout.splitlines()) == 1
    assert "shown only now" in token.stderr
    services = Services(settings)
    assert services.accounts.by_token(token.stdout.strip()).name == "root"
    listed = runner.invoke(main, ["users", "list"])
    assert listed.exit_code == 0
    assert listed.stdout.splitlines()[1].split()[:4] == ["root", "admin", "active", "yes"]
    disabled = runner.invoke(main, ["users", "disable", "root"])
    assert disabled.exit_code == 0 and "disabled" in disabled.stdout
    assert services.accounts.by_token(token.stdout.strip()) is None
    assert "disabled" in runner.invoke(main, ["users", "list"]).stdout
    assert runner.invoke(main, ["users", "disable", "root", "--enable"]).exit_code == 0
    missing = runner.invoke(main, ["users", "token", "nobody"])
    assert missing.exit_code == 2 and "no user 'nobody'" in missing.stderr and missing.stdout == ""
    with services.database.connect() as conn:
        actions = [r.action for r in conn.execute(select(audit_log).order_by(audit_log.c.id))]
        who = {r.user for r in conn.execute(select(audit_log))}
    assert actions == ["user.save", "user.token", "user.disable", "user.enable"]
    assert all(name.startswith("cli") for name in who)

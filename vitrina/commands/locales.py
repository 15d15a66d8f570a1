"""`vitrina locales ...`: the translators' workflow (see TRANSLATING.md).

A thin shell over `locales.tooling`: list, add, extract, update, compile,
check, enable, disable.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import click

from locales import tooling
from locales.tooling import LocaleNotReady

from ..boundary import VitrinaGroup


@dataclass(frozen=True)
class LocalePaths:
    """What the translators' commands work on (they need none of the services)."""

    locales_dir: Path
    root: Path


def _paths(ctx: click.Context) -> tuple[Path, Path]:
    paths = ctx.find_object(LocalePaths)
    assert paths is not None
    return paths.locales_dir, paths.root


@click.group("locales", cls=VitrinaGroup)
@click.option(
    "--locales-dir", type=click.Path(path_type=Path, file_okay=False), default=tooling.LOCALES_DIR,
    help="Directory with locales.toml, messages.pot and the catalogs (default: the project's).",
)  # fmt: skip
@click.option(
    "--root", type=click.Path(path_type=Path, file_okay=False), default=tooling.PROJECT_ROOT,
    help="Project root holding babel.cfg, for extract and check.",
)  # fmt: skip
@click.pass_context
def locales_command(ctx: click.Context, locales_dir: Path, root: Path) -> None:
    """Translate the storefront: list, add, extract, update, compile, check, enable."""
    ctx.obj = LocalePaths(locales_dir, root)


def _table(statuses: list[tooling.LocaleStatus], with_status: bool) -> None:
    header = f"{'code':<8}{'name':<20}{'dir':<5}{'enabled':<9}{'translated':>12}{'fuzzy':>7}{'coverage':>10}"
    click.echo(header + ("  status" if with_status else ""))
    for s in statuses:
        line = (
            f"{s.code:<8}{s.name[:19]:<20}{s.direction:<5}{'yes' if s.enabled else 'no':<9}"
            f"{f'{s.translated}/{s.total}':>12}{s.fuzzy:>7}{s.coverage:>9.1f}%"
        )
        if with_status:
            problems = len(s.blocking)
            line += "  " + (f"FAIL ({problems} problems)" if problems else "ok")
        click.echo(line)


@locales_command.command("list")
@click.pass_context
def list_command(ctx: click.Context) -> None:
    """Every locale with its translated/total strings, fuzzy count and coverage.

    Coverage counts strings a shopper sees in the locale's language, its own or
    from a fallback before English (pt_BR borrows from pt).
    """
    locales_dir, _root = _paths(ctx)
    _table(tooling.locale_statuses(locales_dir), with_status=False)


@locales_command.command("add")
@click.argument("code")
@click.option(
    "--name", help="Name shown in the locale switcher (default: CLDR's, in the language)."
)
@click.option("--direction", type=click.Choice(["ltr", "rtl"]), help="Default: CLDR's.")
@click.option(
    "--fallback", help="Comma-separated fallback locales (default: the base language, then en)."
)
@click.pass_context
def add_command(
    ctx: click.Context, code: str, name: str | None, direction: str | None, fallback: str | None
) -> None:
    """Start a catalog for CODE (fr, pt_BR, ...) and register it, disabled."""
    locales_dir, _root = _paths(ctx)
    chain = [c.strip() for c in fallback.split(",") if c.strip()] if fallback is not None else None
    path = tooling.add_locale(locales_dir, code, name=name, direction=direction, fallback=chain)
    catalog = tooling.read_catalog(path, path.parts[-3])
    click.echo(f"created {path} ({catalog.plural_forms})")
    click.echo(f"registered {path.parts[-3]} in locales.toml, disabled until fully translated")


@locales_command.command("extract")
@click.pass_context
def extract_command(ctx: click.Context) -> None:
    """Regenerate messages.pot from the code and templates that babel.cfg maps."""
    locales_dir, root = _paths(ctx)
    path, changed = tooling.extract(locales_dir, root)
    count = len(tooling.message_keys(tooling.read_catalog(path)))
    click.echo(f"{path}: {count} strings" + ("" if changed else " (unchanged)"))


@locales_command.command("update")
@click.pass_context
def update_command(ctx: click.Context) -> None:
    """Merge messages.pot into every catalog (new strings untranslated, removed ones obsolete)."""
    locales_dir, _root = _paths(ctx)
    result = tooling.update(locales_dir)
    for code, (added, removed) in result.items():
        click.echo(f"{code}: {added} new, {removed} obsolete")


@locales_command.command("compile")
@click.pass_context
def compile_command(ctx: click.Context) -> None:
    """Compile every catalog to messages.mo next to its .po (commit both)."""
    locales_dir, _root = _paths(ctx)
    result = tooling.compile_catalogs(locales_dir)
    for code, changed in result.items():
        click.echo(f"{code}: {'compiled' if changed else 'up to date'}")


@locales_command.command("check")
@click.pass_context
def check_command(ctx: click.Context) -> None:
    """Fail (exit 1) if anything would ship a stale, broken or half-translated storefront."""
    locales_dir, root = _paths(ctx)
    report = tooling.check(locales_dir, root)
    _table(report.locales, with_status=True)
    for problem in report.general:
        click.echo(f"error: {problem}")
    for status in report.locales:
        for problem in status.blocking:
            click.echo(f"{status.code}: {problem}")
    if not report.ok:
        failing = [s.code for s in report.locales if s.blocking]
        click.echo(f"locales check failed: {', '.join(failing) or 'template/registry'}", err=True)
        sys.exit(1)
    enabled = sum(s.enabled for s in report.locales)
    total = max((s.total for s in report.locales), default=0)
    click.echo(
        f"locales check passed: {len(report.locales)} locales ({enabled} enabled), {total} strings"
    )


@locales_command.command("enable")
@click.argument("code")
@click.pass_context
def enable_command(ctx: click.Context, code: str) -> None:
    """Put CODE on the storefront; refused until it is 100% translated and passes check."""
    locales_dir, _root = _paths(ctx)
    try:
        tooling.enable_locale(locales_dir, code)
    except LocaleNotReady as exc:
        click.echo(f"vitrina locales enable: {exc}", err=True)
        for reason in exc.reasons:
            click.echo(f"  {reason}", err=True)
        sys.exit(1)
    click.echo(f"{code} enabled: restart the storefront to serve /{code}/")


@locales_command.command("disable")
@click.argument("code")
@click.pass_context
def disable_command(ctx: click.Context, code: str) -> None:
    """Take CODE off the storefront (its catalog stays)."""
    locales_dir, _root = _paths(ctx)
    tooling.disable_locale(locales_dir, code)
    click.echo(f"{code} disabled")

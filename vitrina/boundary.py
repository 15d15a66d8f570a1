"""The command line's one error boundary, its exit statuses and its logging.

Every group of the `vitrina` command is a `VitrinaGroup`: whatever a command raises
becomes one line on stderr and an exit status that means the same for every command
(`ExitCode`); `vitrina --debug …` adds the traceback and every library's log.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from enum import IntEnum
from typing import Any

import click

from indexer.events import EventsUnusable
from indexer.indexing import FeedUnusable
from indexer.locking import LockTimeout
from locales.registry import UnknownCountry
from locales.tooling import LocaleToolError
from merchandising.accounts import UserError
from search.engines.base import EngineUnavailable
from search.params import BadParameter

from .config import ConfigError


class ExitCode(IntEnum):
    """What a command's exit status means, for every command."""

    OK = 0
    REJECTED = 1  # done, but some input was rejected (or a check found problems)
    BAD_INPUT = 2  # the input or the configuration cannot be used; nothing changed
    UNAVAILABLE = 3  # a service is down or busy: search engine, database, broker, lock, disk
    BUG = 4  # an unexpected error: rerun with --debug and report it
    INTERRUPTED = 130


EXIT_STATUS_HELP = """\b
Exit status, the same for every command:
  0  done
  1  done, but some input was rejected (written to a rejects file), or a check failed
  2  bad input or configuration; nothing was changed
  3  a service is down or busy (search engine, database, broker, indexing lock, disk):
     try again later
  4  an unexpected error: rerun with --debug for the traceback and report it
  130  interrupted (Ctrl-C or SIGTERM)
"""
DEBUG = "vitrina.debug"  # ctx.meta key: --debug was given


def exit_code_for(exc: BaseException) -> ExitCode:
    """The exit status of a failure (see EXIT_STATUS_HELP)."""
    from sqlalchemy.exc import DataError, InterfaceError, OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    bad_input: tuple[type[BaseException], ...] = (
        BadParameter,
        ConfigError,
        DataError,
        EventsUnusable,
        FeedUnusable,
        LocaleToolError,
        UnknownCountry,
        UserError,
        FileNotFoundError,
        IsADirectoryError,
        NotADirectoryError,
        PermissionError,
    )
    unavailable: tuple[type[BaseException], ...] = (
        EngineUnavailable,
        LockTimeout,
        OperationalError,
        InterfaceError,
        PoolTimeout,
        *_service_errors(),
        OSError,  # after the path errors above: a full disk, a lost connection
    )
    if isinstance(exc, bad_input):
        return ExitCode.BAD_INPUT
    if isinstance(exc, unavailable):
        return ExitCode.UNAVAILABLE
    return ExitCode.BUG


def _service_errors() -> tuple[type[BaseException], ...]:
    """The broker's errors (Redis, kombu), when those libraries are installed."""
    found: list[type[BaseException]] = []
    try:
        from redis.exceptions import ConnectionError as RedisDown
        from redis.exceptions import TimeoutError as RedisTimeout

        found += [RedisDown, RedisTimeout]
    except ImportError:
        pass
    try:
        from kombu.exceptions import OperationalError as BrokerDown

        found.append(BrokerDown)
    except ImportError:
        pass
    return tuple(found)


def one_line(exc: BaseException) -> str:
    """The exception's message on one line (its class name when it has none)."""
    text = " ".join(str(exc).split())
    if isinstance(exc, KeyError) and exc.args:
        text = str(exc.args[0])
    return text or type(exc).__name__


class VitrinaGroup(click.Group):
    """A command group whose failures print one line and exit with an `ExitCode`."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort):
            raise
        except click.ClickException as exc:  # usage errors: one line instead of the usage
            command = _failing(ctx)
            hint = f" (see `{command} --help`)" if isinstance(exc, click.UsageError) else ""
            click.echo(f"{command}: {one_line_text(exc.format_message())}{hint}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo(f"{_failing(ctx)}: interrupted", err=True)
            ctx.exit(ExitCode.INTERRUPTED)
        except BrokenPipeError:  # the reader of our output (`| head`) has seen enough
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())  # nothing more to flush at exit
            ctx.exit(ExitCode.OK)
        except Exception as exc:
            code = exit_code_for(exc)
            if ctx.meta.get(DEBUG):
                traceback.print_exc(file=sys.stderr)
            message = one_line(exc)
            if isinstance(exc, ConfigError):
                message = f"configuration error: {message}"
            elif code is ExitCode.BUG:
                message = (
                    f"unexpected error ({type(exc).__name__}: {message}); "
                    "rerun with `vitrina --debug …` for the traceback"
                )
            click.echo(f"{_failing(ctx)}: {message}", err=True)
            ctx.exit(code)


def one_line_text(text: str) -> str:
    return " ".join(text.split())


def _failing(ctx: click.Context) -> str:
    """The command that failed: `vitrina events ingest`."""
    name = ctx.invoked_subcommand
    return f"{ctx.command_path} {name}" if name else ctx.command_path


class _ToStderr(logging.Handler):
    """Log records on the current stderr (a test runner may swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            click.echo(self.format(record), err=True)
        except Exception:  # a log line must never break a command
            self.handleError(record)


class _QuietLibraries(logging.Filter):
    """Our own warnings, and only the errors of the libraries we use."""

    def filter(self, record: logging.LogRecord) -> bool:
        ours = record.name == "vitrina" or record.name.startswith("vitrina.")
        return ours or record.levelno >= logging.ERROR


_HANDLER = _ToStderr()
_HANDLER.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
_QUIET = _QuietLibraries()


def configure_logging(debug: bool) -> None:
    """WARNING and up from Vitrina, errors only from libraries; everything with --debug."""
    root = logging.getLogger()
    if _HANDLER not in root.handlers:
        root.addHandler(_HANDLER)
    root.setLevel(logging.DEBUG if debug else logging.WARNING)
    if debug:
        _HANDLER.removeFilter(_QUIET)
    else:
        _HANDLER.addFilter(_QUIET)

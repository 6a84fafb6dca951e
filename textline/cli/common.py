"""What every command shares: the line from the environment, number parsing, JSON or table output."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import wraps
from typing import Any, TypeVar

import click

from textline.core.errors import TextlineError
from textline.core.line import Line
from textline.core.phones import parse_phone
from textline.core.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


class NotReady(click.ClickException):
    """A process that serves the line cannot start as configured: exit 2, one line naming what is missing."""

    exit_code = 2


def settings() -> Settings:
    try:
        return Settings.from_env()
    except TextlineError as exc:
        raise click.ClickException(str(exc)) from exc


def serving_settings() -> Settings:
    """Settings for a process that serves the line (web, worker, ticker, simulate): production needs all of them."""
    try:
        return Settings.from_env().require_production()
    except TextlineError as exc:
        raise NotReady(str(exc)) from exc


def line() -> Line:
    return Line.from_settings(settings())


def phone(text: str) -> str:
    """A number as E.164, or a one-line error."""
    try:
        return parse_phone(text, settings().region)
    except TextlineError as exc:
        raise click.ClickException(str(exc)) from exc


def errors_as_messages(fn: F) -> F:
    """Turn textline's own errors into a one-line message and a non-zero exit."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except TextlineError as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


json_option = click.option("--json", "as_json", is_flag=True, help="Print a JSON array of objects.")


def emit(rows: Iterable[Mapping[str, Any]], as_json: bool, columns: Sequence[str]) -> None:
    rows = list(rows)
    if as_json:
        click.echo(json.dumps(rows, indent=2, default=str))
        return
    if not rows:
        click.echo("(none)")
        return
    widths = {c: max(len(c), *(len(_cell(r.get(c))) for r in rows)) for c in columns}
    click.echo("  ".join(c.ljust(widths[c]) for c in columns))
    for row in rows:
        click.echo("  ".join(_cell(row.get(c)).ljust(widths[c]) for c in columns))


def emit_one(row: Mapping[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(row, indent=2, default=str))
    else:
        for key, value in row.items():
            click.echo(f"{key}: {_cell(value)}")


def _cell(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return "" if value is None else str(value)

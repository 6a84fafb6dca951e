"""What every command shares: the line from the environment, number parsing, JSON or table output."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import wraps
from typing import Any, TypeVar

import click
import redis

from textline.core.errors import TextlineError
from textline.core.line import Line
from textline.core.phones import parse_phone
from textline.core.settings import Settings
from textline.models import staff
from textline.models.staff import StaffMember

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


#: What every "that is not a number" error adds, so the next try works.
PHONE_HINT = "write it with +1 and the area code, e.g. +12025550123"


def typed(text: str, limit: int = 40) -> str:
    """What the user typed, quoted for an error message (their own input, shown back to them in full)."""
    cleaned = " ".join((text or "").split())
    return repr(cleaned if len(cleaned) <= limit else cleaned[:limit] + "...")


def phone(text: str) -> str:
    """A number as E.164, or a one-line error that shows what was typed and how to write it."""
    try:
        return parse_phone(text, settings().region)
    except TextlineError as exc:
        raise click.ClickException(f"{typed(text)} is not a phone number I can use: {PHONE_HINT}") from exc


def staff_member(r: redis.Redis, text: str) -> StaffMember:
    """The staff member at the number typed, or a one-line error naming what was typed."""
    number = phone(text)
    found = staff.get(r, number)
    if found is None:
        raise click.ClickException(f"nobody on the staff roster at {typed(text)}: "
                                   "textline staff list shows who is")
    return found


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

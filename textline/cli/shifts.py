"""`textline shifts add|list|remove`: weekly on-call shifts; staff go on and off call by themselves."""
from __future__ import annotations

import click

from textline.cli import common
from textline.models import shifts, staff
from textline.models.shifts import ShiftError

#: What the table shows, in order (`--json` prints every field of `Shift.as_dict`).
COLUMNS = ["id", "name", "phone", "days", "from", "to", "tz"]


@click.group(name="shifts")
def shifts_group() -> None:
    """Weekly on-call shifts: staff go on call at each start and off at each end, and are texted."""


@shifts_group.command("add")
@click.argument("phone")
@click.option("--days", required=True, help="mon-fri, sat,sun, fri-mon, daily, weekdays, weekends.")
@click.option("--from", "start", required=True, help="Start, local time: 18:00 (or 6pm).")
@click.option("--to", "end", required=True, help="End, local time: 23:00; an end before the start crosses midnight.")
@click.option("--tz", default=None, help="Time zone, like America/Chicago (default: the line's timezone).")
def shifts_add(phone: str, days: str, start: str, end: str, tz: str | None) -> None:
    """Give staff member PHONE a weekly shift."""
    line = common.line()
    number = common.phone(phone)
    person = staff.get(line.r, number)
    if person is None:
        raise click.ClickException(f"{number} is not on the staff roster: add them first with "
                                   f"textline staff add NAME {number} --role peer")
    try:
        shift = shifts.add(line, number, days=days, start=start, end=end, tz=tz)
    except ShiftError as exc:
        raise click.ClickException(f"--{exc.field} {exc.typed!r}: {exc.hint}") from exc
    first = shift.next_start(line.now()).astimezone(shift.zone)
    click.echo(f"added shift {shift.id} for {person.name or number}: {shift.describe()} "
               f"(first starts {first:%a %d %b %H:%M})")


@shifts_group.command("list")
@common.json_option
def shifts_list(as_json: bool) -> None:
    """Every shift, with whose it is."""
    r = common.line().r
    names = {person.phone: person.name for person in staff.all_staff(r)}
    rows = []
    for shift in shifts.all_shifts(r):
        row = shift.as_dict()
        if not as_json:
            row["days"] = shifts.days_text(shift.days)
            row["name"] = names.get(shift.phone, "")
        rows.append(row)
    common.emit(rows, as_json, COLUMNS)


@shifts_group.command("remove")
@click.argument("shift_id", metavar="ID")
@common.errors_as_messages
def shifts_remove(shift_id: str) -> None:
    """Remove shift ID (see `textline shifts list`); whoever is on call stays so until OFF."""
    if not shift_id.strip().isdigit():
        raise click.ClickException(f"{shift_id.strip()!r} is not a shift id: give the number "
                                   "textline shifts list shows")
    line = common.line()
    removed = shifts.remove(line.r, int(shift_id))
    click.echo(f"removed shift {removed.id} ({removed.describe()})")
    person = staff.get(line.r, removed.phone)
    if person is not None and person.on_call and removed.current(line.now()) is not None:
        click.echo(f"{person.name or removed.phone} is on call now and stays so: textline staff off "
                   f"{removed.phone} ends it")

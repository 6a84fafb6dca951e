"""`textline staff ...` and `textline members ...`."""
from __future__ import annotations

import json

import click

from textline.cli import common, readable
from textline.core.phones import mask
from textline.models import groups, member_data, members, shifts, staff, staff_load


@click.group(name="staff")
def staff_group() -> None:
    """Peer supporters, crisis staff and coordinators."""


@staff_group.command("add")
@click.argument("name")
@click.argument("phone")
@click.option("--role", type=click.Choice([r.value for r in staff.Role]), required=True)
@click.option("--lang", "language", type=click.Choice(["en", "es"]), default="en", show_default=True)
@click.option("--replace", is_flag=True, help="Replace whoever is on the roster at PHONE (their name and role).")
@common.errors_as_messages
def staff_add(name: str, phone: str, role: str, language: str, replace: bool) -> None:
    """Register NAME at PHONE with a role (an existing staff member's language can be changed this way)."""
    number = common.phone(phone)
    r, wanted = common.line().r, name.strip()[:40]
    there = staff.get(r, number)
    if there is not None and (there.name, str(there.role)) != (wanted, role) and not replace:
        raise click.ClickException(
            f"{there.name or 'someone'} ({there.role}) is already on the roster at {mask(number)}: "
            f"add --replace to make that number {wanted} ({role}) instead")
    added = staff.add(r, wanted, number, staff.Role(role), language)
    if there is None:
        click.echo(f"added {added.name} ({added.role}) at {mask(number)}")
    elif (there.name, there.role) == (added.name, added.role):
        click.echo(f"updated {added.name} ({added.role}) at {mask(number)}")
    else:
        click.echo(f"replaced {there.name or 'someone'} ({there.role}) with {added.name} ({added.role}) "
                   f"at {mask(number)}")


@staff_group.command("list")
@common.json_option
def staff_list(as_json: bool) -> None:
    """Everyone on the roster: role, on call, load today (counts only) and whether they texted STOP."""

    line = common.line()
    rows = [{**m.as_dict(), **staff_load.roster_state(line, m)} for m in staff.all_staff(line.r)]
    if not as_json:
        for row in rows:
            row["on_call"] = "yes" if row["on_call"] else "no"
            row["opted_out"] = "STOP" if row["opted_out"] else ""
    common.emit(rows, as_json, ["name", "phone", "role", "language", "on_call", "taken_today", "crisis_today",
                                "opted_out"])


@staff_group.command("remove")
@click.argument("phone")
@common.errors_as_messages
def staff_remove(phone: str) -> None:
    """Take PHONE off the roster, with their shifts."""
    r = common.line().r
    person = common.staff_member(r, phone)
    dropped = shifts.remove_for(r, person.phone)
    staff.remove(r, person.phone)
    gone = f" and {dropped} shift{'' if dropped == 1 else 's'}" if dropped else ""
    click.echo(f"removed {person.name or mask(person.phone)}{gone}")


@staff_group.command("on")
@click.argument("phone")
@common.errors_as_messages
def staff_on(phone: str) -> None:
    """Put PHONE on call."""
    r = common.line().r
    staff.set_on_call(r, common.staff_member(r, phone).phone, True)
    click.echo("on call")


@staff_group.command("off")
@click.argument("phone")
@common.errors_as_messages
def staff_off(phone: str) -> None:
    """Take PHONE off call."""
    r = common.line().r
    staff.set_on_call(r, common.staff_member(r, phone).phone, False)
    click.echo("off call")


@click.group(name="members")
def members_group() -> None:
    """Members: list, show, export, erase."""


@members_group.command("list")
@click.option("--group", default=None, help="Only members of this group (name or code).")
@common.json_option
def members_list(group: str | None, as_json: bool) -> None:
    r = common.line().r
    rows = [v for v in (member_data.view(r, p) for p in members.all_phones(r)) if v is not None]
    if group:
        found = groups.find(r, group)
        if found is None:
            raise click.ClickException(f"no group with the name or code {group.strip()!r}")
        wanted = found.name.upper()
        rows = [v for v in rows if any(str(g).upper() == wanted for g in v.get("groups", []))]
    common.emit(rows, as_json, ["phone", "status", "language", "groups"])


@members_group.command("show")
@click.argument("phone")
@common.json_option
def members_show(phone: str, as_json: bool) -> None:
    """Everything a coordinator may see about one member."""
    number = common.phone(phone)
    shown = member_data.view(common.line().r, number)
    if shown is None:
        raise click.ClickException(f"no member at {common.typed(phone)}: textline members list shows who is")
    if as_json:
        common.emit_one(shown, as_json)
    else:
        click.echo(readable.member(shown))


@members_group.command("export")
@click.argument("phone")
def members_export(phone: str) -> None:
    """Everything stored about one member, as JSON."""
    number = common.phone(phone)
    click.echo(json.dumps(member_data.export(common.line().r, number), indent=2, default=str))


@members_group.command("erase")
@click.argument("phone")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def members_erase(phone: str, yes: bool) -> None:
    """Remove a member's data and history; the opt-out record stays."""
    number = common.phone(phone)
    if not yes:
        click.confirm(f"Erase everything stored about {mask(number)}?", abort=True)
    removed = member_data.erase(common.line().r, number)
    click.echo(f"erased {removed} records")


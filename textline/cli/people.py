"""`textline staff ...` and `textline members ...`."""
from __future__ import annotations

import json

import click

from textline.cli import common
from textline.core.errors import NotFound
from textline.core.phones import mask
from textline.models import groups, member_data, members, shifts, staff


@click.group(name="staff")
def staff_group() -> None:
    """Peer supporters, crisis staff and coordinators."""


@staff_group.command("add")
@click.argument("name")
@click.argument("phone")
@click.option("--role", type=click.Choice([r.value for r in staff.Role]), required=True)
@click.option("--lang", "language", type=click.Choice(["en", "es"]), default="en", show_default=True)
@common.errors_as_messages
def staff_add(name: str, phone: str, role: str, language: str) -> None:
    """Register NAME at PHONE with a role."""
    number = common.phone(phone)
    added = staff.add(common.line().r, name.strip()[:40], number, staff.Role(role), language)
    click.echo(f"added {added.name} ({added.role}) at {mask(number)}")


@staff_group.command("list")
@common.json_option
def staff_list(as_json: bool) -> None:
    """Everyone on the roster, with their role and whether they are on call."""
    rows = [m.as_dict() for m in staff.all_staff(common.line().r)]
    common.emit(rows, as_json, ["name", "phone", "role", "language", "on_call"])


@staff_group.command("remove")
@click.argument("phone")
@common.errors_as_messages
def staff_remove(phone: str) -> None:
    """Take PHONE off the roster, with their shifts."""
    r, number = common.line().r, common.phone(phone)
    staff.require(r, number)
    dropped = shifts.remove_for(r, number)
    staff.remove(r, number)
    click.echo(f"removed (and {dropped} shift{'' if dropped == 1 else 's'})" if dropped else "removed")


@staff_group.command("on")
@click.argument("phone")
@common.errors_as_messages
def staff_on(phone: str) -> None:
    """Put PHONE on call."""
    staff.set_on_call(common.line().r, common.phone(phone), True)
    click.echo("on call")


@staff_group.command("off")
@click.argument("phone")
@common.errors_as_messages
def staff_off(phone: str) -> None:
    """Take PHONE off call."""
    staff.set_on_call(common.line().r, common.phone(phone), False)
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
        raise click.ClickException(str(NotFound(f"no member {mask(number)}")))
    common.emit_one(shown, as_json)


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


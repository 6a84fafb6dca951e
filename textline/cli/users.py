"""`textline users ...`: dashboard accounts for coordinators and peers."""
from __future__ import annotations

import sys

import click

from textline.cli import common
from textline.core.errors import NotFound
from textline.models import staff, users


@click.group(name="users")
def users_group() -> None:
    """Dashboard accounts: coordinators and peers."""


@users_group.command("add")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in users.AccountRole]), required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@click.option("--phone", default=None,
              help="The staff number this account acts as (a peer's own call-backs, ACK and CLOSE).")
@common.errors_as_messages
def users_add(email: str, role: str, password_stdin: bool, phone: str | None) -> None:
    """Create EMAIL's account (or replace its role and password); asks for the password twice, hidden."""
    address = users.normalise_email(email)
    line = common.line()
    number = ""
    if phone:
        number = common.phone(phone)
        if staff.get(line.r, number) is None:
            raise NotFound(f"nobody on the staff roster at {common.typed(phone)}: add them first with "
                           "textline staff add NAME PHONE --role peer|crisis|coordinator")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    user, new = users.add(line.r, address, users.AccountRole(role), password, phone=number, at=line.now())
    click.echo(f"{'added' if new else 'updated'} {user.role} {user.email}")


@users_group.command("list")
@common.json_option
def users_list(as_json: bool) -> None:
    """Every dashboard account, with its role and linked staff number."""
    rows = [u.as_dict() for u in users.all_users(common.line().r)]
    common.emit(rows, as_json, ["email", "role", "phone", "created_at"])


@users_group.command("remove")
@click.argument("email")
@common.errors_as_messages
def users_remove(email: str) -> None:
    """Remove EMAIL's account and end its sessions."""
    users.remove(common.line().r, email)
    click.echo("removed")

"""The `textline` command. Each family of subcommands lives in its own module, listed in COMMANDS."""
from __future__ import annotations

import importlib

import click

#: (module, attribute) of each subcommand or group; features add theirs.
COMMANDS: list[tuple[str, str]] = [
    ("textline.cli.run", "dev"),
    ("textline.cli.run", "web"),
    ("textline.cli.run", "worker"),
    ("textline.cli.run", "tick"),
    ("textline.cli.run", "simulate"),
    ("textline.cli.run", "outbox"),
    ("textline.cli.people", "staff_group"),
    ("textline.cli.people", "members_group"),
    ("textline.cli.member_settings", "members_group"),  # adds `members set`
    ("textline.cli.rules", "rules_command"),
    ("textline.cli.callbacks", "callbacks_command"),
    ("textline.cli.users", "users_group"),
    ("textline.cli.groups", "groups_group"),
    ("textline.cli.meetings", "meetings_group"),
    ("textline.cli.broadcast", "broadcast"),
    ("textline.cli.broadcast", "broadcasts_list"),
    ("textline.cli.cases", "cases_command"),
]


@click.group(help="textline: a text line for peer-support groups, by SMS or voice from any phone.")
def main() -> None:
    pass


for module_name, attr in COMMANDS:
    main.add_command(getattr(importlib.import_module(module_name), attr))


if __name__ == "__main__":
    main()

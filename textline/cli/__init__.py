"""The `textline` command (entry layer). Each family of subcommands lives in its own module, listed here.

May import everything below it: textline.web (the simulator posts through the app), flows,
workers, textline.models, textline.core. Nothing imports textline.cli.
"""
from __future__ import annotations

import click

from textline.cli import (
    broadcast,
    callbacks,
    cases,
    groups,
    meetings,
    member_settings,
    migrate,
    people,
    requests,
    rules,
    run,
    users,
)
from textline.cli import shifts as shift_commands

#: Every subcommand or group. `members set` lives in member_settings, on people's `members` group.
COMMANDS: tuple[click.Command, ...] = (
    run.dev, run.web, run.worker, run.tick, run.simulate, run.outbox,
    people.staff_group, member_settings.members_group, rules.rules_command, callbacks.callbacks_command,
    requests.requests_command,
    users.users_group, groups.groups_group, meetings.meetings_group, broadcast.broadcast, broadcast.broadcasts_list,
    cases.cases_command, shift_commands.shifts_group, migrate.migrate_command,
)


@click.group(help="textline: a text line for peer-support groups, by SMS or voice from any phone.")
def main() -> None:
    pass


for _command in COMMANDS:
    main.add_command(_command)


if __name__ == "__main__":
    main()

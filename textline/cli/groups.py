"""`textline groups ...`: the groups members join by code."""
from __future__ import annotations

import click

from textline.cli import common
from textline.models import groups


@click.group(name="groups")
def groups_group() -> None:
    """Groups: add, list."""


@groups_group.command("add")
@click.argument("name")
@click.option("--code", required=True, help="What members text to join: JOIN <code>.")
@click.option("--tz", "zone", default=None, help="The group's time zone (default: the line's).")
@common.errors_as_messages
def groups_add(name: str, code: str, zone: str | None) -> None:
    """Add a group called NAME that members join with JOIN CODE."""
    line = common.line()
    group = groups.add(line.r, name, code, zone or line.settings.timezone, line.now())
    click.echo(f"added group {group.name} (code {group.code}, {group.timezone})")


@groups_group.command("list")
@common.json_option
def groups_list(as_json: bool) -> None:
    """Every group, with its code, time zone and number of members."""
    r = common.line().r
    rows = [g.as_dict(groups.size(r, g)) for g in groups.all_groups(r)]
    common.emit(rows, as_json, ["id", "name", "code", "timezone", "members"])

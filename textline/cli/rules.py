"""`textline rules [GROUP] [TEXT] [--clear]`: a group's agreement (proposed home: `textline groups rules`)."""
from __future__ import annotations

import click

from textline.cli import common
from textline.core import gsm
from textline.models import agreements, groups


@click.command("rules")
@click.argument("group", required=False)
@click.argument("text", required=False)
@click.option("--clear", is_flag=True, help="Remove the group's agreement.")
@common.json_option
def rules_command(group: str | None, text: str | None, clear: bool, as_json: bool) -> None:
    """Show every group's agreement, show GROUP's, set it to TEXT, or --clear it.

    The agreement is sent once to each member when they join the group, and again when they text RULES.
    """
    r = common.line().r
    if group is None:
        rows = [_row(g, t) for g, t in agreements.all_rules(r).items()]
        common.emit(rows, as_json, ["group", "segments", "rules"])
        return
    found = groups.find(r, group)
    if found is None:
        raise click.ClickException(f"no group {group!r}")
    group = found.code  # a group's name or code: agreements are kept by code
    if clear:
        agreements.clear_rules(r, group)
        click.echo("cleared")
        return
    if text is not None:
        try:
            kept = agreements.set_rules(r, group, text)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"saved: {len(kept)} characters, {gsm.segments(kept)} segment(s)")
        return
    current = agreements.get_rules(r, group)
    if current is None:
        raise click.ClickException(f"group {group!r} has no agreement")
    common.emit([_row(group.upper(), current)], as_json, ["group", "segments", "rules"])


def _row(group: str, text: str) -> dict[str, object]:
    return {"group": group, "rules": text, "segments": gsm.segments(text)}

"""`textline cases`: crisis cases with their audit trails."""
from __future__ import annotations

import click

from textline.cli import common
from textline.core.errors import NotFound
from textline.models import cases


@click.command(name="cases")
@click.option("--status", type=click.Choice([s.value for s in cases.CaseStatus]), default=None,
              help="Only cases with this status.")
@click.option("--id", "case_id", type=int, default=None, help="Only this case.")
@common.json_option
@common.errors_as_messages
def cases_command(status: str | None, case_id: int | None, as_json: bool) -> None:
    """Crisis cases, oldest first: who, status, level reached, who acknowledged, and every step taken."""
    r = common.line().r
    if case_id is not None:
        one = cases.get(r, case_id)
        if one is None:
            raise NotFound(f"no case {case_id}: textline cases lists them")
        found = [one]
    else:
        found = cases.all_cases(r, cases.CaseStatus(status) if status else None)
    rows = [c.as_dict(cases.events(r, c.id), cases.texts(r, c.id)) for c in found]
    if as_json:
        common.emit(rows, True, [])
        return
    for row in rows:
        row["steps"] = len(row["events"])
    common.emit(rows, False, ["id", "phone", "status", "level", "acknowledged_by_name", "opened_at", "steps"])
    if case_id is not None and rows:
        for event in rows[0]["events"]:
            click.echo(f"  {event['at']}  {event['what']}")
        for said in rows[0]["texts"]:
            click.echo(f"  {said['at']}  [{said['channel']}] {said['text']}")

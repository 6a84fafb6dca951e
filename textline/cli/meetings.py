"""`textline meetings ...`: one-off and weekly meetings, their reminders and RSVPs."""
from __future__ import annotations

from datetime import datetime

import click
import redis

from textline.cli import common
from textline.models import groups, meetings
from textline.models.meetings import Answer, Meeting
from workers import reminders


@click.group(name="meetings")
def meetings_group() -> None:
    """Meetings: add, list, cancel."""


@meetings_group.command("add")
@click.argument("group")
@click.option("--at", "at", required=True, help='"YYYY-MM-DD HH:MM" in the group\'s time zone.')
@click.option("--every", type=click.Choice(["week"]), default=None, help="Repeat every week at the same local time.")
@click.option("--where", default="", help="A place or dial-in, told in reminders.")
@common.errors_as_messages
def meetings_add(group: str, at: str, every: str | None, where: str) -> None:
    """Add a meeting of GROUP (its name or code); reminders go out before it."""
    line = common.line()
    found = groups.require(line.r, group)
    meeting = meetings.add(line.r, found, meetings.parse_local(at), every=every or "", where=where, now=line.now())
    count = reminders.plan(line, meeting)
    repeat = " every week" if every else ""
    click.echo(f"added meeting {meeting.id}: {found.name} {at.strip()} {found.timezone}{repeat}; "
               f"{count} reminders set")


@meetings_group.command("list")
@common.json_option
def meetings_list(as_json: bool) -> None:
    """Every meeting, its next (or only) occurrence and who answered 1 coming / 2 can't make it."""
    line = common.line()
    now = line.now()
    rows = [row(line.r, m, now) for m in meetings.all_meetings(line.r)]
    common.emit(rows, as_json, ["id", "group", "at", "timezone", "every", "where", "status", "coming", "not_coming"])


def row(r: redis.Redis, meeting: Meeting, now: datetime) -> dict[str, object]:
    """One meeting as listed, at its next occurrence (a past one-off: its only one), with that occurrence's RSVPs."""
    group = groups.get(r, meeting.group_id)
    coming = meeting.next_start(now)
    start_at = coming or meeting.occurrence(0)
    status = "cancelled" if meeting.cancelled else "scheduled" if coming else "past"
    answers = meetings.rsvps(r, meeting.id, meetings.epoch(start_at))
    return {
        "id": meeting.id, "group": group.name if group else "", "code": group.code if group else "",
        "at": meeting.local_start(start_at).strftime(meetings.LOCAL_FORMAT), "starts_at": start_at.isoformat(),
        "timezone": meeting.timezone, "every": meeting.every or None, "where": meeting.where, "status": status,
        "rsvps": answers,
        "coming": sum(1 for a in answers.values() if a == Answer.COMING),
        "not_coming": sum(1 for a in answers.values() if a == Answer.NOT_COMING),
    }


@meetings_group.command("cancel")
@click.argument("meeting_id", metavar="ID")
@common.errors_as_messages
def meetings_cancel(meeting_id: str) -> None:
    """Cancel meeting ID: no more reminders; members already reminded are told."""
    line = common.line()
    meeting = meetings.require(line.r, meeting_id)
    if meeting.cancelled:
        raise click.ClickException(f"meeting {meeting.id} is already cancelled")
    told = reminders.cancel(line, meeting)
    click.echo(f"cancelled meeting {meeting.id}; telling {told} members who were reminded")

"""`textline members set PHONE ...`: what a coordinator may change for a member (zone, language, prompts, contact).

Importing this module adds `set` to the `members` group of textline.cli.people.
"""
from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from flows.schedule import parse_time
from textline.cli import common
from textline.cli.people import members_group
from textline.core.errors import NotFound
from textline.models import members, prompts, voice_notices
from textline.models.prompts import DAYS, Cadence


def _zone(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise click.BadParameter(f"unknown time zone {value!r}") from exc
    return value


@members_group.command("set")
@click.argument("phone")
@click.option("--tz", "zone", default=None, help="Time zone, e.g. America/Chicago.")
@click.option("--lang", "language", type=click.Choice(["en", "es"]), default=None)
@click.option("--discreet/--no-discreet", default=None, help="Neutral wording for texts sent unprompted.")
@click.option("--prompts", "cadence", type=click.Choice([c.value for c in Cadence]), default=None,
              help="Scheduled check-in prompts.")
@click.option("--at", "at", default=None, help="Local time of the prompts: 09:30, 6:30pm.")
@click.option("--day", type=click.Choice(DAYS), default=None, help="Day of weekly prompts.")
@click.option("--contact", type=click.Choice([c.value for c in voice_notices.Contact]), default=None,
              help="Prompts and reminders as texts, or as a short phone call.")
@common.json_option
@common.errors_as_messages
def members_set(phone: str, zone: str | None, language: str | None, discreet: bool | None, cadence: str | None,
                at: str | None, day: str | None, contact: str | None, as_json: bool) -> None:
    """Change a member's time zone, language, discreet mode, check-in prompts or contact (text or call)."""
    number = common.phone(phone)
    line = common.line()
    if members.get(line.r, number) is None:
        raise NotFound(f"no member at {common.typed(phone)}: textline members list shows who is")
    changes: dict[str, str | bool] = {}
    if _zone(zone):
        changes["timezone"] = str(zone)
    if language:
        changes["language"] = language
    if discreet is not None:
        changes["discreet"] = discreet
    if changes:
        members.update(line.r, number, **changes)
    if contact:
        voice_notices.set_contact(line.r, number, voice_notices.Contact(contact), why="coordinator", at=line.now())
    member = members.get(line.r, number)
    assert member is not None
    schedule = prompts.get(line.r, number)
    if cadence is not None:
        chosen = Cadence(cadence)
        local = _time(at) if at else (schedule.at if schedule else None)
        if chosen != Cadence.OFF and local is None:
            raise click.UsageError("--prompts daily|weekly needs --at HH:MM")
        weekday = DAYS.index(day) if day else (schedule.weekday if schedule else None)
        prompts.set_schedule(line, member, chosen, local, weekday)
    elif schedule is not None and schedule.active and zone:
        prompts.arm(line, member)
    saved = prompts.get(line.r, number)
    row = {"phone": number, "timezone": member.timezone, "language": member.language, "discreet": member.discreet,
           "prompts": saved.as_dict() if saved else None, "contact": str(voice_notices.contact(line.r, number))}
    common.emit_one(row, as_json)


def _time(text: str) -> time:
    parsed = parse_time(text)
    if parsed is None:
        raise click.BadParameter(f"--at must be a time like 09:30 or 6:30pm, not {text!r}")
    return parsed

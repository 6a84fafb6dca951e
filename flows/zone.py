"""The member's time zone: guessed from the number at first contact, changed with `ZONE <name>`.

Accepts US region words (EASTERN, PACIFIC ...), their Spanish forms, IANA names in any case
(america/chicago) and the city part of one (CHICAGO, MEXICO CITY, LONDON).
"""
from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flows.answers import fold
from flows.outcome import Outcome
from flows.registry import command
from flows.turn import Turn
from textline.models import members, prompts

ALIASES = {
    "EASTERN": "America/New_York", "ET": "America/New_York", "EST": "America/New_York", "EDT": "America/New_York",
    "ESTE": "America/New_York",
    "CENTRAL": "America/Chicago", "CT": "America/Chicago", "CST": "America/Chicago", "CDT": "America/Chicago",
    "CENTRO": "America/Chicago",
    "MOUNTAIN": "America/Denver", "MT": "America/Denver", "MST": "America/Denver", "MDT": "America/Denver",
    "MONTANA": "America/Denver", "ARIZONA": "America/Phoenix",
    "PACIFIC": "America/Los_Angeles", "PT": "America/Los_Angeles", "PST": "America/Los_Angeles",
    "PDT": "America/Los_Angeles", "PACIFICO": "America/Los_Angeles",
    "ALASKA": "America/Anchorage", "HAWAII": "Pacific/Honolulu", "PUERTO RICO": "America/Puerto_Rico",
    "MEXICO": "America/Mexico_City", "CIUDAD DE MEXICO": "America/Mexico_City", "CDMX": "America/Mexico_City",
}


REGIONS = ("America", "Europe", "Asia", "Africa", "Australia", "Pacific", "Atlantic", "Indian")
_NAME = re.compile(r"^[A-Za-z0-9_+/ -]{2,40}$")


def _exists(name: str) -> str | None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def _capitalised(text: str) -> str:
    """"america/new york" -> "America/New_York": IANA names capitalise each word."""
    parts = ["_".join(word.capitalize() for word in part.split()) for part in text.split("/")]
    return "/".join(parts)


def parse_zone(text: str) -> str | None:
    """An IANA zone name from what a member typed; a few file lookups at most (no directory scan)."""
    plain = fold(text.replace("_", " "))
    if not _NAME.match(plain):
        return None
    plain = re.sub(r"\s*/\s*", "/", plain)
    if plain in ALIASES:
        return ALIASES[plain]
    if plain in ("UTC", "GMT"):
        return "UTC"
    name = _capitalised(plain.lower())
    if "/" in name:
        return _exists(name)
    return next((zone for zone in (_exists(f"{region}/{name}") for region in REGIONS) if zone), None)


@command("ZONE", "ZONA", "TIMEZONE")
def zone(turn: Turn) -> Outcome:
    member = turn.member
    assert member is not None  # consent runs before member commands
    if not turn.inbound.rest:
        current = str(prompts.zone_of(member, turn.line.settings))
        return Outcome.say(turn.text("zone.show", zone=current))
    chosen = parse_zone(turn.inbound.rest)
    if chosen is None:
        return Outcome.say(turn.text("zone.unknown"))
    members.update(turn.r, turn.phone, timezone=chosen)
    updated = members.get(turn.r, turn.phone)
    schedule = prompts.get(turn.r, turn.phone)
    if updated is not None and schedule is not None and schedule.active:
        prompts.arm(turn.line, updated)
    return Outcome.say(turn.text("zone.set", zone=chosen))

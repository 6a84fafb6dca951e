"""The member's time zone: guessed from the number at first contact, changed with `ZONE <name>`.

Accepts US region words (EASTERN, PACIFIC ...), their Spanish forms, IANA names
(America/Chicago) and unambiguous city names (CHICAGO, MEXICO CITY).
"""
from __future__ import annotations

import zoneinfo
from functools import cache

from flows.answers import fold
from flows.outcome import Outcome
from flows.registry import command
from flows.turn import Turn
from textline import members, prompts

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


@cache
def _known() -> dict[str, str]:
    """Folded IANA names and their last parts ("NEW YORK") -> IANA name (aliases share a last part)."""
    names: dict[str, str] = {}
    cities: dict[str, set[str]] = {}
    for name in zoneinfo.available_timezones():
        names[name.upper()] = name
        cities.setdefault(name.rsplit("/", 1)[-1].replace("_", " ").upper(), set()).add(name)
    names.update({city: sorted(zones)[0] for city, zones in cities.items() if city not in names})
    return names


def parse_zone(text: str) -> str | None:
    plain = fold(text.replace("_", " ")).replace(" / ", "/")
    if not plain:
        return None
    return ALIASES.get(plain) or _known().get(plain) or _known().get(plain.replace(" ", "_"))


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

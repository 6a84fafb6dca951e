"""Phone numbers: parsed and stored as E.164 with `phonenumbers`, shown masked.

Parsing is the costliest part of reading a webhook's `From` (about 0.1 ms), and a turn asks about the
same number more than once (its E.164 form, its region, its zone): the answers for the most recent
numbers are remembered in the process (`_CACHED` of them; pure functions of the number, nothing else).
"""
from __future__ import annotations

import re
from functools import lru_cache
from zoneinfo import ZoneInfo

import phonenumbers
from phonenumbers import timezone as pn_timezone

from textline.core.errors import InvalidNumber

#: Regions whose members start in Spanish.
SPANISH_REGIONS = frozenset(
    "AR BO CL CO CR CU DO EC ES GQ GT HN MX NI PA PE PR PY SV UY VE".split()
)
_DIGITS = re.compile(r"(?<![A-Za-z0-9])\+?\d[\d\s().-]{5,}\d(?![A-Za-z0-9])")


_CACHED = 4096


def parse_phone(text: str, region: str = "US") -> str:
    """E.164 form of `text`, or InvalidNumber with a one-line reason."""
    raw = (text or "").strip()
    if not raw or len(raw) > 32:
        raise InvalidNumber(f"not a phone number: {mask(raw) or 'empty'}")
    found = _e164(raw, region)
    if found.startswith("+"):
        return found
    raise InvalidNumber(f"{found}: {mask(raw)}")


@lru_cache(maxsize=_CACHED)
def _e164(raw: str, region: str) -> str:
    """The E.164 form, or why not (a reason, never starting with '+')."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return "not a phone number"
    if not phonenumbers.is_valid_number(number):
        return "not a valid phone number"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def try_parse(text: str, region: str = "US") -> str | None:
    try:
        return parse_phone(text, region)
    except InvalidNumber:
        return None


def mask(phone: str | None) -> str:
    """At most the last four digits: `***1234`."""
    digits = re.sub(r"\D", "", phone or "")
    if not digits:
        return ""
    return "***" + digits[-4:]


def last4(phone: str) -> str:
    return re.sub(r"\D", "", phone)[-4:]


def mask_numbers(text: str) -> str:
    """Every run of digits long enough to be a number, masked (a log safety net)."""
    return _DIGITS.sub(lambda m: mask(m.group(0)) if len(re.sub(r"\D", "", m.group(0))) >= 7 else m.group(0),
                       text)


@lru_cache(maxsize=_CACHED)
def region_of(phone: str) -> str | None:
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(phone))
    except phonenumbers.NumberParseException:
        return None


def default_language(phone: str, languages: tuple[str, ...] = ("en", "es")) -> str:
    if "es" in languages and region_of(phone) in SPANISH_REGIONS:
        return "es"
    return languages[0] if languages else "en"


@lru_cache(maxsize=_CACHED)
def guess_zone(phone: str, fallback: str) -> str:
    """The member's time zone from the number when it names exactly one, else the line's."""
    try:
        zones = pn_timezone.time_zones_for_number(phonenumbers.parse(phone))
    except phonenumbers.NumberParseException:
        return fallback
    if len(zones) == 1 and zones[0] != pn_timezone.UNKNOWN_TIMEZONE:
        try:
            ZoneInfo(zones[0])
        except (KeyError, ValueError):
            return fallback
        return zones[0]
    return fallback

"""What a caller ID may do on a call: anyone can forge one, so on the phone it is not proof of who calls.

A text comes from the SIM that holds the number; a call's caller ID is whatever the calling network
says, and spoofing it is cheap. So the phone line refuses, whatever the caller ID:

- staff commands (ACK, CLOSE, OFF, TAKE, a coordinator's YES ...) said or keyed on a call, and a
  peer's safety-plan answers: staff act by SMS only (SPEC "Production and development");
- a member's private settings (discreet mode, the signal word, contact by call, time zone, prompts,
  personal reminders, groups, editing the safety plan): "change it by text";
- whole phone numbers read aloud (a safety plan's contacts): the plan is read with names only.

The menu (check in, next meeting, a call-back, language, rules, hearing the plan), answers to the
flow under way and crisis words go through the engine as before. A call whose STIR/SHAKEN
attestation failed (`StirVerstat` = TN-Validation-Failed...) is treated as a hidden number.
"""
from __future__ import annotations

import re

from flows import coordinator, plan, plan_peer, registry
from flows.inbound import Inbound
from textline.core.line import Line
from textline.models import sessions, staff

#: One word of each member command a caller may use by voice or keypad (the menu, and what only reads or
#: asks): its handler answers every alias of it. Any other command is refused on a call.
ON_CALLS = ("MENU", "1", "2", "3", "NOCALL", "4", "ENGLISH", "RULES", "5")
#: Flows only staff have (a peer's plan answers, a coordinator's pending SEND): a call never answers them.
STAFF_FLOWS = frozenset({plan_peer.FLOW, coordinator.SEND_FLOW})
#: A whole number in words read aloud.
_E164 = re.compile(r"\+[1-9]\d{7,14}(?!\d)")


def refusal(line: Line, inbound: Inbound) -> str | None:
    """The catalog key that says why `inbound` is not taken on a call, or None to let the engine have it."""
    r, phone = line.r, inbound.phone
    person = staff.get(r, phone)
    session = sessions.get(r, phone)
    if person is not None:
        found = registry.find_staff_command(inbound.command)  # what the engine's staff stage would run
        if found is not None and person.role in found.roles:
            return "ivr.staff_by_text"
        if session is not None and session.flow in STAFF_FLOWS:
            return "ivr.staff_by_text"
    word = inbound.keyword
    if session is not None and (word not in registry.command_words() or word.isdigit()):
        return None  # an answer to the flow under way (started on this call: the call cleared the others)
    handler = registry.find_command(word) or registry.find_command(inbound.command)
    if handler is None:
        return None
    if handler not in {registry.find_command(w) for w in ON_CALLS}:
        return "ivr.by_text"
    if handler is registry.find_command("PLAN") and inbound.rest and inbound.rest.split()[0].upper() in plan.EDIT_WORDS:
        return "ivr.by_text"
    return None


def unverified(verstat: str) -> bool:
    """STIR/SHAKEN said the caller ID is not the caller's (`TN-Validation-Failed`, `-A`/`-B`/`-C`)."""
    return "failed" in verstat.lower()


def without_numbers(text: str, keep: frozenset[str]) -> str:
    """`text` with every whole number removed but those in `keep` (the line's, the crisis resource's)."""
    def drop(match: re.Match[str]) -> str:
        return match.group(0) if match.group(0) in keep else ""

    return re.sub(r"[ \t]{2,}", " ", _E164.sub(drop, text)).replace(" ,", ",").strip()


def numbers_in(text: str) -> set[str]:
    return set(_E164.findall(text))

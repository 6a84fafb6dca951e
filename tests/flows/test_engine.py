"""The engine without HTTP: an Inbound in, an Outcome out."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from flows import engine, features, registry
from flows.inbound import Channel, Inbound, normalise_keyword
from tests.support.harness import Harness, member_number

M1 = member_number(501)


def inbound(line: Harness, text: str) -> Inbound:
    return Inbound(Channel.SMS, M1, text, line.line.now(), sid="SMtest")


def test_keywords_ignore_case_spaces_and_punctuation() -> None:
    assert normalise_keyword("  stop. ") == "STOP"
    assert normalise_keyword("¡Ayuda!") == "AYUDA"
    assert normalise_keyword("stop texting me") == "STOP TEXTING ME"


def test_first_contact_then_menu(line: Harness) -> None:
    [welcome] = engine.handle(line.line, inbound(line, "hello")).replies
    assert "YES" in welcome.text
    engine.handle(line.line, inbound(line, "yes"))
    [menu] = engine.handle(line.line, inbound(line, "menu")).replies
    assert menu.text.startswith("Reply 1") and [c[0] for c in menu.choices] == ["1", "2", "3", "4"]


def test_spanish_numbers_start_in_spanish(line: Harness) -> None:
    mexico = Inbound(Channel.SMS, "+525512345678", "hola", line.line.now())
    [welcome] = engine.handle(line.line, mexico).replies
    assert "Responde YES" in welcome.text


def test_every_module_that_declares_a_command_is_a_listed_feature() -> None:
    """flows/features.py imports them all, so no process answers without one of them."""
    folder = Path(features.__file__).parent
    declaring = {f"flows.{path.stem}" for path in folder.glob("*.py")
                 if re.search(r"^@(command|staff_command|session_flow)\(", path.read_text(), re.M)}
    assert declaring == {module.__name__ for module in features.FEATURES}


def test_a_word_claimed_by_two_handlers_is_refused() -> None:
    with pytest.raises(registry.RegistryError, match="'MENU' is claimed by flows.menu.show_menu and"):
        registry.command("MENU")(lambda turn: None)


def test_a_first_contact_record_waits_for_the_turn_trip_or_is_written_at_once(line: Harness) -> None:
    """The engine leaves a first contact's record for the turn's last trip (the caller's, or its own); a
    turn built outside the engine writes it at once, never into a trip nobody runs."""
    from flows import consent
    from flows.turn import Turn
    from textline.core.one_trip import OneTrip
    from textline.models import members

    trip = OneTrip(line.r)
    outcome = engine.handle(line.line, inbound(line, "hi"), later=trip)
    assert "YES" in outcome.replies[0].text
    assert members.get(line.r, M1) is None and len(trip) >= 1  # waits for the caller's trip
    trip.execute()
    assert members.get(line.r, M1) is not None

    M2 = member_number(502)
    engine.handle(line.line, Inbound(Channel.SMS, M2, "hi", line.line.now(), sid="SMtest2"))
    assert members.get(line.r, M2) is not None  # the engine ran its own trip

    M3 = member_number(503)
    alone = Turn(line.line, Inbound(Channel.SMS, M3, "JOIN abc1", line.line.now()), None, None)
    assert consent.handle(alone) is not None
    assert members.get(line.r, M3) is not None
    assert members.take_field(line.r, M3, "join_code") == "ABC1"

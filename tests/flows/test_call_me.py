"""VOICE ON|OFF (VOZ SI|NO): check-in prompts and reminders as a short call instead of a text."""
from __future__ import annotations

from tests.support.harness import Harness, member_number
from textline.models import voice_notices
from textline.models.voice_notices import Contact

M1 = member_number(451)
MX = "+525512345672"


def test_voice_on_and_off_by_text(line: Harness) -> None:
    member = line.member(M1).joins()
    [status] = member.texts("VOICE")
    assert "come to you as texts" in status
    [on] = member.texts("voice on")
    assert "short phone call" in on and "VOICE OFF" in on
    assert voice_notices.contact(line.r, M1) == Contact.CALL
    [status] = member.texts("VOICE")
    assert "as a phone call" in status
    [off] = member.texts("Voice off.")
    assert "VOICE ON" in off
    assert voice_notices.contact(line.r, M1) == Contact.TEXT


def test_in_spanish(line: Harness) -> None:
    member = line.member(MX).joins()
    [on] = member.texts("VOZ SI")
    assert "llamada" in on and "VOZ NO" in on
    assert voice_notices.contact(line.r, MX) == Contact.CALL


def test_not_before_joining(line: Harness) -> None:
    member = line.member(M1)
    member.texts("hi")
    [again] = member.texts("VOICE ON")
    assert "YES" in again
    assert voice_notices.contact(line.r, M1) == Contact.TEXT

"""A staff phone that explains itself: HELP by role, any other text gets that help, MEMBER / STAFF."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.support.harness import Harness, member_number, staff_number
from textline.core import gsm
from textline.models import members, staff
from textline.models.staff import Role

PEER, SOL, CORA = staff_number(1901), staff_number(1902), staff_number(1903)
M1 = member_number(1901)
T0 = datetime(2026, 3, 5, 17, 0, tzinfo=UTC)


@pytest.fixture
def crew(line: Harness) -> Harness:
    line.set_clock(T0)
    line.cli("staff", "add", "Pia", PEER, "--role", "peer")
    line.cli("staff", "add", "Sol", SOL, "--role", "crisis")
    line.cli("staff", "add", "Cora", CORA, "--role", "coordinator")
    return line


def fits(texts: list[str]) -> bool:
    """One or two texts, each one GSM-7 segment."""
    return 1 <= len(texts) <= 2 and all(gsm.is_gsm7(t) and gsm.septets(t) <= 160 for t in texts)


def test_help_lists_the_commands_of_each_role(crew: Harness) -> None:
    peer = crew.member(PEER).texts("HELP")
    crisis = crew.member(SOL).texts("help")
    coordinator = crew.member(CORA).texts("HELP")
    assert fits(peer) and fits(crisis) and fits(coordinator)
    assert peer[0].startswith("Peer: ON/OFF") and all(w in " ".join(peer) for w in ("QUEUE", "TAKE 4", "DONE 4",
                                                                                   "ESCALATE 4", "MEMBER"))
    assert "ACK" not in " ".join(peer)
    assert crisis[0].startswith("Crisis staff:") and "ACK 12" in crisis[0] and "CLOSE 12" in crisis[0]
    assert "TAKE" not in " ".join(crisis)
    assert coordinator[0].startswith("Coordinator: SEND") and "ACK 12" in coordinator[0]


def test_help_in_spanish_by_language_or_ayuda(crew: Harness) -> None:
    staff.add(crew.r, "Sol", SOL, Role.CRISIS, language="es")
    spanish = crew.member(SOL).texts("HELP")
    assert spanish[0].startswith("Equipo de crisis:") and fits(spanish)
    assert crew.member(PEER).texts("AYUDA")[0].startswith("Par: ON/OFF")


def test_any_other_text_from_staff_gets_the_help_never_the_sign_up(crew: Harness) -> None:
    for word in ("hello", "CASES", "YES", "TAKE 3", "what do I do?"):  # TAKE is a peer's command, not Sol's
        replies = crew.member(SOL).texts(word)
        assert replies[0].startswith("Crisis staff:"), (word, replies)
        assert "YES to join" not in " ".join(replies)
    assert crew.member(PEER).texts("hi there")[0].startswith("Peer: ON/OFF")
    crew.work()
    assert members.get(crew.r, SOL) is None and members.get(crew.r, PEER) is None  # never a pending member
    listed = {m["phone"] for m in crew.cli_json("members", "list")}
    assert SOL not in listed and PEER not in listed


def test_a_coordinators_pending_send_still_hears_its_answer(crew: Harness) -> None:
    crew.cli("groups", "add", "Tuesday Circle", "--code", "TUE1")
    crew.member(M1).joins().texts("JOIN TUE1")
    crew.member(CORA).texts("SEND TUE1 No meeting Monday")
    assert crew.member(CORA).texts("hmm wait") == ["OK, not sent."]
    assert crew.member(CORA).texts("hmm wait")[0].startswith("Coordinator: SEND")


def test_a_staff_member_who_is_also_a_member_switches_with_member_and_staff(crew: Harness) -> None:
    pia = crew.member(PEER)
    assert pia.texts("MEMBER") == ["You're texting Test Line as a member now: MENU for options. Alerts still "
                                   "reach you. Reply STAFF to go back to staff commands."]
    assert pia.texts("hi")[0].startswith("Test Line: peer support by text. Reply YES to join.")
    assert pia.texts("YES")[0].startswith("Welcome, you're in!")
    assert pia.texts("MENU")[0].startswith("Reply 1 Check in")
    assert pia.texts("HELP")[0].startswith("Test Line: MENU options")  # the member's help while a member
    assert pia.texts("ON")[0].startswith("You're on call.")  # staff commands still work
    assert pia.texts("STAFF") == ["You're back on staff commands. Reply HELP to see them, MEMBER to text the line "
                                  "as a member."]
    assert pia.texts("MENU")[0].startswith("Peer: ON/OFF")

"""`members erase` leaves no key holding the member's number or words, and numbers that never said YES expire.

The attack: a member asks to be forgotten; afterwards someone reads every key in Redis (a copy of the
append-only file, a curious admin). Before, the stored webhook answers still held the safety plan and
the ACK reply with the member's whole number, and the crisis alerts staff received held their words.
The member's traffic here touches every feature that keeps anything: plan, signal, reminders, a
crisis case acknowledged and closed, a call-back bridged by phone, a call to the line.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support import privacy
from tests.support.harness import Harness, member_number, staff_number
from tests.support.peers import BridgeCall, add_peer
from tests.support.voice import Caller
from textline.models import cases, inbound_log, member_data, members, outbound
from textline.models.cases import CaseStatus
from textline.models.staff import Role

M1, M2, STRANGER = member_number(1901), member_number(1902), member_number(1903)
ANA, BEN, PAT = staff_number(1901), staff_number(1902), staff_number(1903)
MARKER = "zebraquilt"
T0 = datetime(2026, 3, 5, 17, 0, tzinfo=UTC)


def everything(line: Harness) -> int:
    """M1 uses every feature; the id of the crisis case their words opened."""
    line.set_clock(T0)
    for name, phone, role in (("Ana", ANA, Role.CRISIS), ("Ben", BEN, Role.CRISIS)):
        add_peer(line, name, phone, role=role.value)
    add_peer(line, "Pat", PAT)
    member = line.member(M1).joins()
    line.member(M2).joins().texts("PLAN EDIT")
    line.member(M2).texts(f"{MARKER} other")  # someone else's words with the marker: they stay
    for text in ("PLAN EDIT", f"Pacing {MARKER}", "Music", "Ana 202-555-0188", "skip", "My dog",
                 "SIGNAL bluebird", "YES", f"REMIND {MARKER} pills", "08:00", "1"):
        member.texts(text)
    member.texts(f"I want to kill myself {MARKER}")
    [case] = cases.for_member(line.r, M1)
    line.work()
    assert any(MARKER in t for t in line.twilio.texts_to(ANA)), "the alert carried the member's words"
    assert M1 in line.member(ANA).texts(f"ACK {case.id}")[0], "the ACK reply carries the member's whole number"
    line.member(BEN).texts(f"CLOSE {case.id} safe now")
    assert cases.get(line.r, case.id).status == CaseStatus.CLOSED
    member.texts("CALL")
    member.texts("1")
    line.member(PAT).texts("TAKE 1")
    line.work()
    [peer_call] = line.twilio.calls_to(PAT)
    bridge = BridgeCall(line, peer_call.form["Url"], PAT)
    bridge.answer()
    assert [n.text for n in bridge.press("1").iter("Number")] == [M1], "the bridge's stored answer holds it"
    call = Caller(line, M1).dial().press("5")
    assert MARKER in call.heard
    line.work()
    return case.id


def holding(line: Harness, needle: str) -> dict[str, bytes]:
    raw = line.line.rq
    return {key: privacy.dump(raw, key.encode()) for key in privacy.keys_holding(raw, needle)}


def test_erase_leaves_no_key_holding_the_number_or_the_words(line: Harness) -> None:
    case_id = everything(line)
    digits = M1[2:]  # 2025551901: the number in any key, whatever its format
    assert holding(line, digits) and holding(line, MARKER)
    exported = member_data.export(line.r, M1)
    assert exported["webhook_answers"] and exported["alerts_about"]
    alert_ids = [a["id"] for a in exported["alerts_about"]]

    assert line.cli("members", "erase", M1, "--yes").exit_code == 0

    assert holding(line, digits) == {}
    theirs = {f"tl:in:{a['sid']}" for a in inbound_log.export_member(line.r, M2)}
    left = holding(line, MARKER)
    assert left and all(key.startswith(f"tl:member:{M2}:") or key in theirs for key in left), sorted(left)
    # What the audit needs stays: the case, who was alerted, who acknowledged and closed it.
    case = cases.get(line.r, case_id)
    assert case is not None and case.status == CaseStatus.CLOSED and case.acknowledged_by == ANA
    alerts = [outbound.get(line.r, i) for i in alert_ids]
    assert ANA in {a.to for a in alerts} and {a.body for a in alerts} == {outbound.ERASED}
    assert members.get(line.r, M1) is None and members.get(line.r, M2) is not None


def test_a_retried_webhook_of_an_erased_member_says_and_does_nothing(line: Harness) -> None:
    member = line.member(M1).joins()
    for text in ("PLAN EDIT", MARKER, "skip", "skip", "skip"):
        member.texts(text)
    response = line.sms(M1, "PLAN", sid="SM" + "e" * 32)
    assert MARKER in response.get_data(as_text=True)
    member_data.erase(line.r, M1)
    again = line.sms(M1, "PLAN", sid="SM" + "e" * 32)  # Twilio's retry of the same message
    assert again.status_code == 200 and MARKER not in again.get_data(as_text=True)
    assert members.get(line.r, M1) is None, "the retry was not acted on"


def test_a_number_that_never_said_yes_is_forgotten_after_the_pending_retention(line: Harness) -> None:
    line.configure(retention={"pending": "7d"})
    line.set_clock(T0)
    line.member(STRANGER).texts(f"hello {MARKER}")
    line.member(M1).joins()
    assert members.get(line.r, STRANGER) is not None
    now = T0.timestamp()
    assert member_data.expire_pending(line.r, now + 6 * 86400, line.settings.pending_retention) == 0
    assert member_data.expire_pending(line.r, now + 8 * 86400, line.settings.pending_retention) == 1
    assert holding(line, STRANGER[2:]) == {} and members.get(line.r, M1) is not None
    assert members.pending_since(line.r, now + 30 * 86400) == [], "a member who said YES is never expired"


def test_a_pending_number_with_an_open_case_is_kept_until_the_case_closes(line: Harness) -> None:
    line.set_clock(T0)
    line.member(STRANGER).texts("hi")
    line.member(STRANGER).texts("I want to kill myself")
    [case] = cases.for_member(line.r, STRANGER)
    later = (T0 + timedelta(days=8)).timestamp()
    assert member_data.expire_pending(line.r, later, line.settings.pending_retention) == 0
    assert cases.get(line.r, case.id).phone == STRANGER, "staff still need the number of a person in crisis"
    add_peer(line, "Ben", BEN, role="crisis")
    line.member(BEN).texts(f"CLOSE {case.id}")
    assert member_data.expire_pending(line.r, later + 2 * 86400, line.settings.pending_retention) == 1
    assert members.get(line.r, STRANGER) is None

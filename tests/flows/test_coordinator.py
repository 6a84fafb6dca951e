"""A coordinator broadcasts by text: SEND, told the count and segments, then YES."""
from __future__ import annotations

from datetime import UTC, datetime

from tests.support.harness import Harness, member_number, staff_number

COORD, PEER = staff_number(701), staff_number(702)
M1, M2, M3 = member_number(701), member_number(702), member_number(703)
NOON = datetime(2025, 3, 5, 17, 0, tzinfo=UTC)


def circle(line: Harness) -> None:
    line.set_clock(NOON)
    line.cli("staff", "add", "Ana", COORD, "--role", "coordinator")
    line.cli("staff", "add", "Ben", PEER, "--role", "peer")
    line.cli("groups", "add", "Tuesday Circle", "--code", "TUE1")
    for phone in (M1, M2, M3):
        line.member(phone).joins().texts("JOIN TUE1")
    line.member(M3).texts("STOP")


def test_send_asks_then_yes_sends_to_each_member_once(line: Harness) -> None:
    circle(line)
    coordinator = line.member(COORD)
    assert coordinator.texts("SEND tue1 No meeting Monday, see you Tuesday!") == [
        "Send to 2 members of Tuesday Circle, 1 segment each? Reply YES to send or NO to cancel."]
    line.work()
    assert line.twilio.messages == []  # nothing before YES
    assert coordinator.texts("yes") == ["Sending to 2 members of Tuesday Circle. Thank you!"]
    line.work()
    assert line.member(M1).received == ["No meeting Monday, see you Tuesday!"]
    assert line.member(M2).received == ["No meeting Monday, see you Tuesday!"]
    assert line.member(M3).received == []
    assert coordinator.texts("YES") != ["Sending to 2 members of Tuesday Circle. Thank you!"]  # nothing pending now
    line.work()
    assert len(line.twilio.messages) == 2


def test_the_group_may_be_named_and_a_long_text_counts_its_segments(line: Harness) -> None:
    circle(line)
    long = "Reminder: " + "we meet in the small hall this week because of the repairs. " * 3
    assert line.member(COORD).texts(f"SEND tuesday circle {long}") == [
        "Send to 2 members of Tuesday Circle, 2 segments each? Reply YES to send or NO to cancel."]


def test_one_member_is_one_member(line: Harness) -> None:
    circle(line)
    line.member(M2).texts("STOP")
    assert line.member(COORD).texts("SEND TUE1 Hello") == [
        "Send to 1 member of Tuesday Circle, 1 segment each? Reply YES to send or NO to cancel."]
    assert line.member(COORD).texts("YES") == ["Sending to 1 member of Tuesday Circle. Thank you!"]


def test_no_drops_it(line: Harness) -> None:
    circle(line)
    coordinator = line.member(COORD)
    coordinator.texts("SEND TUE1 Hello")
    assert coordinator.texts("NO") == ["OK, not sent."]
    coordinator.texts("YES")
    line.work()
    assert line.twilio.messages == []


def test_unknown_group_usage_and_other_roles(line: Harness) -> None:
    circle(line)
    coordinator = line.member(COORD)
    assert coordinator.texts("SEND nope Hello") == ["No group has the name or code nope. Nothing was sent."]
    assert coordinator.texts("SEND")[0].startswith("Text SEND, a group's code and your message")
    assert coordinator.texts("SEND TUE1")[0].startswith("Text SEND, a group's code and your message")
    assert "Send to" not in line.member(PEER).texts("SEND TUE1 Hello")[0]
    assert "Send to" not in line.member(M1).texts("SEND TUE1 Hello")[0]


def test_a_group_nobody_can_hear(line: Harness) -> None:
    circle(line)
    line.cli("groups", "add", "Empty", "--code", "EMPTY")
    assert line.member(COORD).texts("SEND EMPTY Hello") == [
        "Nobody in Empty can get texts right now. Nothing was sent."]


def test_a_broadcast_about_crisis_help_is_sent_not_taken_for_the_coordinators_crisis(line: Harness) -> None:
    circle(line)
    coordinator = line.member(COORD)
    text = "If you have thoughts of suicide, call or text 988 any time. You are not alone."
    assert coordinator.texts(f"SEND TUE1 {text}")[0].startswith("Send to 2 members of Tuesday Circle")
    assert coordinator.texts("YES")[0].startswith("Sending to 2 members")
    line.work()
    assert line.member(M1).received == [text]
    assert line.cli_json("cases", "--json") == []
    [answer, *_] = coordinator.texts("SEND TUE1 I can't go on, I want to kill myself tonight")
    assert answer.startswith("Call or text 988")  # their own crisis, in their own words

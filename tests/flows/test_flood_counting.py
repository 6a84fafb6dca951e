"""When a text is counted on its number's flood limiter: the turn's state counts it in the same round trip
as its reads, and a text answered before the flood stage (a crisis) or a Twilio retry is given back."""
from __future__ import annotations

from tests.support.harness import Harness, member_number

M1 = member_number(3601)


def test_a_crisis_text_and_a_retry_do_not_count_towards_the_flood_rate(line: Harness) -> None:
    line.configure(inbound_rate=3)
    member = line.member(M1).joins()
    line.r.delete(f"tl:member:{M1}:flood")  # a fresh minute
    for _ in range(3):
        assert member.texts("I want to kill myself"), "a crisis is always answered"
    for _ in range(4):  # the first delivery, then Twilio's retries of it
        assert line.sms(M1, "MENU", sid="SM" + "f" * 32).status_code == 200
    assert "Check in" in member.texts("MENU")[0], "2 of 3"
    assert "Check in" in member.texts("MENU")[0], "3 of 3"
    assert "a lot of messages" in member.texts("MENU")[0], "the 4th text in the minute is slowed"

"""What one member costs in Redis once their texts are answered: at most 3 keys and 1 KB.

A member who consented, joined a group, checked in once and set a daily prompt. Short-lived keys (the
flood limiter, a session under way, the webhook answers kept minutes for Twilio's retries) are left aside,
as are the line's shared keys (the day's seen-markers, counted in tests/models/test_inbound_log.py).
"""
from __future__ import annotations

from tests.support.harness import Harness, member_number

M1 = member_number(3501)
#: Keys that live longer than this are the member's lasting footprint.
SHORT_LIVED = 3600


def test_a_member_with_a_group_a_check_in_and_a_daily_prompt_fits_in_3_keys_and_1_kb(line: Harness) -> None:
    assert line.cli("groups", "add", "Tuesday", "--code", "TUE").exit_code == 0
    member = line.member(M1)
    for text in ("hi", "YES", "JOIN TUE", "CHECKIN", "3", "I had a good walk today", "DAILY 9am"):
        assert member.texts(text)
    mine = [key for key in line.r.keys(f"tl:member:{M1}*") if not 0 < line.r.ttl(key) <= SHORT_LIVED]
    size = sum(line.r.memory_usage(key) for key in mine)
    assert len(mine) <= 3 and size <= 1024, {key: line.r.memory_usage(key) for key in mine}
    shown = line.cli_json("members", "show", M1)
    assert shown["groups"] == ["Tuesday"] and [c["mood"] for c in shown["checkins"]] == [3]

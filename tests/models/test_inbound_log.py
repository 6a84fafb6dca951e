"""Webhook dedupe: the answer is kept minutes for Twilio's retries, the seen-marker a day in 16 bytes a message."""
from __future__ import annotations

import uuid

from tests.support.harness import Harness, member_number
from textline.models import inbound_log

M1 = member_number(3401)
ANSWER = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Hello</Message></Response>'


def sid() -> str:
    return "SM" + uuid.uuid4().hex


def test_first_claims_a_retry_in_flight_waits_then_gets_the_same_answer(line: Harness) -> None:
    first = sid()
    assert inbound_log.claim(line.r, first)
    assert not inbound_log.claim(line.r, first) and inbound_log.answered(line.r, first) == ""
    inbound_log.remember(line.r, first, ANSWER, about=(M1,))
    assert not inbound_log.claim(line.r, first) and inbound_log.answered(line.r, first) == ANSWER
    assert 0 < line.r.ttl(f"tl:in:{first}") <= inbound_log.ANSWER_TTL <= 900, "kept minutes, not a day"
    assert 0 < line.r.ttl(f"tl:member:{M1}:in") <= inbound_log.ANSWER_TTL
    assert inbound_log.answered(line.r, sid()) is None and inbound_log.claim(line.r, sid()), "others are new"


def test_once_the_answer_lapses_the_seen_marker_still_refuses_it_for_the_day(line: Harness) -> None:
    first = sid()
    assert inbound_log.claim(line.r, first)
    inbound_log.remember(line.r, first, ANSWER)
    line.r.delete(f"tl:in:{first}")  # as ANSWER_TTL does
    assert inbound_log.answered(line.r, first) == inbound_log.SCRUBBED
    assert not inbound_log.claim(line.r, first), "never acted on twice"


def test_a_failed_handling_is_released_and_the_retry_acted_on(line: Harness) -> None:
    first = sid()
    assert inbound_log.claim(line.r, first)
    inbound_log.release(line.r, first)
    assert inbound_log.answered(line.r, first) is None and inbound_log.claim(line.r, first)


def test_the_seen_marker_is_sixteen_bytes_a_message(line: Harness) -> None:
    sids = [sid() for _ in range(400)]
    for one in sids:
        assert inbound_log.claim(line.r, one)
        inbound_log.remember(line.r, one, ANSWER)
    seen = line.r.keys(f"{inbound_log.SEEN_PREFIX}*")
    assert 1 <= len(seen) <= 16 * 2  # 16 buckets a block of hours (two blocks if the test straddles one)
    assert sum(line.r.strlen(key) for key in seen) == 16 * len(sids)
    assert all(23 * 3600 < line.r.ttl(key) <= 24 * 3600 for key in seen)
    for key in line.r.keys("tl:in:SM*"):
        line.r.delete(key)
    assert not any(inbound_log.claim(line.r, one) for one in sids)

"""Outbound records made many at a time, as a fan-out does: one record per business key."""
from __future__ import annotations

from tests.support.harness import Harness, member_number
from textline import outbound, queues
from textline.outbound import Kind, Status

M1, M2 = member_number(301), member_number(302)


def test_create_many_makes_one_record_per_key_and_gives_back_the_first_id(line: Harness) -> None:
    items = [(M1, "Meeting moved to 7pm — see you", "bc:1:" + M1), (M2, "Meeting moved", "bc:1:" + M2)]
    first = outbound.create_many(line.line, items, kind=Kind.BROADCAST, queue=queues.BROADCAST, ref="bc:1")
    assert [new for _, new in first] == [True, True]
    again = outbound.create_many(line.line, items, kind=Kind.BROADCAST, queue=queues.BROADCAST)
    assert again == [(msg_id, False) for msg_id, _ in first]
    record = outbound.get(line.r, first[0][0])
    assert record.to == M1 and record.body == "Meeting moved to 7pm - see you"
    assert record.kind == Kind.BROADCAST and record.status == Status.QUEUED and record.ref == "bc:1"
    assert outbound.send_text(line.line, M2, "x", kind=Kind.BROADCAST, dedupe="bc:1:" + M2) is None
    assert outbound.create_many(line.line, [], kind=Kind.BROADCAST, queue=queues.BROADCAST) == []

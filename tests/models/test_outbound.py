"""Message records: one record per business key, made one or many at a time, and never left undelivered."""
from __future__ import annotations

from tests.support.harness import Harness, member_number
from textline.core import queues
from textline.models import outbound
from textline.models.outbound import Kind, Status

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


def test_a_dedupe_hit_enqueues_the_delivery_a_crash_lost(line: Harness) -> None:
    line.member(M1).joins()
    # A process created the record, then died before enqueueing its delivery.
    msg_id = outbound.create(line.line, M1, "Meeting at 7pm.", kind=Kind.REPLY, queue=queues.REPLIES, dedupe="k:1")
    assert msg_id
    # Its retry hits the business key: no second record, but the first one is delivered.
    assert outbound.send_text(line.line, M1, "Meeting at 7pm.", kind=Kind.REPLY, dedupe="k:1") is None
    assert outbound.by_dedupe(line.r, "k:1") == msg_id
    line.work()
    assert line.twilio.texts_to(M1) == ["Meeting at 7pm."]
    # Once delivered, further hits change nothing.
    outbound.send_text(line.line, M1, "Meeting at 7pm.", kind=Kind.REPLY, dedupe="k:1")
    line.work()
    assert line.twilio.texts_to(M1) == ["Meeting at 7pm."]

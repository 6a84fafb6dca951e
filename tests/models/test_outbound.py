"""Message records: one record per business key, a broadcast's copies made in its fan-out, none left undelivered."""
from __future__ import annotations

from tests.support.harness import Harness, member_number
from textline.core import queues
from textline.models import outbound
from textline.models.outbound import Kind, Status

M1, M2 = member_number(301), member_number(302)


def test_a_broadcast_copy_reads_back_as_a_queued_record_that_expires(line: Harness) -> None:
    script = outbound.LUA_COPY + "copy(ARGV[1], ARGV[2], ARGV[3], ARGV[4], 'broadcast', 'broadcast', 'bc:1', 'now')"
    line.r.eval(script, 0, "77", M1, "Meeting moved to 7pm", 3600)
    record = outbound.get(line.r, "77")
    assert record is not None and record.to == M1 and record.body == "Meeting moved to 7pm"
    assert record.kind == Kind.BROADCAST and record.status == Status.QUEUED and record.ref == "bc:1"
    assert (record.channel, record.attempts, record.queue) == ("sms", 0, queues.BROADCAST)
    assert 3500 < line.r.ttl("tl:msg:77") <= 3600
    assert outbound.start_attempt(line.line, "77") == 1


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

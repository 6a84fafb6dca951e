"""The sweep: a message whose delivery job vanished is enqueued again, once."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support.harness import Harness, member_number
from textline.core import queues
from textline.models import outbound
from textline.models.outbound import Kind, Status
from workers.sweep import sweep

M1 = member_number(311)
T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def test_a_record_whose_job_vanished_is_delivered_once(line: Harness) -> None:
    line.set_clock(T0)
    line.member(M1).joins()
    msg_id = outbound.send_text(line.line, M1, "Your call-back is coming.", kind=Kind.CALLBACK)
    queues.queue(line.line, queues.REPLIES).empty()  # the job is lost
    assert sweep(line.line, T0 + timedelta(seconds=5)) == 0  # not overdue yet
    assert sweep(line.line, T0 + timedelta(seconds=20)) == 1
    assert sweep(line.line, T0 + timedelta(seconds=21)) == 0  # its new job waits: nothing more
    line.work()
    assert line.twilio.texts_to(M1) == ["Your call-back is coming."]
    assert outbound.get(line.r, msg_id).status == Status.SENT
    assert line.r.zscore(outbound.OPEN, msg_id) is None


def test_a_record_still_waiting_in_its_queue_is_left_alone(line: Harness) -> None:
    line.set_clock(T0)
    line.member(M1).joins()
    outbound.send_text(line.line, M1, "Meeting moved.", kind=Kind.REMINDER, queue=queues.BROADCAST)
    assert sweep(line.line, T0 + timedelta(minutes=5)) == 0
    line.work()
    assert line.twilio.texts_to(M1) == ["Meeting moved."]


def test_a_record_created_without_its_job_is_delivered(line: Harness) -> None:
    line.set_clock(T0)
    line.member(M1).joins()
    msg_id = outbound.create(line.line, M1, "Hello again.", kind=Kind.REPLY, queue=queues.REPLIES)
    assert outbound.create(line.line, M1, "Hello again.", kind=Kind.REPLY, queue=queues.REPLIES, dedupe="x") != msg_id
    assert outbound.create(line.line, M1, "Hello again.", kind=Kind.REPLY, queue=queues.REPLIES, dedupe="x") is None
    assert sweep(line.line, T0 + timedelta(minutes=1)) == 2
    line.work()
    assert line.twilio.texts_to(M1) == ["Hello again.", "Hello again."]

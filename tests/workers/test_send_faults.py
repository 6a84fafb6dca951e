"""Sends that end without an answer: timeouts, killed processes, lost locks. Nothing is sent twice."""
from __future__ import annotations

import os
import signal
from datetime import UTC, datetime, timedelta

import redis
from rq.job import Job, JobStatus

from tests.support.harness import Harness, member_number
from textline.core import queues, redis_conn, timers
from textline.models import outbound
from textline.models.outbound import Kind, Status
from workers.send import Delivery

M1 = member_number(301)


def joined(line: Harness) -> Harness:
    line.member(M1).joins()
    return line


def test_a_timed_out_send_that_reached_twilio_is_not_sent_again(line: Harness) -> None:
    joined(line.configure(sending={"http_timeout": "300ms"}))
    line.twilio.delay_next(1, 1.0)
    msg_id = outbound.send_text(line.line, M1, "See you Thursday.", kind=Kind.REPLY)
    assert line.work_until(lambda: outbound.get(line.r, msg_id).status == Status.SENT)
    [sent] = line.twilio.messages
    assert outbound.get(line.r, msg_id).sid == sent.sid
    assert line.twilio.lookups == 1


def test_an_attempt_that_died_before_reaching_twilio_is_sent(line: Harness) -> None:
    joined(line)
    msg_id = outbound.create(line.line, M1, "Check in when you can.", kind=Kind.REPLY, queue=queues.REPLIES)
    assert outbound.start_attempt(line.line, msg_id) == 1  # then the process died
    assert Delivery(line.line, msg_id).run() == "sent"
    assert line.twilio.texts_to(M1) == ["Check in when you can."]
    assert outbound.get(line.r, msg_id).attempts == 2


def test_an_attempt_that_died_after_twilio_took_it_is_not_sent_again(line: Harness) -> None:
    joined(line)
    msg_id = outbound.create(line.line, M1, "Check in when you can.", kind=Kind.REPLY, queue=queues.REPLIES)
    outbound.start_attempt(line.line, msg_id)
    taken = line.twilio.client().messages.create(to=M1, from_=line.settings.number, body="Check in when you can.")
    assert Delivery(line.line, msg_id).run() == "sent"
    assert len(line.twilio.messages) == 1
    assert outbound.get(line.r, msg_id).sid == taken.sid


def test_a_lock_left_by_a_dead_delivery_is_taken_over_by_the_watch(line: Harness) -> None:
    joined(line)
    msg_id = outbound.create(line.line, M1, "Meeting moved to 8pm.", kind=Kind.REMINDER, queue=queues.BROADCAST)
    line.r.set(f"tl:msg:{msg_id}:lock", "a-dead-process", ex=60)
    assert Delivery(line.line, msg_id).run() == "busy"
    assert timers.due_at(line.r, f"watch:{msg_id}") is not None
    line.r.delete(f"tl:msg:{msg_id}:lock")  # the lease runs out
    line.work(now=datetime.now(UTC) + timedelta(minutes=1))
    assert line.twilio.texts_to(M1) == ["Meeting moved to 8pm."]


def test_a_status_only_moves_forward_and_a_gone_record_is_not_recreated(line: Harness) -> None:
    joined(line)
    msg_id = outbound.create(line.line, M1, "Hello.", kind=Kind.REPLY, queue=queues.REPLIES)
    assert outbound.mark(line.line, msg_id, Status.SENT, sid="SM" + "1" * 32)
    assert not outbound.mark(line.line, msg_id, Status.QUEUED)
    assert outbound.start_attempt(line.line, msg_id) == 0
    outbound.record_delivery(line.line, msg_id, "delivered")
    assert outbound.get(line.r, msg_id).status == Status.DELIVERED
    assert not outbound.mark(line.line, msg_id, Status.SENT)
    line.r.delete(f"tl:msg:{msg_id}")
    outbound.record_delivery(line.line, msg_id, "failed", "30003")
    assert not outbound.mark(line.line, msg_id, Status.FAILED)
    assert not line.r.exists(f"tl:msg:{msg_id}")


def die_once(key: str) -> str:
    """A job whose first run is killed like a work horse taken down mid-job."""
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    if client.set(key, "1", nx=True):
        os.kill(os.getpid(), signal.SIGKILL)
    return "ran"


def test_a_job_whose_process_is_killed_runs_again(line: Harness) -> None:
    assert queues.enqueue(line.line, queues.REPLIES, "tests.workers.test_send_faults.die_once", "tl:test:died",
                          job_id="die-once")
    line.work()
    job = Job.fetch("die-once", connection=redis_conn.connect(line.settings, decode=False))
    assert job.get_status() == JobStatus.FINISHED
    assert job.return_value() == "ran"


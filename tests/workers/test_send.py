"""Delivery through the real twilio client to the Twilio double, with retries and permanent failures."""
from __future__ import annotations

from tests.support.harness import LINE_NUMBER, PUBLIC_URL, Harness, member_number
from tests.support.twilio_double import TEST_ACCOUNT_SID
from textline.core import jobs, queues
from textline.models import members, outbound
from textline.models.outbound import Kind, Status

M1, M2 = member_number(201), member_number(202)


def send(line: Harness, to: str, body: str = "Your meeting is at 7pm.", kind: Kind = Kind.REPLY,
         queue: str = queues.REPLIES) -> str:
    msg_id = outbound.send_text(line.line, to, body, kind=kind, queue=queue)
    assert msg_id
    return msg_id


def test_a_text_reaches_twilio_with_auth_from_and_status_callback(line: Harness) -> None:
    line.member(M1).joins()
    msg_id = send(line, M1)
    line.work()
    [request] = line.twilio.messages
    assert request.form["To"] == M1
    assert request.form["From"] == LINE_NUMBER
    assert request.form["Body"] == "Your meeting is at 7pm."
    assert request.form["StatusCallback"] == PUBLIC_URL + "/twilio/status"
    assert request.auth_ok and request.auth_user == TEST_ACCOUNT_SID
    record = outbound.get(line.r, msg_id)
    assert record.status == Status.SENT and record.sid == request.sid


def test_a_job_carries_the_id_not_the_body_or_number(line: Harness) -> None:
    line.member(M1).joins()
    msg_id = send(line, M1)
    [job] = queues.queue(line.line, queues.REPLIES).get_jobs()
    assert job.args == (msg_id,)
    assert M1 not in job.description and "meeting" not in job.description


def test_429_is_retried_until_it_succeeds(line: Harness) -> None:
    line.member(M1).joins()
    line.twilio.fail_next(3, status=429)
    msg_id = send(line, M1)
    assert line.work_until(lambda: outbound.get(line.r, msg_id).status == Status.SENT)
    assert len(line.twilio.messages) == 1
    assert sum(1 for r in line.twilio.requests if r.status_code == 429) == 3


def test_5xx_is_retried(line: Harness) -> None:
    line.member(M1).joins()
    line.twilio.fail_next(2, status=503)
    msg_id = send(line, M1)
    assert line.work_until(lambda: outbound.get(line.r, msg_id).status == Status.SENT)


def test_21610_marks_the_member_opted_out_and_is_not_retried(line: Harness) -> None:
    line.member(M1).joins()
    line.twilio.fail_for(M1, code=21610)
    msg_id = send(line, M1)
    line.work()
    record = outbound.get(line.r, msg_id)
    assert record.status == Status.FAILED and record.error == "21610"
    assert members.is_opted_out(line.r, M1)
    assert len([r for r in line.twilio.requests if r.to == M1]) == 1
    send(line, M1)
    line.work()
    assert len([r for r in line.twilio.requests if r.to == M1]) == 1


def test_21211_marks_the_number_invalid_without_retry(line: Harness) -> None:
    line.member(M1).joins()
    line.twilio.fail_for(M1, code=21211)
    msg_id = send(line, M1)
    line.work()
    assert outbound.get(line.r, msg_id).error == "21211"
    assert members.is_invalid(line.r, M1)
    assert len(line.twilio.requests) == 1


def test_nothing_is_sent_to_an_opted_out_or_unconsented_number(line: Harness) -> None:
    line.member(M1).joins().texts("STOP")
    line.member(M2).texts("hi")
    a, b = send(line, M1), send(line, M2, kind=Kind.BROADCAST, queue=queues.BROADCAST)
    line.work()
    assert line.twilio.messages == []
    assert outbound.get(line.r, a).error == "opted_out"
    assert outbound.get(line.r, b).error == "no_consent"


def test_a_delivered_record_is_never_sent_again(line: Harness) -> None:
    line.member(M1).joins()
    msg_id = send(line, M1)
    line.work()
    queues.enqueue(line.line, queues.REPLIES, jobs.DELIVER, msg_id, job_id="again")
    line.work()
    assert len(line.twilio.messages) == 1


def test_status_callback_stores_status_and_error(line: Harness) -> None:
    line.member(M1).joins()
    msg_id = send(line, M1)
    line.work()
    sid = outbound.get(line.r, msg_id).sid
    assert line.status(sid, "undelivered", "30003").status_code == 200
    data = line.r.hgetall(f"tl:msg:{msg_id}")
    assert data["delivery"] == "undelivered" and data["error"] == "30003"
    assert line.status(sid, "bogus").status_code == 400
    assert line.post("/twilio/status", {"MessageSid": sid, "MessageStatus": "sent"}, signed=False).status_code == 403


def test_status_callback_21610_opts_out(line: Harness) -> None:
    line.member(M1).joins()
    msg_id = send(line, M1)
    line.work()
    line.status(outbound.get(line.r, msg_id).sid, "failed", "21610")
    assert members.is_opted_out(line.r, M1)


def test_a_timeout_is_retried_by_looking_it_up_first(line: Harness) -> None:
    # The double takes the text but answers after the timeout: the retry finds it at Twilio, and sends no copy.
    line.configure(sending={"http_timeout": "300ms", "retry_backoff": "10ms", "lease": "2s"})
    line.member(M1).joins()
    line.twilio.delay_next(1, 1.0)
    msg_id = send(line, M1)
    assert line.work_until(lambda: outbound.get(line.r, msg_id).status == Status.SENT)
    msg = outbound.get(line.r, msg_id)
    assert msg.attempts == 1 and line.twilio.texts_to(M1) == ["Your meeting is at 7pm."]
    assert msg.sid == line.twilio.messages[-1].sid


def test_a_bulk_send_whose_worker_died_after_twilio_took_it_is_looked_up_not_repeated(line: Harness) -> None:
    line.member(M1).joins()
    msg_id = send(line, M1, kind=Kind.BROADCAST, queue=queues.BROADCAST)
    outbound.mark(line.line, msg_id, Status.SENDING)  # as a worker killed inside the HTTP request leaves it ...
    taken = line.twilio.client().messages.create(to=M1, from_=line.settings.number, body="Your meeting is at 7pm.")
    line.work()  # ... after Twilio took the text
    assert len(line.twilio.messages) == 1 and line.twilio.lookups == 1
    msg = outbound.get(line.r, msg_id)
    assert msg.status == Status.SENT and msg.sid == taken.sid


def test_a_bulk_send_whose_worker_died_before_twilio_took_it_is_sent_once(line: Harness) -> None:
    line.member(M1).joins()
    msg_id = send(line, M1, kind=Kind.BROADCAST, queue=queues.BROADCAST)
    assert outbound.start_attempt(line.line, msg_id) == 1  # then the worker died, Twilio never saw it
    line.work()
    assert line.twilio.texts_to(M1) == ["Your meeting is at 7pm."] and line.twilio.lookups == 1
    assert outbound.get(line.r, msg_id).status == Status.SENT


def test_a_reply_or_a_personal_reminder_whose_worker_died_mid_request_is_sent_again(line: Harness) -> None:
    line.member(M1).joins()
    reply = send(line, M1)
    reminder = send(line, M1, "Time for your pills.", kind=Kind.REMINDER, queue=queues.BROADCAST)
    for msg_id in (reply, reminder):
        outbound.mark(line.line, msg_id, Status.SENDING)
    line.work()
    assert sorted(line.twilio.texts_to(M1)) == ["Time for your pills.", "Your meeting is at 7pm."]
    assert outbound.get(line.r, reply).status == outbound.get(line.r, reminder).status == Status.SENT


def test_a_paced_delivery_without_a_slot_leaves_the_record_to_its_caller(line: Harness) -> None:
    from textline.core import ratelimit, timers
    from workers.send import Delivery

    line.configure(send_rate=0.5)
    line.member(M1).joins()
    msg_id = send(line, M1, kind=Kind.BROADCAST, queue=queues.BROADCAST)
    queues.queue(line.line, queues.BROADCAST).empty()
    assert ratelimit.take(line.r, 0.5, priority=True).granted  # the next slot is 2 s away
    queues.enqueue(line.line, queues.REPLIES, jobs.DELIVER, "0")  # and a reply waits: bulk must not
    assert Delivery(line.line, msg_id, paced=True).run() == "later"
    assert outbound.get(line.r, msg_id).status == Status.QUEUED
    assert timers.pending(line.r) == []


def test_crisis_work_holds_its_lock_for_the_short_crisis_lease_with_an_http_timeout_below_it(line: Harness) -> None:
    from workers.send import Delivery
    from workers.senders import TwilioSender

    line.configure(sending={"lease": "15s", "crisis_lease": "6s"})
    sender = TwilioSender(line.settings)
    assert sender.urgent.http_client.timeout == 4.0 < line.settings.send_crisis_lease
    assert sender.client.http_client.timeout == line.settings.http_timeout == 10.0
    line.member(M1).joins()
    alert = outbound.send_text(line.line, M1, "Crisis alert: case 1", kind=Kind.ALERT, queue=queues.CRISIS)
    reply = send(line, M1)
    assert Delivery(line.line, alert).lease(outbound.get(line.r, alert)) == 6.0
    assert Delivery(line.line, reply).lease(outbound.get(line.r, reply)) >= 15.0
    # the alert is watched within its own lease, not the plain one
    from textline.core import timers
    assert abs(timers.due_at(line.r, outbound.watch_name(alert)) - line.line.now().timestamp() - 7.0) < 1.0
    line.work()
    assert outbound.get(line.r, alert).status == Status.SENT


def test_a_crisis_lease_out_of_bounds_is_a_config_error(line: Harness) -> None:
    import pytest

    from textline.core.errors import ConfigError

    with pytest.raises(ConfigError, match="crisis_lease"):
        line.configure(sending={"crisis_lease": "1s"})

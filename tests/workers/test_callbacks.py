"""Call-back jobs: the claim timeout reminds peers once, tells coordinators and updates the member."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support.harness import Harness, member_number, staff_number
from tests.support.peers import add_peer, named_member
from textline.core import jobs, queues
from textline.models import requests as callbacks

M1 = member_number(801)
ANA, BEN, COORD = staff_number(801), staff_number(802), staff_number(803)
START = datetime(2025, 3, 12, 18, 0, tzinfo=UTC)


def test_unclaimed_peers_are_reminded_once_and_coordinators_told(line: Harness) -> None:
    line.configure(callbacks={"claim_timeout": "10m"})
    line.set_clock(START)
    add_peer(line, "Ana", ANA)
    add_peer(line, "Cora", COORD, on_call=False, role="coordinator")
    named_member(line, M1, "Sam").texts("CALL")
    line.work()
    line.set_clock(START + timedelta(minutes=9))
    line.work()
    assert len(line.twilio.texts_to(ANA)) == 1
    line.set_clock(START + timedelta(minutes=10, seconds=1))
    line.work()
    assert line.twilio.texts_to(ANA)[-1] == ("Reminder: call-back 1 still waiting, priority normal: Sam. "
                                            "Reply TAKE 1")
    assert line.twilio.texts_to(COORD) == ["Call-back 1 (priority normal) unclaimed for 10 min; peers on call: 1. "
                                           "The dashboard's Requests page shows the queue."]
    assert line.twilio.texts_to(M1)[-1] == ("Sorry for the wait: no peer has taken your call-back yet. You're still "
                                           "in the queue. NOCALL to withdraw.")
    line.set_clock(START + timedelta(hours=2))
    line.work()
    assert len(line.twilio.texts_to(ANA)) == 2 and len(line.twilio.texts_to(M1)) == 1


def test_with_nobody_on_call_the_member_hears_the_truth(line: Harness) -> None:
    line.set_clock(START)
    add_peer(line, "Cora", COORD, on_call=False, role="coordinator")
    named_member(line, M1).texts("CALL")
    line.set_clock(START + timedelta(minutes=11))
    line.work()
    assert line.twilio.texts_to(M1)[-1].startswith("Sorry: no peer is on call right now.")
    assert "peers on call: 0." in line.twilio.texts_to(COORD)[0]
    assert "textline" not in line.twilio.texts_to(COORD)[0]  # a phone, not a shell


def test_a_taken_request_does_not_time_out_but_a_released_one_starts_again(line: Harness) -> None:
    line.set_clock(START)
    ana = add_peer(line, "Ana", ANA)
    add_peer(line, "Ben", BEN)
    named_member(line, M1).texts("CALL")
    ana.texts("TAKE 1")
    line.set_clock(START + timedelta(minutes=30))
    line.work()
    assert not any(t.startswith("Reminder") for t in line.twilio.texts_to(BEN))
    ana.texts("RELEASE 1")
    line.set_clock(START + timedelta(minutes=41))
    line.work()
    assert line.twilio.texts_to(BEN)[-1].startswith("Reminder: call-back 1 still waiting")
    assert not any(t.startswith("Reminder") for t in line.twilio.texts_to(ANA))


def test_peers_hear_of_a_request_opened_by_another_feature(line: Harness) -> None:
    add_peer(line, "Ana", ANA)
    named_member(line, M1, "Sam")
    callbacks.open_request(line.line, M1, reason="voice")
    line.work()
    assert line.twilio.texts_to(ANA) == ["Call-back 1 waiting, priority normal: Sam. Reply TAKE 1"]


def test_jobs_carry_ids_only(line: Harness) -> None:
    ana = add_peer(line, "Ana", ANA)
    named_member(line, M1, "Sam").texts("CALL")
    ana.texts("TAKE 1")
    queued = [job for name in queues.ALL for job in queues.queue(line.line, name).get_jobs()]
    assert {job.func_name for job in queued} >= {jobs.CALLBACK_NOTIFY, jobs.CALLBACK_CALL_PEER}
    for job in queued:
        assert all(isinstance(arg, int | str) and M1 not in str(arg) and ANA not in str(arg) for arg in job.args)

"""The ladder in the workers: deadlines in Redis, lost jobs covered, deliveries and failures on the trail."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.harness import PUBLIC_URL, Harness, member_number, staff_number
from textline.core import jobs, queues, timers
from textline.models import alerts, cases, outbound
from textline.models.cases import CaseStatus
from workers.escalate import Ladder

M1 = member_number(411)
ANA, BEN, CY = staff_number(11), staff_number(12), staff_number(13)
T0 = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)
CRISIS = "I want to kill myself"


@pytest.fixture
def crew(line: Harness) -> Harness:
    line.set_clock(T0)
    line.cli("staff", "add", "Ana", ANA, "--role", "crisis")
    line.cli("staff", "add", "Ben", BEN, "--role", "crisis")
    line.cli("staff", "add", "Cy", CY, "--role", "coordinator")
    line.cli("staff", "on", ANA)
    line.cli("staff", "on", BEN)
    return line


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_jobs_carry_ids_only(crew: Harness) -> None:
    crew.member(M1).texts(CRISIS)
    queued = queues.queue(crew.line, queues.CRISIS).get_jobs()
    # The webhook enqueued round 1's alerts itself, then the round (for its trail and deadline).
    assert [j.func_name for j in queued] == [jobs.DELIVER, jobs.DELIVER, jobs.ESCALATE_STEP]
    assert queued[-1].args == (1, 1)
    for job in queued:
        assert all(isinstance(a, int | str) and not str(a).startswith("+") for a in job.args)
        assert M1 not in job.description and "kill" not in job.description


def test_the_webhooks_alerts_and_the_first_round_send_each_alert_once(crew: Harness) -> None:
    crew.member(M1).texts(CRISIS)
    crew.work()
    assert len(crew.twilio.texts_to(ANA)) == len(crew.twilio.texts_to(BEN)) == 1
    assert [e["event"] for e in cases.events(crew.r, 1)] == ["detected", "alerted"]


def test_a_first_round_lost_with_its_worker_runs_again_within_seconds(crew: Harness) -> None:
    crew.member(M1).texts(CRISIS)
    queues.queue(crew.line, queues.CRISIS).empty()  # the worker holding every job died
    crew.set_clock(at(crew.settings.send_crisis_lease + 1))
    crew.work()
    assert len(crew.twilio.texts_to(ANA)) == 1  # each alert was watched from the moment it was enqueued
    assert cases.get(crew.r, 1).round == 0
    crew.set_clock(at(cases.GUARD))
    crew.work()
    assert len(crew.twilio.texts_to(ANA)) == len(crew.twilio.texts_to(BEN)) == 1
    assert [e["event"] for e in cases.events(crew.r, 1)] == ["detected", "alerted"]
    assert timers.due_at(crew.r, "case:1") == at(cases.GUARD + 300).timestamp()


def test_a_round_run_twice_sends_nothing_twice_and_keeps_one_deadline(crew: Harness) -> None:
    crew.member(M1).texts(CRISIS)
    crew.work()
    assert Ladder(crew.line, 1).step(1) == "done already"
    crew.work()
    assert len(crew.twilio.texts_to(ANA)) == 1
    [(name, due)] = timers.pending(crew.r, "case:")
    assert name == "case:1" and due == at(300).timestamp()


def test_a_round_killed_before_its_trail_is_finished_by_the_guard(crew: Harness) -> None:
    crew.member(M1).texts(CRISIS)
    crew.work()
    crew.set_clock(at(300))
    # Round 2 sends its alerts, then its worker dies before it writes the trail or arms round 3.
    ladder = Ladder(crew.line, 1)
    case = cases.get(crew.r, 1)
    cases.arm(crew.r, 1, 2, at(300 + cases.GUARD))
    level, people = alerts.plan(crew.line, case)
    ladder.alert(case, people[0], 2, level)
    crew.set_clock(at(300 + cases.GUARD))
    crew.work()
    assert cases.get(crew.r, 1).round == 2
    assert len(crew.twilio.texts_to(ANA)) == 2  # the repeated round found the first's alert
    assert timers.due_at(crew.r, "case:1") == at(300 + cases.GUARD + 300).timestamp()


def test_deliveries_and_failures_go_on_the_trail(crew: Harness) -> None:
    crew.twilio.fail_for(BEN, code=21211)
    crew.member(M1).texts(CRISIS)
    crew.work()
    [request] = [m for m in crew.twilio.messages if m.to == ANA]
    assert crew.status(request.sid, "delivered").status_code == 200
    crew.status(request.sid, "delivered")  # a repeated callback is recorded once
    whats = [e["what"] for e in cases.events(crew.r, 1)]
    assert whats.count("alert to Ana (***0011) delivered") == 1
    assert "alert to Ben (***0012) failed (21211)" in whats
    assert cases.get(crew.r, 1).level == 1  # Ana's got through: no early escalation


def test_when_every_alert_of_a_level_fails_the_next_is_alerted_at_once(crew: Harness) -> None:
    crew.cli("staff", "off", BEN)
    crew.member(M1).texts(CRISIS)
    crew.work()
    [request] = crew.twilio.messages
    crew.status(request.sid, "undelivered", "30003")
    crew.work()
    assert len(crew.twilio.texts_to(BEN)) == 1
    events = cases.events(crew.r, 1)
    assert events[-2]["what"] == "no alert of this level got through: escalating now"
    assert events[-1]["event"] == "re-escalated" and cases.get(crew.r, 1).level == 2


def test_with_no_staff_at_all_the_trail_says_so_and_the_ladder_keeps_trying(line: Harness) -> None:
    line.set_clock(T0)
    line.member(M1).texts(CRISIS)
    line.work()
    assert cases.events(line.r, 1)[-1]["what"] == "nobody on call; alerted level 3: nobody: no staff to alert"
    line.cli("staff", "add", "Cy", CY, "--role", "coordinator")
    line.set_clock(at(300))
    line.work()
    assert len(line.twilio.texts_to(CY)) == 1


def test_staff_are_also_called_where_configured(crew: Harness) -> None:
    crew.configure(crisis={"call_staff": True})
    crew.member(M1).texts(CRISIS)
    crew.work()
    [call] = crew.twilio.calls_to(ANA)
    assert call.get("Url") == f"{PUBLIC_URL}/twilio/voice/crisis/1"
    response = crew.post("/twilio/voice/crisis/1", {"CallSid": "CA" + "1" * 32, "To": ANA, "From": "+15005550006"})
    assert response.status_code == 200 and b"Crisis case 1" in response.data and b"<Say" in response.data
    unsigned = crew.post("/twilio/voice/crisis/1", {"CallSid": "CA" + "2" * 32}, signed=False)
    assert unsigned.status_code == 403


def test_an_acknowledged_case_stops_a_round_already_queued(crew: Harness) -> None:
    crew.member(M1).texts(CRISIS)
    crew.work()
    crew.member(ANA).texts("ACK 1")
    assert Ladder(crew.line, 1).step(2) == "stopped"
    assert timers.pending(crew.r, "case:") == []
    assert cases.get(crew.r, 1).status == CaseStatus.ACKNOWLEDGED
    assert outbound.get(crew.r, "1") is not None


def test_a_level_that_brings_nobody_new_is_skipped(line: Harness) -> None:
    line.set_clock(T0)
    line.cli("staff", "add", "Ana", ANA, "--role", "crisis")
    line.cli("staff", "add", "Cy", CY, "--role", "coordinator")
    line.cli("staff", "on", ANA)
    line.member(M1).texts(CRISIS)
    line.work()
    line.set_clock(at(300))
    line.work()
    assert len(line.twilio.texts_to(CY)) == 1 and len(line.twilio.texts_to(ANA)) == 1
    assert cases.get(line.r, 1).level == 3
    line.set_clock(at(600))
    line.work()
    assert len(line.twilio.texts_to(CY)) == 2 and len(line.twilio.texts_to(ANA)) == 2


def test_an_alert_lost_before_its_worker_started_it_is_sent_after_the_lease(crew: Harness) -> None:
    crew.member(M1).texts(CRISIS)
    crisis = queues.queue(crew.line, queues.CRISIS)
    crisis.empty()
    Ladder(crew.line, 1).step(1)  # round 1 ran and enqueued the alerts' deliveries ...
    assert crisis.count == 2
    crisis.empty()  # ... which died with their worker before it started them
    crew.set_clock(at(crew.settings.send_crisis_lease + 1))
    crew.work()
    assert len(crew.twilio.texts_to(ANA)) == len(crew.twilio.texts_to(BEN)) == 1

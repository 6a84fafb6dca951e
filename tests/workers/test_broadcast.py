"""Broadcasts reach every member who may get them, once each, in their own waking hours."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support.harness import Harness, member_number
from textline.core import jobs, queues
from textline.models import broadcasts, groups, members, outbound
from workers.broadcast import Fanout, Pump

ACTIVE_NY, ACTIVE_LA, PENDING, OPTED_OUT, INVALID, DISCREET = (member_number(n) for n in range(601, 607))
NY_22 = datetime(2025, 3, 5, 3, 0, tzinfo=UTC)  # 22:00 in New York, 19:00 in Los Angeles
NY_8 = datetime(2025, 3, 5, 13, 0, tzinfo=UTC)  # 08:00 in New York (05:00 in Los Angeles)
AWAKE = datetime(2025, 3, 5, 17, 0, tzinfo=UTC)  # 12:00 in New York, 09:00 in Los Angeles
TEXT = "Picnic Saturday at noon in Rock Creek Park. Bring a friend!"


def everyone(line: Harness) -> groups.Group:
    """A group with one member of each kind; quiet hours 21:00-08:00; 22:00 in New York."""
    line.configure(quiet_hours="21:00-08:00")
    line.set_clock(NY_22)
    line.cli("groups", "add", "Tuesday Circle", "--code", "TUE1", "--tz", "America/New_York")
    group = groups.find(line.r, "TUE1")
    for phone in (ACTIVE_NY, ACTIVE_LA, OPTED_OUT, INVALID, DISCREET):
        line.member(phone).joins().texts("JOIN TUE1")
    members.update(line.r, ACTIVE_LA, timezone="America/Los_Angeles")
    members.update(line.r, DISCREET, timezone="America/Los_Angeles", discreet=True)
    line.member(OPTED_OUT).texts("STOP")
    members.mark_invalid(line.r, INVALID, 21211)
    line.member(PENDING).texts("hi")
    groups.join(line.r, group, PENDING)  # on the roster, never said YES
    line.twilio.clear()
    return group


def test_one_copy_to_each_member_who_may_get_it_none_to_the_others(line: Harness) -> None:
    everyone(line)
    result = line.cli("broadcast", "tue1", TEXT, "--discreet", "See you Saturday at noon.")
    assert result.exit_code == 0, result.output
    assert "3 to send, 1 segment(s) each (1 held for quiet hours); skipped 1 pending, 1 opted out, 1 invalid" \
        in result.output
    line.work()
    assert line.member(ACTIVE_LA).received == [TEXT]
    assert line.member(DISCREET).received == ["See you Saturday at noon."]
    assert line.member(ACTIVE_NY).received == []  # 22:00 there: held until 08:00
    line.set_clock(NY_8)
    line.work()
    assert line.member(ACTIVE_NY).received == [TEXT]
    assert {m.to for m in line.twilio.messages} == {ACTIVE_NY, ACTIVE_LA, DISCREET}
    [listed] = line.cli_json("broadcasts")
    assert (listed["status"], listed["recipients"], listed["sent"], listed["held"]) == ("done", 6, 3, 1)


def test_retried_and_restarted_work_sends_nothing_twice(line: Harness) -> None:
    group = everyone(line)
    line.set_clock(AWAKE)
    bid, _ = broadcasts.create(line.r, broadcasts.Kind.ANNOUNCEMENT, group_id=group.id, at=AWAKE, now=AWAKE,
                               text=TEXT)
    for _ in range(3):  # a fan-out job retried, the pump started many times over
        queues.enqueue(line.line, queues.BROADCAST, jobs.BROADCAST_FANOUT, bid)
        queues.enqueue(line.line, queues.BROADCAST, jobs.BROADCAST_PUMP, bid)
    line.work()
    assert Fanout(line.line, bid).run() == "done"
    assert Pump(line.line, bid).run() == "nothing to send"
    assert broadcasts.batch(line.r, bid, 0, 250, Fanout(line.line, bid).copy(broadcasts.get(line.r, bid))).taken == 0
    line.work()
    assert sorted(m.to for m in line.twilio.messages) == sorted([ACTIVE_NY, ACTIVE_LA, DISCREET])
    assert sorted(m.to for m in _records(line, bid)) == sorted([ACTIVE_NY, ACTIVE_LA, DISCREET])


def test_a_batch_run_by_a_run_whose_lease_lapsed_writes_nothing(line: Harness) -> None:
    group = everyone(line)
    line.set_clock(AWAKE)
    bid, _ = broadcasts.create(line.r, broadcasts.Kind.ANNOUNCEMENT, group_id=group.id, at=AWAKE, now=AWAKE,
                               text=TEXT)
    assert broadcasts.begin(line.r, bid, group) == 6
    first, late = Fanout(line.line, bid), Fanout(line.line, bid)
    for run in (first, late):
        run.made = run.copy(broadcasts.get(line.r, bid))
    done = first.batch(broadcasts.get(line.r, bid), 0)
    assert (done.taken, done.queued, done.held) == (6, 3, 0)
    assert dict(done.skipped) == {"skipped_gone": 0, "skipped_opted_out": 1, "skipped_invalid": 1,
                                  "skipped_pending": 1}
    assert late.batch(broadcasts.get(line.r, bid), 0).taken == 0  # the cursor moved on: nothing written twice
    assert len(_records(line, bid)) == 3 and broadcasts.get(line.r, bid).counts["queued"] == 3
    line.r.hset(f"tl:broadcast:{bid}", "status", "cancelled")
    assert first.batch(broadcasts.get(line.r, bid), 6).taken == -1


def test_a_snapshot_holds_each_number_once(line: Harness) -> None:
    everyone(line)
    line.set_clock(AWAKE)
    bid, _ = broadcasts.create(line.r, broadcasts.Kind.ANNOUNCEMENT, group_id=1, at=AWAKE, now=AWAKE, text=TEXT,
                               recipients=[ACTIVE_NY, ACTIVE_LA, ACTIVE_NY])
    assert Fanout(line.line, bid).run() == "fanned out"
    assert broadcasts.get(line.r, bid).total == 2
    assert sorted(m.to for m in _records(line, bid)) == sorted([ACTIVE_NY, ACTIVE_LA])


def _records(line: Harness, bid: int) -> list[outbound.Message]:
    found = [outbound.get(line.r, str(i)) for i in range(1, int(line.r.get("tl:msg:seq") or 0) + 1)]
    return [m for m in found if m is not None and m.ref == f"bc:{bid}"]


def test_a_scheduled_broadcast_waits_for_its_time_in_the_groups_zone(line: Harness) -> None:
    everyone(line)
    line.set_clock(AWAKE)
    result = line.cli("broadcast", "TUE1", TEXT, "--at", "2025-03-05 13:00")
    assert result.exit_code == 0 and "scheduled for 2025-03-05 13:00 America/New_York" in result.output
    line.work()
    assert line.twilio.messages == []
    line.set_clock(datetime(2025, 3, 5, 18, 0, tzinfo=UTC))
    line.work()
    assert sorted(m.to for m in line.twilio.messages) == sorted([ACTIVE_NY, ACTIVE_LA, DISCREET])


def test_opting_out_after_the_fan_out_still_stops_the_copy(line: Harness) -> None:
    everyone(line)
    line.cli("broadcast", "TUE1", TEXT)
    line.member(ACTIVE_NY).texts("STOP")
    line.set_clock(NY_8)
    line.work()
    assert line.member(ACTIVE_NY).received == []


def test_cli_errors_are_one_line(line: Harness) -> None:
    everyone(line)
    for args in (("broadcast", "NOPE", TEXT), ("broadcast", "TUE1", " "),
                 ("broadcast", "TUE1", TEXT, "--at", "2025-03-01 09:00"), ("broadcast", "TUE1", TEXT, "--at", "soon")):
        result = line.cli(*args)
        assert result.exit_code != 0 and len(result.output.strip().splitlines()) == 1, result.output


def test_erasing_a_member_mid_fan_out_keeps_everyone_else(line: Harness) -> None:
    group = everyone(line)
    line.set_clock(AWAKE)
    bid, _ = broadcasts.create(line.r, broadcasts.Kind.ANNOUNCEMENT, group_id=group.id, at=AWAKE, now=AWAKE,
                               text=TEXT)
    broadcasts.begin(line.r, bid, group)
    assert line.cli("members", "erase", ACTIVE_LA, "--yes").exit_code == 0
    assert Fanout(line.line, bid).run() == "fanned out"
    line.work()
    assert sorted(m.to for m in line.twilio.messages) == sorted([ACTIVE_NY, DISCREET])
    assert broadcasts.get(line.r, bid).counts["skipped_gone"] == 1


def test_twilio_refusing_for_a_while_costs_no_copy_and_no_duplicate(line: Harness) -> None:
    everyone(line)
    line.set_clock(AWAKE)
    line.twilio.fail_next(2, status=429)
    line.cli("broadcast", "TUE1", TEXT)
    for second in range(30):  # retries come back through timers: let the test clock run
        line.set_clock(AWAKE + timedelta(seconds=second))
        line.work()
    assert sorted(m.to for m in line.twilio.messages) == sorted([ACTIVE_NY, ACTIVE_LA, DISCREET])
    assert sum(1 for r in line.twilio.requests if r.status_code == 429) == 2


def test_a_member_without_a_known_zone_keeps_the_lines_quiet_hours() -> None:
    from workers.broadcast import zone_of

    member = members.Member(ACTIVE_NY, members.MemberStatus.ACTIVE, "en", "Nowhere/Else")
    assert zone_of(member.timezone, "America/Chicago").key == "America/Chicago"
    assert zone_of("", "").key == "UTC"


def test_a_broadcasts_copies_are_counted_in_metrics_by_the_status_each_reached(line: Harness) -> None:
    from textline.models import metrics

    everyone(line)
    line.set_clock(AWAKE)
    line.twilio.fail_next(1, status=400, code=21211)  # the first copy: a number Twilio will not take
    line.cli("broadcast", "TUE1", TEXT)
    line.work()
    sids = [m.sid for m in line.twilio.messages]
    assert len(sids) == 2
    line.status(sids[0], "delivered")
    line.status(sids[1], "undelivered", "30003")
    line.status(sids[1], "undelivered", "30003")  # Twilio repeats itself: counted once
    counted, _ = metrics.read(line.r)
    rows = counted[metrics.OUTBOUND]
    assert rows[("broadcast", "sms", "sent")] == 2 and rows[("broadcast", "sms", "failed")] == 1
    assert rows[("broadcast", "sms", "delivered")] == 1 and rows[("broadcast", "sms", "undelivered")] == 1
    assert counted[metrics.TWILIO_ERRORS][("21211",)] == 1 and counted[metrics.TWILIO_ERRORS][("30003",)] == 1
    assert "+1" not in str(counted)  # no number in any label


def test_a_members_copy_is_in_their_export_and_goes_with_their_erasure(line: Harness) -> None:
    everyone(line)
    line.set_clock(AWAKE)
    line.cli("broadcast", "TUE1", TEXT)
    [copy] = [m for m in outbound.export_member(line.r, ACTIVE_LA) if m.get("ref", "").startswith("bc:")]
    assert copy["body"] == TEXT and copy["to"] == ACTIVE_LA
    assert line.cli("members", "erase", ACTIVE_LA, "--yes").exit_code == 0
    assert not line.r.exists(f"tl:msg:{copy['id']}")
    records = [k for k in line.r.scan_iter(match="tl:msg:*") if line.r.type(k) == "hash"]
    assert records and not [k for k in records if ACTIVE_LA in str(line.r.hgetall(k))]

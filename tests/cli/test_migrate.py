"""`textline migrate` on a store written in the previous key layout: moved once, the second run changes nothing."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support import privacy
from tests.support.harness import Harness, member_number
from textline.models import checkins, groups, inbound_log, member_data, members

M1, M2 = member_number(3101), member_number(3102)
T0 = datetime(2026, 3, 5, 17, 0, tzinfo=UTC)
SID = "SM" + "a" * 32
ANSWER = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Your plan: call Ana</Message></Response>'


def old_layout(line: Harness) -> None:
    """What the previous version wrote, key by key: a record repeating its number, a hash per check-in with
    a sorted-set index, and a webhook answer kept a day."""
    r = line.r
    line.set_clock(T0)
    for phone in (M1, M2):
        r.hset(members.key(phone), mapping={"phone": phone, "status": "active", "language": "en",
                                             "timezone": "America/New_York", "created_at": T0.isoformat(),
                                             "consented_at": T0.isoformat()})
        r.sadd(members.MEMBERS, phone)
    for checkin_id, mood, at, note in (("7", 2, T0 - timedelta(days=2), "rough day"),
                                       ("9", 4, T0 - timedelta(days=1), ""),
                                       ("3", 1, T0 - timedelta(days=400), "long ago")):
        r.hset(f"tl:member:{M1}:checkin:{checkin_id}", mapping={
            "id": checkin_id, "mood": str(mood), "at": at.isoformat(), "note": note, "prompted": "1"})
        r.zadd(f"tl:member:{M1}:checkins", {checkin_id: at.timestamp()})
    r.zadd(f"tl:member:{M1}:checkins", {"8": (T0 - timedelta(days=1)).timestamp()})  # its hash expired
    group = groups.add(r, "Tuesday", "TUE", "America/New_York", T0)
    r.sadd(f"tl:group:{group.id}:members", M1)
    r.sadd(f"tl:member:{M1}:groups", group.id)
    r.set(f"tl:in:{SID}", ANSWER, ex=86400)
    r.sadd(f"tl:member:{M1}:in", SID)
    r.expire(f"tl:member:{M1}:in", 86400)


def snapshot(line: Harness) -> dict[str, object]:
    raw = line.line.rq
    return {key.decode(): privacy.dump(raw, key) for key in sorted(raw.keys("tl:*")) if key != b"tl:clock"}


def test_the_old_layout_is_moved_and_a_second_run_changes_nothing(line: Harness) -> None:
    old_layout(line)
    first = line.cli("migrate")
    assert first.exit_code == 0, first.output
    assert "check-ins moved: 2" in first.output and "member records: 2 changed" in first.output

    assert [(e.id, e.mood, e.note, e.prompted) for e in checkins.history(line.r, M1)] == [
        ("7", 2, "rough day", True), ("9", 4, "", True)], "the expired and the past-retention ones are gone"
    assert checkins.history(line.r, M1)[0].at == (T0 - timedelta(days=2)).isoformat()
    assert line.r.keys(f"tl:member:{M1}:checkin:*") == []
    assert line.r.hget(members.key(M1), "phone") is None and members.get(line.r, M1).active
    assert "group memberships moved: 1" in first.output and not line.r.exists(f"tl:member:{M1}:groups")
    assert [g.name for g in groups.groups_of(line.r, M1)] == ["Tuesday"]
    assert 0 < line.r.ttl(f"tl:in:{SID}") <= inbound_log.ANSWER_TTL
    assert 0 < line.r.ttl(f"tl:member:{M1}:in") <= inbound_log.ANSWER_TTL
    assert not inbound_log.claim(line.r, SID), "still a duplicate"
    line.r.delete(f"tl:in:{SID}")  # the answer lapses; the seen-marker still holds for the day
    assert inbound_log.answered(line.r, SID) == inbound_log.SCRUBBED and not inbound_log.claim(line.r, SID)

    before = snapshot(line)
    second = line.cli("migrate")
    assert second.exit_code == 0 and "check-ins moved: 0" in second.output, second.output
    for part in ("member records: 0 changed", "group memberships moved: 0", "webhook answers shortened: 0"):
        assert part in second.output
    assert snapshot(line) == before


def test_the_moved_member_still_checks_in_exports_and_erases(line: Harness) -> None:
    old_layout(line)
    assert line.cli("migrate").exit_code == 0
    assert line.member(M1).texts("CHECKIN")
    line.member(M1).texts("5")
    assert [e.mood for e in checkins.history(line.r, M1)] == [2, 4, 5]
    exported = member_data.export(line.r, M1)
    assert [c["note"] for c in exported["checkins"]] == ["rough day", "", ""]
    assert exported["groups"] == ["Tuesday"]
    member_data.erase(line.r, M1)
    assert not line.r.sismember("tl:group:1:members", M1)
    assert line.r.keys(f"tl:member:{M1}*") == [] and checkins.history(line.r, M1) == []


def test_a_check_in_before_the_migration_moves_that_member_first(line: Harness) -> None:
    """Forgetting `textline migrate` never breaks a member's check-in: their history is read as it is, and
    moved by their next check-in."""
    old_layout(line)
    assert [e.mood for e in checkins.history(line.r, M1)] == [1, 2, 4], "read in the old layout, oldest first"
    line.member(M1).texts("CHECKIN")
    line.member(M1).texts("5")
    assert [e.mood for e in checkins.history(line.r, M1)] == [2, 4, 5]
    assert line.r.type(f"tl:member:{M1}:checkins") == "list" and line.r.keys(f"tl:member:{M1}:checkin:*") == []

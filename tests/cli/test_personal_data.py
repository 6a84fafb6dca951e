"""`members export` includes the plan, the signal and the reminders; `members erase` removes every trace."""
from __future__ import annotations

import json
from datetime import UTC, datetime

from tests.support.harness import Harness, member_number
from textline.core import timers

M1, M2 = member_number(861), member_number(862)


def test_export_then_erase(line: Harness) -> None:
    line.set_clock(datetime(2026, 3, 2, 17, 0, tzinfo=UTC))
    member = line.member(M1).joins()
    for text in ("PLAN EDIT", "Pacing", "Music", "Ana 202-555-0101", "skip", "My dog",
                 "SIGNAL bluebird", "YES", "bluebird",
                 "REMIND Take my pills", "08:00", "1", "REMIND Call Dr Lee", "2026-03-10 14:00", "2"):
        member.texts(text)
    line.member(M2).joins().texts("REMIND Other member's")  # someone else's data stays
    line.member(M2).texts("09:00")
    line.member(M2).texts("1")

    exported = json.loads(line.cli("members", "export", M1).stdout)
    assert exported["plan"]["signs"] == "Pacing" and exported["plan"]["reason"] == "My dog"
    assert exported["plan"]["contacts"] == [{"name": "Ana", "phone": "+12025550101"}]
    assert [(r["n"], r["what"], r["how"], r["repeat"]) for r in exported["reminders"]] == [
        (1, "Take my pills", "sms", "daily"), (2, "Call Dr Lee", "call", "once")]
    assert exported["reminders"][0]["next"] == "2026-03-03T13:00:00+00:00"
    assert exported["signal"]["set"] is True and len(exported["signal"]["events"]) == 1
    assert f"tl:member:{M1}:plan" in exported["keys"]
    assert "BLUEBIRD" not in json.dumps(exported).upper()  # only a salted digest is kept

    assert line.cli("members", "erase", M1, "--yes").exit_code == 0
    leftovers = [k for k in line.r.keys("tl:*") if M1 in k or M1 in json.dumps(_value(line, k))]
    assert leftovers == [], leftovers
    assert [name for name, _ in timers.pending(line.r, "personal_reminder:")] == ["personal_reminder:3"]
    again = json.loads(line.cli("members", "export", M1).stdout)
    assert again["plan"] is None and again["reminders"] == [] and again["signal"]["set"] is False
    assert len(json.loads(line.cli("members", "export", M2).stdout)["reminders"]) == 1


def _value(line: Harness, key: str) -> object:
    kind = line.r.type(key)
    if kind == "hash":
        return line.r.hgetall(key)
    if kind == "set":
        return sorted(line.r.smembers(key))
    if kind == "list":
        return line.r.lrange(key, 0, -1)
    if kind == "zset":
        return line.r.zrange(key, 0, -1)
    return line.r.get(key) if kind == "string" else ""

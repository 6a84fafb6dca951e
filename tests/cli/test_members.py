"""`textline members show|list|export|erase|set`: check-ins, prompts, outreach; erase keeps only the opt-out."""
from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime

import redis

from tests.support.harness import Harness, member_number
from textline.models import members

M1, M2 = member_number(801), member_number(802)
MONDAY = datetime(2024, 6, 3, 15, tzinfo=UTC)
PROMPTED = datetime(2024, 6, 4, 13, tzinfo=UTC)
NOTE = "Slept badly but talked to Ana"


def busy_member(line: Harness, phone: str = M1) -> None:
    """A member who checked in twice (one note), chose daily prompts and got one."""
    line.set_clock(MONDAY)
    member = line.member(phone).joins()
    member.texts("CHECKIN 4")
    member.texts(NOTE)
    member.texts("DAILY 9am")
    line.set_clock(PROMPTED)  # the prompt, at 09:00 in New York
    line.work()
    member.texts("2")
    member.texts("NO")


def test_show_has_check_ins_with_mood_and_time_and_the_prompt_schedule(line: Harness) -> None:
    busy_member(line)
    shown = line.cli_json("members", "show", M1)
    assert shown["phone"] == M1 and shown["status"] == "active" and shown["language"] == "en"
    assert [(c["mood"], c["at"]) for c in shown["checkins"]] == [
        (4, MONDAY.isoformat()), (2, PROMPTED.isoformat())]
    assert all("note" not in c for c in shown["checkins"])  # notes only in the export
    assert shown["needs_outreach"] is False
    assert shown["prompts"] == {"cadence": "daily", "at": "09:00", "day": None, "missed": 0,
                                "next_at": datetime(2024, 6, 5, 13, tzinfo=UTC).isoformat()}
    assert shown["timezone"] == "America/New_York" and shown["discreet"] is False


def test_list_has_every_member_with_their_check_ins(line: Harness) -> None:
    busy_member(line)
    line.member(M2).texts("hi")
    rows = {row["phone"]: row for row in line.cli_json("members", "list")}
    assert rows[M1]["status"] == "active" and len(rows[M1]["checkins"]) == 2
    assert rows[M2]["status"] == "pending" and rows[M2]["checkins"] == []


def test_export_has_everything_including_notes_and_messages(line: Harness) -> None:
    busy_member(line)
    result = line.cli("members", "export", M1)
    assert result.exit_code == 0
    exported = json.loads(result.stdout)
    assert [c["note"] for c in exported["checkins"]] == [NOTE, ""]
    assert any("time to check in" in m["body"] for m in exported["messages"])
    assert exported["prompts"]["id"]
    assert f"tl:member:{M1}:prompt" in exported["keys"]
    assert f"tl:member:{M1}" in exported["keys"]


def everything_in_redis(line: Harness) -> dict[str, str]:
    """Every key and its value as text; RQ's job payloads (zlib-compressed pickles) unpacked."""
    raw = redis.Redis.from_url(line.redis_url)
    dump: dict[str, str] = {}
    for key in raw.scan_iter(count=1000):
        kind = raw.type(key).decode()
        if kind == "hash":
            values = [v for pair in raw.hgetall(key).items() for v in pair]
        elif kind == "set":
            values = list(raw.smembers(key))
        elif kind == "zset":
            values = raw.zrange(key, 0, -1)
        elif kind == "list":
            values = raw.lrange(key, 0, -1)
        else:
            values = [raw.get(key) or b""] if kind == "string" else []
        texts = []
        for value in values:
            try:
                value = zlib.decompress(value)
            except zlib.error:
                pass
            texts.append(value.decode("utf-8", "replace"))
        dump[key.decode()] = " ".join(texts)
    return dump


def test_erase_leaves_nothing_but_the_opt_out_record(line: Harness) -> None:
    busy_member(line)
    busy_member(line, M2)
    line.member(M1).texts("STOP")
    result = line.cli("members", "erase", M1, "--yes")
    assert result.exit_code == 0, result.output
    left = {key: value for key, value in everything_in_redis(line).items() if M1 in key or M1 in value}
    assert set(left) == {"tl:optout", "tl:optout:at"}
    assert not [key for key, value in everything_in_redis(line).items() if NOTE in value and M2 not in key]
    assert members.is_opted_out(line.r, M1)
    assert line.cli("members", "show", M1).exit_code != 0
    assert line.member(M1).texts("hi again") == []  # still opted out
    assert len(line.cli_json("members", "show", M2)["checkins"]) == 2  # the other member is untouched


def test_set_changes_zone_language_discreet_and_prompts(line: Harness) -> None:
    line.set_clock(MONDAY)
    line.member(M1).joins()
    shown = line.cli_json("members", "set", M1, "--tz", "America/Chicago", "--lang", "es", "--discreet",
                          "--prompts", "weekly", "--at", "6:30pm", "--day", "fri")
    assert (shown["timezone"], shown["language"], shown["discreet"]) == ("America/Chicago", "es", True)
    assert (shown["prompts"]["cadence"], shown["prompts"]["day"], shown["prompts"]["at"]) == ("weekly", "fri", "18:30")
    assert shown["prompts"]["next_at"] == datetime(2024, 6, 7, 23, 30, tzinfo=UTC).isoformat()
    line.cli_json("members", "set", M1, "--tz", "America/New_York")
    assert line.cli_json("members", "show", M1)["prompts"]["next_at"] == datetime(
        2024, 6, 7, 22, 30, tzinfo=UTC).isoformat()


def test_set_refuses_bad_input_with_one_line(line: Harness) -> None:
    line.member(M1).joins()
    for args in (("--tz", "Mars/Olympus"), ("--prompts", "daily"), ("--prompts", "daily", "--at", "25:99")):
        result = line.cli("members", "set", M1, *args)
        assert result.exit_code != 0 and result.output.strip()
    assert line.cli("members", "set", M2, "--lang", "es").exit_code != 0
    assert line.cli("members", "set", "not-a-number", "--lang", "es").exit_code != 0

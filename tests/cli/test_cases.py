"""`textline cases`: every case with its status, level, who acknowledged it, and its audit trail."""
from __future__ import annotations

import json
from datetime import UTC, datetime

from tests.support.harness import Harness, member_number, staff_number

M1, M2, ANA = member_number(431), member_number(432), staff_number(31)


def test_cases_json_has_the_spec_fields_and_the_trail(line: Harness) -> None:
    line.set_clock(datetime(2025, 3, 3, 15, 0, tzinfo=UTC))
    line.cli("staff", "add", "Ana", ANA, "--role", "crisis")
    line.cli("staff", "on", ANA)
    line.member(M1).texts("I want to kill myself after the party")
    line.member(M2).texts("I want to die, said the singer")
    line.work()
    line.member(ANA).texts("ACK 1")
    line.member(ANA).texts("CLOSE 2 false alarm, a song lyric")
    first, second = line.cli_json("cases")
    assert {"id", "phone", "status", "level", "acknowledged_by", "events"} <= set(first)
    assert (first["id"], first["phone"], first["status"], first["level"]) == (1, M1, "acknowledged", 1)
    assert first["acknowledged_by"] == ANA and first["acknowledged_by_name"] == "Ana"
    assert [e["event"] for e in first["events"]] == ["detected", "alerted", "acknowledged"]
    assert all(set(e) >= {"at", "what"} and e["at"].startswith("2025-03-03T15:00") for e in first["events"])
    assert first["events"][1]["what"] == "alerted level 1: Ana (***0031)"
    assert second["status"] == "closed" and second["acknowledged_by"] is None
    assert second["events"][-1]["what"] == "closed by Ana (***0031): false alarm, a song lyric"
    # What triggered it is kept (category, term) on the trail; the member's words in full in `texts` only.
    assert first["events"][0]["category"] and first["events"][0]["term"]
    assert "party" not in json.dumps(first["events"]) and "singer" not in json.dumps(second["events"])
    assert [t["text"] for t in first["texts"]] == ["I want to kill myself after the party"]
    assert [t["text"] for t in second["texts"]] == ["I want to die, said the singer"]
    assert [c["id"] for c in line.cli_json("cases", "--status", "closed")] == [2]


def test_cases_table_and_one_case_with_its_steps(line: Harness) -> None:
    line.member(M1).texts("I want to kill myself")
    table = line.cli("cases")
    assert table.exit_code == 0 and "open" in table.output and M1 in table.output
    one = line.cli("cases", "--id", "1")
    assert "crisis detected" in one.output
    missing = line.cli("cases", "--id", "7")
    assert missing.exit_code != 0 and "no case 7" in missing.output
    assert line.cli("cases", "--status", "bogus").exit_code != 0

"""`textline groups` and `textline meetings`: exact names, JSON listings, one-line errors."""
from __future__ import annotations

from datetime import UTC, datetime

from tests.support.harness import Harness, member_number

M1 = member_number(801)
NOON = datetime(2025, 3, 3, 17, 0, tzinfo=UTC)


def one_line_error(line: Harness, *args: str) -> str:
    result = line.cli(*args)
    assert result.exit_code != 0, result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    return result.output


def test_groups_add_and_list(line: Harness) -> None:
    line.set_clock(NOON)
    assert line.cli("groups", "add", "Tuesday Circle", "--code", "tue1").exit_code == 0
    assert line.cli("groups", "add", "Madrid", "--code", "MAD", "--tz", "Europe/Madrid").exit_code == 0
    line.member(M1).joins().texts("JOIN TUE1")
    listed = line.cli_json("groups", "list")
    assert [(g["name"], g["code"], g["timezone"], g["members"]) for g in listed] == [
        ("Tuesday Circle", "TUE1", "America/New_York", 1), ("Madrid", "MAD", "Europe/Madrid", 0)]
    assert "Tuesday Circle" in line.cli("groups", "list").output


def test_groups_add_refuses_bad_input(line: Harness) -> None:
    line.cli("groups", "add", "Tuesday Circle", "--code", "TUE1")
    assert "taken" in one_line_error(line, "groups", "add", "Other", "--code", "tue1")
    assert "exists" in one_line_error(line, "groups", "add", "tuesday circle", "--code", "TUE2")
    one_line_error(line, "groups", "add", "Stoppers", "--code", "STOP")
    one_line_error(line, "groups", "add", "Bad code", "--code", "a b")
    one_line_error(line, "groups", "add", "Zone", "--code", "ZONE", "--tz", "Mars/Olympus")
    one_line_error(line, "groups", "add", "A name far too long for one text", "--code", "LONG")


def test_meetings_add_list_cancel(line: Harness) -> None:
    line.set_clock(NOON)
    line.cli("groups", "add", "Tuesday Circle", "--code", "TUE1")
    result = line.cli("meetings", "add", "Tuesday Circle", "--at", "2025-03-04 19:00", "--every", "week",
                      "--where", "Dial +1 202 555 0100, code 4321")
    assert result.exit_code == 0 and "added meeting 1" in result.output and "2 reminders set" in result.output
    [meeting] = line.cli_json("meetings", "list")
    assert meeting["id"] == 1 and meeting["group"] == "Tuesday Circle" and meeting["every"] == "week"
    assert meeting["at"] == "2025-03-04 19:00" and meeting["starts_at"] == "2025-03-05T00:00:00+00:00"
    assert meeting["where"] == "Dial +1 202 555 0100, code 4321" and meeting["status"] == "scheduled"
    line.set_clock(datetime(2025, 3, 6, 17, 0, tzinfo=UTC))
    assert line.cli_json("meetings", "list")[0]["at"] == "2025-03-11 19:00"  # the next one, after DST
    assert line.cli("meetings", "cancel", "1").exit_code == 0
    assert line.cli_json("meetings", "list")[0]["status"] == "cancelled"


def test_meetings_refuse_bad_input(line: Harness) -> None:
    line.set_clock(NOON)
    line.cli("groups", "add", "Tuesday Circle", "--code", "TUE1")
    one_line_error(line, "meetings", "add", "NOPE", "--at", "2025-03-04 19:00")
    one_line_error(line, "meetings", "add", "TUE1", "--at", "tomorrow")
    one_line_error(line, "meetings", "add", "TUE1", "--at", "2025-03-01 19:00")  # passed
    one_line_error(line, "meetings", "add", "TUE1", "--at", "2025-03-04 19:00", "--where", "x" * 49)
    one_line_error(line, "meetings", "cancel", "7")
    one_line_error(line, "members", "list", "--group", "NOPE")

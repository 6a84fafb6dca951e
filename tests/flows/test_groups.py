"""Members join groups by code, leave them, and ask for their next meeting."""
from __future__ import annotations

import json
from datetime import UTC, datetime

from tests.support.harness import Harness, member_number
from textline.models import groups, members

M1, M2 = member_number(401), member_number(402)
NOON = datetime(2025, 3, 3, 17, 0, tzinfo=UTC)  # Monday 12:00 in New York


def with_group(line: Harness) -> Harness:
    line.set_clock(NOON)
    assert line.cli("groups", "add", "Tuesday Circle", "--code", "tue1", "--tz", "America/New_York").exit_code == 0
    return line


def test_join_by_code_then_leave(line: Harness) -> None:
    with_group(line)
    member = line.member(M1).joins()
    assert member.texts("join tue1") == [
        "You're in Tuesday Circle! Reply NEXT for its next meeting, or LEAVE TUE1 to leave it."]
    assert member.texts("JOIN TUE1") == ["You're already in Tuesday Circle. Reply NEXT for its next meeting."]
    assert line.cli_json("members", "list", "--group", "tue1")[0]["groups"] == ["Tuesday Circle"]
    assert member.texts("LEAVE tue1")[0].startswith("You left Tuesday Circle")
    assert member.texts("LEAVE tue1") == ["You're not in a group with the code TUE1. Reply MENU for options."]
    assert line.cli_json("members", "show", M1)["groups"] == []


def test_an_unknown_code_or_none(line: Harness) -> None:
    with_group(line)
    member = line.member(M1).joins()
    assert member.texts("JOIN nope") == ["No group has the code NOPE. Check it and try again, or reply MENU."]
    assert member.texts("JOIN") == ["To join a group, text JOIN and its code, like JOIN ABC1."]


def test_a_first_join_waits_for_consent_then_joins(line: Harness) -> None:
    with_group(line)
    member = line.member(M1)
    assert "Reply YES to join" in member.texts("JOIN TUE1")[0]
    assert groups.groups_of(line.r, M1) == []
    welcome, joined = member.texts("YES")
    assert welcome.startswith("Welcome, you're in!")
    assert joined.startswith("You're in Tuesday Circle!")
    assert [g.name for g in groups.groups_of(line.r, M1)] == ["Tuesday Circle"]


def test_next_names_the_soonest_meeting_of_any_of_my_groups(line: Harness) -> None:
    with_group(line)
    line.cli("groups", "add", "Evening Group", "--code", "EVE", "--tz", "America/Los_Angeles")
    line.cli("meetings", "add", "TUE1", "--at", "2025-03-04 19:00", "--where", "St Mark's hall")
    line.cli("meetings", "add", "eve", "--at", "2025-03-04 15:00", "--every", "week")  # 18:00 in New York
    member = line.member(M1).joins()
    assert member.texts("NEXT") == ["You're not in a group yet. Text JOIN and your group's code to join one."]
    member.texts("JOIN TUE1")
    assert member.texts("NEXT") == ["Next meeting: Tuesday Circle, Tue Mar 4, 7:00pm, St Mark's hall."]
    member.texts("JOIN EVE")
    assert member.texts("2") == ["Next meeting: Evening Group, Tue Mar 4, 3:00pm, the usual place."]


def test_next_in_spanish_and_discreet(line: Harness) -> None:
    with_group(line)
    line.cli("meetings", "add", "TUE1", "--at", "2025-03-04 19:00", "--where", "Sala 2")
    member = line.member(M1).joins()
    member.texts("JOIN TUE1")
    members.update(line.r, M1, language="es")
    assert member.texts("NEXT") == ["Proxima reunion: Tuesday Circle, mar 4/3, 19:00, Sala 2."]
    members.update(line.r, M1, language="en", discreet=True)
    assert member.texts("NEXT") == ["Next: Tue Mar 4, 7:00pm, Sala 2."]


def test_no_meetings_coming(line: Harness) -> None:
    with_group(line)
    member = line.member(M1).joins()
    member.texts("JOIN TUE1")
    assert member.texts("NEXT") == ["No meetings are coming up for your groups. Reply MENU for options."]


def test_erasing_a_member_takes_them_off_every_roster(line: Harness) -> None:
    with_group(line)
    line.member(M1).joins().texts("JOIN TUE1")
    line.member(M2).joins().texts("JOIN TUE1")
    exported = json.loads(line.cli("members", "export", M1).stdout)
    assert exported["groups"] == ["Tuesday Circle"]
    assert line.cli("members", "erase", M1, "--yes").exit_code == 0
    group = groups.find(line.r, "TUE1")
    assert groups.roster(line.r, group) == [M2]

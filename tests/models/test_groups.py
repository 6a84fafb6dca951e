"""The group store: rosters, lookups by name or code, and who on a roster can be reached."""
from __future__ import annotations

from datetime import UTC, datetime

from tests.support.harness import Harness, member_number
from textline.models import groups, members

NOW = datetime(2025, 3, 3, 17, 0, tzinfo=UTC)


def test_reachable_leaves_out_opted_out_and_invalid_numbers_once_each(line: Harness) -> None:
    group = groups.add(line.r, "Tuesday Circle", "tue1", "America/New_York", NOW)
    phones = [member_number(n) for n in range(900, 910)]
    groups.join_many(line.r, group, phones)
    members.opt_out(line.r, phones[0], NOW)
    members.opt_out(line.r, member_number(950), NOW)  # opted out, not in the group
    members.mark_invalid(line.r, phones[1], 21211)
    members.mark_invalid(line.r, phones[0], 21211)  # both: counted once
    members.mark_invalid(line.r, member_number(951), 21211)
    assert groups.reachable(line.r, group) == 8
    for n in range(952, 990):  # now the opt-out set is the larger one
        members.opt_out(line.r, member_number(n), NOW)
    assert groups.reachable(line.r, group) == 8
    assert groups.size(line.r, group) == 10


def test_find_by_code_or_name_in_any_case(line: Harness) -> None:
    group = groups.add(line.r, "  Tuesday   Circle ", "tue1", "America/New_York", NOW)
    assert group.name == "Tuesday Circle" and group.code == "TUE1"
    assert groups.find(line.r, "Tue1") == group == groups.find(line.r, "tuesday circle")
    assert groups.find(line.r, "") is None and groups.find(line.r, "nope") is None

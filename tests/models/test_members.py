"""Member records read many at a time, as a fan-out does."""
from __future__ import annotations

from tests.support.harness import Harness, member_number
from textline.models import members
from textline.models.members import MemberStatus

M1, M2, M3 = member_number(311), member_number(312), member_number(313)


def test_get_many_reads_records_in_order_with_opt_outs(line: Harness) -> None:
    line.member(M1).joins()
    line.member(M2).joins().texts("STOP")
    found = members.get_many(line.r, [M1, M3, M2])
    assert found[0].status == MemberStatus.ACTIVE
    assert found[1] is None
    assert found[2].status == MemberStatus.OPTED_OUT
    assert members.get_many(line.r, []) == []


def test_take_field_reads_once(line: Harness) -> None:
    line.member(M1).texts("JOIN abc1")
    assert members.take_field(line.r, M1, "join_code") == "ABC1"
    assert members.take_field(line.r, M1, "join_code") is None


def test_invalid_many(line: Harness) -> None:
    members.mark_invalid(line.r, M2, 21211)
    assert members.invalid_many(line.r, [M1, M2]) == [False, True]

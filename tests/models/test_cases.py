"""The case store: one case per member until closed, numbered without gaps, exported and erased with the member."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.support.harness import Harness, member_number
from textline.core.line import Line
from textline.models import cases, member_data

M1, M2 = member_number(451), member_number(452)


def open_for(line: Line, phone: str) -> tuple[cases.Case, bool]:
    return cases.open_case(line, phone, text="I want to die", category="suicide", term="want to die", language="en")


def test_racing_opens_for_one_member_make_one_case_and_numbers_have_no_gaps(line: Harness) -> None:
    fresh = Line.from_settings(line.settings)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: open_for(fresh, M1), range(16)))
    assert sum(new for _, new in results) == 1 and {c.id for c, _ in results} == {1}
    case, new = open_for(line.line, M2)
    assert new and case.id == 2


def test_members_show_export_and_erase(line: Harness) -> None:
    line.member(M1).joins()
    line.member(M1).texts("I want to kill myself, my landlord Bartholomew")
    shown = member_data.view(line.r, M1)
    assert shown["crisis_cases"] == [{"id": 1, "status": "open", "opened_at": shown["crisis_cases"][0]["opened_at"]}]
    exported = member_data.export(line.r, M1)
    [case] = exported["crisis_cases"]
    assert "Bartholomew" in case["text"] and case["events"][0]["event"] == "detected"
    member_data.erase(line.r, M1)
    [kept] = line.cli_json("cases")
    assert kept["phone"] == "erased" and "term" not in kept["events"][0]
    assert "Bartholomew" not in str(line.r.hgetall("tl:case:1"))
    assert member_data.export(line.r, M1)["crisis_cases"] == []
    line.member(M1).texts("I want to kill myself")  # erased: a new crisis opens a new case
    assert [c["id"] for c in line.cli_json("cases")] == [1, 2]

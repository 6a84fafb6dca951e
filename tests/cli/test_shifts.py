"""`textline shifts add|list|remove`, and `textline staff remove` taking a person's shifts with them."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.support.harness import Harness, staff_number
from textline.models import shifts

ANN, BEN = staff_number(1601), staff_number(1602)
MONDAY = datetime(2026, 3, 2, 17, tzinfo=UTC)  # noon in New York


def roster(line: Harness) -> None:
    line.set_clock(MONDAY)
    for name, phone, role in (("Ann", ANN, "peer"), ("Ben", BEN, "crisis")):
        assert line.cli("staff", "add", name, phone, "--role", role).exit_code == 0


def test_add_list_and_remove_shifts(line: Harness) -> None:
    roster(line)
    added = line.cli("shifts", "add", "(312) 555-1601", "--days", "mon-fri", "--from", "18:00", "--to", "23:00")
    assert added.exit_code == 0, added.output
    assert added.output == ("added shift 1 for Ann: mon-fri 18:00-23:00 America/New_York "
                            "(first starts Mon 02 Mar 18:00)\n")
    assert line.cli("shifts", "add", BEN, "--days", "sat,sun", "--from", "10pm", "--to", "6am",
                    "--tz", "America/Chicago").exit_code == 0
    assert line.cli_json("shifts", "list") == [
        {"id": 1, "phone": ANN, "days": ["mon", "tue", "wed", "thu", "fri"], "from": "18:00", "to": "23:00",
         "tz": "America/New_York"},
        {"id": 2, "phone": BEN, "days": ["sat", "sun"], "from": "22:00", "to": "06:00", "tz": "America/Chicago"},
    ]
    table = line.cli("shifts", "list").output.splitlines()
    assert table[0].split() == ["id", "name", "phone", "days", "from", "to", "tz"]
    assert table[2].split() == ["2", "Ben", BEN, "sat-sun", "22:00", "06:00", "America/Chicago"]
    removed = line.cli("shifts", "remove", "1")
    assert removed.exit_code == 0 and removed.output == "removed shift 1 (mon-fri 18:00-23:00 America/New_York)\n"
    assert [s["id"] for s in line.cli_json("shifts", "list")] == [2]


def test_removing_a_shift_under_way_says_who_stays_on_call(line: Harness) -> None:
    roster(line)
    line.cli("shifts", "add", ANN, "--days", "mon", "--from", "11:00", "--to", "13:00")
    line.member(ANN).texts("ON")
    output = line.cli("shifts", "remove", "1").output
    assert output.splitlines()[-1] == f"Ann is on call now and stays so: textline staff off {ANN} ends it"


def test_removing_a_staff_member_removes_their_shifts(line: Harness) -> None:
    roster(line)
    line.cli("shifts", "add", ANN, "--days", "mon", "--from", "18:00", "--to", "23:00")
    line.cli("shifts", "add", ANN, "--days", "tue", "--from", "18:00", "--to", "23:00")
    line.cli("shifts", "add", BEN, "--days", "tue", "--from", "18:00", "--to", "23:00")
    result = line.cli("staff", "remove", ANN)
    assert result.exit_code == 0 and result.output == "removed Ann and 2 shifts\n"
    assert [s["phone"] for s in line.cli_json("shifts", "list")] == [BEN]
    assert shifts.for_phone(line.r, ANN) == []


@pytest.mark.parametrize(("args", "error"), [
    (("555-12", "--days", "mon"),
     "'555-12' is not a phone number I can use: write it with +1 and the area code, e.g. +12025550123"),
    ((staff_number(1699), "--days", "mon"),
     f"{staff_number(1699)} is not on the staff roster: add them first with textline staff add NAME "
     f"{staff_number(1699)} --role peer"),
    ((ANN, "--days", "mon-fry"), "--days 'mon-fry': 'fry' is not a day; write days like mon-fri, sat,sun or daily"),
    ((ANN, "--days", "mon", "--from", "25:00"),
     "--from '25:00': not a time; write it as HH:MM, like 18:00 (or 6pm)"),
    ((ANN, "--days", "mon", "--to", "18:00"), "--to '18:00': a shift must end at another time than it starts"),
    ((ANN, "--days", "mon", "--tz", "America/Chicgo"),
     "--tz 'America/Chicgo': not a time zone; write one like America/Chicago"),
])
def test_bad_input_is_one_line_that_echoes_what_was_typed_with_a_hint(line: Harness, args: tuple[str, ...],
                                                                       error: str) -> None:
    roster(line)
    defaults = {"--from": "18:00", "--to": "23:00"}
    given = list(args) + [x for flag, value in defaults.items() if flag not in args for x in (flag, value)]
    result = line.cli("shifts", "add", *given)
    assert result.exit_code != 0
    assert result.output == f"Error: {error}\n"
    assert line.cli_json("shifts", "list") == []


def test_an_overlapping_shift_and_an_unknown_id_are_refused(line: Harness) -> None:
    roster(line)
    line.cli("shifts", "add", ANN, "--days", "fri", "--from", "22:00", "--to", "02:00")
    overlap = line.cli("shifts", "add", ANN, "--days", "sat", "--from", "1am", "--to", "3am")
    assert overlap.exit_code != 0
    assert overlap.output == ("Error: --from '1am': overlaps their shift 1 (fri 22:00-02:00 America/New_York)\n")
    for bad, error in (("7", "no shift 7: textline shifts list shows them"),
                       ("x1", "'x1' is not a shift id: give the number textline shifts list shows")):
        result = line.cli("shifts", "remove", bad)
        assert result.exit_code != 0 and result.output == f"Error: {error}\n"

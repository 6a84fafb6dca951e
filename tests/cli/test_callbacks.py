"""`textline callbacks`: every request, waiting ones first in the order peers are served."""
from __future__ import annotations

from tests.support.harness import Harness, member_number, staff_number
from tests.support.peers import add_peer, named_member
from textline.models import requests as callbacks

M1, M2, M3 = member_number(901), member_number(902), member_number(903)
ANA = staff_number(901)


def test_json_lists_every_request_with_the_spec_fields(line: Harness) -> None:
    ana = add_peer(line, "Ana", ANA)
    named_member(line, M1).texts("CALL")
    named_member(line, M2).texts("CALL")
    named_member(line, M3)
    callbacks.open_request(line.line, M3, reason="low_checkin")
    ana.texts("TAKE 2")
    rows = line.cli_json("callbacks")
    assert [(r["id"], r["phone"], r["status"], r["priority"], r["taken_by"]) for r in rows] == [
        (3, M3, "waiting", "high", None),
        (1, M1, "waiting", "normal", None),
        (2, M2, "taken", "normal", ANA),
    ]
    assert [r["position"] for r in rows] == [1, 2, None]
    assert rows[2]["taken_by_name"] == "Ana"


def test_done_and_withdrawn_are_listed_with_the_note(line: Harness) -> None:
    ana = add_peer(line, "Ana", ANA)
    named_member(line, M1).texts("CALL")
    named_member(line, M2).texts("CALL")
    ana.texts("TAKE 1")
    ana.texts("DONE 1 went well")
    line.member(M2).texts("NOCALL")
    rows = {r["id"]: r for r in line.cli_json("callbacks")}
    assert rows[1]["status"] == "done" and rows[1]["note"] == "went well"
    assert rows[2]["status"] == "withdrawn"
    assert [r["id"] for r in line.cli_json("callbacks", "--status", "done")] == [1]


def test_the_table_and_an_empty_list(line: Harness) -> None:
    assert line.cli("callbacks").output.strip() == "(none)"
    assert line.cli_json("callbacks") == []
    named_member(line, M1).texts("CALL")
    result = line.cli("callbacks")
    assert result.exit_code == 0
    header, row = result.output.splitlines()
    assert header.split()[:4] == ["id", "status", "priority", "position"]
    assert row.split()[:4] == ["1", "waiting", "normal", "1"]
    assert line.cli("callbacks", "--status", "nope").exit_code != 0

"""The CLI as a coordinator meets it (#18): no silent replacement, errors that echo what was typed with a hint,
`simulate` that prints only the conversation, readable `members show`, `broadcast` that says what it changed,
and each staff member's load today in `staff list --json`."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.support.harness import Harness, member_number, staff_number
from textline.models import requests as callbacks
from textline.models import staff, staff_load

ANN, M1, M2 = staff_number(1701), member_number(1702), member_number(1703)
HINT = "write it with +1 and the area code, e.g. +12025550123"


def test_staff_add_refuses_to_replace_someone_else_without_replace(line: Harness) -> None:
    assert line.cli("staff", "add", "Ann", ANN, "--role", "peer").exit_code == 0
    refused = line.cli("staff", "add", "Annie", ANN, "--role", "crisis")
    assert refused.exit_code != 0
    assert refused.output == (f"Error: Ann (peer) is already on the roster at ***{ANN[-4:]}: add --replace to make "
                               "that number Annie (crisis) instead\n")
    assert staff.require(line.r, ANN).name == "Ann" and staff.require(line.r, ANN).role == staff.Role.PEER
    same = line.cli("staff", "add", "Ann", ANN, "--role", "peer", "--lang", "es")
    assert same.exit_code == 0 and same.output == f"updated Ann (peer) at ***{ANN[-4:]}\n"
    assert staff.require(line.r, ANN).language == "es"
    replaced = line.cli("staff", "add", "Annie", ANN, "--role", "crisis", "--replace")
    assert replaced.exit_code == 0
    assert replaced.output == f"replaced Ann (peer) with Annie (crisis) at ***{ANN[-4:]}\n"
    assert staff.require(line.r, ANN).role == staff.Role.CRISIS


def test_a_bad_number_is_echoed_as_typed_with_a_hint(line: Harness) -> None:
    for args in (("staff", "add", "Ann", "555-1234", "--role", "peer"), ("staff", "on", "555-1234"),
                 ("members", "show", "555-1234"), ("simulate", "--from", "555-1234", "hi")):
        result = line.cli(*args)
        assert result.exit_code != 0
        assert result.output == f"Error: '555-1234' is not a phone number I can use: {HINT}\n", args


def test_an_unknown_number_is_echoed_as_typed(line: Harness) -> None:
    unknown = "(312) 555-0199"
    assert line.cli("staff", "on", unknown).output == (
        f"Error: nobody on the staff roster at {unknown!r}: textline staff list shows who is\n")
    assert line.cli("staff", "remove", unknown).output == (
        f"Error: nobody on the staff roster at {unknown!r}: textline staff list shows who is\n")
    assert line.cli("members", "show", unknown).output == (
        f"Error: no member at {unknown!r}: textline members list shows who is\n")


def simulate(*args: str) -> subprocess.CompletedProcess[str]:
    """`textline simulate` as its own process, as a coordinator runs it: stdout and stderr as a terminal shows."""
    return subprocess.run([sys.executable, "-m", "textline.cli", "simulate", *args], capture_output=True,
                          text=True, env=dict(os.environ), timeout=60, check=False)


def test_simulate_prints_only_the_conversation_and_says_when_there_is_no_reply(line: Harness) -> None:
    first = simulate("--from", M1, "hi")
    assert first.returncode == 0, first.stderr
    assert "YES" in first.stdout and len(first.stdout.splitlines()) == 1
    assert " INFO " not in first.stderr, first.stderr
    assert " DEBUG textline.web.webhooks: sms " in simulate("-v", "--from", M2, "hi").stderr
    line.member(M1).texts("STOP")
    silent = simulate("--from", M1, "hello again")
    assert silent.returncode == 0 and silent.stdout == "(no reply)\n"


def test_members_show_is_readable_and_json_on_request(line: Harness) -> None:
    line.member(M1).joins().texts("CHECKIN 4")
    shown = line.cli("members", "show", M1)
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert lines[0].startswith("phone: ") or lines[0].startswith("name: ")
    assert "status: active" in lines and "language: en" in lines
    assert not any("{" in text or "[" in text for text in lines), shown.output
    assert any(text.startswith("checkins (1):") for text in lines), shown.output
    assert json.loads(line.cli("members", "show", M1, "--json").stdout)["status"] == "active"


def test_broadcast_warns_about_each_replaced_or_dropped_character(line: Harness) -> None:
    line.cli("groups", "add", "Tuesday Circle", "--code", "TUE1")
    line.member(M2).joins().texts("JOIN TUE1")
    result = line.cli("broadcast", "tue1", "Reunión mañana 🙂")
    assert result.exit_code == 0, result.output
    assert "warning: TEXT: 'ó' (U+00F3) is sent as 'o' to fit GSM-7" in result.output
    assert "warning: TEXT: '🙂' (U+1F642) is dropped to fit GSM-7" in result.output
    assert "ñ" not in result.output.split("warning")[0]  # ñ is GSM-7: no word about it
    assert not any("'ñ'" in text for text in result.output.splitlines())
    plain = line.cli("broadcast", "tue1", "See you Tuesday")
    assert plain.exit_code == 0 and "warning" not in plain.output


def test_staff_list_shows_load_today_and_stop(line: Harness) -> None:
    line.cli("staff", "add", "Ann", ANN, "--role", "peer")
    line.r.hset(staff_load.key(ANN, staff_load.day_of(line.line, ANN)), mapping={"taken": 3, "crisis": 1})
    [ann] = line.cli_json("staff", "list")
    assert (ann["taken_today"], ann["crisis_today"], ann["opted_out"]) == (3, 1, False)
    line.member(ANN).texts("STOP")
    [ann] = line.cli_json("staff", "list")
    assert ann["opted_out"] is True
    table = line.cli("staff", "list").output.splitlines()
    assert table[0].split() == ["name", "phone", "role", "language", "on_call", "taken_today", "crisis_today",
                                "opted_out"]
    assert table[1].split()[-3:] == ["3", "1", "STOP"]


def test_callbacks_marks_a_call_back_asked_for_later_as_scheduled(line: Harness) -> None:
    for phone in (M1, M2):
        line.member(phone).joins()
    callbacks.open_request(line.line, M1, when="tomorrow")
    callbacks.open_request(line.line, M2)
    rows = {row["id"]: row for row in line.cli_json("callbacks")}
    assert (rows[1]["status"], rows[1]["scheduled"], rows[1]["position"]) == ("waiting", True, None)
    assert (rows[2]["status"], rows[2]["scheduled"], rows[2]["position"]) == ("waiting", False, 1)
    table = line.cli("callbacks").output.splitlines()
    assert {text.split()[0]: text.split()[1] for text in table[1:]} == {"1": "scheduled", "2": "waiting"}

"""`textline staff ...` and `textline members ...`."""
from __future__ import annotations

import json

from tests.support.harness import Harness, member_number, staff_number
from textline.models import members

M1, S1 = member_number(401), staff_number(1)


def test_staff_add_list_on_off_remove(line: Harness) -> None:
    result = line.cli("staff", "add", "Ana", "(312) 555-0001", "--role", "crisis", "--lang", "es")
    assert result.exit_code == 0, result.output
    assert S1 not in result.output
    [ana] = line.cli_json("staff", "list")
    assert ana == {"name": "Ana", "phone": S1, "role": "crisis", "language": "es", "on_call": False,
                   "taken_today": 0, "crisis_today": 0, "opted_out": False}
    assert line.cli("staff", "on", S1).exit_code == 0
    assert line.cli_json("staff", "list")[0]["on_call"] is True
    assert line.cli("staff", "off", S1).exit_code == 0
    assert line.cli_json("staff", "list")[0]["on_call"] is False
    assert line.cli("staff", "remove", S1).exit_code == 0
    assert line.cli_json("staff", "list") == []


def test_staff_go_on_and_off_call_by_sms(line: Harness) -> None:
    line.cli("staff", "add", "Pat", S1, "--role", "peer")
    assert "OFF" in line.member(S1).texts("on")[0]
    assert line.cli_json("staff", "list")[0]["on_call"] is True
    line.member(S1).texts("OFF")
    assert line.cli_json("staff", "list")[0]["on_call"] is False


def test_bad_input_is_a_one_line_error(line: Harness) -> None:
    for args in (("staff", "add", "X", "not-a-number", "--role", "peer"), ("members", "show", "12"),
                 ("staff", "on", "+12025550199"), ("members", "show", "+12025550199")):
        result = line.cli(*args)
        assert result.exit_code != 0
        assert len(result.output.strip().splitlines()) == 1, result.output


def test_members_list_show_export_erase(line: Harness) -> None:
    line.member(M1).joins()
    [listed] = line.cli_json("members", "list")
    assert listed["phone"] == M1 and listed["status"] == "active"
    shown = line.cli_json("members", "show", M1)
    assert {"phone", "status", "language", "groups", "checkins"} <= set(shown)
    exported = json.loads(line.cli("members", "export", M1).stdout)
    assert exported["phone"] == M1 and f"tl:member:{M1}" in exported["keys"]
    from textline.models import outbound
    from textline.models.outbound import Kind

    outbound.send_text(line.line, M1, "See you Tuesday", kind=Kind.REPLY)
    line.work()
    assert json.loads(line.cli("members", "export", M1).stdout)["messages"][0]["body"] == "See you Tuesday"
    line.member(M1).texts("STOP")
    assert line.cli("members", "erase", M1, "--yes").exit_code == 0
    assert line.cli_json("members", "list") == []
    leftovers = [k for k in line.r.keys("tl:*") if M1 in k or M1 in str(_value(line, k))]
    assert set(leftovers) <= {"tl:optout", "tl:optout:at"}, leftovers
    assert members.is_opted_out(line.r, M1)


def test_outbox_lists_what_dev_mode_would_send(line: Harness) -> None:
    assert line.cli_json("outbox") == []


def _value(line: Harness, key: str) -> object:
    kind = line.r.type(key)
    return {"hash": line.r.hgetall, "set": line.r.smembers, "string": line.r.get,
            "list": lambda k: line.r.lrange(k, 0, -1), "zset": lambda k: line.r.zrange(k, 0, -1)}.get(
        kind, lambda k: "")(key)

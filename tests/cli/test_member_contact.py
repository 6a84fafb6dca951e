"""`textline members set PHONE --contact call|text`: a coordinator sets how prompts and reminders reach a member."""
from __future__ import annotations

from tests.support.harness import Harness, member_number
from textline.models import voice_notices
from textline.models.voice_notices import Contact

M1 = member_number(461)


def test_members_set_contact_call_and_back(line: Harness) -> None:
    line.member(M1).joins()
    row = line.cli_json("members", "set", M1, "--contact", "call")
    assert row["contact"] == "call"
    assert voice_notices.contact(line.r, M1) == Contact.CALL
    assert line.cli_json("members", "show", M1)["contact"] == "call"
    assert line.cli_json("members", "set", M1, "--contact", "text")["contact"] == "text"


def test_an_unknown_contact_is_refused(line: Harness) -> None:
    line.member(M1).joins()
    result = line.cli("members", "set", M1, "--contact", "fax")
    assert result.exit_code != 0
    assert voice_notices.contact(line.r, M1) == Contact.TEXT

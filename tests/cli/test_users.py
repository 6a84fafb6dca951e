"""`textline users ...`: dashboard accounts from the command line."""
from __future__ import annotations

from tests.support.harness import Harness, staff_number
from textline.models import users

S1 = staff_number(21)


def test_add_with_password_on_stdin_then_list_and_remove(line: Harness) -> None:
    result = line.cli("users", "add", "Ana@Example.org", "--role", "coordinator", "--password-stdin",
                      input="a long passphrase\n")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "added coordinator ana@example.org"
    assert "passphrase" not in result.output
    [ana] = line.cli_json("users", "list")
    assert ana["email"] == "ana@example.org" and ana["role"] == "coordinator" and ana["phone"] == ""
    assert users.authenticate(line.r, "ana@example.org", "a long passphrase") is not None
    assert "a long passphrase" not in str(line.r.hgetall("tl:user:ana@example.org"))
    assert line.cli("users", "remove", "ana@example.org").exit_code == 0
    assert line.cli_json("users", "list") == []


def test_without_stdin_the_password_is_asked_twice(line: Harness) -> None:
    result = line.cli("users", "add", "pat@example.org", "--role", "peer", input="first try 123\nfirst try 123\n")
    assert result.exit_code == 0, result.output
    assert result.output.count("Password") == 1 and "Repeat for confirmation" in result.output
    assert "first try 123" not in result.output
    assert users.authenticate(line.r, "pat@example.org", "first try 123") is not None


def test_two_different_answers_are_not_accepted(line: Harness) -> None:
    result = line.cli("users", "add", "pat@example.org", "--role", "peer", input="first try 123\nsecond try 45\n")
    assert result.exit_code != 0
    assert "do not match" in result.output
    assert line.cli_json("users", "list") == []


def test_a_peer_account_links_to_a_staff_number(line: Harness) -> None:
    line.cli("staff", "add", "Pat", S1, "--role", "peer")
    result = line.cli("users", "add", "pat@example.org", "--role", "peer", "--phone", S1, "--password-stdin",
                      input="a long passphrase\n")
    assert result.exit_code == 0, result.output
    assert line.cli_json("users", "list")[0]["phone"] == S1


def test_adding_again_replaces_the_password_and_ends_sessions(line: Harness) -> None:
    line.cli("users", "add", "ana@example.org", "--role", "coordinator", "--password-stdin", input="old passphrase\n")
    user = users.get(line.r, "ana@example.org")
    assert user is not None
    sid = users.open_session(line.r, user, 60, line.line.now())
    result = line.cli("users", "add", "ana@example.org", "--role", "peer", "--password-stdin", input="new passphrase\n")
    assert result.output.strip() == "updated peer ana@example.org"
    assert users.session_user(line.r, sid, 60) is None
    assert users.authenticate(line.r, "ana@example.org", "old passphrase") is None
    assert users.authenticate(line.r, "ana@example.org", "new passphrase") is not None


def test_bad_input_is_a_one_line_error(line: Harness) -> None:
    for args, given in ((("users", "add", "not-an-email", "--role", "peer", "--password-stdin"), "long enough pw\n"),
                        (("users", "add", "a@example.org", "--role", "peer", "--password-stdin"), "short\n"),
                        (("users", "add", "a@example.org", "--role", "peer", "--phone", S1, "--password-stdin"),
                         "long enough pw\n"),
                        (("users", "remove", "nobody@example.org"), None)):
        result = line.cli(*args, input=given)
        assert result.exit_code != 0, args
        assert len(result.output.strip().splitlines()) == 1, result.output
        assert S1 not in result.output or f"at {S1!r}:" in result.output  # only echoed as the user typed it
    assert line.cli("users", "add", "a@example.org", "--role", "boss", "--password-stdin").exit_code != 0

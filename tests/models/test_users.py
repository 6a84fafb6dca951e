"""Dashboard accounts, web sessions and the login limiter (textline/models/users.py)."""
from __future__ import annotations

from tests.support.harness import Harness
from textline.models import users
from textline.models.users import AccountRole


def _ana(line: Harness) -> users.User:
    user, _ = users.add(line.r, "ana@example.org", AccountRole.COORDINATOR, "a long passphrase", at=line.line.now())
    return user


def test_a_session_lives_until_closed_or_its_account_goes(line: Harness) -> None:
    ana = _ana(line)
    sid = users.open_session(line.r, ana, 60, line.line.now())
    assert users.session_user(line.r, sid, 60) == ana
    assert not any(sid in key for key in line.r.keys("tl:*")), "the session id itself is never stored"
    users.close_session(line.r, sid)
    assert users.session_user(line.r, sid, 60) is None
    again = users.open_session(line.r, ana, 60, line.line.now())
    users.remove(line.r, "ana@example.org")
    assert users.session_user(line.r, again, 60) is None
    assert line.r.keys("tl:websession:*") == []


def test_unknown_or_odd_session_ids_are_nobody(line: Harness) -> None:
    _ana(line)
    for sid in (None, "", "x" * 500, "made-up"):
        assert users.session_user(line.r, sid, 60) is None


def test_wrong_passwords_and_unknown_emails_are_refused(line: Harness) -> None:
    _ana(line)
    assert users.authenticate(line.r, "ana@example.org", "not the passphrase") is None
    assert users.authenticate(line.r, "bob@example.org", "a long passphrase") is None
    assert users.authenticate(line.r, "not an email", "a long passphrase") is None
    assert users.authenticate(line.r, " ANA@example.org ", "a long passphrase") is not None

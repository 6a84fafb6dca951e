"""The CSRF token every dashboard form carries: made once per session, checked on every POST."""
from __future__ import annotations

import hmac
import logging
import secrets

from flask import abort, request, session

log = logging.getLogger(__name__)


def csrf_token() -> str:
    """The session's CSRF token, made on first use (the login form needs one before any login)."""
    token = session.get("csrf")
    if not isinstance(token, str) or len(token) < 32:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def renew() -> None:
    """A new token for a new session (at login)."""
    session["csrf"] = secrets.token_urlsafe(32)


def check() -> None:
    """Refuse (400) a POST whose form does not echo the session's token."""
    sent = request.form.get("csrf_token", "")
    expected = session.get("csrf", "")
    if not sent or not isinstance(expected, str) or not expected or not hmac.compare_digest(sent, expected):
        log.warning("dashboard %s refused: missing or wrong CSRF token", request.endpoint)
        abort(400, "This form has expired or did not come from the dashboard. Go back, reload and try again.")

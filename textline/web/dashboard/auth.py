"""Who may see the dashboard: logins, signed sessions, a CSRF token on every form, roles, safe headers.

Logins are slowed per (email, client address) and per address, never locked per email
(textline.models.logins): a stranger cannot lock a coordinator out. The client address is
`request.remote_addr`, which create_app's ProxyFix sets from X-Forwarded-For only for as many
hops as `[web] proxies` declares, so a client cannot pick the address it is counted under.

Every dashboard URL (unknown ones included) redirects to the login page
without a session. The session cookie, signed with TEXTLINE_SECRET_KEY, holds
only a random session id (kept in Redis as a hash, so logout and removing an
account end it at once) and the CSRF token every POST must echo. A peer
reaches only the endpoints marked `open_to_peers`; everything else is 403.
"""
from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, abort, g, has_request_context, redirect, request, session, url_for
from flask.blueprints import BlueprintSetupState
from flask.sessions import SecureCookieSessionInterface
from werkzeug.wrappers import Response

from textline.models import audit, logins, users
from textline.web.context import current_line, current_settings
from textline.web.dashboard import csrf
from textline.web.dashboard.blueprint import bp
from textline.web.dashboard.config import DashboardConfig
from textline.web.dashboard.render import page

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])

PUBLIC = frozenset({"dashboard.login"})
_peer_endpoints: set[str] = set()


def open_to_peers(fn: F) -> F:
    """Let peer accounts reach this view too (coordinators reach every view)."""
    _peer_endpoints.add(f"{bp.name}.{fn.__name__}")
    return fn


class DashboardSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie session; Secure follows TEXTLINE_PUBLIC_URL's scheme (else the request's)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        public = app.extensions["textline"].public_url
        if public:
            return str(public).startswith("https://")
        return bool(has_request_context() and request.is_secure)


@bp.record_once
def install(state: BlueprintSetupState) -> None:
    """App-wide settings the dashboard needs; run once when the blueprint is registered."""
    app = state.app
    app.session_interface = DashboardSessions()
    app.config.update(SESSION_COOKIE_NAME="tl_dashboard", SESSION_COOKIE_PATH="/dashboard",
                      SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")


def safe_next(target: str | None) -> str | None:
    """Only a dashboard path is a place to go back to after login (no open redirect)."""
    if not target or not target.startswith("/dashboard/") or "//" in target or "\\" in target:
        return None
    return target.rstrip("?")


@bp.before_request
def guard() -> Response | None:
    g.nonce = secrets.token_urlsafe(16)
    g.line = current_line()
    g.config = DashboardConfig.of(current_settings())
    g.user = None
    if request.endpoint in PUBLIC:
        if request.method == "POST":
            csrf.check()
        return None
    user = users.session_user(g.line.r, session.get("sid"), g.config.session_idle)
    if user is None:
        session.pop("sid", None)
        back = safe_next(request.full_path) if request.method == "GET" else None
        return redirect(url_for("dashboard.login", next=back) if back else url_for("dashboard.login"))
    g.user = user
    if request.method == "POST":
        csrf.check()
    if not user.coordinator and request.endpoint not in _peer_endpoints:
        abort(403)
    return None


@bp.after_request
def headers(response: Response) -> Response:
    """Nothing from other hosts, no framing, no caching of pages that show people."""
    nonce = getattr(g, "nonce", "")
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | tuple[str, int] | str:
    line, config = g.line, g.config
    back = safe_next(request.values.get("next"))
    if request.method == "GET":
        if users.session_user(line.r, session.get("sid"), config.session_idle):
            return redirect(back or url_for("dashboard.home"))
        return page("login.html", "Sign in", back=back)
    email = request.form.get("email", "")[:254]
    password = request.form.get("password", "")[: users.MAX_PASSWORD + 1]
    address = request.remote_addr or "unknown"
    wait = logins.attempt(line.r, email, address, per_pair=config.login_attempts,
                          per_address=config.address_attempts, window=config.login_window)
    if wait:
        log.warning("dashboard login refused: too many attempts, %d s to wait", wait)
        return page("login.html", "Sign in", back=back, email=email, status=429,
                    error=f"Too many attempts. Try again in {_how_long(wait)}.")
    user = users.authenticate(line.r, email, password)
    if user is None:
        log.info("dashboard login failed")
        return page("login.html", "Sign in", back=back, email=email, status=401,
                    error="That email and password do not match an account.")
    logins.succeeded(line.r, email, address, per_address=config.address_attempts)
    session.clear()
    session["sid"] = users.open_session(line.r, user, config.session_idle, line.now())
    csrf.renew()
    audit.record(line, user.email, "signed in")
    return redirect(back or url_for("dashboard.home"))


def _how_long(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds > 1 else ''}"
    minutes = round(seconds / 60)
    return f"{minutes} minute{'s' if minutes > 1 else ''}"


@bp.post("/logout")
@open_to_peers
def logout() -> Response:
    users.close_session(g.line.r, session.get("sid"))
    audit.record(g.line, g.user.email, "signed out")
    session.clear()
    return redirect(url_for("dashboard.login"))


@bp.route("/<path:rest>", methods=["GET", "POST"])
@open_to_peers
def unknown(rest: str) -> Response:
    """Any other dashboard URL: behind the login like the rest, then not found."""
    abort(404)


def _error(code: int, title: str, default: str) -> Callable[[Exception], tuple[str, int]]:
    def handler(exc: Exception) -> tuple[str, int]:
        given = getattr(exc, "description", "")
        message = given if given and given != getattr(type(exc), "description", None) else default
        return page("error.html", title, message=message, status=code)

    return handler


for _code, _title, _default in (
    (400, "Bad request", "The dashboard could not read that request."),
    (403, "Not for your role", "Your account cannot open this page."),
    (404, "Not found", "There is nothing at this address."),
):
    bp.register_error_handler(_code, _error(_code, _title, _default))

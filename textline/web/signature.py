"""`X-Twilio-Signature`: every /twilio/* request is checked, except in dev mode.

Each blueprint under /twilio/ runs `verify_signature` before its requests:
`bp.before_request(verify_signature)`. Production always has an auth token
(create_app refuses to start without one), so only an explicit dev mode
(`textline dev`, `TEXTLINE_ENV=dev`) accepts the simulator's unsigned posts.
"""
from __future__ import annotations

import hmac
import logging

from flask import Request, abort, request
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from textline.core.settings import Settings
from textline.web.context import current_settings

log = logging.getLogger(__name__)


def url_twilio_called(settings: Settings, request: Request) -> str:
    """The URL as Twilio saw it: `TEXTLINE_PUBLIC_URL` + path behind a proxy, else the request's own."""
    if settings.public_url:
        query = request.query_string.decode("latin-1")
        return settings.public_url + request.path + (f"?{query}" if query else "")
    return request.url


def is_valid(settings: Settings, request: Request) -> bool:
    """True when the signature matches; in dev mode, also when there is none (the simulator posts unsigned)."""
    signature = request.headers.get("X-Twilio-Signature", "")
    if settings.dev_mode and (not signature or not settings.auth_token):
        return True
    if not settings.auth_token:  # never in production (create_app refuses): refuse rather than accept
        return False
    if not signature:
        return False
    # The MultiDict itself: the validator reads repeated parameters with `getlist` (a dict of lists crashed it).
    params = request.form if request.method == "POST" else MultiDict()
    url = url_twilio_called(settings, request)
    validator = RequestValidator(settings.auth_token)
    # The URL as configured first: the validator's own `validate` always computes two signatures (with and
    # without the port, as Twilio signs either); the second only when the first does not match.
    if hmac.compare_digest(validator.compute_signature(url, params).encode(), signature.encode()):
        return True
    return validator.validate(url, params, signature)


def verify_signature() -> None:
    """Refuse (403) a request that Twilio did not sign; the blueprints' `before_request`."""
    if not is_valid(current_settings(), request):
        log.warning("refused %s: bad or missing X-Twilio-Signature", request.path)
        abort(403)

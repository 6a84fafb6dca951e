"""The error tree of textline.

    TextlineError                 anything textline raises on purpose
    ├── ConfigError               a setting or the TOML file is wrong
    ├── InvalidNumber             text that is not a valid phone number
    ├── NotFound                  an unknown member, group, case, call-back ...
    └── SendError                 delivering a message or call failed
        ├── TransientSendError    worth retrying: HTTP 429 / 20429, 5xx, timeouts, connection errors
        │   └── AmbiguousSendError    the request may have reached Twilio (a timeout): look before resending
        └── PermanentSendError    never retried: 21610 opted out, 21211 / 21614 invalid, other 4xx
"""
from __future__ import annotations


class TextlineError(Exception):
    """Base of every error textline raises on purpose."""


class ConfigError(TextlineError):
    """A setting or the TOML settings file is invalid."""


class InvalidNumber(TextlineError):
    """Text that does not parse as a valid phone number."""


class NotFound(TextlineError):
    """A record that does not exist."""


class SendError(TextlineError):
    """Delivering a message or a call failed."""

    def __init__(self, message: str, *, status: int | None = None, code: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class TransientSendError(SendError):
    """A failure worth retrying with backoff."""


class AmbiguousSendError(TransientSendError):
    """No answer to a request Twilio may have acted on: check with Twilio before sending again."""


class PermanentSendError(SendError):
    """A failure that retrying cannot fix."""

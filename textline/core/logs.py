"""Logging that never holds a whole phone number or a message body.

Code logs ids and masked numbers (`phones.mask`) and never a body; the filter
installed here masks any number that slips through anyway, in the message, in
an exception's traceback (`KeyError: '+12025550123'`) and in a stack dump.
"""
from __future__ import annotations

import logging
import os
import sys

from textline.core.phones import mask_numbers
from textline.core.settings import Settings

#: Formats tracebacks for the filter, the way every handler's Formatter would.
_FORMATTER = logging.Formatter()
#: The processes that have said they run in dev mode (a fork says it again: it is another process).
_warned: set[int] = set()


class MaskNumbers(logging.Filter):
    """Rewrites each record's message, traceback and stack with every phone-like digit run masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_numbers(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            # A Formatter prints `exc_text` when it is set, so the traceback it prints is this masked one.
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_numbers(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_numbers(record.stack_info)
        return True


def install_filter(logger: logging.Logger | None = None) -> None:
    """Mask numbers on every handler of `logger` (the root by default)."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, MaskNumbers) for f in handler.filters):
            handler.addFilter(MaskNumbers())


def configure(level: int = logging.INFO) -> None:
    """Root logging to stderr with masking, for every textline process."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(level)
    install_filter(root)
    for name in ("rq.worker", "rq.scheduler", "rq.queue", "gunicorn.error"):
        install_filter(logging.getLogger(name))
    # The twilio client logs every request's headers at INFO: noise, and a risk if it ever logs more.
    logging.getLogger("twilio.http_client").setLevel(logging.WARNING)


def warn_if_dev(settings: Settings) -> None:
    """Say loudly, once per process, that this line runs in development mode."""
    if not settings.dev_mode or os.getpid() in _warned:
        return
    _warned.add(os.getpid())
    logging.getLogger("textline").warning(
        "DEV MODE (TEXTLINE_ENV=dev): webhooks are accepted unsigned, nothing is sent to Twilio (crisis alerts "
        "included: they wait in `textline outbox`), the simulator page is open to anyone. Never run a real "
        "line this way.")


def get_logger(name: str) -> logging.Logger:
    return logging.getLogger(name)

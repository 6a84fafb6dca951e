"""Logging that never holds a whole phone number or a message body.

Code logs ids and masked numbers (`phones.mask`) and never a body; the filter
installed here masks any number that slips through anyway.
"""
from __future__ import annotations

import logging
import sys

from textline.core.phones import mask_numbers


class MaskNumbers(logging.Filter):
    """Rewrites each record's message with every phone-like digit run masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_numbers(message)
        if masked != message:
            record.msg, record.args = masked, None
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
    for name in ("rq.worker", "rq.scheduler", "rq.queue"):
        install_filter(logging.getLogger(name))
    # The twilio client logs every request's headers at INFO: noise, and a risk if it ever logs more.
    logging.getLogger("twilio.http_client").setLevel(logging.WARNING)


def get_logger(name: str) -> logging.Logger:
    return logging.getLogger(name)

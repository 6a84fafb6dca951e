"""Logs never hold a whole phone number or a message body."""
from __future__ import annotations

import io
import logging
import re

import pytest

from tests.support.harness import Harness, member_number
from textline.core.logs import MaskNumbers
from textline.core.phones import mask, mask_numbers
from textline.models import outbound
from textline.models.outbound import Kind

SECRET = "my landlord is Bartholomew and I feel awful"


def test_a_conversation_leaves_no_number_or_body_in_the_logs(line: Harness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    phone = member_number(301)
    member = line.member(phone)
    member.texts("hi")
    member.texts("YES")
    member.texts(SECRET)
    outbound.send_text(line.line, phone, "Private reply about Bartholomew", kind=Kind.REPLY)
    line.twilio.fail_next(1, status=429)
    line.work_until(lambda: bool(line.twilio.texts_to(phone)))
    member.texts("STOP")
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert caplog.records, "the conversation logged nothing at all"
    digits = re.sub(r"\D", "", phone)
    assert phone not in text and digits not in text and digits[1:] not in text
    assert "Bartholomew" not in text and "landlord" not in text
    assert mask(phone) in text


def test_the_filter_masks_numbers_that_slip_through() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "calling %s now", ("+1 (202) 555-0199",), None)
    MaskNumbers().filter(record)
    assert record.getMessage() == "calling ***0199 now"
    assert mask_numbers("sid SM1234567890abcdef stays") == "sid SM1234567890abcdef stays"
    assert mask_numbers("ref 2025") == "ref 2025"


def test_a_traceback_holding_a_number_is_masked(capfd: pytest.CaptureFixture[str]) -> None:
    """`KeyError: '+12025550123'` used to be printed whole: the filter only looked at the message."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(MaskNumbers())
    logger = logging.getLogger("tests.traceback")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        try:
            {}["+12025550123"]  # noqa: B018
        except KeyError:
            logger.exception("lookup failed for a member")
        try:
            raise ValueError("bad number (202) 555-0124 in the record")
        except ValueError as exc:
            logger.error("could not parse", exc_info=exc, stack_info=True)
    finally:
        logger.removeHandler(handler)
    written = stream.getvalue()
    assert "Traceback (most recent call last)" in written and "KeyError: '***0123'" in written
    assert "***0124" in written and "Stack (most recent call last)" in written
    assert "2025550123" not in written and "555-0124" not in written

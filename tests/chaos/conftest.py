"""Chaos fixtures: a whole line as processes against its own Twilio double."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import privacy
from tests.support.procs import LineProcs
from tests.support.twilio_double import TwilioDouble
from textline.core import redis_conn


@pytest.fixture
def procs() -> Iterator[LineProcs]:
    """A fresh line: its own Redis (append-only), settings file and Twilio double; no web or workers yet."""
    with TwilioDouble() as double, LineProcs(double) as line_procs:
        try:
            yield line_procs
        finally:
            redis_conn.forget_clients()
            line_procs.close()
            # The privacy audit of every process's log: no whole number, whatever broke.
            assert privacy.leaks(line_procs.logs()) == []

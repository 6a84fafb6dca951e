"""Shift edges with real `textline worker` processes, each with its own ticker: one on-call change, one text."""
from __future__ import annotations

import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.support.harness import staff_number
from tests.support.procs import LineProcs, wait
from textline.core import clock
from textline.models import shifts, staff
from textline.models.staff import Role

pytestmark = [pytest.mark.chaos, pytest.mark.slow]

ANN = staff_number(1401)
NY = ZoneInfo("America/New_York")
STARTED = "You're on call now until 11:00pm. Reply OFF to skip this shift."
ENDED = "Your shift is over: you're off call now. Thank you! Reply ON if you want to stay on call."


def test_three_workers_apply_each_edge_of_a_shift_once(procs: LineProcs) -> None:
    procs.test_clock = True
    line = procs.line()
    clock.set_test_clock(line.r, datetime(2026, 3, 2, 12, tzinfo=NY))
    staff.add(line.r, "Ann", ANN, Role.PEER)
    shifts.add(line, ANN, days="mon", start="18:00", end="23:00")
    procs.start_workers(3)

    clock.set_test_clock(line.r, datetime(2026, 3, 2, 18, tzinfo=NY))
    assert wait(lambda: procs.double.texts_to(ANN), 30), procs.logs()[-3000:]
    time.sleep(3)  # every ticker has run a few more times
    assert procs.double.texts_to(ANN) == [STARTED]
    assert staff.require(line.r, ANN).on_call

    clock.set_test_clock(line.r, datetime(2026, 3, 2, 23, tzinfo=NY))
    assert wait(lambda: len(procs.double.texts_to(ANN)) == 2, 30), procs.logs()[-3000:]
    time.sleep(3)
    assert procs.double.texts_to(ANN) == [STARTED, ENDED]
    assert not staff.require(line.r, ANN).on_call

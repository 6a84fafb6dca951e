"""Killed work horses and workers lose nothing and send nothing twice."""
from __future__ import annotations

import pytest

from tests.chaos import scenarios
from tests.support.harness import member_number
from tests.support.procs import LineProcs

pytestmark = [pytest.mark.chaos, pytest.mark.slow]

BODY = "Riverside group meets Thursday 7pm at the library, room 2. Reply STOP to opt out."


def test_a_broadcast_to_1000_survives_killed_horses_and_restarted_workers(procs: LineProcs) -> None:
    line = procs.line()
    eligible = scenarios.consented(line, [member_number(n) for n in range(1000, 2000)])
    opted_out = scenarios.consented(line, [member_number(n) for n in range(2000, 2010)])
    for phone in opted_out:
        from textline.models import members

        members.opt_out(line.r, phone, line.now())
    traffic = scenarios.broadcast_by_send_text(eligible, opted_out, BODY)

    figures = scenarios.horse_kills(procs, traffic, kills=6).save()

    assert figures.notes["settled"], procs.logs()[-3000:]
    assert figures.kills >= 5
    assert (figures.lost, figures.duplicated, figures.unwanted) == (0, 0, 0), figures
    assert figures.delivered == 1000

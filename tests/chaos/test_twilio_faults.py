"""Twilio answering 5xx, 429 and timeouts in bursts: every send ends delivered once; refusals end failed."""
from __future__ import annotations

import pytest

from tests.chaos import scenarios
from tests.support.harness import member_number, staff_number
from tests.support.procs import LineProcs

pytestmark = [pytest.mark.chaos, pytest.mark.slow]

BODY = "Reminder: peer group tonight 7pm, library room 2. Reply STOP to opt out."


def test_fault_bursts_end_delivered_once_and_permanent_refusals_end_failed(procs: LineProcs) -> None:
    line = procs.line()
    eligible = scenarios.consented(line, [member_number(n) for n in range(4000, 4200)])
    refused = scenarios.consented(line, [member_number(n) for n in range(4200, 4206)])
    permanent = dict(zip(refused, [21211, 21610, 21614] * 2, strict=True))
    traffic = scenarios.broadcast_by_send_text(eligible + refused, [], BODY)

    figures = scenarios.twilio_faults(procs, lambda ln: {p: n for p, n in traffic(ln).items() if p in eligible},
                                      permanent, crisis=scenarios.alert_probe(staff_number(1))).save()

    assert figures.notes["settled"]
    assert (figures.lost, figures.duplicated, figures.unwanted) == (0, 0, 0), figures
    assert figures.notes["problems"] == []
    assert set(figures.notes["armed"]) == {"503", "429", "timeout", "500", "502-html"}
    assert len({429, 500, 502, 503} & set(figures.notes["refused"])) >= 3, figures.notes["refused"]
    assert figures.crisis_delays and figures.worst_crisis_delay < 30

"""A crisis while everything breaks at once: its alert still goes out within 30 seconds."""
from __future__ import annotations

import pytest

from tests.chaos import scenarios
from tests.support.harness import member_number, staff_number
from tests.support.procs import LineProcs
from textline.models import staff

pytestmark = [pytest.mark.chaos, pytest.mark.slow]

BODY = "The Tuesday group is moved to Wednesday 6pm this week. Reply STOP to opt out."


def test_crisis_alerts_go_out_within_30s_while_horses_die_twilio_fails_and_redis_restarts(procs: LineProcs) -> None:
    line = procs.line()
    eligible = scenarios.consented(line, [member_number(n) for n in range(5000, 5400)])
    traffic = scenarios.broadcast_by_send_text(eligible, [], BODY)
    joining = scenarios.joining([member_number(n) for n in range(5400, 5500)])

    figures = scenarios.everything(procs, traffic, scenarios.alert_probe(staff_number(2)), inbound=joining).save()

    assert figures.notes["settled"], procs.logs()[-3000:]
    assert figures.five_xx == 0, figures.notes["webhook"]
    assert figures.acknowledged == 100 * 4, figures.notes.get("problems")
    assert figures.crisis_delays, "no crisis was started"
    assert figures.worst_crisis_delay < 30, figures.crisis_delays
    assert (figures.lost, figures.duplicated) == (0, 0), figures


def test_a_crisis_text_alerts_on_call_staff_within_30s_under_chaos(procs: LineProcs) -> None:
    line = procs.line()
    on_call = staff_number(3)
    staff.add(line.r, "Ana", on_call, staff.Role.CRISIS)
    staff.set_on_call(line.r, on_call, True)
    eligible = scenarios.consented(line, [member_number(n) for n in range(5600, 5900)])
    traffic = scenarios.broadcast_by_send_text(eligible, [], BODY)
    joining = scenarios.joining([member_number(n) for n in range(5900, 5960)])

    figures = scenarios.everything(procs, traffic, scenarios.crisis_text_probe(on_call), inbound=joining).save()

    assert figures.crisis_delays, "no crisis was started"
    assert figures.worst_crisis_delay < 30, figures.crisis_delays
    assert figures.five_xx == 0 and (figures.lost, figures.duplicated) == (0, 0), figures

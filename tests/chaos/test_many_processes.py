"""Three web processes and three workers on one Redis: 5,000 signed webhooks from eight clients at once."""
from __future__ import annotations

import pytest

from tests.chaos import scenarios
from tests.support.harness import member_number
from tests.support.procs import LineProcs
from textline.models import inbound_log, members

pytestmark = [pytest.mark.chaos, pytest.mark.slow]

RATE = 25


def test_5000_webhooks_each_answered_and_acted_on_once_and_the_send_limit_holds(procs: LineProcs) -> None:
    procs.configure(send_rate=float(RATE))
    line = procs.line()
    phones = [member_number(n) for n in range(6000, 7000)]
    texts = ("hi", "YES", "MENU", "STOP", "START")
    traffic = scenarios.Inbound([scenarios.Conversation(p, texts) for p in phones], scenarios.joining(phones).check)
    readers = scenarios.consented(line, [member_number(n) for n in range(7000, 7150)])
    sends = scenarios.broadcast_by_send_text(readers, [], "Meeting tonight at 7pm in the library.")

    figures = scenarios.many_processes(procs, traffic, 600, sends).save()

    assert figures.acknowledged == 5000 and figures.requests == 5600, figures.notes["statuses"]
    assert figures.five_xx == 0 and figures.notes["statuses"] == {200: 5600}
    assert figures.lost == 0, figures.notes["problems"]
    assert all(members.get(line.r, p).active for p in phones)  # a replayed STOP was not acted on again
    assert line.r.scard(members.MEMBERS) == 1150
    answers = [k for k in line.r.scan_iter("tl:in:*", count=1000) if not k.startswith(inbound_log.SEEN_PREFIX)]
    assert len(answers) == 5000
    assert figures.notes["settled"] and (figures.lost, figures.duplicated) == (0, 0)
    assert scenarios.send_rate_problems([m.wall for m in procs.double.messages], RATE) == []

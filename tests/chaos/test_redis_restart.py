"""Redis restarts under inbound traffic: 503 while it is down, never 500, nothing acknowledged is lost."""
from __future__ import annotations

import pytest

from tests.chaos import scenarios
from tests.support.harness import member_number
from tests.support.procs import LineProcs, wait
from textline.core import queues
from textline.models import outbound
from textline.models.outbound import Kind, Status

pytestmark = [pytest.mark.chaos, pytest.mark.slow]


def test_a_redis_restart_mid_traffic_answers_503_and_loses_nothing_acknowledged(procs: LineProcs) -> None:
    traffic = scenarios.joining([member_number(n) for n in range(3000, 3300)])

    figures = scenarios.redis_restart(procs, traffic, down_for=2.0, after=0.5).save()

    assert figures.five_xx == 0, figures.notes
    assert figures.notes["health"].get(503), "healthz never saw Redis down"
    assert figures.notes["webhook"].get(503), "no webhook arrived while Redis was down"
    assert set(figures.notes["health"]) <= {200, 503}, figures.notes["health"]
    assert figures.lost == 0, figures.notes["problems"]
    assert figures.acknowledged == 300 * 4


def test_workers_deliver_again_after_a_redis_restart_without_being_restarted(procs: LineProcs) -> None:
    line = procs.line()
    [phone] = scenarios.consented(line, [member_number(3100)])
    procs.start_workers(1)
    first = outbound.send_text(line, phone, "Before the restart.", kind=Kind.REPLY)
    assert wait(lambda: outbound.get(line.r, first).status == Status.SENT, 20)
    procs.redis.kill()
    wait(lambda: False, 3)  # the worker meets a dead Redis for a while
    procs.redis.start()
    second = outbound.send_text(line, phone, "After the restart.", kind=Kind.REPLY, queue=queues.REPLIES)
    assert wait(lambda: outbound.get(line.r, second).status == Status.SENT, 20), procs.logs()[-2000:]
    assert procs.double.texts_to(phone) == ["Before the restart.", "After the restart."]
    assert all(w.running() for w in procs.workers)


def test_a_worker_started_while_redis_is_down_waits_for_it(procs: LineProcs) -> None:
    """RQ's worker names itself to Redis as it is made: with Redis down then, the worker waits and tries
    again (it used to exit, which a Redis restart longer than the worker's restart pause also caused)."""
    line = procs.line()
    [phone] = scenarios.consented(line, [member_number(3101)])
    procs.redis.kill()
    [worker] = procs.start_workers(1)
    wait(lambda: False, 3)  # the worker starts and meets a dead Redis
    assert worker.running(), procs.logs()[-2000:]
    procs.redis.start()
    sent = outbound.send_text(line, phone, "Redis is back.", kind=Kind.REPLY, queue=queues.REPLIES)
    assert wait(lambda: outbound.get(line.r, sent).status == Status.SENT, 30), procs.logs()[-2000:]
    assert procs.double.texts_to(phone) == ["Redis is back."]

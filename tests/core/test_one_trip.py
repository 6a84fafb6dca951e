"""OneTrip: what a pipeline would answer, in one command, on the real Redis server."""
from __future__ import annotations

import time

import pytest
import redis
from redis.exceptions import DataError, ResponseError

from tests.support.harness import Harness
from textline.core.one_trip import OneTrip
from textline.models import inbound_log, inbound_rate


def _queue(pipe: object) -> None:
    pipe.hgetall("t:h")  # type: ignore[attr-defined]
    pipe.hgetall("t:missing")  # type: ignore[attr-defined]
    pipe.sismember("t:s", "x")  # type: ignore[attr-defined]
    pipe.sismember("t:s", "y")  # type: ignore[attr-defined]
    pipe.get("t:missing")  # type: ignore[attr-defined]
    pipe.set("t:k", "v", ex=60)  # type: ignore[attr-defined]
    pipe.get("t:k")  # type: ignore[attr-defined]
    pipe.eval("return {KEYS[1], ARGV[1], ARGV[2]}", 1, "t:key", "a", "b")  # type: ignore[attr-defined]
    pipe.eval("local x = 1", 0)  # type: ignore[attr-defined]  (a script that returns nothing)
    pipe.hincrby("t:h", "n", 2)  # type: ignore[attr-defined]
    pipe.lrange("t:missing", 0, -1)  # type: ignore[attr-defined]


def _fresh(line: Harness) -> None:
    line.r.delete("t:h", "t:s", "t:k")
    line.r.hset("t:h", mapping={"a": "1", "b": "é ü"})
    line.r.sadd("t:s", "x")


def test_answers_as_a_pipeline_would(line: Harness) -> None:
    _fresh(line)
    piped = line.r.pipeline(transaction=False)
    _queue(piped)
    expected = piped.execute()
    _fresh(line)
    trip = OneTrip(line.r)
    _queue(trip)
    assert len(trip) == 11
    found = trip.execute()
    assert found == expected
    assert found[0] == {"a": "1", "b": "é ü"} and found[1] == {} and found[4] is None
    assert found[7] == ["t:key", "a", "b"] and found[8] is None and found[9] == 2


def test_one_command_whatever_was_queued(line: Harness) -> None:
    line.r.config_resetstat()
    trip = OneTrip(line.r)
    _queue(trip)
    trip.execute()
    stats = line.r.info("commandstats")
    sent = {name for name in stats if not name.endswith(("config", "info"))}
    assert "cmdstat_evalsha" in sent or "cmdstat_eval" in sent
    assert stats.get("cmdstat_evalsha", {}).get("calls", 0) + stats.get("cmdstat_eval", {}).get("calls", 0) == 1


def test_the_models_queued_scripts_run_inside(line: Harness) -> None:
    """The dedupe claim and the flood limiter are scripts of their own: inside a OneTrip they run as before."""
    now = time.time()
    for _ in range(2):
        trip = OneTrip(line.r)
        claimed = inbound_log.claim_queued(trip, "SMone")
        counted = inbound_rate.count_queued(trip, "+12025550100", 1, now)
        results = iter(trip.execute())
        first = claimed(results), counted(results)
        if _ == 0:
            assert first == (None, True)  # claimed, and under the rate
        else:
            assert first == ("", False)  # in flight, and over the rate of one a minute


def test_an_error_is_raised_and_nothing_after_it_runs(line: Harness) -> None:
    line.r.delete("t:str", "t:after")
    line.r.set("t:str", "text")
    trip = OneTrip(line.r)
    trip.hgetall("t:str")  # WRONGTYPE
    trip.set("t:after", "1")
    with pytest.raises(ResponseError):
        trip.execute()
    assert line.r.get("t:after") is None


def test_an_empty_trip_sends_nothing(line: Harness) -> None:
    assert OneTrip(line.r).execute() == []


def test_a_script_flushed_from_redis_is_sent_again(line: Harness) -> None:
    trip = OneTrip(line.r)
    trip.get("t:k")
    trip.execute()
    line.r.script_flush()
    again = OneTrip(line.r)
    again.set("t:k", "w")
    again.get("t:k")
    assert again.execute() == [True, "w"]


def test_a_connection_closed_by_redis_is_retried_once(line: Harness) -> None:
    """As the client itself does (`Retry(NoBackoff(), 1)`): a connection Redis dropped is opened again."""
    trip = OneTrip(line.r)
    trip.set("t:k", "before")
    trip.execute()
    pool = line.r.connection_pool
    killer = redis.Redis(connection_pool=redis.ConnectionPool(connection_class=pool.connection_class,
                                                              **pool.connection_kwargs))
    assert killer.client_kill_filter(_type="normal", skipme=True) >= 1
    again = OneTrip(line.r)
    again.get("t:k")
    assert again.execute() == ["before"]
    killer.close()


def test_values_redis_py_refuses_are_refused_before_anything_is_sent(line: Harness) -> None:
    for bad in (None, True):
        trip = OneTrip(line.r)
        trip.set("t:bad", "ok")
        trip.execute_command("SET", "t:bad", bad)
        with pytest.raises(DataError):
            trip.execute()
        assert line.r.get("t:bad") is None
    trip = OneTrip(line.r)
    trip.set("t:float", 0.1 + 0.2)
    trip.get("t:float")
    assert trip.execute()[1] == repr(0.1 + 0.2)  # floats as redis-py writes them

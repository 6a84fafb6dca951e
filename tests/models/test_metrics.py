"""The metrics store: safe labels, buckets, one observation per case, and the functions other features call."""
from __future__ import annotations

import pytest

from tests.support.harness import Harness, member_number
from tests.support.metrics import figure, samples
from textline.models import metrics

M1 = member_number(181)


def scraped(line: Harness) -> dict:
    response = line.client.get("/metrics")
    assert response.status_code == 200
    return samples(response.get_data(as_text=True))


def test_a_number_or_a_body_never_becomes_a_label(line: Harness) -> None:
    """Whatever a caller passes, a label is a short lowercase word or a few digits, else `other`."""
    metrics.count_inbound(line.r, M1)
    metrics.count_inbound(line.r, "I want to talk to someone")
    metrics.count_twilio_error(line.r, M1)
    metrics.count_twilio_error(line.r, "30003")
    metrics.count_twilio_error(line.r, 21610)
    metrics.count_twilio_error(line.r, "12025550181")  # digits, but far longer than any error code
    metrics.count_outbound(line.r, "reply", "sms", "skipped", reason="see you at 7, " + M1)
    found = scraped(line)
    assert figure(found, "textline_inbound_total", channel="other") == 2
    assert figure(found, "textline_twilio_errors_total", code="other") == 2
    assert figure(found, "textline_twilio_errors_total", code="30003") == 1
    assert figure(found, "textline_twilio_errors_total", code="21610") == 1
    assert figure(found, "textline_outbound_skipped_total", reason="other") == 1
    assert [k for k in line.r.scan_iter("tl:metrics:*") if "555" in k or "555" in str(line.r.hgetall(k))] == []


def test_the_wrong_number_of_labels_is_a_mistake_not_a_count(line: Harness) -> None:
    with pytest.raises(ValueError):
        metrics.count(line.r, metrics.OUTBOUND, "reply", "sms")
    with pytest.raises(ValueError):
        metrics.observe_once(line.r, metrics.ALERT_LATENCY, f"case:1:{M1}", 3.0)


def test_an_observation_lands_in_its_bucket_and_buckets_add_up(line: Harness) -> None:
    for seconds in (0.5, 1.0, 1.01, 14.0, 9999.0, -3.0):  # a negative one (clocks apart) counts as 0
        metrics.observe(line.r, metrics.ALERT_LATENCY, seconds)
    found = scraped(line)
    buckets = {le: figure(found, "textline_crisis_alert_seconds_bucket", le=le)
               for le in ("1.0", "2.0", "15.0", "600.0", "+Inf")}
    assert buckets == {"1.0": 3, "2.0": 4, "15.0": 5, "600.0": 5, "+Inf": 6}
    assert figure(found, "textline_crisis_alert_seconds_count") == 6
    assert figure(found, "textline_crisis_alert_seconds_sum") == pytest.approx(0.5 + 1.0 + 1.01 + 14.0 + 9999.0)


def test_observe_once_counts_the_first_only(line: Harness) -> None:
    assert metrics.observe_once(line.r, metrics.ALERT_LATENCY, "case:7:alerted", 4.0)
    assert not metrics.observe_once(line.r, metrics.ALERT_LATENCY, "case:7:alerted", 40.0)
    assert metrics.observe_once(line.r, metrics.ALERT_LATENCY, "case:8:alerted", 8.0)
    found = scraped(line)
    assert figure(found, "textline_crisis_alert_seconds_count") == 2
    assert figure(found, "textline_crisis_alert_seconds_sum") == 12.0
    assert 0 < line.r.ttl("tl:metrics:once:case:7:alerted") <= metrics.ONCE_TTL


def test_request_wait_and_claim_times_by_kind(line: Harness) -> None:
    """What the peer queue calls at TAKE (the wait) and at DONE or RELEASE (how long it was held)."""
    metrics.observe_request_claim(line.r, "text", 90.0)
    metrics.observe_request_claim(line.r, "call", 4000.0)
    pipe = line.r.pipeline()  # inside a pipeline the caller sends anyway: no round trip of its own
    metrics.observe_request_end(pipe, "text", 1200.0)
    metrics.count_inbound(pipe, "sms")
    pipe.execute()
    found = scraped(line)
    assert figure(found, "textline_request_wait_seconds_count", kind="text") == 1
    assert figure(found, "textline_request_wait_seconds_bucket", kind="text", le="300.0") == 1
    assert figure(found, "textline_request_wait_seconds_bucket", kind="call", le="3600.0") == 0
    assert figure(found, "textline_request_wait_seconds_bucket", kind="call", le="7200.0") == 1
    assert figure(found, "textline_request_claim_seconds_sum", kind="text") == 1200.0
    assert figure(found, "textline_inbound_total", channel="sms") == 1
    assert figure(found, "textline_inbound_total", channel="voice") == 0  # shown before the first call


def test_a_count_is_one_command(line: Harness) -> None:
    """Cheap on the hot path: counting a text is one HINCRBY; a histogram two commands in one round trip."""
    before = line.r.info("commandstats")
    metrics.count_inbound(line.r, "sms")
    metrics.observe(line.r, metrics.ACK_TIME, 60.0)
    after = line.r.info("commandstats")

    def calls(name: str) -> int:
        return after.get(f"cmdstat_{name}", {}).get("calls", 0) - before.get(f"cmdstat_{name}", {}).get("calls", 0)

    assert (calls("hincrby"), calls("hincrbyfloat")) == (2, 1)

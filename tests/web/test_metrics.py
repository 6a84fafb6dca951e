"""`GET /metrics`: who may read it, what a conversation with a crisis adds to it, and nothing personal in it."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support import privacy
from tests.support.harness import Harness, member_number, staff_number
from tests.support.metrics import Samples, figure, samples
from tests.support.voice import Caller
from textline import create_app
from textline.models import outbound
from textline.models.outbound import Kind

M1, M2 = member_number(171), member_number(172)
ANA = staff_number(171)
T0 = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)
#: Words only this test writes: found anywhere in /metrics, a body leaked.
MARKER = "quokka lighthouse 4417"
CRISIS = f"I want to kill myself tonight, {MARKER}"
REMOTE = {"REMOTE_ADDR": "203.0.113.9"}


def scrape(line: Harness, **kwargs: object) -> Samples:
    response = line.client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.data
    assert response.content_type.startswith("text/plain; version=")
    return samples(response.get_data(as_text=True))


@pytest.fixture
def crew(line: Harness) -> Harness:
    line.set_clock(T0)
    line.cli("staff", "add", "Ana", ANA, "--role", "crisis")
    assert line.member(ANA).texts("ON")[0].startswith("You're on call.")
    return line


# -- who may read it --------------------------------------------------------------------------------------------


def test_with_a_token_only_the_bearer_token_opens_it_from_anywhere(line: Harness) -> None:
    client = create_app(line.settings.but(metrics_token="metrics-token")).test_client()
    for wrong in (None, "", "Bearer nope", "Bearer metrics-token-and-more", "Basic metrics-token", "metrics-token"):
        headers = {"Authorization": wrong} if wrong is not None else {}
        refused = client.get("/metrics", headers=headers)  # from loopback, still refused: the token is set
        assert refused.status_code == 403 and "Bearer" in refused.get_data(as_text=True), wrong
    for where in ({}, REMOTE):
        ok = client.get("/metrics", headers={"Authorization": "Bearer metrics-token"}, environ_base=where)
        assert ok.status_code == 200 and "# TYPE textline_inbound_total counter" in ok.get_data(as_text=True)


def test_without_a_token_only_loopback_may_read_it(line: Harness) -> None:
    assert line.client.get("/metrics").status_code == 200  # the test client's address is 127.0.0.1
    assert line.client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200
    assert line.client.get("/metrics", environ_base={"REMOTE_ADDR": "::ffff:127.0.0.1"}).status_code == 200
    refused = line.client.get("/metrics", environ_base=REMOTE)
    assert refused.status_code == 403 and refused.get_data(as_text=True).startswith("metrics answer loopback")
    assert line.client.get("/metrics", headers={"Authorization": "Bearer anything"},
                           environ_base=REMOTE).status_code == 403


@pytest.mark.parametrize("header", ["X-Forwarded-For", "Forwarded", "X-Real-IP"])
def test_a_request_through_an_undeclared_proxy_is_not_loopback(line: Harness, header: str) -> None:
    """A reverse proxy on the same machine connects from 127.0.0.1: the header it adds gives it away."""
    value = "for=203.0.113.9" if header == "Forwarded" else "203.0.113.9"
    assert line.client.get("/metrics", headers={header: value}).status_code == 403


def test_behind_declared_proxies_the_client_address_decides(line: Harness) -> None:
    line.configure(web={"proxies": 1})
    get = line.client.get
    assert get("/metrics").status_code == 200  # straight to web, from this machine
    assert get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 403
    assert get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 200  # the proxy saw loopback
    # A client that writes its own header gets the proxy's address appended after it: that one counts.
    assert get("/metrics", headers={"X-Forwarded-For": "127.0.0.1, 203.0.113.9"}).status_code == 403
    assert get("/metrics", headers={"X-Real-IP": "203.0.113.9"}).status_code == 403
    line.configure(web={"proxies": 2})
    get = line.client.get
    # Fewer addresses than declared proxies: ProxyFix keeps the proxy's own (loopback) address. Refused.
    assert get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 403
    assert get("/metrics", headers={"X-Forwarded-For": "203.0.113.9, 127.0.0.1"}).status_code == 403
    assert get("/metrics", headers={"X-Forwarded-For": "127.0.0.1, 127.0.0.1"}).status_code == 200


# -- what it counts -----------------------------------------------------------------------------------------------


def test_a_conversation_with_a_crisis_is_counted_and_nothing_personal_reaches_metrics(crew: Harness) -> None:
    member = crew.member(M1).joins()
    member.texts(f"just checking in, {MARKER}")
    sid = "SM" + "c" * 32
    assert member.texts(CRISIS, sid=sid)[0].startswith("Call or text 988")
    crew.sms(M1, CRISIS, sid=sid)  # Twilio's retry of the same text: answered again, not counted again
    crew.work()
    [alert] = [m for m in crew.twilio.messages if m.to == ANA]
    assert MARKER in alert.body  # staff read the member's words; /metrics never does
    crew.set_clock(T0 + timedelta(seconds=25))
    assert crew.status(alert.sid, "delivered").status_code == 200
    crew.status(alert.sid, "delivered")  # a repeated callback
    crew.set_clock(T0 + timedelta(minutes=3))
    assert crew.member(ANA).texts("ACK 1")[0].startswith("Case 1 is yours, Ana.")
    Caller(crew, M2).dial()
    crew.work()

    response = crew.client.get("/metrics")
    text = response.get_data(as_text=True)
    assert privacy.leaks(text, bodies=[MARKER, CRISIS, "quokka", "4417"]) == []
    assert "+1" not in text and "202555" not in text and "312555" not in text
    found = samples(text)
    assert figure(found, "textline_inbound_total", channel="sms") == 6  # ON, hi, YES, check-in, crisis, ACK 1
    assert figure(found, "textline_inbound_total", channel="voice") == 1
    assert figure(found, "textline_outbound_total", kind="alert", channel="sms", status="sent") == 1
    assert figure(found, "textline_outbound_total", kind="alert", channel="sms", status="delivered") == 1
    assert figure(found, "textline_crisis_alert_seconds_count") == 1
    assert figure(found, "textline_crisis_alert_seconds_sum") == 25
    assert figure(found, "textline_crisis_alert_seconds_bucket", le="15.0") == 0
    assert figure(found, "textline_crisis_alert_seconds_bucket", le="30.0") == 1
    assert figure(found, "textline_crisis_ack_seconds_count") == 1
    assert figure(found, "textline_crisis_ack_seconds_sum") == 180
    assert figure(found, "textline_crisis_ack_seconds_bucket", le="120.0") == 0
    assert figure(found, "textline_crisis_ack_seconds_bucket", le="+Inf") == 1
    assert figure(found, "textline_cases_open") == 0  # acknowledged
    assert {labels: v for (name, labels), v in found.items() if name == "textline_queue_depth"} == {
        (("queue", q),): 0.0 for q in ("crisis", "replies", "calls", "broadcast")}
    for (name, labels), _ in found.items():  # every label is one of the fixed small words, or digits
        assert all(value.replace("_", "").replace("-", "").replace(".", "").replace("+", "").isalnum()
                   and len(value) <= 24 for _, value in labels), (name, labels)


def test_an_open_case_and_waiting_jobs_are_read_when_scraped(crew: Harness) -> None:
    crew.member(M1).texts(CRISIS)
    found = scrape(crew)
    assert figure(found, "textline_cases_open") == 1
    assert figure(found, "textline_queue_depth", queue="crisis") >= 1  # the ladder's first round waits
    crew.work()
    assert figure(scrape(crew), "textline_queue_depth", queue="crisis") == 0


def test_outbound_statuses_count_once_each_with_twilio_error_codes_and_refusals(line: Harness) -> None:
    line.member(M1).joins()
    line.member(M2).joins().texts("STOP")
    msg = outbound.send_text(line.line, M1, "Meeting moved to 8pm.", kind=Kind.REMINDER)
    outbound.send_text(line.line, M2, "Meeting moved to 8pm.", kind=Kind.REMINDER)
    line.work()
    line.twilio.fail_for(M1, code=21614)  # the next one is refused for good: not a mobile
    second = outbound.send_text(line.line, M1, "See you there.", kind=Kind.REMINDER, dedupe="second")
    line.work()
    line.twilio.unfail(M1)
    record = outbound.get(line.r, msg or "")
    assert record is not None and record.sid and outbound.get(line.r, second or "").error == "21614"
    for _ in range(2):  # Twilio may call back twice: one count
        line.status(record.sid, "undelivered", error="30003")

    found = scrape(line)
    assert figure(found, "textline_outbound_total", kind="reminder", channel="sms", status="sent") == 1
    assert figure(found, "textline_outbound_total", kind="reminder", channel="sms", status="undelivered") == 1
    assert figure(found, "textline_outbound_total", kind="reminder", channel="sms", status="failed") == 1
    assert figure(found, "textline_outbound_total", kind="reminder", channel="sms", status="skipped") == 1
    assert figure(found, "textline_outbound_skipped_total", reason="opted_out") == 1
    assert figure(found, "textline_twilio_errors_total", code="30003") == 1
    assert figure(found, "textline_twilio_errors_total", code="21614") == 1


def test_redis_down_is_a_503_not_a_500(line: Harness) -> None:
    client = create_app(line.settings.but(redis_url="redis://127.0.0.1:1/0")).test_client()
    assert client.get("/metrics").status_code == 503

"""Every /twilio/* endpoint under hostile input, validly signed: never a 5xx, and a refused or
ignored request changes nothing in Redis."""
from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from xml.etree import ElementTree

import pytest
import redis
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzz import requests as fz
from tests.support.harness import PUBLIC_URL, Harness, member_number
from textline.core import phones, queues
from textline.models import outbound
from textline.models.outbound import Kind, Status

pytestmark = pytest.mark.slow
FUZZ = settings.get_profile("fuzz")


@pytest.fixture(autouse=True)
def frozen_expiry(line: Harness) -> Iterator[None]:
    fz.freeze_expiry(line.line.rq, True)
    yield
    fz.freeze_expiry(line.line.rq, False)


def raw_redis(line: Harness) -> redis.Redis:
    return line.line.rq


def well_formed_twiml(body: bytes) -> bool:
    return ElementTree.fromstring(body).tag == "Response"


def acted_on(form: dict[str, str]) -> bool:
    """Whether the SMS webhook may act on this form: a usable MessageSid and a valid From."""
    sid = form.get("MessageSid") or form.get("SmsSid") or ""
    return bool(sid) and len(sid) <= 64 and phones.try_parse(form.get("From", "")) is not None


def test_sms_webhook(line: Harness) -> None:
    r = raw_redis(line)

    @settings(FUZZ, max_examples=3000)
    @given(form=fz.forms(fz.SMS))
    def check(form: dict[str, str]) -> None:
        before = fz.digest(r)
        status, body = fz.post(line, "/twilio/sms", fz.encode(form))
        assert status < 500, (status, form)
        if status == 200:
            assert well_formed_twiml(body)
        if status != 200 or phones.try_parse(form.get("From", "")) is None:
            assert fz.digest(r) == before, form
            assert b"<Message>" not in body
        elif not acted_on(form):
            pytest.fail(f"acted on a form without a usable sid: {form}")

    check()
    assert fz.COUNT["/twilio/sms"] >= 3000


def test_status_callback(line: Harness) -> None:
    r = raw_redis(line)
    line.member(member_number(9100)).joins()
    msg_id = outbound.create(line.line, member_number(9100), "Hi.", kind=Kind.REPLY, queue=queues.REPLIES)
    outbound.mark(line.line, msg_id, Status.SENT, sid="SMknown")

    @settings(FUZZ, max_examples=2000)
    @given(form=fz.forms(fz.STATUS))
    def check(form: dict[str, str]) -> None:
        before = fz.digest(r)
        status, _ = fz.post(line, "/twilio/status", fz.encode(form))
        assert status < 500, (status, form)
        sid = form.get("MessageSid") or form.get("SmsSid") or form.get("CallSid") or ""
        if status != 200 or sid != "SMknown":
            assert fz.digest(r) == before, form

    check()
    assert fz.COUNT["/twilio/status"] >= 2000


#: Requests shared out among the endpoints (at least 300 each), so the suite's time stays flat as they grow.
GENERIC_REQUESTS = 3200


def fuzz_endpoint(line: Harness, path: str, examples: int) -> None:
    """Every field Twilio sends on any webhook, thrown at `path`."""
    spec = fz.endpoint(path)
    generic = fz.Endpoint(path, {**fz.GENERIC, **spec.fields}, spec.required)

    @settings(FUZZ, max_examples=examples)
    @given(form=fz.forms(generic))
    def check(form: dict[str, str]) -> None:
        status, _ = fz.post(line, path, fz.encode(form), counter="generic")
        assert status < 500, (path, status, form)

    check()


def test_every_twilio_endpoint_with_every_twilio_field(line: Harness) -> None:
    paths = fz.twilio_paths(line)
    assert {"/twilio/sms", "/twilio/status"} <= set(paths)
    each = max(300, GENERIC_REQUESTS // len(paths))
    for path in paths:
        fuzz_endpoint(line, path, each)
    assert fz.COUNT["generic"] >= each * len(paths)


@st.composite
def hostile_bodies(draw: st.DrawFn) -> bytes:
    """Invalid UTF-8, raw or percent-encoded, inside an otherwise plausible form, or nothing plausible at all."""
    junk = draw(st.binary(max_size=600))
    if draw(st.booleans()):
        return junk
    sid = "SM" + draw(st.text(alphabet="0123456789abcdef", min_size=32, max_size=32))
    start = urllib.parse.urlencode({"MessageSid": sid, "From": draw(fz.phone), "To": "+15005550006"}).encode()
    body = urllib.parse.quote_from_bytes(junk).encode() if draw(st.booleans()) else junk
    return start + b"&Body=" + body + draw(st.sampled_from([b"", b"&", b"&&=&", b"&Body=again", b"&%ZZ=%G1"]))


def test_invalid_utf8_and_broken_encodings(line: Harness) -> None:
    r = raw_redis(line)

    @settings(FUZZ, max_examples=1000)
    @given(raw=hostile_bodies(), path=st.sampled_from(["/twilio/sms", "/twilio/status"]))
    def check(raw: bytes, path: str) -> None:
        before = fz.digest(r)
        status, _ = fz.post(line, path, raw, counter="utf8")
        assert status < 500, (status, raw)
        form = {k: v[0] for k, v in fz.parsed(raw).items()}
        if status != 200 or path == "/twilio/status" or not acted_on(form):
            assert fz.digest(r) == before, raw

    check()
    assert fz.COUNT["utf8"] >= 1000


def test_wrong_methods_change_nothing(line: Harness) -> None:
    r = raw_redis(line)
    paths = fz.twilio_paths(line)

    @settings(FUZZ, max_examples=600)
    @given(method=st.sampled_from(["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]), path=st.sampled_from(paths),
           form=fz.forms(fz.SMS))
    def check(method: str, path: str, form: dict[str, str]) -> None:
        before = fz.digest(r)
        status, _ = fz.post(line, path, fz.encode(form), method=method, counter="methods")
        assert status < 500 and (method == "OPTIONS" or status >= 400), (method, path, status)
        assert fz.digest(r) == before

    check()


@pytest.mark.parametrize(("size", "expected"), [(0, 400), (200 * 1024, 200), (300 * 1024, 413), (2 * 1024**2, 413)])
def test_empty_and_enormous_bodies(line: Harness, size: int, expected: int) -> None:
    form = {"MessageSid": "SM" + "e" * 32, "From": member_number(9200), "Body": "x" * size} if size else {}
    raw = fz.encode(form)
    status, body = fz.post(line, "/twilio/sms", raw, counter="sizes")
    assert status == expected
    if status == 200:
        assert well_formed_twiml(body)


def test_thousands_of_fields(line: Harness) -> None:
    form = {f"Field{i}": "v" * 10 for i in range(5000)}
    form.update({"MessageSid": "SM" + "f" * 32, "From": member_number(9201), "Body": "hi"})
    status, body = fz.post(line, "/twilio/sms", fz.encode(form), counter="sizes")
    assert status == 200 and well_formed_twiml(body)


def test_the_webhooks_answer_at_the_public_url_only(line: Harness) -> None:
    raw = fz.encode({"MessageSid": "SM" + "a" * 32, "From": member_number(9202), "Body": "hi"})
    sig = line.validator.compute_signature(PUBLIC_URL.replace("https", "http") + "/twilio/sms",
                                           {k: v[0] for k, v in fz.parsed(raw).items()})
    assert fz.post(line, "/twilio/sms", raw, sig=sig)[0] == 403

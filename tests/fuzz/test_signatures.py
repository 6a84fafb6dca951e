"""Unsigned, badly signed and replayed webhooks: refused (403) or answered again, and nothing changes."""
from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzz import requests as fz
from tests.support.harness import PUBLIC_URL, Harness
from textline.core import phones

pytestmark = pytest.mark.slow
FUZZ = settings.get_profile("fuzz")
MUTATIONS = ["none", "empty", "random", "other-params", "other-path", "http", "query", "lowercase"]


@pytest.fixture(autouse=True)
def frozen_expiry(line: Harness) -> Iterator[None]:
    fz.freeze_expiry(line.line.rq, True)
    yield
    fz.freeze_expiry(line.line.rq, False)


def forged(line: Harness, path: str, raw: bytes, mutation: str, noise: bytes) -> str | None:
    """A signature that must not pass: missing, junk, or valid for something else."""
    params = fz.parsed(raw)
    flat = {k: v[0] for k, v in params.items()}
    sign = line.validator.compute_signature
    if mutation == "none":
        return None
    if mutation == "empty":
        return ""
    if mutation == "random":
        return base64.b64encode(noise or b"x").decode()
    if mutation == "other-params":
        return sign(PUBLIC_URL + path, {**flat, "Body": flat.get("Body", "") + "!"})
    if mutation == "other-path":
        return sign(PUBLIC_URL + ("/twilio/status" if path == "/twilio/sms" else "/twilio/sms"), flat)
    if mutation == "http":
        return sign(PUBLIC_URL.replace("https:", "http:") + path, flat)
    if mutation == "query":
        return sign(PUBLIC_URL + path + "?x=1", flat)
    return fz.signature(line, path, raw).lower()


def test_unsigned_and_forged_requests_are_refused_and_change_nothing(line: Harness) -> None:
    r = line.line.rq

    @settings(FUZZ, max_examples=1500)
    @given(form=fz.forms(fz.SMS), path=st.sampled_from(["/twilio/sms", "/twilio/status"]),
           mutation=st.sampled_from(MUTATIONS), noise=st.binary(min_size=1, max_size=40))
    def check(form: dict[str, str], path: str, mutation: str, noise: bytes) -> None:
        raw = fz.encode({"Body": "x", **form})
        signature = forged(line, path, raw, mutation, noise)
        if signature == fz.signature(line, path, raw):  # a forgery that happens to be right: not a forgery
            return
        before = fz.digest(r)
        status, _ = fz.post(line, path, raw, signed=signature is not None, sig=signature,
                            counter="forged")
        assert status == 403, (mutation, status)
        assert fz.digest(r) == before

    check()
    assert fz.COUNT["forged"] >= 1000


def test_a_replayed_request_is_answered_again_and_acted_on_once(line: Harness) -> None:
    # No flood limiter here: a replay's count is given back to within its 10 ms slack, not byte for byte
    # (a limiter due within 10 ms is dropped), which a whole-store digest sees. That a replay does not
    # count: tests/flows/test_flood_counting.py.
    line.configure(inbound_rate=0)
    r = line.line.rq

    @settings(FUZZ, max_examples=600)
    @given(body=fz.text, phone=fz.valid_phone, hexsid=st.text(alphabet="0123456789abcdef", min_size=32, max_size=32))
    def check(body: str, phone: str, hexsid: str) -> None:
        raw = fz.encode({"MessageSid": "SM" + hexsid, "From": phone, "To": "+15005550006", "Body": body})
        signature = fz.signature(line, "/twilio/sms", raw)
        first = fz.post(line, "/twilio/sms", raw, sig=signature, counter="replayed")
        before = fz.digest(r)
        again = fz.post(line, "/twilio/sms", raw, sig=signature, counter="replayed")
        assert first == again and first[0] == 200
        assert fz.digest(r) == before
        assert phones.try_parse(phone)

    check()
    assert fz.COUNT["replayed"] >= 1200

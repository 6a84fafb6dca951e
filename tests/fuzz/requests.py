"""Fuzzing the /twilio/* endpoints: what Twilio sends, how to sign it, and how to see that nothing changed.

`ENDPOINTS` describes each endpoint's fields; an endpoint that appears under /twilio/ in the app's URL
map without a description (the voice IVR once it lands) is fuzzed with `GENERIC` fields, so every
webhook is covered without editing this file. `COUNT` counts the requests sent, per test.
"""
from __future__ import annotations

import hashlib
import json
import string
import urllib.parse
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import redis
import werkzeug.formparser  # noqa: F401  (registers the "werkzeug.url_quote" codec error handler)
from hypothesis import strategies as st
from redis.exceptions import ResponseError
from werkzeug.datastructures import MultiDict

from tests.support.harness import LINE_NUMBER, PUBLIC_URL, Harness, member_number
from tests.support.twilio_double import TEST_ACCOUNT_SID

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
COUNT: Counter[str] = Counter()

# -- values -------------------------------------------------------------------------------------------------
RTL = "\u202e\u200f\u0627\u0644\u0633\u0644\u0627\u0645 \u05e9\u05dc\u05d5\u05dd"
EMOJI = "\U0001f600\U0001f62d\U0001f9e1\u2764\ufe0f\U0001f3f3\ufe0f\u200d\U0001f308"
CONTROL = "".join(chr(c) for c in [*range(0, 32), 127, *range(0x80, 0xa0)])
WORDS = ["STOP", "START", "HELP", "YES", "MENU", "1", "JOIN", "CANCEL", "AYUDA", "ESPAÑOL", "stop!!", " yes "]

text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=300),
    st.text(alphabet=CONTROL + RTL + EMOJI + "abc ", max_size=120),
    st.sampled_from(WORDS),
    st.builds(lambda w, pad: pad + w + pad[::-1], st.sampled_from(WORDS),
              st.text(alphabet=" .!?\t\n" + RTL, max_size=4)),
    st.text(alphabet=string.ascii_letters + " ", min_size=1590, max_size=1700),
)
valid_phone = st.integers(9000, 9099).map(member_number)
malformed_phone = st.one_of(
    st.sampled_from(["", "+", "+1", "abc", "++12025550123", "+1 555 0100", "911", "+1" + "2" * 40, "00000000000",
                     "+12025550123\x00", "+١٢٠٢٥٥٥٠١٢٣", "client:alice", "sip:a@b.c", "+44 20 7946 0000 ext 9"]),
    st.text(max_size=40),
    st.from_regex(r"\+?[0-9 ()\-.]{0,30}", fullmatch=True),
)
phone = st.one_of(valid_phone, malformed_phone)
sid = st.one_of(
    st.builds(lambda h: "SM" + h, st.text(alphabet="0123456789abcdef", min_size=32, max_size=32)),
    st.text(max_size=80),
    st.just(""),
    st.text(alphabet="SMCA0123456789abcdef", min_size=60, max_size=70),
)
call_sid = st.builds(lambda h: "CA" + h, st.text(alphabet="0123456789abcdef", min_size=32, max_size=32))
states = st.sampled_from(["queued", "sending", "sent", "delivered", "undelivered", "failed", "read", "received",
                          "ringing", "in-progress", "completed", "busy", "no-answer", "canceled", "bogus", ""])
error_code = st.one_of(st.sampled_from(["", "30003", "30005", "30006", "30007", "21610", "21211"]),
                       st.text(max_size=12))
extra_name = st.text(alphabet=string.ascii_letters + "_[]0123456789", min_size=1, max_size=20)


@dataclass(frozen=True)
class Endpoint:
    """An endpoint's fields: each maps to a value strategy; `required` ones are present most of the time."""

    path: str
    fields: Mapping[str, st.SearchStrategy[str]]
    required: tuple[str, ...] = ()
    notes: dict[str, str] = field(default_factory=dict)


SMS = Endpoint("/twilio/sms", {
    "MessageSid": sid, "SmsSid": sid, "AccountSid": st.just(TEST_ACCOUNT_SID), "From": phone,
    "To": st.one_of(st.just(LINE_NUMBER), phone), "Body": text, "NumMedia": st.sampled_from(["0", "1", "x", ""]),
    "NumSegments": st.sampled_from(["1", "2", "11", "-1"]), "SmsStatus": st.just("received"),
    "OptOutType": st.sampled_from(["", "STOP", "START", "HELP", "stop", "garbage" * 5]),
    "FromCountry": st.sampled_from(["US", "MX", "", "ZZ"]), "ApiVersion": st.just("2010-04-01"),
}, required=("MessageSid", "From", "Body"))
STATUS = Endpoint("/twilio/status", {
    "MessageSid": st.one_of(sid, st.just("SMknown")), "CallSid": call_sid, "MessageStatus": states,
    "CallStatus": states, "SmsStatus": states, "ErrorCode": error_code, "AccountSid": st.just(TEST_ACCOUNT_SID),
    "To": phone, "From": phone,
}, required=("MessageSid", "MessageStatus"))
#: For endpoints described nowhere else (the voice IVR): every field Twilio sends on calls and texts.
GENERIC = {
    "CallSid": st.one_of(call_sid, sid), "MessageSid": sid, "AccountSid": st.just(TEST_ACCOUNT_SID), "From": phone,
    "To": st.one_of(st.just(LINE_NUMBER), phone), "CallStatus": states, "Direction": st.sampled_from(
        ["inbound", "outbound-api", "outbound-dial", ""]), "Digits": st.one_of(st.from_regex(r"[0-9*#]{0,6}",
        fullmatch=True), text), "SpeechResult": text, "Confidence": st.sampled_from(["0.9", "1", "x", ""]),
    "DialCallStatus": states, "ForwardedFrom": phone, "CallerName": text, "ParentCallSid": call_sid,
    "Body": text, "ApiVersion": st.just("2010-04-01"),
}
ENDPOINTS = {e.path: e for e in (SMS, STATUS)}


def endpoint(path: str) -> Endpoint:
    return ENDPOINTS.get(path) or Endpoint(path, GENERIC, required=("CallSid", "From"))


def twilio_paths(line: Harness) -> list[str]:
    """Every POST webhook the app serves under /twilio/ (parameters of a rule filled with 1)."""
    urls = line.app.url_map.bind("localhost")
    paths = set()
    for rule in line.app.url_map.iter_rules():
        if rule.rule.startswith("/twilio/") and "POST" in (rule.methods or ()):
            paths.add(urls.build(rule.endpoint, {name: 1 for name in rule.arguments}, method="POST"))
    return sorted(paths)


@st.composite
def forms(draw: st.DrawFn, spec: Endpoint) -> dict[str, str]:
    """A form with the required fields mostly present, some optional ones, and sometimes unknown extras."""
    form: dict[str, str] = {}
    for name, values in spec.fields.items():
        wanted = draw(st.integers(0, 9)) < (9 if name in spec.required else 3)
        if wanted:
            form[name] = draw(values)
    for name in draw(st.lists(extra_name, max_size=3)):
        form.setdefault(name, draw(text))
    return form


# -- signing and sending ---------------------------------------------------------------------------------------
def encode(form: Mapping[str, str]) -> bytes:
    return urllib.parse.urlencode(form).encode()


def parsed(raw: bytes) -> dict[str, list[str]]:
    """The form as the app will see it (werkzeug's own decoding of a urlencoded body)."""
    out: dict[str, list[str]] = {}
    try:
        decoded = raw.decode()
    except UnicodeDecodeError:
        return out
    for key, value in urllib.parse.parse_qsl(decoded, keep_blank_values=True, errors="werkzeug.url_quote"):
        out.setdefault(key, []).append(value)
    return out


def signature(line: Harness, path: str, raw: bytes) -> str:
    params = MultiDict([(k, v) for k, values in parsed(raw).items() for v in values])
    return line.validator.compute_signature(PUBLIC_URL + path, params)


def post(line: Harness, path: str, raw: bytes, *, signed: bool = True, method: str = "POST",
         sig: str | None = None, counter: str = "") -> tuple[int, bytes]:
    """Send a raw urlencoded body, validly signed unless told otherwise; (status, body)."""
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signed:
        headers["X-Twilio-Signature"] = sig if sig is not None else signature(line, path, raw)
    response = line.client.open(path, method=method, data=raw, headers=headers, base_url=PUBLIC_URL)
    COUNT[counter or path] += 1
    return response.status_code, response.data


# -- state ---------------------------------------------------------------------------------------------------------
def freeze_expiry(raw_client: redis.Redis, frozen: bool) -> bool:
    """Stop (or restart) Redis expiring keys in the background, so a digest changes only by requests."""
    try:
        raw_client.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", 0 if frozen else 1)
        return True
    except ResponseError:
        return False


def digest(raw_client: redis.Redis) -> str:
    """A digest of everything in Redis: DEBUG DIGEST, or (DEBUG disabled) every key's DUMP, leaving out
    keys about to expire by themselves."""
    try:
        value = raw_client.execute_command("DEBUG", "DIGEST")
        return value.decode() if isinstance(value, bytes) else str(value)
    except ResponseError:
        h = hashlib.sha256()
        for key in sorted(raw_client.scan_iter(count=1000)):
            if 0 <= raw_client.pttl(key) < 600_000:
                continue
            h.update(key + b"\0" + (raw_client.dump(key) or b"") + b"\0")
        return h.hexdigest()


def save_count() -> None:
    if not COUNT:
        return
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "fuzz.json").write_text(json.dumps({"total": sum(COUNT.values()), "by_test": dict(COUNT)}))

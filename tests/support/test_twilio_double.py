"""Tests of the Twilio REST double, driven by the real ``twilio`` client."""

from __future__ import annotations

import json
import re
import selectors
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from tests.support.twilio_double import (
    CODE_INVALID_PARAMETER,
    TEST_ACCOUNT_SID,
    TEST_AUTH_TOKEN,
    RemoteDouble,
    TwilioDouble,
    num_segments,
    operations,
)

ROOT = Path(__file__).resolve().parents[2]
LINE = "+12025550100"
MEMBER = "+12025550123"
OTHER = "+12025550145"
SID_RE = r"[0-9a-f]{32}"


@pytest.fixture
def double() -> Iterator[TwilioDouble]:
    with TwilioDouble() as d:
        yield d


def make_client(double: TwilioDouble, timeout: float = 5.0, token: str = TEST_AUTH_TOKEN) -> Client:
    """The recipe from the module docstring, spelled out (no helper)."""
    client = Client(TEST_ACCOUNT_SID, token, http_client=TwilioHttpClient(timeout=timeout))
    client.api.base_url = double.url
    return client


@pytest.fixture
def client(double: TwilioDouble) -> Client:
    return make_client(double)


def send(client: Client, to: str = MEMBER, body: str = "hello") -> object:
    return client.messages.create(to=to, from_=LINE, body=body)


def test_message_create_is_recorded(double: TwilioDouble, client: Client) -> None:
    msg = client.messages.create(
        to=MEMBER, from_=LINE, body="Group tonight at 7", status_callback="https://line.example/status"
    )
    assert re.fullmatch("SM" + SID_RE, msg.sid)
    assert (msg.status, msg.to, msg.from_, msg.body) == ("queued", MEMBER, LINE, "Group tonight at 7")
    assert msg.num_segments == "1" and msg.account_sid == TEST_ACCOUNT_SID
    assert msg.date_created is not None and msg.uri.endswith(f"/Messages/{msg.sid}.json")
    (rec,) = double.requests
    assert rec.kind == "message" and rec.auth_ok and rec.valid and rec.status_code == 201
    assert rec.path == f"/2010-04-01/Accounts/{TEST_ACCOUNT_SID}/Messages.json"
    assert rec.form == {
        "To": MEMBER,
        "From": LINE,
        "Body": "Group tonight at 7",
        "StatusCallback": "https://line.example/status",
    }
    assert rec.sid == msg.sid and rec.at <= time.monotonic() and abs(rec.wall - time.time()) < 5
    assert double.messages == [rec] and double.texts_to(MEMBER) == ["Group tonight at 7"]
    assert double.texts_to(OTHER) == [] and double.calls == []


def test_basic_auth_is_checked_and_recorded(double: TwilioDouble, client: Client) -> None:
    send(client)
    (rec,) = double.requests
    assert rec.auth_ok and rec.auth_user == TEST_ACCOUNT_SID


def test_messaging_service_media_and_segments(double: TwilioDouble, client: Client) -> None:
    svc = "MG" + "a" * 32
    msg = client.messages.create(to=MEMBER, messaging_service_sid=svc, body="ñ" * 161)
    assert msg.from_ is None and msg.messaging_service_sid == svc and msg.num_segments == "2"
    mms = client.messages.create(
        to=MEMBER, from_=LINE, media_url=["https://a.example/1.png", "https://a.example/2.png"]
    )
    assert re.fullmatch("MM" + SID_RE, mms.sid) and mms.num_media == "2"
    assert double.messages[1].values("MediaUrl") == ["https://a.example/1.png", "https://a.example/2.png"]
    assert double.texts_to(MEMBER) == ["ñ" * 161, ""]


def test_call_create_is_recorded(double: TwilioDouble, client: Client) -> None:
    call = client.calls.create(
        to=MEMBER,
        from_=LINE,
        url="https://line.example/voice/bridge",
        status_callback="https://line.example/voice/status",
        status_callback_event=["initiated", "completed"],
    )
    assert re.fullmatch("CA" + SID_RE, call.sid)
    assert (call.status, call.direction, call.to, call._from) == ("queued", "outbound-api", MEMBER, LINE)
    (rec,) = double.calls
    assert rec.form["Url"] == "https://line.example/voice/bridge"
    assert rec.values("StatusCallbackEvent") == ["initiated", "completed"]
    assert double.calls_to(MEMBER) == [rec] and double.messages == []
    twiml = client.calls.create(to=OTHER, from_=LINE, twiml="<Response><Say>Hi</Say></Response>")
    assert twiml.sid != call.sid and double.calls_to(OTHER)[0].sid == twiml.sid


def test_base_url_override_and_region_pitfall(double: TwilioDouble) -> None:
    client = Client(TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, region="us1")
    client.api.base_url = double.url
    # With a region (or edge) set, the client rewrites the host of every URL: unusable.
    assert client.get_hostname(double.url + "/x") != double.url + "/x"
    client.edge = client.region = None
    assert client.get_hostname(double.url + "/x") == double.url + "/x"
    send(client)
    client.calls.create(to=MEMBER, from_=LINE, url="https://line.example/voice")
    assert len(double.messages) == 1 and len(double.calls) == 1
    helper = double.client()
    assert helper.messages.create(to=MEMBER, from_=LINE, body="x").sid


def test_rate_limit_429_is_not_retried_by_the_client(double: TwilioDouble, client: Client) -> None:
    double.fail_next(2, status=429, code=20429)
    for _ in range(2):
        with pytest.raises(TwilioRestException) as info:
            send(client)
        assert (info.value.status, info.value.code) == (429, 20429)
    assert len(double.requests) == 2  # one HTTP request per create: no hidden retry
    send(client)
    assert [r.status_code for r in double.requests] == [429, 429, 201]
    assert len(double.messages) == 1 and double.requests[0].error_code == 20429


@pytest.mark.parametrize(("status", "code"), [(500, 20500), (503, 20503)])
def test_server_errors(double: TwilioDouble, client: Client, status: int, code: int) -> None:
    double.fail_next(1, status=status)
    with pytest.raises(TwilioRestException) as info:
        send(client)
    assert (info.value.status, info.value.code) == (status, code)
    assert double.messages == [] and len(double.requests) == 1


def test_non_json_error_body(double: TwilioDouble, client: Client) -> None:
    double.fail_next(1, status=502, raw_body="<html>Bad Gateway</html>")
    with pytest.raises(TwilioRestException) as info:
        send(client)
    assert (info.value.status, info.value.code) == (502, 502)  # the client falls back to the status


@pytest.mark.parametrize("code", [21610, 21211, 21614])
def test_fail_for_number(double: TwilioDouble, client: Client, code: int) -> None:
    double.fail_for(MEMBER, code=code)
    for _ in range(2):
        with pytest.raises(TwilioRestException) as info:
            send(client)
        assert (info.value.status, info.value.code) == (400, code)
    send(client, to=OTHER)
    # An SMS opt-out does not block calls.
    client.calls.create(to=MEMBER, from_=LINE, url="https://line.example/voice")
    assert double.texts_to(MEMBER) == [] and double.texts_to(OTHER) == ["hello"]
    assert len(double.calls_to(MEMBER)) == 1
    assert [r.error_code for r in double.rejected] == [code, code]
    double.unfail(MEMBER)
    send(client)
    assert double.texts_to(MEMBER) == ["hello"]


def test_fail_for_calls_too(double: TwilioDouble, client: Client) -> None:
    double.fail_for(MEMBER, code=21211, kind="any")
    with pytest.raises(TwilioRestException) as info:
        client.calls.create(to=MEMBER, from_=LINE, url="https://line.example/voice")
    assert info.value.code == 21211 and double.calls == []


def test_slow_answer_times_out_in_the_client(double: TwilioDouble) -> None:
    client = make_client(double, timeout=0.2)
    double.delay_next(1, 1.0)
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):  # not wrapped in a TwilioRestException
        send(client)
    assert time.monotonic() - started < 0.9
    # Twilio got (and would send) it: a timeout does not mean "not sent".
    assert len(double.messages) == 1
    send(client, body="again")
    assert double.texts_to(MEMBER) == ["hello", "again"]


def test_script_hook(double: TwilioDouble, client: Client) -> None:
    double.script = lambda form: (400, 21614) if form.get("Body") == "landline?" else None
    with pytest.raises(TwilioRestException) as info:
        send(client, body="landline?")
    assert info.value.code == 21614
    send(client)
    assert double.texts_to(MEMBER) == ["hello"]


def test_unknown_and_ill_typed_parameters_are_refused(double: TwilioDouble, client: Client) -> None:
    # twilio 9.13 knows MessageIntent but the spec we validate against does not.
    with pytest.raises(TwilioRestException) as info:
        client.messages.create(to=MEMBER, from_=LINE, body="x", message_intent="notification")
    assert (info.value.status, info.value.code) == (400, CODE_INVALID_PARAMETER)
    with pytest.raises(TwilioRestException):
        client.messages.create(to=MEMBER, from_=LINE, body="x", validity_period="soon")  # type: ignore[arg-type]
    response = requests.post(
        f"{double.url}/2010-04-01/Accounts/{TEST_ACCOUNT_SID}/Messages.json",
        data={"To": MEMBER, "From": LINE, "Body": "x", "Bodyy": "typo"},
        auth=(TEST_ACCOUNT_SID, TEST_AUTH_TOKEN),
        timeout=5,
    )
    assert response.status_code == 400
    assert set(response.json()) == {"code", "message", "more_info", "status"}
    assert [r.valid for r in double.requests] == [False, False, False] and double.messages == []
    assert "Bodyy" in double.requests[-1].problems[0]


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"to": MEMBER, "from_": LINE}, 21602),
        ({"to": MEMBER, "body": "x"}, 21603),
        ({"to": "", "from_": LINE, "body": "x"}, 21604),
    ],
)
def test_missing_message_parameters(double: TwilioDouble, client: Client, kwargs: dict, code: int) -> None:
    with pytest.raises(TwilioRestException) as info:
        client.messages.create(**kwargs)
    assert (info.value.status, info.value.code) == (400, code)
    assert not double.requests[0].valid


def test_call_needs_url_twiml_or_application(double: TwilioDouble, client: Client) -> None:
    with pytest.raises(TwilioRestException) as info:
        client.calls.create(to=MEMBER, from_=LINE)
    assert info.value.status == 400 and not double.requests[0].valid and double.calls == []


def test_twilio_checks_on_valid_requests(double: TwilioDouble, client: Client) -> None:
    with pytest.raises(TwilioRestException) as info:
        send(client, to="202-555-0123")
    assert info.value.code == 21211 and double.requests[0].valid  # well-formed, but Twilio refuses
    with pytest.raises(TwilioRestException) as info:
        send(client, body="x" * 1601)
    assert info.value.code == 21617


def test_wrong_auth_is_401(double: TwilioDouble) -> None:
    client = make_client(double, token="wrong")
    with pytest.raises(TwilioRestException) as info:
        send(client)
    assert (info.value.status, info.value.code) == (401, 20003)
    (rec,) = double.requests
    assert not rec.auth_ok and rec.status_code == 401 and double.messages == []
    # Faults are not consumed by unauthenticated requests.
    double.fail_next(1)
    with pytest.raises(TwilioRestException):
        send(client)
    with pytest.raises(TwilioRestException) as info:
        send(make_client(double))
    assert info.value.status == 429


def test_api_key_auth_and_unknown_route() -> None:
    key, secret = "SK" + "1" * 32, "key-secret"
    with TwilioDouble(api_keys={key: secret}) as double:
        client = Client(key, secret, TEST_ACCOUNT_SID)
        client.api.base_url = double.url
        send(client)
        assert double.requests[0].auth_ok and len(double.messages) == 1
        with pytest.raises(TwilioRestException) as info:
            client.messages("SM" + "0" * 32).fetch()
        assert (info.value.status, info.value.code) == (404, 20404)
        assert double.requests[-1].kind == "other"


def test_wait_for_async_sender(double: TwilioDouble, client: Client) -> None:
    timer = threading.Timer(0.1, lambda: send(client, body="later"))
    timer.start()
    try:
        assert not double.texts_to(MEMBER)
        assert double.wait_for(lambda: double.texts_to(MEMBER), timeout=5)
        assert not double.wait_for(lambda: len(double.messages) > 1, timeout=0.05)
    finally:
        timer.join()
    double.clear()
    assert double.requests == []


def test_concurrent_sends_are_all_recorded(double: TwilioDouble, client: Client) -> None:
    threads = [threading.Thread(target=send, args=(client, MEMBER, f"m{i}")) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(double.texts_to(MEMBER)) == sorted(f"m{i}" for i in range(8))
    assert len({r.sid for r in double.messages}) == 8


def test_params_json_matches_the_operations() -> None:
    ops = operations()
    assert ops["message"]["required"] == ["To"]
    assert ops["message"]["one_of"] == [["From", "MessagingServiceSid"], ["Body", "MediaUrl", "ContentSid"]]
    assert ops["call"]["one_of"] == [["Url", "Twiml", "ApplicationSid"]]
    assert ops["call"]["params"]["StatusCallbackEvent"]["type"] == "array"


def test_num_segments() -> None:
    assert [num_segments("a" * n) for n in (0, 1, 160, 161, 306, 307)] == [0, 1, 1, 2, 2, 3]
    assert [num_segments("á" * n) for n in (70, 71, 134, 135)] == [1, 2, 2, 3]
    assert num_segments("{" * 80) == 1 and num_segments("{" * 81) == 2  # extension chars count 2
    assert num_segments("é ñ ü ¿ ¡") == 1 and num_segments("👍" * 35) == 1 and num_segments("👍" * 36) == 2


def test_standalone_process() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.support.twilio_double", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        with selectors.DefaultSelector() as sel:
            sel.register(proc.stdout, selectors.EVENT_READ)
            assert sel.select(timeout=10), "double printed no URL"
        url = proc.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)
        client = Client(TEST_ACCOUNT_SID, TEST_AUTH_TOKEN)
        client.api.base_url = url
        before = time.time()
        msg = send(client)
        with urllib.request.urlopen(f"{url}/_double/stats", timeout=5) as response:
            stats = json.loads(response.read())
        assert stats["counts"]["messages"] == 1 and stats["counts"]["requests"] == 1
        (entry,) = stats["requests"]
        assert entry["sid"] == msg.sid and entry["to"] == MEMBER and before <= entry["wall"] <= time.time()
        remote = RemoteDouble(url)
        remote.fail_next(1, status=429)
        with pytest.raises(TwilioRestException) as info:
            send(client)
        assert info.value.code == 20429
        assert remote.stats(since=1, forms=False)["requests"][0]["status_code"] == 429
        remote.reset()
        assert remote.stats()["counts"]["requests"] == 0
        send(client)
        assert remote.wait_for_count("messages", 1, timeout=5)
    finally:
        proc.terminate()
        assert proc.wait(timeout=5) == 0

"""Redis round trips per inbound text, counted on a real Redis: the turn's reads (with the dedupe claim)
in one, the webhook's writes in one.

The web process's own Redis client is wrapped: its connection class counts each packed send (one
command alone, or a whole pipeline), which is one round trip. The app runs on the real clock (the test
clock would add a read of its own).
"""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace

import pytest
from flask.testing import FlaskClient

from tests.support.harness import LINE_NUMBER, PUBLIC_URL, TEST_ACCOUNT_SID, Harness, member_number, replies
from textline import create_app
from textline.core.line import Line

M1, M2 = member_number(3301), member_number(3302)


class RoundTrips:
    """The commands each round trip sent, for the web's client."""

    def __init__(self, line: Line) -> None:
        self.pool = line.r.connection_pool
        self.base = self.pool.connection_class
        sent: list[bytes] = []
        self.sent = sent
        base = self.base

        class Counting(base):  # type: ignore[misc, valid-type]
            def send_packed_command(self, command: object, check_health: bool = True) -> None:
                packed = b"".join(command) if isinstance(command, list) else command
                if not packed.startswith(b"*1\r\n$4\r\nPING"):  # the client's idle health check
                    sent.append(packed)
                super().send_packed_command(command, check_health)

        self.pool.disconnect()
        self.pool.connection_class = Counting

    def restore(self) -> None:
        self.pool.disconnect()
        self.pool.connection_class = self.base


@pytest.fixture
def web(line: Harness) -> Iterator[tuple[FlaskClient, RoundTrips]]:
    settings = replace(line.settings, test_clock=False)
    app = create_app(settings)
    counted = RoundTrips(Line.from_settings(settings))
    try:
        yield app.test_client(), counted
    finally:
        counted.restore()


def texts(line: Harness, client: FlaskClient, body: str, sender: str = M1) -> list[str]:
    params = {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": TEST_ACCOUNT_SID, "From": sender,
              "To": LINE_NUMBER, "Body": body, "NumMedia": "0"}
    response = client.post("/twilio/sms", data=params, base_url=PUBLIC_URL,
                           headers={"X-Twilio-Signature": line.sign("/twilio/sms", params)})
    assert response.status_code == 200, response.data
    return replies(response.data)


def trips(line: Harness, web: tuple[FlaskClient, RoundTrips], body: str) -> tuple[int, list[str]]:
    client, counted = web
    counted.sent.clear()
    answer = texts(line, client, body)
    assert answer, "every one of these texts is answered"
    return len(counted.sent), answer


def test_an_ordinary_command_takes_two_round_trips(line: Harness, web: tuple[FlaskClient, RoundTrips]) -> None:
    for body in ("hi", "YES", "MENU"):  # the connection's setup (HELLO) and each script's first load (one
        texts(line, web[0], body, sender=M2)  # EVAL after Redis says NOSCRIPT) are not a turn's
    count, answer = trips(line, web, "hi")  # a first contact: its record is written with the answer kept
    assert "YES" in answer[0] and count == 2, web[1].sent
    count, _ = trips(line, web, "YES")  # the activation and what waited for it (a JOIN code, words) in one
    assert count == 3, web[1].sent
    count, answer = trips(line, web, "MENU")
    assert "Check in" in answer[0]
    assert count == 2, web[1].sent
    count, _ = trips(line, web, "thanks")  # an acknowledgement: a kind word, nothing opened
    assert count == 2, web[1].sent


def test_a_check_in_conversation_reads_its_state_once_a_text(line: Harness,
                                                              web: tuple[FlaskClient, RoundTrips]) -> None:
    """The check-in's own writes (its session, the entry, the prompt's answer) are the flows' and come
    between; the reads never multiply."""
    for body in ("hi", "YES"):
        trips(line, web, body)
    counts = {body: trips(line, web, body)[0] for body in ("CHECKIN", "4", "SKIP")}
    assert counts == {"CHECKIN": 3, "4": 5, "SKIP": 4}, counts
    reads = [sent for sent in web[1].sent if b"HGETALL" in sent]
    assert len(reads) <= 2, reads  # SKIP: the turn's state, and the prompt schedule the thanks depends on

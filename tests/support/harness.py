"""The test line: settings from env + TOML, signed webhooks, burst workers, the Twilio double."""
from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
import redis
from click.testing import CliRunner, Result
from flask import Flask
from flask.testing import FlaskClient
from twilio.request_validator import RequestValidator
from werkzeug.test import TestResponse

from tests.support.twilio_double import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, TwilioDouble
from textline.core import clock, queues, redis_conn
from textline.core.line import Line
from textline.core.settings import Settings
from workers import process, runtime

PUBLIC_URL = "https://line.example.org"
LINE_NUMBER = "+15005550006"
#: Settings every test starts from: generous rate, fast retries, no quiet hours unless a test sets them.
BASE_TOML = {
    "name": "Test Line",
    "quiet_hours": "00:00-00:00",
    "send_rate": 1000.0,
    "sending": {"retry_backoff": "10ms", "lease": "2s", "crisis_lease": "2s"},
}


def member_number(n: int) -> str:
    """Valid test numbers (+1 202 555 01xx style)."""
    return f"+1202555{n:04d}"


def staff_number(n: int) -> str:
    return f"+1312555{n:04d}"


class Person:
    """A phone texting the line."""

    def __init__(self, harness: Harness, phone: str) -> None:
        self.harness = harness
        self.phone = phone

    def texts(self, body: str, **extra: str) -> list[str]:
        """Send `body`; the replies in the webhook's TwiML."""
        response = self.harness.sms(self.phone, body, **extra)
        assert response.status_code == 200, response.data
        return replies(response.data)

    def joins(self) -> Person:
        """First contact and consent."""
        self.texts("hi")
        self.texts("YES")
        return self

    @property
    def received(self) -> list[str]:
        """Texts that reached the Twilio double for this number."""
        return self.harness.twilio.texts_to(self.phone)


def replies(xml: bytes | str) -> list[str]:
    return ["".join(m.itertext()) for m in ElementTree.fromstring(xml).iter("Message")]


def toml_value(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return repr(value)


def to_toml(data: dict[str, Any], prefix: str = "") -> str:
    plain = [f"{k} = {toml_value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    tables = [f"\n[{prefix}{k}]\n" + to_toml(v, f"{prefix}{k}.") for k, v in data.items() if isinstance(v, dict)]
    return "\n".join(plain) + "\n" + "".join(tables)


class Harness:
    """One test's line. `configure(**toml)` rebuilds settings from a TOML file and the environment."""

    def __init__(self, redis_url: str, twilio: TwilioDouble, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.redis_url = redis_url
        self.twilio = twilio
        self.tmp_path = tmp_path
        self.monkeypatch = monkeypatch
        self.validator = RequestValidator(TEST_AUTH_TOKEN)
        self.settings: Settings
        self.app: Flask
        self.client: FlaskClient
        self.line: Line
        self.r: redis.Redis = redis.Redis.from_url(redis_url, decode_responses=True)
        self.r.flushdb()
        twilio.reset()

    # -- set-up -------------------------------------------------------------------------------------------
    def env(self) -> dict[str, str]:
        return {
            "REDIS_URL": self.redis_url,
            "TWILIO_ACCOUNT_SID": TEST_ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": TEST_AUTH_TOKEN,
            "TWILIO_API_URL": self.twilio.url,
            "TEXTLINE_NUMBER": LINE_NUMBER,
            "TEXTLINE_PUBLIC_URL": PUBLIC_URL,
            "TEXTLINE_REGION": "US",
            "TEXTLINE_SECRET_KEY": "test-secret",
            "TEXTLINE_DATA_DIR": str(self.tmp_path / "var"),
            "TEXTLINE_CONFIG": str(self.tmp_path / "textline.toml"),
            "TEXTLINE_TEST_CLOCK": "1",
        }

    def configure(self, **toml: Any) -> Harness:
        """(Re)build the line with BASE_TOML updated by `toml` (nested tables merge)."""
        merged: dict[str, Any] = json.loads(json.dumps(BASE_TOML))
        for key, value in toml.items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key].update(value)
            else:
                merged[key] = value
        (self.tmp_path / "textline.toml").write_text(to_toml(merged))
        for name, value in self.env().items():
            self.monkeypatch.setenv(name, value)
        # Production mode, as a real line runs: a test that needs dev mode sets TEXTLINE_ENV=dev itself.
        for name in ("TWILIO_EDGE", "TWILIO_REGION", "TEXTLINE_CRISIS_LEXICON_DIR", "TEXTLINE_ENV",
                     "TEXTLINE_METRICS_TOKEN"):
            self.monkeypatch.delenv(name, raising=False)
        runtime.reset()
        from textline import create_app

        self.settings = Settings.from_env()
        self.app = create_app(self.settings)
        self.app.testing = True
        self.client = self.app.test_client()
        self.line = Line.from_settings(self.settings)
        return self

    def close(self) -> None:
        runtime.reset()
        redis_conn.forget_clients()

    # -- texting --------------------------------------------------------------------------------------------
    def sign(self, path: str, params: dict[str, str]) -> str:
        return self.validator.compute_signature(PUBLIC_URL + path, params)

    def post(self, path: str, params: dict[str, str], *, signed: bool = True,
             signature: str | None = None) -> TestResponse:
        headers = {}
        if signed:
            headers["X-Twilio-Signature"] = signature or self.sign(path, params)
        return self.client.post(path, data=params, headers=headers, base_url=PUBLIC_URL)

    def sms(self, phone: str, body: str, *, signed: bool = True, sid: str | None = None,
            **extra: str) -> TestResponse:
        params = {"MessageSid": sid or "SM" + uuid.uuid4().hex, "AccountSid": TEST_ACCOUNT_SID, "From": phone,
                  "To": LINE_NUMBER, "Body": body, "NumMedia": "0", **extra}
        return self.post("/twilio/sms", params, signed=signed)

    def member(self, phone: str) -> Person:
        return Person(self, phone)

    def status(self, sid: str, status: str, error: str = "") -> TestResponse:
        params = {"MessageSid": sid, "MessageStatus": status, "AccountSid": TEST_ACCOUNT_SID}
        if error:
            params["ErrorCode"] = error
        return self.post("/twilio/status", params)

    # -- time and workers -------------------------------------------------------------------------------------
    def set_clock(self, at: datetime) -> None:
        """Move the line's clock (web and workers read it from Redis)."""
        clock.set_test_clock(self.r, at)

    def work(self, names: Sequence[str] = queues.ALL, *, rounds: int = 30, now: datetime | None = None) -> None:
        """Run burst workers and fire due timers until nothing is left to do now.

        The workers are `textline worker`'s own (`workers.process.LineWorker`), whose teardown is bounded.
        """
        process.drain(self.line, names, rounds=rounds, now=now)

    def work_until(self, predicate: Any, timeout: float = 10.0, names: Sequence[str] = queues.ALL) -> bool:
        """Work (and wait for timers in real time) until `predicate()` holds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.work(names)
            if predicate():
                return True
            time.sleep(0.05)
        return bool(predicate())

    # -- the command line -------------------------------------------------------------------------------------
    def cli(self, *args: str, input: str | None = None) -> Result:
        from textline.cli import main

        return CliRunner().invoke(main, list(args), input=input, env=dict(os.environ), catch_exceptions=False)

    def cli_json(self, *args: str) -> Any:
        result = self.cli(*args, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

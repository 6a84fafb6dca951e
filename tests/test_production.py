"""Production never runs in dev mode by accident: attacks that worked while dev mode meant "no Twilio credentials".

A production server with one variable missing (a typo) used to accept unsigned webhooks, serve the
simulator and its outbox to anyone, and send nothing to Twilio. Now `textline web`, `textline worker`
and `create_app()` refuse to start, naming every missing variable; dev mode is only ever chosen on
purpose (`textline dev`, `TEXTLINE_ENV=dev`).
"""
from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.harness import PUBLIC_URL, Harness, member_number, staff_number
from textline import create_app
from textline.core.errors import ConfigError
from textline.core.settings import Settings
from textline.models import cases, staff
from textline.models.cases import CaseStatus

REQUIRED = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TEXTLINE_NUMBER", "TEXTLINE_PUBLIC_URL", "TEXTLINE_SECRET_KEY")
M1, ANA = member_number(1601), staff_number(1601)


@pytest.mark.parametrize("missing", REQUIRED)
def test_a_missing_variable_stops_web_worker_and_the_app_factory(line: Harness, missing: str) -> None:
    line.monkeypatch.delenv(missing)
    for command in (["web", "--port", "0"], ["worker", "--burst"], ["simulate", "--from", M1, "hi"]):
        result = line.cli(*command)
        assert result.exit_code == 2, (command, result.output)
        [message] = result.output.strip().splitlines()
        assert missing in message and "TEXTLINE_ENV=dev" in message, message
    with pytest.raises(ConfigError, match=missing):
        create_app()


def test_every_missing_variable_is_named_on_one_line(line: Harness) -> None:
    for name in REQUIRED:
        line.monkeypatch.delenv(name)
    result = line.cli("worker", "--burst")
    assert result.exit_code == 2
    [message] = result.output.strip().splitlines()
    assert all(name in message for name in REQUIRED), message


def test_gunicorn_boots_no_worker_without_the_auth_token(line: Harness, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TWILIO_AUTH_TOKEN"}
    proc = subprocess.run([sys.executable, "-m", "gunicorn", "-w", "1", "-b", "127.0.0.1:0", "textline:create_app()"],
                          env=env, capture_output=True, text=True, timeout=60, cwd=Path(__file__).parents[1])
    assert proc.returncode != 0
    assert "missing TWILIO_AUTH_TOKEN" in proc.stderr and "Worker failed to boot" in proc.stderr


def test_an_unknown_textline_env_is_refused(line: Harness) -> None:
    line.monkeypatch.setenv("TEXTLINE_ENV", "staging")
    result = line.cli("worker", "--burst")
    assert result.exit_code != 0 and "TEXTLINE_ENV" in result.output


def test_production_serves_no_simulator(line: Harness) -> None:
    for path in ("/", "/simulator", "/simulator/outbox", f"/simulator/outbox?to={M1}"):
        assert line.client.get(path, base_url=PUBLIC_URL).status_code == 404, path


def test_an_unsigned_ack_from_a_staff_number_is_refused_and_changes_nothing(line: Harness) -> None:
    staff.add(line.r, "Ana", ANA, staff.Role.CRISIS)
    line.member(ANA).texts("ON")
    line.member(M1).joins().texts("I want to kill myself")
    [case] = cases.all_cases(line.r)
    before = {k: line.r.dump(k) for k in line.r.scan_iter("*")}
    for path, params in (("/twilio/sms", {"MessageSid": "SM" + "a" * 32, "From": ANA, "Body": f"ACK {case.id}"}),
                         ("/twilio/voice", {"CallSid": "CA" + "b" * 32, "From": ANA}),
                         ("/twilio/status", {"MessageSid": "SM" + "c" * 32, "MessageStatus": "delivered"})):
        assert line.post(path, params, signed=False).status_code == 403, path
        assert line.post(path, params, signature="bm90IGEgc2lnbmF0dXJl").status_code == 403, path
    assert {k: line.r.dump(k) for k in line.r.scan_iter("*")} == before
    assert cases.get(line.r, case.id).status == CaseStatus.OPEN


def test_dev_mode_is_chosen_on_purpose_and_said_loudly(line: Harness, caplog: pytest.LogCaptureFixture) -> None:
    for name in REQUIRED:
        line.monkeypatch.delenv(name)
    line.monkeypatch.setenv("TEXTLINE_ENV", "dev")
    caplog.set_level(logging.WARNING)
    from textline.core import logs

    logs._warned.discard(os.getpid())
    app = create_app()
    create_app()  # once per process, however many apps it makes
    said = [r for r in caplog.records if "DEV MODE" in r.getMessage()]
    assert len(said) == 1 and said[0].levelno == logging.WARNING
    client = app.test_client()
    assert client.get("/simulator").status_code == 200
    unsigned = {"MessageSid": "SM" + "d" * 32, "From": M1, "To": "+15005550006", "Body": "hi"}
    assert client.post("/twilio/sms", data=unsigned).status_code == 200, "the simulator posts unsigned"


def test_settings_never_show_their_secrets() -> None:
    settings = Settings.from_env({"TWILIO_ACCOUNT_SID": "AC" + "1" * 32, "TWILIO_AUTH_TOKEN": "tok-very-secret",
                                  "TEXTLINE_SECRET_KEY": "key-very-secret", "TEXTLINE_METRICS_TOKEN": "met-secret",
                                  "REDIS_URL": "rediss://user:redis-pass@db.example.org:6380/0"})
    shown = repr(settings) + str(settings) + f"{settings!r}"
    for secret in ("tok-very-secret", "key-very-secret", "met-secret", "redis-pass"):
        assert secret not in shown
    assert "AC" + "1" * 32 in shown and "db.example.org" in shown and "auth_token='***'" in shown

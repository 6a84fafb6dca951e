"""Settings from the environment and the TOML file."""
from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from textline.core.durations import parse_duration
from textline.core.errors import ConfigError
from textline.core.settings import DEV_NUMBER, QuietHours, Settings


def test_defaults_work_in_dev_mode() -> None:
    settings = Settings.from_env({"TEXTLINE_ENV": "dev"})
    assert settings.dev_mode and settings.missing() == []
    assert settings.number == DEV_NUMBER and len(settings.secret_key) == 64
    assert settings.redis_url is None and settings.data_dir == Path("var")
    assert settings.api_url == "https://api.twilio.com"
    assert settings.session_timeout == 1800 and settings.crisis_ack_timeout == 300
    assert settings.reminders_before == (86400, 7200)
    assert settings.crisis_lexicon_dir is None


def test_environment_and_toml(tmp_path: Path) -> None:
    config = tmp_path / "line.toml"
    config.write_text('''
name = "Riverside Peer Line"
timezone = "America/Chicago"
quiet_hours = "22:00-07:30"
send_rate = 3
session_timeout = "10m"
twilio_opt_out = true
[crisis]
ack_timeout = "2m"
resource.en = "Call 988."
[callbacks]
claim_timeout = "15m"
[reminders]
before = ["2h", "24h", "30m"]
''')
    settings = Settings.from_env({"TEXTLINE_CONFIG": str(config), "TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t",
                                  "TEXTLINE_NUMBER": "(202) 555-0143", "TEXTLINE_PUBLIC_URL": "https://x.org/",
                                  "REDIS_URL": "redis://r:6379/1", "TEXTLINE_CRISIS_LEXICON_DIR": str(tmp_path)})
    assert not settings.dev_mode
    assert settings.number == "+12025550143"
    assert settings.public_url == "https://x.org"
    assert settings.name == "Riverside Peer Line"
    assert settings.quiet_hours == QuietHours(time(22), time(7, 30))
    assert settings.send_rate == 3.0 and settings.session_timeout == 600 and settings.twilio_opt_out
    assert settings.crisis_ack_timeout == 120 and settings.resource("en") == "Call 988."
    assert "988" in settings.resource("es") and settings.claim_timeout == 900
    assert settings.reminders_before == (86400, 7200, 1800)
    assert settings.crisis_lexicon_dir == tmp_path


@pytest.mark.parametrize("body", ['send_rate = 0', 'quiet_hours = "late"', 'timezone = "Mars/Base"',
                                  'session_timeout = "soon"', 'name = ""', 'this is not toml'])
def test_bad_settings_are_one_line_errors(tmp_path: Path, body: str) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(body)
    with pytest.raises(ConfigError):
        Settings.from_env({"TEXTLINE_CONFIG": str(config)})


def test_settings_are_frozen() -> None:
    settings = Settings.from_env({})
    with pytest.raises(AttributeError):
        settings.name = "x"  # type: ignore[misc]


@pytest.mark.parametrize(("text", "seconds"), [("30s", 30), ("5m", 300), ("2h", 7200), ("500ms", 0.5), (12, 12)])
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


def test_quiet_hours_across_midnight() -> None:
    quiet = QuietHours.parse("21:00-08:00")
    assert quiet.contains(time(23)) and quiet.contains(time(7, 59)) and not quiet.contains(time(8))
    assert not QuietHours.parse("00:00-00:00").contains(time(3))

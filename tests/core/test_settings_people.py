"""Settings for the people who answer: `[crisis] handover_number`, `[voice] ring_timeout`, `[peers]`."""
from __future__ import annotations

from pathlib import Path

import pytest

from textline.core.errors import ConfigError
from textline.core.settings import Settings

LINE = "+12025550143"


def settings(tmp_path: Path, body: str) -> Settings:
    config = tmp_path / "line.toml"
    config.write_text(body)
    return Settings.from_env({"TEXTLINE_CONFIG": str(config), "TEXTLINE_NUMBER": LINE})


def test_defaults(tmp_path: Path) -> None:
    found = settings(tmp_path, "")
    assert found.handover_number is None and found.ring_timeout == 20
    assert found.peers_max_per_shift == 6 and found.peers_pause_after_crisis == 15 * 60


def test_each_key_is_read(tmp_path: Path) -> None:
    found = settings(tmp_path, '[crisis]\nhandover_number = " +1 800 273 8255 "\n[voice]\nring_timeout = "25s"\n'
                               '[peers]\nmax_per_shift = 4\npause_after_crisis = "30m"\n')
    assert found.handover_number == "+18002738255" and found.ring_timeout == 25
    assert found.peers_max_per_shift == 4 and found.peers_pause_after_crisis == 1800
    assert settings(tmp_path, '[peers]\npause_after_crisis = "0s"\n').peers_pause_after_crisis == 0


@pytest.mark.parametrize(("body", "message"), [
    ('[crisis]\nhandover_number = "988"', "crisis.handover_number must be a phone number with its country code, "
                                          "like +18002738255, not '988'"),
    ('[crisis]\nhandover_number = "(800) 273-8255"', "with its country code"),
    ('[crisis]\nhandover_number = "+1 555 0100"', "with its country code"),
    (f'[crisis]\nhandover_number = "{LINE}"', "crisis.handover_number is the line's own number"),
    ('[voice]\nring_timeout = "5m"', "voice.ring_timeout must be between 1s and 60s, not '5m'"),
    ('[voice]\nring_timeout = "500ms"', "voice.ring_timeout must be between 1s and 60s"),
    ('[voice]\nring_timeout = "soon"', "not a duration: 'soon'"),
    ('[peers]\nmax_per_shift = 0', "peers.max_per_shift must be a whole number above 0, not 0"),
    ('[peers]\nmax_per_shift = "six"', "peers.max_per_shift must be a whole number above 0, not 'six'"),
    ('[peers]\npause_after_crisis = "a while"', "not a duration: 'a while'"),
])
def test_a_bad_value_is_a_one_line_error_naming_the_key(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        settings(tmp_path, body)
    assert message in str(raised.value) and "\n" not in str(raised.value)

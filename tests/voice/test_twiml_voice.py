"""Voice TwiML: replies read aloud with their choices, voices per language, and only the verbs Twilio accepts."""
from __future__ import annotations

import pytest

from flows.outcome import Reply
from tests.support.harness import Harness
from tests.support.voice import check_twiml, says
from textline.core.errors import ConfigError
from textline.voice import twiml
from textline.voice.twiml import Prompt, Spoken, VoiceConfig

CONFIG = VoiceConfig()


def test_choices_are_read_as_keys_but_a_bare_scale_is_not() -> None:
    said = twiml.replies("en", [Reply("Sure?", choices=(("1", "Yes"), ("2", "No"))),
                                      Reply("How are you?", choices=(("1", "1"), ("5", "5")))])
    assert [s.text for s in said] == ["Sure?", "Press 1 for Yes.", "Press 2 for No.", "How are you?"]
    assert [s.text for s in twiml.replies("es", [Reply("¿Seguro?", choices=(("1", "Sí"),))])] == [
        "¿Seguro?", "Pulsa 1 para Sí."]


def test_a_reply_s_own_voice_wording_wins() -> None:
    [said] = twiml.replies("en", [Reply("Text 988", voice="Call 988")])
    assert said.text == "Call 988"


def test_a_prompt_is_asked_again_once_on_silence_then_goodbye() -> None:
    prompt = Prompt("es", (Spoken("es", "¿Qué quieres hacer?"),), "/twilio/voice/gather?at=menu&t=1",
                    lead=(Spoken("es", "Hola."),))
    root = check_twiml(twiml.ask(prompt, CONFIG, Spoken("es", "Adiós.")))
    first, second = root.findall("Gather")
    assert says(first) == ["Hola.", "¿Qué quieres hacer?"] and says(second) == ["¿Qué quieres hacer?"]
    assert first.attrib == second.attrib == {
        "action": "/twilio/voice/gather?at=menu&t=1", "input": "dtmf speech", "language": "es-MX", "method": "POST",
        "numDigits": "1", "speechTimeout": "auto", "timeout": "5"}
    assert [v.tag for v in root] == ["Gather", "Gather", "Say", "Hangup"]
    assert {(s.get("language"), s.get("voice")) for s in root.iter("Say")} == {("es-MX", "Polly.Mia")}


def test_a_prompt_survives_being_stored() -> None:
    prompt = Prompt("en", (Spoken("es", "Pulsa 2."),), "/twilio/voice/gather?at=language&t=3", (Spoken("en", "Hi"),))
    assert Prompt.from_json(prompt.to_json()) == prompt
    assert prompt.again("/x?t=4").action == "/x?t=4"


def test_a_dial_rings_every_number_from_the_line_and_asks_each_to_press_first() -> None:
    root = check_twiml(twiml.dial([Spoken("en", "Connecting.")], ["+13125550301", "+13125550302"],
                                        caller_id="+15005550006", action="/twilio/voice/crisis-dial?t=2",
                                        whisper="/twilio/voice/crisis-accept?call=CA1", config=CONFIG))
    dial = root.find("Dial")
    assert dial.attrib["callerId"] == "+15005550006" and dial.attrib["answerOnBridge"] == "true"
    assert [(n.text, n.get("url")) for n in dial] == [("+13125550301", "/twilio/voice/crisis-accept?call=CA1"),
                                                      ("+13125550302", "/twilio/voice/crisis-accept?call=CA1")]


def test_hold_and_hangup_are_valid_documents() -> None:
    assert [v.tag for v in check_twiml(twiml.hold("/twilio/voice/gather?at=menu&t=2"))] == ["Pause", "Redirect"]
    assert [v.tag for v in check_twiml(twiml.hangup())] == ["Hangup"]
    assert len(check_twiml(twiml.BRIDGE)) == 0


def test_voices_and_timings_come_from_the_settings_file(line: Harness) -> None:
    line.configure(voice={"ring_timeout": "30s", "gather_timeout": "8s", "es": {"language": "es-US",
                                                                                 "voice": "Polly.Lupe"}})
    config = VoiceConfig.from_settings(line.settings)
    assert (config.ring_timeout, config.gather_timeout) == (30, 8)
    assert config.voices["es"] == ("es-US", "Polly.Lupe") and config.voices["en"] == ("en-US", "Polly.Joanna")


def test_a_bad_voice_setting_stops_the_web_process_at_start(line: Harness) -> None:
    with pytest.raises(ConfigError, match="ring_timeout"):
        line.configure(voice={"ring_timeout": "5m"})  # builds the app

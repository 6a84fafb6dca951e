"""Voice TwiML, built with `twilio.twiml.voice_response` only: what a caller hears, and where the answer goes.

A `Prompt` is said inside `<Gather input="dtmf speech" numDigits="1">`, said once more on silence, then
the call ends with a polite goodbye. Each sentence is a `<Say>` in its own language with a fitting voice
(`[voice.<lang>]` tables in the settings file may change them: `language = "es-US"`, `voice = "Polly.Lupe"`).
`VoiceConfig` holds that table, the one every `<Say>` of the line goes through (the caller's menu, the
call-back bridge, the alert call to staff).
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from twilio.twiml.voice_response import Gather, VoiceResponse

from flows.outcome import Reply
from textline.core import catalog
from textline.core.durations import parse_duration
from textline.core.errors import ConfigError
from textline.core.settings import Settings

#: language -> (the <Say> language, a voice that speaks it well).
DEFAULT_VOICES: Mapping[str, tuple[str, str]] = {"en": ("en-US", "Polly.Joanna"), "es": ("es-MX", "Polly.Mia")}
GATHER_TIMEOUT = 5
RING_TIMEOUT = 20
#: How long the handover line may take to answer (a crisis line picks up with its own menu at once).
HANDOVER_TIMEOUT = 30
WHISPER_TIMEOUT = 8


@dataclass(frozen=True)
class Spoken:
    """One sentence and the language it is said in."""

    language: str
    text: str


@dataclass(frozen=True)
class Prompt:
    """What a caller hears before answering: `lead` once, then `ask`, which is said again on silence."""

    language: str
    ask: tuple[Spoken, ...]
    action: str
    lead: tuple[Spoken, ...] = ()

    def to_json(self) -> str:
        def pairs(items: Sequence[Spoken]) -> list[list[str]]:
            return [[s.language, s.text] for s in items]

        return json.dumps({"language": self.language, "ask": pairs(self.ask), "lead": pairs(self.lead),
                           "action": self.action})

    @classmethod
    def from_json(cls, text: str) -> Prompt:
        data = json.loads(text)
        return cls(data["language"], tuple(Spoken(*p) for p in data["ask"]), data["action"],
                   tuple(Spoken(*p) for p in data["lead"]))

    def again(self, action: str) -> Prompt:
        """The same words, answered at `action` (a repeat is a new turn of the call)."""
        return Prompt(self.language, self.ask, action, self.lead)


@dataclass(frozen=True)
class VoiceConfig:
    voices: Mapping[str, tuple[str, str]] = field(default_factory=lambda: dict(DEFAULT_VOICES))
    gather_timeout: int = GATHER_TIMEOUT
    ring_timeout: int = RING_TIMEOUT

    @classmethod
    def from_settings(cls, settings: Settings) -> VoiceConfig:
        """`[voice]` gather_timeout ("5s"), ring_timeout (read by Settings) and `[voice.<lang>]` language, voice."""
        raw = settings.section("voice")
        voices = dict(DEFAULT_VOICES)
        for lang, table in raw.items():
            if isinstance(table, Mapping):
                say_language, voice = voices.get(lang, ("en-US", ""))
                voices[lang] = (str(table.get("language", say_language)), str(table.get("voice", voice)))

        def seconds(name: str, default: int) -> int:
            value = int(parse_duration(raw[name])) if name in raw else default
            if not 1 <= value <= 60:
                raise ConfigError(f"voice.{name} must be between 1s and 60s")
            return value

        return cls(voices, seconds("gather_timeout", GATHER_TIMEOUT), round(settings.ring_timeout))

    def say_language(self, language: str) -> str:
        return self.voices.get(language, DEFAULT_VOICES["en"])[0]

    def say(self, node: VoiceResponse | Gather, spoken: Spoken, loop: int = 1) -> None:
        """`<Say>` the sentence in its language's voice; `loop` > 1 says it that many times."""
        say_language, voice = self.voices.get(spoken.language, DEFAULT_VOICES["en"])
        extra: dict[str, object] = {"voice": voice} if voice else {}
        if loop > 1:
            extra["loop"] = loop
        node.say(spoken.text, language=say_language, **extra)


def speak(language: str, entry: str, **values: object) -> Spoken:
    """A catalog entry's voice wording ([ivr] in texts/<lang>/voice.toml exist only as that)."""
    return Spoken(language, catalog.render(language, entry, voice=True, **values))


def replies(language: str, said: Iterable[Reply]) -> list[Spoken]:
    """A flow's replies as sentences, each choice read as "Press 1 for ..." (a bare 1-5 scale is not)."""
    out: list[Spoken] = []
    for reply in said:
        out.append(Spoken(language, reply.voice or reply.text))
        for key, label in reply.choices:
            if label != key:
                out.append(speak(language, "ivr.press", digit=key, label=label))
    return out


def _gather(response: VoiceResponse, prompt: Prompt, config: VoiceConfig, words: Sequence[Spoken]) -> None:
    gather = response.gather(input="dtmf speech", num_digits=1, timeout=config.gather_timeout,
                             speech_timeout="auto", action=prompt.action, method="POST",
                             language=config.say_language(prompt.language))
    for spoken in words:
        config.say(gather, spoken)


def ask(prompt: Prompt, config: VoiceConfig, goodbye: Spoken) -> str:
    """The prompt, once more on silence, then `goodbye` and hang up."""
    response = VoiceResponse()
    _gather(response, prompt, config, (*prompt.lead, *prompt.ask))
    _gather(response, prompt, config, prompt.ask)
    config.say(response, goodbye)
    response.hangup()
    return str(response)


def end(words: Iterable[Spoken], config: VoiceConfig) -> str:
    """Say `words` and hang up."""
    response = VoiceResponse()
    for spoken in words:
        config.say(response, spoken)
    response.hangup()
    return str(response)


def dial(lead: Iterable[Spoken], numbers: Sequence[str], *, caller_id: str, action: str, whisper: str | None,
         config: VoiceConfig, timeout: int | None = None) -> str:
    """Ring every number at once from the line's own number (for `ring_timeout`, or `timeout`).

    With `whisper`, each person must press a key first (no voicemail is ever bridged); without it
    (the handover to a crisis line, which answers with its own menu) the caller is connected at once.
    """
    response = VoiceResponse()
    for spoken in lead:
        config.say(response, spoken)
    bridge = response.dial(caller_id=caller_id, timeout=timeout or config.ring_timeout, action=action,
                           method="POST", answer_on_bridge=True)
    for number in numbers:
        if whisper:
            bridge.number(number, url=whisper, method="POST")
        else:
            bridge.number(number)
    return str(response)


def whisper(words: Sequence[Spoken], action: str, config: VoiceConfig) -> str:
    """What the person being dialled hears before the bridge: press 1 to take it, else the leg hangs up."""
    response = VoiceResponse()
    for _ in range(2):
        gather = response.gather(input="dtmf", num_digits=1, timeout=WHISPER_TIMEOUT, action=action, method="POST")
        for spoken in words:
            config.say(gather, spoken)
    response.hangup()
    return str(response)


def hold(path: str) -> str:
    """A short pause, then ask again: the first delivery of this request is still being answered."""
    response = VoiceResponse()
    response.pause(length=1)
    response.redirect(path, method="POST")
    return str(response)


def hangup() -> str:
    response = VoiceResponse()
    response.hangup()
    return str(response)


#: An empty document: the whispered leg is bridged to the caller.
BRIDGE = str(VoiceResponse())

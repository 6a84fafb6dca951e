"""One frozen, typed settings object, built from the environment and the TOML file.

Web, workers and the CLI all build it the same way with `Settings.from_env()`.
Nothing here reads the environment at import time.

Production is the default. Development mode (outbox instead of Twilio, unsigned webhooks, the
simulator page) is only ever chosen on purpose: `textline dev`, or `TEXTLINE_ENV=dev`. In
production, `require_production()` names every variable that is missing, so a typo in one of
them stops the process instead of quietly turning the line into a dev line.
"""
from __future__ import annotations

import os
import secrets
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from textline.core.durations import parse_duration
from textline.core.errors import ConfigError, InvalidNumber
from textline.core.phones import parse_phone

DEV_NUMBER = "+15005550006"
DEFAULT_API_URL = "https://api.twilio.com"
DEFAULT_RESOURCES = {
    "en": "Call or text 988 (Suicide & Crisis Lifeline). In danger now, call 911.",
    "es": "Llama o escribe al 988. Si estas en peligro ahora, llama al 911.",
}
#: The line's name is placed in one-segment texts, so it is kept short.
MAX_NAME = 30
#: `TEXTLINE_ENV` values: development on purpose, or production (the default).
DEV_ENVS = frozenset({"dev", "development"})
PRODUCTION_ENVS = frozenset({"", "prod", "production"})
#: What production cannot run without, by environment variable and field.
REQUIRED = (("TWILIO_ACCOUNT_SID", "account_sid"), ("TWILIO_AUTH_TOKEN", "auth_token"),
            ("TEXTLINE_NUMBER", "number"), ("TEXTLINE_PUBLIC_URL", "public_url"),
            ("TEXTLINE_SECRET_KEY", "secret_key"))
#: `[voice] ring_timeout` bounds, in seconds: long enough to pick up, short enough for a caller in crisis.
MIN_RING, MAX_RING = 1.0, 60.0
#: Fields never shown by `repr` (a settings object printed in a log or a traceback).
SECRETS = frozenset({"auth_token", "secret_key", "metrics_token"})


@dataclass(frozen=True)
class QuietHours:
    """A daily window, in each member's local time, when unprompted texts wait."""

    start: time
    end: time

    def contains(self, local: time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        try:
            start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
        except ValueError as exc:
            raise ConfigError(f"quiet_hours must look like 21:00-08:00, not {text!r}") from exc
        return cls(start, end)


@dataclass(frozen=True)
class Settings:
    """Everything textline is told by its operator.

    `dev=True` fills in what a development line may go without (the line's number, a secret key);
    production leaves them empty, and `require_production()` refuses to start without them.
    """

    redis_url: str | None = None
    data_dir: Path = Path("var")
    account_sid: str | None = None
    auth_token: str | None = None
    api_url: str = DEFAULT_API_URL
    number: str = ""
    public_url: str | None = None
    region: str = "US"
    secret_key: str = ""
    config_path: Path | None = None
    #: TEXTLINE_ENV=dev (or `textline dev`): outbox, unsigned webhooks, the simulator page.
    dev: bool = False
    #: TEXTLINE_METRICS_TOKEN: bearer token for /metrics and for /healthz's details.
    metrics_token: str | None = None

    # From the TOML file.
    name: str = "Peer Line"
    languages: tuple[str, ...] = ("en", "es")
    timezone: str = "America/New_York"
    quiet_hours: QuietHours = QuietHours(time(21, 0), time(8, 0))
    send_rate: float = 1.0
    session_timeout: float = 1800.0
    twilio_opt_out: bool = False
    crisis_ack_timeout: float = 300.0
    crisis_resources: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_RESOURCES))
    crisis_call_staff: bool = False
    claim_timeout: float = 600.0
    reminders_before: tuple[float, ...] = (86400.0, 7200.0)
    checkin_retention: float = 365 * 86400.0
    message_retention: float = 30 * 86400.0
    job_retention: float = 3600.0
    retry_backoff: float = 1.0
    retry_max: int = 12
    send_lease: float = 15.0
    http_timeout: float = 10.0
    #: [sending] crisis_lease: how long a crisis text or alert's delivery may hold its lock; a worker that dies
    #: mid-send is covered this long (plus the ticker's second) after it began. Its HTTP timeout is below it.
    send_crisis_lease: float = 6.0
    inbound_rate: int = 30
    #: [retention] pending: a number that never said YES is forgotten after this long.
    pending_retention: float = 7 * 86400.0
    #: [retention] cases: a closed crisis case is kept this long after it closed.
    case_retention: float = 90 * 86400.0
    #: [retention] conversations: relayed texts (the transcript and their message records).
    conversation_retention: float = 7 * 86400.0
    #: [web] proxies: how many proxies in front of `web` set X-Forwarded-For / -Proto (0: trust none).
    web_proxies: int = 0
    test_clock: bool = False
    #: TEXTLINE_CRISIS_LEXICON_DIR: `*.toml` files there extend the crisis lexicon (flows/crisis_detect.py).
    crisis_lexicon_dir: Path | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)
    checkin_prompt_window: float = 8 * 3600.0   # [checkins] prompt_window: a prompt's answer window
    checkin_missed_limit: int = 3               # [checkins] missed_limit: unanswered prompts -> outreach
    #: [crisis] handover_number: a crisis line (E.164) a caller is connected to when no staff member takes
    #: their crisis call within ring_timeout, or at once when nobody is on call; None: no handover.
    handover_number: str | None = None
    #: [voice] ring_timeout: how long on-call crisis staff are rung for a crisis call (1s to 60s).
    ring_timeout: float = 20.0
    #: [peers] max_per_shift: requests offered to one peer in one shift (they may still TAKE from QUEUE).
    peers_max_per_shift: int = 6
    #: [peers] pause_after_crisis: a peer is offered nothing for this long after a crisis case (0: no pause).
    peers_pause_after_crisis: float = 900.0

    def __post_init__(self) -> None:
        if self.dev:
            if not self.number:
                object.__setattr__(self, "number", DEV_NUMBER)
            if not self.secret_key:
                object.__setattr__(self, "secret_key", secrets.token_hex(32))

    def __repr__(self) -> str:
        shown = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in SECRETS and value:
                value = "***"
            elif f.name == "redis_url" and value:
                value = _hide_password(value)
            elif f.name == "raw":
                value = "{...}"
            shown.append(f"{f.name}={value!r}")
        return f"Settings({', '.join(shown)})"

    @property
    def dev_mode(self) -> bool:
        """Development on purpose only: sends go to the outbox, webhooks may be unsigned, the simulator is served."""
        return self.dev

    def missing(self) -> list[str]:
        """The variables production needs that are not set (none in dev mode)."""
        if self.dev:
            return []
        return [var for var, name in REQUIRED if not getattr(self, name)]

    def require_production(self) -> Settings:
        """These settings, or ConfigError naming every missing variable on one line (dev mode needs none)."""
        missing = self.missing()
        if missing:
            raise ConfigError(f"missing {', '.join(missing)}: production needs "
                              f"{'it' if len(missing) == 1 else 'them'} (for a local line with no Twilio account, "
                              "run `textline dev` or set TEXTLINE_ENV=dev)")
        if not self.dev and self.public_url and not self.public_url.startswith(("https://", "http://")):
            raise ConfigError(f"TEXTLINE_PUBLIC_URL must start with https:// (or http://), not {self.public_url!r}")
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def crisis_http_timeout(self) -> float:
        """The Twilio client's timeout for crisis texts and alerts: two thirds of their lease (4 s by default)."""
        return min(self.http_timeout, self.send_crisis_lease * 2 / 3)

    def resource(self, language: str) -> str:
        return self.crisis_resources.get(language) or self.crisis_resources.get("en") or DEFAULT_RESOURCES["en"]

    def section(self, name: str) -> Mapping[str, Any]:
        """A raw TOML section, for a feature's own optional keys."""
        value = self.raw.get(name, {})
        return value if isinstance(value, Mapping) else {}

    def but(self, **changes: Any) -> Settings:
        """A copy with some fields changed (tests, CLI overrides)."""
        return replace(self, **changes)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        base: dict[str, Any] = {}
        config = env.get("TEXTLINE_CONFIG")
        if config:
            path = Path(config)
            base.update(_from_toml(path))
            base["config_path"] = path
        pick = {
            "REDIS_URL": "redis_url",
            "TWILIO_ACCOUNT_SID": "account_sid",
            "TWILIO_AUTH_TOKEN": "auth_token",
            "TWILIO_API_URL": "api_url",
            "TEXTLINE_PUBLIC_URL": "public_url",
            "TEXTLINE_SECRET_KEY": "secret_key",
            "TEXTLINE_METRICS_TOKEN": "metrics_token",
        }
        kind = env.get("TEXTLINE_ENV", "").strip().lower()
        if kind not in DEV_ENVS | PRODUCTION_ENVS:
            raise ConfigError(f"TEXTLINE_ENV must be dev or production, not {env['TEXTLINE_ENV']!r}")
        base["dev"] = kind in DEV_ENVS
        for var, name in pick.items():
            if env.get(var):
                base[name] = env[var]
        if env.get("TEXTLINE_DATA_DIR"):
            base["data_dir"] = Path(env["TEXTLINE_DATA_DIR"])
        if env.get("TEXTLINE_REGION"):
            base["region"] = env["TEXTLINE_REGION"].upper()
        if env.get("TEXTLINE_NUMBER"):
            base["number"] = parse_phone(env["TEXTLINE_NUMBER"], base.get("region", "US"))
        if env.get("TEXTLINE_CRISIS_LEXICON_DIR"):
            base["crisis_lexicon_dir"] = Path(env["TEXTLINE_CRISIS_LEXICON_DIR"])
        if env.get("TEXTLINE_TEST_CLOCK") == "1":
            base["test_clock"] = True
        if "public_url" in base:
            base["public_url"] = base["public_url"].rstrip("/")
        if base.get("handover_number") and base["handover_number"] == base.get("number"):
            raise ConfigError("crisis.handover_number is the line's own number: give the crisis line's, "
                              "like +18002738255")
        return cls(**base)


def _hide_password(url: str) -> str:
    """A Redis URL without its password (`redis://:***@host`)."""
    head, at, tail = url.rpartition("@")
    if not at or "://" not in head:
        return url
    scheme, _, userinfo = head.partition("://")
    user = userinfo.split(":", 1)[0]
    return f"{scheme}://{user}:***@{tail}"


def _handover(value: object) -> str:
    """`[crisis] handover_number`: a whole number with its country code (E.164), as Twilio dials it."""
    text = str(value).strip()
    hint = f"crisis.handover_number must be a phone number with its country code, like +18002738255, not {value!r}"
    if not text.startswith("+"):
        raise ConfigError(hint)
    try:
        return parse_phone(text, "ZZ")
    except InvalidNumber as exc:
        raise ConfigError(hint) from exc


def _peers(peers: Mapping[str, Any]) -> dict[str, Any]:
    """`[peers] max_per_shift` (a whole number above 0) and `pause_after_crisis` (a duration, 0s for none)."""
    out: dict[str, Any] = {}
    if "max_per_shift" in peers:
        value = peers["max_per_shift"]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"peers.max_per_shift must be a whole number above 0, not {value!r}")
        out["peers_max_per_shift"] = value
    if "pause_after_crisis" in peers:
        pause = parse_duration(peers["pause_after_crisis"])
        if pause < 0:
            raise ConfigError(f"peers.pause_after_crisis must be 0s or more, not {peers['pause_after_crisis']!r}")
        out["peers_pause_after_crisis"] = pause
    return out


def _from_toml(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read TEXTLINE_CONFIG {path}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"TEXTLINE_CONFIG {path} is not valid TOML: {exc}") from exc
    out: dict[str, Any] = {"raw": data}
    if "name" in data:
        name = str(data["name"]).strip()
        if not name or len(name) > MAX_NAME:
            raise ConfigError(f"name must be 1 to {MAX_NAME} characters")
        out["name"] = name
    if "languages" in data:
        out["languages"] = tuple(str(x) for x in data["languages"])
    if "timezone" in data:
        try:
            ZoneInfo(str(data["timezone"]))
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(f"unknown timezone {data['timezone']!r}") from exc
        out["timezone"] = str(data["timezone"])
    if "quiet_hours" in data:
        out["quiet_hours"] = QuietHours.parse(str(data["quiet_hours"]))
    if "send_rate" in data:
        rate = float(data["send_rate"])
        if rate <= 0:
            raise ConfigError("send_rate must be above 0")
        out["send_rate"] = rate
    if "session_timeout" in data:
        out["session_timeout"] = parse_duration(data["session_timeout"])
    if "twilio_opt_out" in data:
        out["twilio_opt_out"] = bool(data["twilio_opt_out"])
    crisis = data.get("crisis", {})
    if "ack_timeout" in crisis:
        out["crisis_ack_timeout"] = parse_duration(crisis["ack_timeout"])
    if "resource" in crisis:
        out["crisis_resources"] = {**DEFAULT_RESOURCES, **{k: str(v) for k, v in crisis["resource"].items()}}
    if "call_staff" in crisis:
        out["crisis_call_staff"] = bool(crisis["call_staff"])
    if "handover_number" in crisis:
        out["handover_number"] = _handover(crisis["handover_number"])
    callbacks = data.get("callbacks", {})
    if "claim_timeout" in callbacks:
        out["claim_timeout"] = parse_duration(callbacks["claim_timeout"])
    reminders = data.get("reminders", {})
    if "before" in reminders:
        out["reminders_before"] = tuple(sorted((parse_duration(x) for x in reminders["before"]), reverse=True))
    retention = data.get("retention", {})
    for key, name in (("checkins", "checkin_retention"), ("messages", "message_retention"),
                      ("jobs", "job_retention"), ("pending", "pending_retention"), ("cases", "case_retention"),
                      ("conversations", "conversation_retention")):
        if key in retention:
            out[name] = parse_duration(retention[key])
    sending = data.get("sending", {})
    for key, name in (("retry_backoff", "retry_backoff"), ("lease", "send_lease"),
                      ("http_timeout", "http_timeout"), ("crisis_lease", "send_crisis_lease")):
        if key in sending:
            out[name] = parse_duration(sending[key])
    if "crisis_lease" in sending and not 1.5 <= out["send_crisis_lease"] <= 60:
        raise ConfigError(f"sending.crisis_lease must be 1.5s to 60s, not {sending['crisis_lease']!r}")
    if "retry_max" in sending:
        out["retry_max"] = int(sending["retry_max"])
    checkins = data.get("checkins", {})
    if "prompt_window" in checkins:
        out["checkin_prompt_window"] = parse_duration(checkins["prompt_window"])
    if "missed_limit" in checkins:
        if not isinstance(checkins["missed_limit"], int) or checkins["missed_limit"] < 1:
            raise ConfigError("checkins.missed_limit must be a whole number above 0")
        out["checkin_missed_limit"] = checkins["missed_limit"]
    if "inbound_rate" in data:
        out["inbound_rate"] = int(data["inbound_rate"])
    voice = data.get("voice", {})
    if "ring_timeout" in voice:
        out["ring_timeout"] = parse_duration(voice["ring_timeout"])
        if not MIN_RING <= out["ring_timeout"] <= MAX_RING:
            raise ConfigError(f"voice.ring_timeout must be between {MIN_RING:.0f}s and {MAX_RING:.0f}s, "
                              f"not {voice['ring_timeout']!r}")
    out.update(_peers(data.get("peers", {})))
    web = data.get("web", {})
    if "proxies" in web:
        if not isinstance(web["proxies"], int) or web["proxies"] < 0:
            raise ConfigError("web.proxies must be a whole number: how many proxies stand in front of web (0: none)")
        out["web_proxies"] = web["proxies"]
    return out

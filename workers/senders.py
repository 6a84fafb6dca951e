"""The one seam to the outside world: a Sender delivers texts and places calls.

`TwilioSender` uses the official client pointed at `TWILIO_API_URL`;
`OutboxSender` (dev mode) keeps what would have been sent in Redis.
Nothing else imports the Twilio REST client.
"""
from __future__ import annotations

import json
import logging
import time
import uuid
from datetime import datetime
from typing import Protocol

import redis
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from textline.core.errors import AmbiguousSendError, PermanentSendError, TransientSendError
from textline.core.settings import Settings

OUTBOX = "tl:outbox"
OUTBOX_LIMIT = 1000
#: Clock skew allowed between this machine and Twilio when matching an earlier attempt.
SKEW = 120.0
#: How many of a number's newest messages a lookup reads.
LOOKUP_LIMIT = 20


class Sender(Protocol):
    def send_sms(self, to: str, body: str, *, urgent: bool = False) -> str:
        """Hand a text to the carrier; the message sid. `urgent` (crisis work): within the crisis HTTP timeout."""
        ...

    def place_call(self, to: str, url: str, *, urgent: bool = False) -> str:
        """Start a call whose TwiML is at `url`; the call sid."""
        ...

    def find(self, channel: str, to: str, body: str, since: float, *, urgent: bool = False) -> list[str]:
        """Sids of texts (or calls) to `to` with this body created since `since` (epoch seconds), newest first.

        Asked after an attempt that got no answer (a timeout, a killed process): the carrier may have it.
        """
        ...


def unreachable(exc: requests.RequestException) -> TransientSendError:
    """No connection means nothing was sent; any other failure may have reached Twilio."""
    message = f"twilio unreachable: {type(exc).__name__}"
    if isinstance(exc, requests.ConnectTimeout) or (
            isinstance(exc, requests.ConnectionError) and "refused" in str(exc).lower()):
        return TransientSendError(message)
    return AmbiguousSendError(message)


def classify(exc: TwilioRestException) -> TransientSendError | PermanentSendError:
    """429 / 20429 and 5xx are worth retrying; every other refusal is final."""
    status, code = exc.status, exc.code
    message = f"twilio refused: HTTP {status}, code {code}"
    if status == 429 or code == 20429 or (status is not None and status >= 500):
        return TransientSendError(message, status=status, code=code)
    return PermanentSendError(message, status=status, code=code)


class TwilioSender:
    def __init__(self, settings: Settings) -> None:
        # The client logs every request's headers at INFO: noise, and time taken from the send rate.
        logging.getLogger("twilio.http_client").setLevel(logging.WARNING)
        self.settings = settings
        self.client = self._client(settings.http_timeout)
        # Crisis texts and alerts: a client whose timeout is below their short lease (`sending.crisis_lease`).
        self.urgent = self._client(settings.crisis_http_timeout)
        base = settings.public_url
        self.status_callback = f"{base}/twilio/status" if base else None
        self.voice_base = base or ""
        # The client loads its API modules on first use: do it now, not between a send slot and its request.
        self.messages, self.calls = self.client.messages, self.client.calls
        self.urgent_messages, self.urgent_calls = self.urgent.messages, self.urgent.calls

    def _client(self, timeout: float) -> Client:
        client = Client(self.settings.account_sid, self.settings.auth_token,
                        http_client=TwilioHttpClient(timeout=timeout))
        client.api.base_url = self.settings.api_url.rstrip("/")
        # An edge or region (argument or TWILIO_EDGE / TWILIO_REGION) would rewrite the host of every URL.
        client.edge = None
        client.region = None
        return client

    def send_sms(self, to: str, body: str, *, urgent: bool = False) -> str:
        kwargs = {"status_callback": self.status_callback} if self.status_callback else {}
        try:
            messages = self.urgent_messages if urgent else self.messages
            message = messages.create(to=to, from_=self.settings.number, body=body, **kwargs)
        except TwilioRestException as exc:
            raise classify(exc) from exc
        except requests.RequestException as exc:
            raise unreachable(exc) from exc
        except ValueError as exc:  # a 2xx answer that cannot be read: Twilio may well have taken it
            raise AmbiguousSendError(f"twilio answer unreadable: {type(exc).__name__}") from exc
        return str(message.sid)

    def place_call(self, to: str, url: str, *, urgent: bool = False) -> str:
        kwargs = {"status_callback": self.status_callback} if self.status_callback else {}
        try:
            calls = self.urgent_calls if urgent else self.calls
            call = calls.create(to=to, from_=self.settings.number, url=self.voice_base + url, method="POST", **kwargs)
        except TwilioRestException as exc:
            raise classify(exc) from exc
        except requests.RequestException as exc:
            raise unreachable(exc) from exc
        except ValueError as exc:
            raise AmbiguousSendError(f"twilio answer unreadable: {type(exc).__name__}") from exc
        return str(call.sid)

    def find(self, channel: str, to: str, body: str, since: float, *, urgent: bool = False) -> list[str]:
        if urgent:
            resource = self.urgent_calls if channel == "call" else self.urgent_messages
        else:
            resource = self.calls if channel == "call" else self.messages
        try:
            found = resource.list(to=to, from_=self.settings.number, limit=LOOKUP_LIMIT, page_size=LOOKUP_LIMIT)
        except TwilioRestException as exc:
            raise TransientSendError(f"twilio lookup refused: HTTP {exc.status}, code {exc.code}") from exc
        except requests.RequestException as exc:
            raise TransientSendError(f"twilio lookup failed: {type(exc).__name__}") from exc
        return [str(item.sid) for item in found
                if _since(item.date_created, since) and (channel == "call" or item.body == body)]


class OutboxSender:
    """Dev mode: what would have been sent, newest last, read by `textline outbox`."""

    def __init__(self, r: redis.Redis) -> None:
        self.r = r

    def _keep(self, entry: dict[str, str | float]) -> str:
        pipe = self.r.pipeline()
        pipe.rpush(OUTBOX, json.dumps(entry))
        pipe.ltrim(OUTBOX, -OUTBOX_LIMIT, -1)
        pipe.execute()
        return str(entry["sid"])

    def send_sms(self, to: str, body: str, *, urgent: bool = False) -> str:
        return self._keep({"sid": "SM" + uuid.uuid4().hex, "kind": "sms", "to": to, "body": body, "at": time.time()})

    def place_call(self, to: str, url: str, *, urgent: bool = False) -> str:
        return self._keep({"sid": "CA" + uuid.uuid4().hex, "kind": "call", "to": to, "body": url, "at": time.time()})

    def find(self, channel: str, to: str, body: str, since: float, *, urgent: bool = False) -> list[str]:
        kind = "call" if channel == "call" else "sms"
        return [e["sid"] for e in reversed(read_outbox(self.r))
                if e["kind"] == kind and e["to"] == to and e["body"] == body and float(e.get("at", 0)) >= since - SKEW]


def _since(created: datetime | None, since: float) -> bool:
    return created is None or created.timestamp() >= since - SKEW


def sender_for(settings: Settings, r: redis.Redis) -> Sender:
    return OutboxSender(r) if settings.dev_mode else TwilioSender(settings)


def read_outbox(r: redis.Redis) -> list[dict[str, str]]:
    return [json.loads(x) for x in r.lrange(OUTBOX, 0, -1)]

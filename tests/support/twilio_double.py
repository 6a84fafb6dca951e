"""A local HTTP test double of Twilio's REST API (create Message, create Call).

Point the official client at it (recipe checked against twilio 9.13)::

    from twilio.rest import Client
    from twilio.http.http_client import TwilioHttpClient

    client = Client(account_sid, auth_token, http_client=TwilioHttpClient(timeout=10))
    client.api.base_url = double.url      # i.e. os.environ["TWILIO_API_URL"]
    client.edge = client.region = None    # only needed if TWILIO_EDGE / TWILIO_REGION may be set
    client.messages.create(to=..., from_=..., body=...)
    client.calls.create(to=..., from_=..., url=...)

``client.api.base_url`` is enough for both ``client.messages`` and ``client.calls`` (both go
through the one cached ``client.api`` domain; the account sid is taken from the client, so no
other override is needed). But if ``TWILIO_EDGE`` or ``TWILIO_REGION`` is set (env or
argument), ``Client.get_hostname`` rewrites the host of every URL (``127.0.0.1:PORT`` becomes
``127.us1.0.1:PORT``), so clear ``client.edge`` / ``client.region`` after constructing it.
:meth:`TwilioDouble.client` builds such a client; :meth:`TwilioDouble.env` gives the
``TWILIO_*`` variables for a subprocess.

Use in tests::

    with TwilioDouble() as double:
        ...  # app code sends through double.url
        assert double.wait_for(lambda: double.texts_to("+12025550123"))

Standalone (benchmarks, dev simulator)::

    python -m tests.support.twilio_double --port 0     # first stdout line: the URL

``GET`` on the Messages or Calls list (``To`` / ``From`` filters, newest first, ``PageSize``) answers
from the accepted creates, as Twilio's list endpoints do; lookups are counted in ``lookups`` and not
recorded as requests.

then ``GET /_double/stats`` (``?since=N`` for requests from index N, ``?forms=0`` to leave the
forms out), ``POST /_double/reset``, and the fault endpoints ``POST /_double/fail_next``
(n, status, code), ``/_double/fail_for`` (number, code, status, kind) and
``/_double/delay_next`` (n, seconds), form-encoded; :class:`RemoteDouble` wraps them.

Order of checks for each API request: route (404/20404), HTTP Basic auth (401/20003), the
path's AccountSid (404/20404), the form against the OpenAPI spec (400, ``valid=False``), then
injected faults (``script``, ``fail_for``, ``fail_next``), then Twilio's own checks on valid
requests (``To`` not E.164 -> 21211, body over 1600 characters -> 21617), else 201. A
``delay_next`` delay applies to the next API requests whatever their answer; the request is
recorded before the delay (as Twilio would have accepted it even if the client timed out).
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import math
import re
import signal
import socket
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from twilio.rest import Client

PARAMS_FILE = Path(__file__).with_name("twilio_params.json")

TEST_ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
TEST_AUTH_TOKEN = "test-auth-token-0123456789abcdef"

# Error codes (Twilio's where known; the double's choice for the spec-violation ones).
CODE_AUTH = 20003
CODE_NOT_FOUND = 20404
CODE_INVALID_PARAMETER = 20001
CODE_INVALID_TO = 21211
CODE_BODY_TOO_LONG = 21617
CODE_UNSUBSCRIBED = 21610
CODE_NOT_MOBILE = 21614
CODE_TOO_MANY_REQUESTS = 20429
DEFAULT_CODES: dict[int, int] = {
    400: CODE_INVALID_PARAMETER,
    401: CODE_AUTH,
    404: CODE_NOT_FOUND,
    429: CODE_TOO_MANY_REQUESTS,
    500: 20500,
    502: 20502,
    503: 20503,
}
MESSAGES: dict[int, str] = {
    20001: "Invalid parameter",
    20003: "Authenticate",
    20404: "The requested resource was not found",
    20429: "Too Many Requests",
    20500: "An internal server error has occurred",
    20502: "Bad Gateway",
    20503: "Service Unavailable",
    21201: "No 'To' number is specified",
    21205: "Url parameter is required",
    21211: "Invalid 'To' Phone Number",
    21213: "'From' phone number is required",
    21602: "Message body is required",
    21603: "A 'From' phone number is required",
    21604: "A 'To' phone number is required",
    21610: "Attempt to send to unsubscribed recipient",
    21614: "'To' number is not a valid mobile number",
    21617: "The concatenated message body exceeds the 1600 character limit",
}
REQUIRED_CODES: dict[tuple[str, str], int] = {
    ("message", "To"): 21604,
    ("call", "To"): 21201,
    ("call", "From"): 21213,
}
ONE_OF_CODES: dict[str, int] = {"From": 21603, "Body": 21602, "Url": 21205}
MAX_BODY = 1600

Kind = Literal["message", "call", "other"]
Form = dict[str, str | list[str]]
Script = Callable[[Form], tuple[int, int] | None]

API_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account>[^/]+)/(?P<resource>Messages|Calls)\.json$")
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
CHANNEL = re.compile(r"^[a-z][a-z0-9-]*:.+$")  # whatsapp:+1..., client:alice, sip:a@b

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = frozenset("^{}\\[~]|€\f")


def num_segments(body: str) -> int:
    """SMS segments for ``body``: GSM-7 160/153, else UCS-2 70/67 (UTF-16 code units)."""
    if not body:
        return 0
    if all(c in GSM_BASIC or c in GSM_EXTENDED for c in body):
        units, single, multi = sum(2 if c in GSM_EXTENDED else 1 for c in body), 160, 153
    else:
        units, single, multi = len(body.encode("utf-16-le")) // 2, 70, 67
    return 1 if units <= single else math.ceil(units / multi)


@cache
def operations() -> dict[str, dict[str, Any]]:
    """The extracted spec (``twilio_params.json``), keyed by kind: ``message`` / ``call``."""
    data = json.loads(PARAMS_FILE.read_text(encoding="utf-8"))
    return {op["kind"]: op for op in data["operations"].values()}


def twilio_error(status: int, code: int, message: str | None = None) -> dict[str, Any]:
    """Twilio's legacy error body (what makes the client raise ``TwilioRestException``)."""
    return {
        "code": code,
        "message": message or MESSAGES.get(code, "Error"),
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


@dataclass(frozen=True)
class Recorded:
    """One request the double received."""

    kind: Kind
    path: str
    form: Form
    auth_ok: bool
    valid: bool
    status_code: int
    at: float
    wall: float
    sid: str | None = None
    error_code: int | None = None
    problems: tuple[str, ...] = ()
    auth_user: str | None = None

    @property
    def accepted(self) -> bool:
        """True if the double answered 201 (Twilio accepted it)."""
        return self.status_code == 201

    def get(self, name: str) -> str | None:
        """First value of a form parameter."""
        value = self.form.get(name)
        if isinstance(value, list):
            return value[0] if value else None
        return value

    def values(self, name: str) -> list[str]:
        """All values of a (possibly repeated) form parameter."""
        value = self.form.get(name)
        if value is None:
            return []
        return list(value) if isinstance(value, list) else [value]

    @property
    def to(self) -> str | None:
        """The ``To`` parameter."""
        return self.get("To")

    @property
    def body(self) -> str | None:
        """The ``Body`` parameter."""
        return self.get("Body")

    def as_json(self, with_form: bool = True) -> dict[str, Any]:
        """JSON-ready dict (for ``/_double/stats``)."""
        data = asdict(self)
        data["problems"] = list(self.problems)
        if not with_form:
            data.pop("form")
        data["to"] = self.to
        return data


def validate(kind: str, form: Form) -> list[tuple[int, str]]:
    """Check a create form against the spec: names, types, required and one-of groups."""
    op = operations()[kind]
    params: dict[str, dict[str, Any]] = op["params"]
    problems: list[tuple[int, str]] = []
    for name, raw in form.items():
        schema = params.get(name)
        if schema is None:
            problems.append((CODE_INVALID_PARAMETER, f"Unknown parameter '{name}'"))
            continue
        values = raw if isinstance(raw, list) else [raw]
        if schema.get("type") == "array":
            schema = schema.get("items", {})
        elif len(values) > 1:
            problems.append((CODE_INVALID_PARAMETER, f"Parameter '{name}' given {len(values)} times"))
            continue
        for value in values:
            problem = _check_value(schema, value)
            if problem:
                problems.append((CODE_INVALID_PARAMETER, f"Parameter '{name}': {problem}"))

    def present(name: str) -> bool:
        value = form.get(name)
        return bool(value) and value != [""]

    for name in op["required"]:
        if not present(name):
            code = REQUIRED_CODES.get((kind, name), CODE_INVALID_PARAMETER)
            problems.append((code, f"'{name}' is required"))
    for group in op["one_of"]:
        if not any(present(name) for name in group):
            code = ONE_OF_CODES.get(group[0], CODE_INVALID_PARAMETER)
            problems.append((code, "one of " + "/".join(group) + " is required"))
    return problems


def _check_value(schema: Mapping[str, Any], value: str) -> str | None:
    """Problem with one form value against its (scalar) schema, or None."""
    kind = schema.get("type", "string")
    if kind == "integer" and not re.fullmatch(r"-?\d+", value):
        return f"{value!r} is not an integer"
    if kind == "number":
        try:
            float(value)
        except ValueError:
            return f"{value!r} is not a number"
    if kind == "boolean" and value.lower() not in ("true", "false"):
        return f"{value!r} is not a boolean"
    if "enum" in schema and value not in schema["enum"]:
        return f"{value!r} is not one of {schema['enum']}"
    if "pattern" in schema and not re.search(schema["pattern"], value):
        return f"{value!r} does not match {schema['pattern']}"
    if "minLength" in schema and len(value) < schema["minLength"]:
        return f"shorter than {schema['minLength']}"
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        return f"longer than {schema['maxLength']}"
    return None


def _render(template: Any, old: Mapping[str, str], new: Mapping[str, str]) -> Any:
    """Copy of a spec example with the example sids replaced in every string."""
    if isinstance(template, dict):
        return {k: _render(v, old, new) for k, v in template.items()}
    if isinstance(template, str):
        for key, value in old.items():
            template = template.replace(value, new[key])
    return template


def success_body(kind: str, account_sid: str, sid: str, form: Form, now: datetime) -> dict[str, Any]:
    """A 201 body shaped like Twilio's (the spec's example with this request's values)."""
    example: dict[str, Any] = operations()[kind]["response_example"]
    old = {"account": example["account_sid"], "sid": example["sid"]}
    body: dict[str, Any] = _render(example, old, {"account": account_sid, "sid": sid})

    def first(name: str) -> str | None:
        value = form.get(name)
        return (value[0] if value else None) if isinstance(value, list) else value

    stamp = format_datetime(now)  # RFC 2822, "+0000" like Twilio
    common = {
        "account_sid": account_sid,
        "sid": sid,
        "to": first("To"),
        "from": first("From"),
        "date_created": stamp,
        "date_updated": stamp,
        "direction": "outbound-api",
        "price": None,
        "status": "queued",
    }
    body.update(common)
    if kind == "message":
        text = first("Body") or ""
        media = form.get("MediaUrl") or []
        scheduled = first("ScheduleType") == "fixed"
        body.update(
            body=text,
            messaging_service_sid=first("MessagingServiceSid"),
            num_media=str(len(media) if isinstance(media, list) else 1),
            num_segments=str(max(1, num_segments(text)) if text or media else 0),
            date_sent=None,
            error_code=None,
            error_message=None,
            price_unit="USD",
            status="scheduled" if scheduled else "queued",
        )
    else:
        body.update(
            answered_by=None,
            caller_name=None,
            duration=None,
            start_time=None,
            end_time=None,
            forwarded_from=None,
            from_formatted=first("From"),
            to_formatted=first("To"),
            group_sid=None,
            parent_call_sid=None,
            phone_number_sid=None,
            price_unit="USD",
            queue_time="0",
            trunk_sid=None,
        )
    return body


@dataclass
class _Fault:
    remaining: int
    status: int
    code: int
    message: str | None = None
    raw_body: str | None = None


@dataclass
class _Decision:
    status: int
    body: bytes
    record: Recorded
    delay: float = 0.0
    extra: dict[str, str] = field(default_factory=dict)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # benchmarks open many connections at once; the default is 5


class TwilioDouble:
    """Twilio REST API double on 127.0.0.1; see the module docstring."""

    def __init__(
        self,
        account_sid: str = TEST_ACCOUNT_SID,
        auth_token: str | None = TEST_AUTH_TOKEN,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_keys: Mapping[str, str] | None = None,
        extra_params: Iterable[str] = (),
        quiet: bool = True,
    ) -> None:
        """``auth_token=None`` accepts any credentials; ``api_keys`` maps SK sids to secrets;
        ``extra_params`` are accepted although the spec lacks them (newer client versions)."""
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.api_keys = dict(api_keys or {})
        self.extra_params = frozenset(extra_params)
        self.host = host
        self.port = port
        self.quiet = quiet
        self.script: Script | None = None
        self._lock = threading.RLock()
        self._records: list[Recorded] = []
        self._faults: list[_Fault] = []
        self._number_faults: dict[str, tuple[int, int, str]] = {}
        self._delays: list[list[float]] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self.lookups = 0

    # lifecycle -------------------------------------------------------------------------------

    def start(self) -> TwilioDouble:
        """Bind (a free port if ``port=0``) and serve in a daemon thread."""
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = _Server((self.host, self.port), _make_handler(self))
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
            name=f"twilio-double:{self.port}",
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, end delayed answers and close kept-alive connections."""
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> TwilioDouble:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:PORT`` (for ``client.api.base_url``)."""
        if self._server is None:
            raise RuntimeError("TwilioDouble is not started")
        return f"http://{self.host}:{self.port}"

    def env(self) -> dict[str, str]:
        """``TWILIO_ACCOUNT_SID`` / ``TWILIO_AUTH_TOKEN`` / ``TWILIO_API_URL`` for the app."""
        return {
            "TWILIO_ACCOUNT_SID": self.account_sid,
            "TWILIO_AUTH_TOKEN": self.auth_token or "any-token",
            "TWILIO_API_URL": self.url,
        }

    def client(self, timeout: float | None = 10.0, **kwargs: Any) -> Client:
        """A real ``twilio.rest.Client`` pointed at this double (per the module recipe)."""
        from twilio.http.http_client import TwilioHttpClient
        from twilio.rest import Client

        kwargs.setdefault("http_client", TwilioHttpClient(timeout=timeout))
        client = Client(self.account_sid, self.auth_token or "any-token", **kwargs)
        client.api.base_url = self.url
        client.edge = client.region = None
        return client

    # recorded requests --------------------------------------------------------------------------

    @property
    def requests(self) -> list[Recorded]:
        """Every request received (API paths), in arrival order."""
        with self._lock:
            return list(self._records)

    @property
    def messages(self) -> list[Recorded]:
        """Accepted (201) message creates."""
        with self._lock:
            return [r for r in self._records if r.kind == "message" and r.accepted]

    @property
    def calls(self) -> list[Recorded]:
        """Accepted (201) call creates."""
        with self._lock:
            return [r for r in self._records if r.kind == "call" and r.accepted]

    @property
    def rejected(self) -> list[Recorded]:
        """Requests answered with an error (auth, validation, injected faults)."""
        with self._lock:
            return [r for r in self._records if not r.accepted]

    def texts_to(self, number: str) -> list[str]:
        """Bodies of accepted messages to ``number``, oldest first."""
        return [r.body or "" for r in self.messages if r.to == number]

    def calls_to(self, number: str) -> list[Recorded]:
        """Accepted calls to ``number``, oldest first."""
        return [r for r in self.calls if r.to == number]

    def wait_for(
        self, predicate: Callable[[], object], timeout: float = 10.0, interval: float = 0.01
    ) -> bool:
        """Poll ``predicate`` until truthy (True) or ``timeout`` seconds pass (False)."""
        deadline = time.monotonic() + timeout
        while True:
            if predicate():
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(interval)

    def clear(self) -> None:
        """Forget recorded requests (faults stay armed)."""
        with self._lock:
            self._records.clear()

    def reset(self) -> None:
        """Forget recorded requests and every injected fault, delay and script."""
        with self._lock:
            self._records.clear()
            self._faults.clear()
            self._number_faults.clear()
            self._delays.clear()
            self.script = None
            self.lookups = 0

    # fault injection ----------------------------------------------------------------------------

    def fail_next(
        self,
        n: int = 1,
        status: int = 429,
        code: int | None = None,
        *,
        message: str | None = None,
        raw_body: str | None = None,
    ) -> None:
        """The next ``n`` valid creates fail with ``status`` / Twilio ``code`` (default from
        status: 429->20429, 500->20500, 503->20503). ``raw_body`` replaces the JSON (e.g. an
        HTML page from a proxy). Calls queue up behind earlier ones."""
        with self._lock:
            code = code or DEFAULT_CODES.get(status, status)
            self._faults.append(_Fault(n, status, code, message, raw_body))

    def fail_for(
        self,
        number: str,
        code: int = CODE_UNSUBSCRIBED,
        status: int = 400,
        kind: Literal["message", "call", "any"] = "message",
    ) -> None:
        """Every create to ``To=number`` fails with ``code`` (21610 unsubscribed, 21211 invalid
        To, 21614 not mobile) until :meth:`unfail`. Messages only by default: an SMS opt-out
        does not block calls."""
        with self._lock:
            self._number_faults[number] = (status, code, kind)

    def unfail(self, number: str) -> None:
        """Remove a :meth:`fail_for` rule."""
        with self._lock:
            self._number_faults.pop(number, None)

    def delay_next(self, n: int, seconds: float) -> None:
        """Answer the next ``n`` API requests ``seconds`` late (client timeout tests)."""
        with self._lock:
            self._delays.append([float(n), seconds])

    # request handling ---------------------------------------------------------------------------

    def _check_auth(self, header: str | None) -> tuple[bool, str | None]:
        """HTTP Basic: the account sid and auth token, or an API key and its secret.

        Returns (ok, user name sent)."""
        user: str | None = None
        password = ""
        if header and header.startswith("Basic "):
            try:
                user, _, password = base64.b64decode(header[6:], validate=True).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                user = None
        if self.auth_token is None:
            return True, user
        if user is None:
            return False, None
        if user == self.account_sid:
            return password == self.auth_token, user
        return user in self.api_keys and password == self.api_keys[user], user

    def _take_delay(self) -> float:
        with self._lock:
            if not self._delays:
                return 0.0
            entry = self._delays[0]
            entry[0] -= 1
            if entry[0] <= 0:
                self._delays.pop(0)
            return entry[1]

    def _injected(self, kind: str, form: Form) -> _Fault | None:
        """The injected fault for this (valid) request, if any; consumes a ``fail_next``."""
        script = self.script
        if script is not None:
            outcome = script(dict(form))
            if outcome is not None:
                status, code = outcome
                return _Fault(1, status, code)
        to = form.get("To")
        to = to[0] if isinstance(to, list) else to
        with self._lock:
            rule = self._number_faults.get(to or "")
            if rule is not None and rule[2] in (kind, "any"):
                return _Fault(1, rule[0], rule[1])
            if self._faults:
                fault = self._faults[0]
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.pop(0)
                return fault
        return None

    def _handle(self, method: str, path: str, headers: Mapping[str, str], raw: bytes) -> _Decision:
        """Decide the answer to one API request and record it."""
        at, wall = time.monotonic(), time.time()
        delay = self._take_delay()
        parsed = urllib.parse.parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)
        form: Form = {k: v[0] if len(v) == 1 else v for k, v in parsed.items()}
        match = API_PATH.match(path)
        kind: Kind = "other"
        if match and method == "POST":
            kind = "message" if match["resource"] == "Messages" else "call"
        auth_ok, auth_user = self._check_auth(headers.get("Authorization"))
        sid: str | None = None
        problems: list[tuple[int, str]] = []
        if kind != "other":
            problems = validate(kind, {k: v for k, v in form.items() if k not in self.extra_params})
        valid = kind != "other" and not problems
        fault: _Fault | None = None
        if kind == "other":
            status, code = 404, CODE_NOT_FOUND
        elif not auth_ok:
            status, code = 401, CODE_AUTH
        elif match and self.auth_token is not None and match["account"] != self.account_sid:
            status, code = 404, CODE_NOT_FOUND
        elif problems:
            status, code = 400, problems[0][0]
        else:
            fault = self._injected(kind, form)
            if fault is not None:
                status, code = fault.status, fault.code
            else:
                status, code = self._twilio_checks(kind, form)
        if status == 201:
            account = match["account"] if match else self.account_sid
            sid = ("CA" if kind == "call" else "MM" if form.get("MediaUrl") else "SM") + uuid.uuid4().hex
            payload = success_body(kind, account, sid, form, datetime.now(UTC))
            resource = "Calls" if kind == "call" else "Messages"
            payload["uri"] = f"/2010-04-01/Accounts/{account}/{resource}/{sid}.json"
            body = json.dumps(payload).encode()
        elif fault is not None and fault.raw_body is not None:
            body = fault.raw_body.encode()
        else:
            message = (fault.message if fault else None) or (problems[0][1] if problems else None)
            body = json.dumps(twilio_error(status, code, message)).encode()
        record = Recorded(
            kind=kind,
            path=path,
            form=form,
            auth_ok=auth_ok,
            valid=valid,
            status_code=status,
            at=at,
            wall=wall,
            sid=sid,
            error_code=None if status == 201 else code,
            problems=tuple(p for _, p in problems),
            auth_user=auth_user,
        )
        with self._lock:
            self._records.append(record)
        extra = {"Content-Type": "text/html"} if fault is not None and fault.raw_body is not None else {}
        return _Decision(status, body, record, delay, extra)

    def _list(self, path: str, query: str, headers: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
        """``GET .../Messages.json`` or ``.../Calls.json``: accepted creates, newest first."""
        match = API_PATH.match(path)
        assert match is not None
        auth_ok, _ = self._check_auth(headers.get("Authorization"))
        if not auth_ok:
            return 401, twilio_error(401, CODE_AUTH)
        if self.auth_token is not None and match["account"] != self.account_sid:
            return 404, twilio_error(404, CODE_NOT_FOUND)
        q = {k: v[-1] for k, v in urllib.parse.parse_qs(query).items()}
        kind = "message" if match["resource"] == "Messages" else "call"
        size = max(1, min(int(q.get("PageSize", "50") or 50), 1000))
        with self._lock:
            self.lookups += 1
            found = [r for r in reversed(self._records) if r.kind == kind and r.accepted
                     and q.get("To", r.get("To")) == r.get("To") and q.get("From", r.get("From")) == r.get("From")]
        items = [self._payload(r, match["account"]) for r in found[:size]]
        key = "messages" if kind == "message" else "calls"
        return 200, {key: items, "uri": f"{path}?{query}", "first_page_uri": f"{path}?{query}", "next_page_uri": None,
                     "previous_page_uri": None, "page": 0, "page_size": size, "start": 0, "end": max(0, len(items) - 1)}

    def _payload(self, record: Recorded, account: str) -> dict[str, Any]:
        created = datetime.fromtimestamp(record.wall, UTC)
        payload = success_body(record.kind, account, record.sid or "", record.form, created)
        resource = "Calls" if record.kind == "call" else "Messages"
        payload["uri"] = f"/2010-04-01/Accounts/{account}/{resource}/{record.sid}.json"
        return payload

    def _twilio_checks(self, kind: str, form: Form) -> tuple[int, int]:
        """Twilio's own refusals of well-formed requests (not spec violations)."""
        to = form.get("To")
        to = to[0] if isinstance(to, list) else to
        if not to or not (E164.match(to) or CHANNEL.match(to)):
            return 400, CODE_INVALID_TO
        body = form.get("Body")
        if kind == "message" and isinstance(body, str) and len(body) > MAX_BODY:
            return 400, CODE_BODY_TOO_LONG
        return 201, 0

    # standalone control --------------------------------------------------------------------------

    def stats(self, since: int = 0, with_forms: bool = True) -> dict[str, Any]:
        """Counts and per-request details (``/_double/stats``)."""
        with self._lock:
            records = list(self._records)
        by_status: dict[str, int] = {}
        for r in records:
            by_status[str(r.status_code)] = by_status.get(str(r.status_code), 0) + 1
        counts = {
            "requests": len(records),
            "messages": sum(1 for r in records if r.kind == "message" and r.accepted),
            "calls": sum(1 for r in records if r.kind == "call" and r.accepted),
            "rejected": sum(1 for r in records if not r.accepted),
            "invalid": sum(1 for r in records if not r.valid),
            "lookups": self.lookups,
            "by_status": by_status,
        }
        return {
            "counts": counts,
            "since": since,
            "requests": [r.as_json(with_forms) for r in records[since:]],
        }

    def _control(self, method: str, path: str, query: str, raw: bytes) -> tuple[int, dict[str, Any]]:
        """``/_double/...`` endpoints for a double in another process."""
        q = {k: v[-1] for k, v in urllib.parse.parse_qs(query).items()}
        form = {k: v[-1] for k, v in urllib.parse.parse_qs(raw.decode("utf-8", "replace")).items()}
        name = path[len("/_double/") :]
        if method == "GET" and name == "stats":
            return 200, self.stats(int(q.get("since", 0)), q.get("forms", "1") != "0")
        if method == "POST" and name == "reset":
            self.reset()
        elif method == "POST" and name == "clear":
            self.clear()
        elif method == "POST" and name == "fail_next":
            code = int(form["code"]) if form.get("code") else None
            self.fail_next(int(form.get("n", 1)), int(form.get("status", 429)), code)
        elif method == "POST" and name == "fail_for":
            kind = form.get("kind", "message")
            if kind not in ("message", "call", "any"):
                return 400, {"error": f"bad kind {kind!r}"}
            self.fail_for(
                form["number"], int(form.get("code", CODE_UNSUBSCRIBED)), int(form.get("status", 400)), kind
            )  # type: ignore[arg-type]
        elif method == "POST" and name == "unfail":
            self.unfail(form["number"])
        elif method == "POST" and name == "delay_next":
            self.delay_next(int(form.get("n", 1)), float(form["seconds"]))
        else:
            return 404, {"error": f"no such control endpoint: {method} {path}"}
        return 200, {"ok": True}


def _make_handler(double: TwilioDouble) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        wbufsize = 1 << 16  # buffered: headers and body leave in one send (see setup)
        server_version = "TwilioDouble/1.0"

        def setup(self) -> None:
            super().setup()
            # no Nagle, one write per answer: else keep-alive answers stall ~40 ms (delayed ACK)
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with double._lock:
                double._connections.add(self.connection)

        def finish(self) -> None:
            with double._lock:
                double._connections.discard(self.connection)
            try:
                super().finish()
            except OSError:
                pass

        def log_message(self, format: str, *args: Any) -> None:
            if not double.quiet:
                sys.stderr.write("twilio-double: " + (format % args) + "\n")

        def _body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length > 0 else b""

        def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up (timeout)

        def _dispatch(self, method: str) -> None:
            raw = self._body()
            split = urllib.parse.urlsplit(self.path)
            if split.path.startswith("/_double/"):
                status, data = double._control(method, split.path, split.query, raw)
                self._send(status, json.dumps(data).encode())
                return
            if method == "GET" and API_PATH.match(split.path):
                status, data = double._list(split.path, split.query, dict(self.headers.items()))
                self._send(status, json.dumps(data).encode())
                return
            decision = double._handle(method, split.path, dict(self.headers.items()), raw)
            if decision.delay > 0 and double._stopping.wait(decision.delay):
                self.close_connection = True
                return
            self._send(decision.status, decision.body, decision.extra.get("Content-Type", "application/json"))

        def do_POST(self) -> None:  # noqa: N802
            self._dispatch("POST")

        def do_GET(self) -> None:  # noqa: N802
            self._dispatch("GET")

        def do_DELETE(self) -> None:  # noqa: N802
            self._dispatch("DELETE")

    return Handler


class RemoteDouble:
    """Client for a standalone double's ``/_double/*`` endpoints (benchmarks, simulator)."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout

    def _call(self, method: str, name: str, data: Mapping[str, object] | None = None) -> dict[str, Any]:
        body = urllib.parse.urlencode({k: str(v) for k, v in (data or {}).items()}).encode() if data else None
        request = urllib.request.Request(f"{self.url}/_double/{name}", data=body, method=method)
        if method == "POST" and body is None:
            request.data = b""
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            return json.loads(response.read())

    def stats(self, since: int = 0, forms: bool = True) -> dict[str, Any]:
        """``GET /_double/stats``."""
        return self._call("GET", f"stats?since={since}&forms={int(forms)}")

    def reset(self) -> None:
        """Forget requests and faults."""
        self._call("POST", "reset")

    def fail_next(self, n: int = 1, status: int = 429, code: int | None = None) -> None:
        """See :meth:`TwilioDouble.fail_next`."""
        self._call("POST", "fail_next", {"n": n, "status": status, **({"code": code} if code else {})})

    def fail_for(
        self, number: str, code: int = CODE_UNSUBSCRIBED, status: int = 400, kind: str = "message"
    ) -> None:
        """See :meth:`TwilioDouble.fail_for`."""
        self._call("POST", "fail_for", {"number": number, "code": code, "status": status, "kind": kind})

    def delay_next(self, n: int, seconds: float) -> None:
        """See :meth:`TwilioDouble.delay_next`."""
        self._call("POST", "delay_next", {"n": n, "seconds": seconds})

    def wait_for_count(self, key: str, n: int, timeout: float = 10.0) -> bool:
        """Wait until ``counts[key] >= n`` (key: requests, messages, calls, rejected)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.stats(forms=False)["counts"][key] >= n:
                return True
            time.sleep(0.02)
        return False


def main(argv: list[str] | None = None) -> int:
    """``python -m tests.support.twilio_double``: serve until killed, URL on stdout line 1."""
    import os

    parser = argparse.ArgumentParser(description="Local Twilio REST API double")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--account-sid", default=os.environ.get("TWILIO_ACCOUNT_SID") or TEST_ACCOUNT_SID)
    parser.add_argument("--auth-token", default=os.environ.get("TWILIO_AUTH_TOKEN") or TEST_AUTH_TOKEN)
    parser.add_argument("--any-auth", action="store_true", help="accept any credentials")
    parser.add_argument(
        "--extra-param", action="append", default=[], help="accept a parameter the spec lacks (repeatable)"
    )
    parser.add_argument("--verbose", action="store_true", help="log requests to stderr")
    args = parser.parse_args(argv)
    double = TwilioDouble(
        args.account_sid,
        None if args.any_auth else args.auth_token,
        host=args.host,
        port=args.port,
        extra_params=args.extra_param,
        quiet=not args.verbose,
    )
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    with double:
        print(double.url, flush=True)
        while not done.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

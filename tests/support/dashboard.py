"""A coordinator or peer using the dashboard through Flask's test client, as a browser would: forms and cookies."""
from __future__ import annotations

import re
from urllib.parse import urlparse

from werkzeug.test import TestResponse

from tests.support.harness import PUBLIC_URL, Harness
from textline.models import users
from textline.models.users import AccountRole

PASSWORD = "a long passphrase"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def add_user(line: Harness, email: str, role: str = "coordinator", phone: str = "") -> str:
    users.add(line.r, email, AccountRole(role), PASSWORD, phone=phone, at=line.line.now())
    return email


class Browser:
    """One person's cookies on the dashboard; `post` sends the CSRF token the last page gave."""

    def __init__(self, line: Harness, base_url: str = PUBLIC_URL) -> None:
        self.line = line
        self.client = line.app.test_client()
        self.base_url = base_url
        self.csrf = ""

    def get(self, path: str, **kwargs: object) -> TestResponse:
        response = self.client.get(path, base_url=self.base_url, **kwargs)
        self._remember(response)
        return response

    def post(self, path: str, data: dict[str, str] | None = None, *, csrf: bool = True,
             **kwargs: object) -> TestResponse:
        form = dict(data or {})
        if csrf:
            form.setdefault("csrf_token", self.csrf)
        response = self.client.post(path, data=form, base_url=self.base_url, **kwargs)
        self._remember(response)
        return response

    def _remember(self, response: TestResponse) -> None:
        found = _CSRF.search(response.get_data(as_text=True))
        if found:
            self.csrf = found.group(1)

    def login(self, email: str, password: str = PASSWORD, **extra: str) -> TestResponse:
        self.get("/dashboard/login")
        return self.post("/dashboard/login", {"email": email, "password": password, **extra})

    def page(self, path: str) -> str:
        """The page's HTML, after asserting it answered 200, with the CSRF token's value blanked (it is random:
        "Bo" or "Ben" turned up inside one and broke a test that looked for a name); `post` still sends it."""
        response = self.get(path)
        assert response.status_code == 200, (path, response.status_code, response.headers.get("Location"))
        return _CSRF.sub('name="csrf_token" value=""', response.get_data(as_text=True))


def location(response: TestResponse) -> str:
    """The redirect's path and query."""
    parsed = urlparse(response.headers.get("Location", ""))
    return parsed.path + (f"?{parsed.query}" if parsed.query else "")


def signed_in(line: Harness, role: str = "coordinator", email: str | None = None, phone: str = "") -> Browser:
    browser = Browser(line)
    address = add_user(line, email or f"{role}@example.org", role, phone)
    response = browser.login(address)
    assert response.status_code == 302, response.get_data(as_text=True)
    browser.page("/dashboard/callbacks")  # any page: its sign-out form carries the new session's CSRF token
    return browser

"""Browser fixtures: one Chromium per test module, one served app and one phone-sized page per test."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.browser import CHROMIUM, PHONE, launch, serve
from tests.support.dashboard import PASSWORD
from tests.support.harness import Harness


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (.ci/run does) to run the browser tests")
    with launch() as browser:
        yield browser


class Site:
    """The served dashboard and a phone-sized tab on it."""

    def __init__(self, base: str, page: Any) -> None:
        self.base = base
        self.page = page
        self.requests: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))

    def go(self, path: str) -> Any:
        return self.page.goto(self.base + path)

    def login(self, email: str, password: str = PASSWORD) -> None:
        self.go("/dashboard/login")
        self.page.fill("#email", email)
        self.page.fill("#password", password)
        self.click("#sign-in")

    def click(self, selector: str) -> None:
        """Click something that submits a form, and wait for the page it leads to."""
        with self.page.expect_navigation():
            self.page.click(selector)

    @property
    def path(self) -> str:
        return self.page.url.removeprefix(self.base)


@pytest.fixture
def site(line: Harness, chromium: Any) -> Iterator[Site]:
    from textline import create_app

    app = create_app(line.settings.but(public_url="http://127.0.0.1"))
    with serve(app) as base:
        context = chromium.new_context(viewport=PHONE, java_script_enabled=True)
        try:
            yield Site(base, context.new_page())
        finally:
            context.close()

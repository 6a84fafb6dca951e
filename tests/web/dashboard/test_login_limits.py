"""Logins behind a proxy: one address being throttled never locks out the owner from another address, and a
client cannot choose the address it is counted under."""
from __future__ import annotations

from tests.support.dashboard import Browser, add_user
from tests.support.harness import Harness


def login_from(line: Harness, address: str, password: str, *, forwarded: str | None = None) -> int:
    browser = Browser(line)
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    browser.client.environ_base["REMOTE_ADDR"] = address
    browser.get("/dashboard/login", headers=headers)
    return browser.post("/dashboard/login", {"email": "ana@example.org", "password": password},
                        headers=headers).status_code


def test_behind_a_proxy_the_owner_logs_in_while_a_stranger_is_throttled(line: Harness) -> None:
    line.configure(web={"proxies": 1}, dashboard={"login_attempts": 3, "address_attempts": 30})
    add_user(line, "ana@example.org")
    proxy = "10.0.0.2"  # every request reaches the app from the proxy
    codes = [login_from(line, proxy, f"guess {n}", forwarded="203.0.113.66") for n in range(5)]
    assert codes[:3] == [401, 401, 401] and set(codes[3:]) == {429}, codes
    assert login_from(line, proxy, "a long passphrase", forwarded="198.51.100.7") == 302, "Ana, from her own address"


def test_without_a_declared_proxy_x_forwarded_for_is_not_believed(line: Harness) -> None:
    line.configure(dashboard={"login_attempts": 3})
    add_user(line, "ana@example.org")
    codes = [login_from(line, "203.0.113.66", f"guess {n}", forwarded=f"192.0.2.{n}") for n in range(5)]
    assert codes[:3] == [401, 401, 401] and set(codes[3:]) == {429}, "a new header per guess changes nothing"


def test_thirty_junk_logins_through_a_proxy_do_not_lock_out_everyone(line: Harness) -> None:
    line.configure(web={"proxies": 1}, dashboard={"address_attempts": 30})
    add_user(line, "ana@example.org")
    for n in range(30):
        login_from(line, "10.0.0.2", "junk", forwarded=f"203.0.113.{n % 3}")
    assert login_from(line, "10.0.0.2", "a long passphrase", forwarded="198.51.100.7") == 302

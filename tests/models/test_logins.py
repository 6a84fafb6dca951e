"""The login limiter: growing delays per (email, address) and per address; an email alone is never locked."""
from __future__ import annotations

from tests.support.harness import Harness
from textline.models import logins


def attempt(line: Harness, email: str, address: str) -> int:
    return logins.attempt(line.r, email, address, per_pair=3, per_address=5, window=600)


def test_past_the_free_tries_each_failure_doubles_the_wait(line: Harness) -> None:
    assert [attempt(line, "ana@example.org", "10.0.0.1") for _ in range(3)] == [0, 0, 0]
    assert attempt(line, "ana@example.org", "10.0.0.1") == 1, "the third failure asks for a second"
    line.r.hset(next(iter(line.r.scan_iter("tl:login:pair:*"))), "until", "0")  # that second has passed
    assert attempt(line, "ana@example.org", "10.0.0.1") == 0
    assert attempt(line, "ana@example.org", "10.0.0.1") == 2, "then two seconds, then four ..."


def test_strangers_never_lock_the_owner_out_from_another_address(line: Harness) -> None:
    for n in range(20):
        attempt(line, "ana@example.org", f"203.0.113.{n}")  # guesses from twenty addresses
    assert attempt(line, "ana@example.org", "198.51.100.7") == 0, "Ana, at home"


def test_an_address_is_slowed_across_emails_and_a_right_password_gives_its_try_back(line: Harness) -> None:
    for email in ("a@example.org", "b@example.org", "c@example.org", "d@example.org"):
        assert attempt(line, email, "10.0.0.9") == 0
    logins.succeeded(line.r, "d@example.org", "10.0.0.9", per_address=5)
    assert attempt(line, "e@example.org", "10.0.0.9") == 0
    assert attempt(line, "f@example.org", "10.0.0.9") == 0
    assert attempt(line, "g@example.org", "10.0.0.9") > 0, "five failures from one address, whoever they tried"
    assert attempt(line, "g@example.org", "10.0.0.10") == 0


def test_counts_expire_with_the_window(line: Harness) -> None:
    attempt(line, "ana@example.org", "10.0.0.1")
    for key in line.r.scan_iter("tl:login:*"):
        assert 0 < line.r.ttl(key) <= 600

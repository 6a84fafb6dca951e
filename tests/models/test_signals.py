"""The signal word is kept as a slow scrypt digest; SHA-256 digests kept before are wrapped, not lost."""
from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime

from tests.support.harness import Harness, member_number
from textline.models import signals

M1, M2 = member_number(2001), member_number(2002)
AT = datetime(2026, 3, 5, 17, 0, tzinfo=UTC)


def test_a_word_is_kept_only_as_a_slow_salted_digest(line: Harness) -> None:
    signals.set_word(line.r, M1, "bluebird", AT)
    signals.set_word(line.r, M2, "bluebird", AT)
    one, two = (line.r.hgetall(f"tl:member:{p}:signal") for p in (M1, M2))
    assert one["kdf"] == "scrypt" and int(one["n"]) >= 2**14 and len(one["salt"]) == 32
    assert one["digest"] != two["digest"], "a salt per word: one guess never tests two members"
    assert "BLUEBIRD" not in str(one).upper()
    assert signals.matches(line.r, M1, "Bluebird!") and not signals.matches(line.r, M1, "bluebirds")


def test_each_guess_costs_what_scrypt_costs(line: Harness) -> None:
    """A five-letter word fell in 6 s to the salted SHA-256; now each guess takes tens of milliseconds."""
    signals.set_word(line.r, M1, "zorbu", AT)
    started = time.perf_counter()
    guesses = [signals.matches(line.r, M1, word) for word in ("zorba", "zorbb", "zorbc", "zorbd", "zorbu")]
    per_guess = (time.perf_counter() - started) / len(guesses)
    assert guesses == [False, False, False, False, True]
    assert per_guess > 0.01, per_guess  # SHA-256 took microseconds: 26^5 words in seconds


def test_a_legacy_sha256_record_is_wrapped_and_still_matches(line: Harness) -> None:
    salt = "00112233aabbccdd"
    legacy = hashlib.sha256(f"{salt}:BLUEBIRD".encode()).hexdigest()
    for phone in (M1, M2):
        line.r.hset(f"tl:member:{phone}:signal", mapping={"salt": salt, "digest": legacy,
                                                            "set_at": AT.isoformat()})
    assert signals.migrate(line.r) == 2
    for phone in (M1, M2):
        wrapped = line.r.hgetall(f"tl:member:{phone}:signal")
        assert wrapped["kdf"] == "scrypt+sha256" and legacy not in str(wrapped)
        assert signals.matches(line.r, phone, "bluebird") and not signals.matches(line.r, phone, "redbird")
    assert signals.migrate(line.r) == 0, "the sweep runs once"


def test_a_legacy_record_met_before_the_sweep_is_wrapped_on_the_spot(line: Harness) -> None:
    salt = "8899aabbccddeeff"
    legacy = hashlib.sha256(f"{salt}:BLUEBIRD".encode()).hexdigest()
    line.r.hset(f"tl:member:{M1}:signal", mapping={"salt": salt, "digest": legacy})
    assert not signals.matches(line.r, M1, "redbird")
    assert line.r.hget(f"tl:member:{M1}:signal", "kdf") == "scrypt+sha256"
    assert signals.matches(line.r, M1, "bluebird")


def test_a_worker_start_wraps_every_legacy_record(line: Harness) -> None:
    salt = "0123456789abcdef"
    line.r.hset(f"tl:member:{M1}:signal", mapping={"salt": salt, "digest": hashlib.sha256(
        f"{salt}:BLUEBIRD".encode()).hexdigest()})
    result = line.cli("worker", "--burst")
    assert result.exit_code == 0 and "1 signal word digest(s) moved from SHA-256 to scrypt" in result.output
    assert line.r.hget(f"tl:member:{M1}:signal", "kdf") == "scrypt+sha256"

"""The risk model's features: hashed character and word n-grams of a text (pure Python).

The same functions build the training matrix (bench/train_risk.py) and score texts at run time
(flows/risk_model.py), so a model scores the same in both places. A text is read as the crisis
lexicon reads it (``crisis_detect.normalise``: lowercase, no accents or punctuation, "k1ll" read
as "kill", letter runs cut to two) and split into words. Its features are:

- every character n-gram of 2 to 5 characters inside each word padded with spaces (" die "
  gives " d", "di", "ie", "e ", " di", "die", ... ), which carries misspellings and slang;
- every word and every pair of adjacent words, which carries short phrases ("not suicidal").

Each feature is named by the CRC-32 of its bytes (word n-grams behind a b"w " prefix so they
never meet a character n-gram): deterministic across processes and machines, unlike ``hash()``.
A feature's value is its count, so a text's score is the sum of its words' and its word pairs'
(flows/risk_model.py reads a long text in windows of a few dozen words).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence

from flows.crisis_detect import normalise

__all__ = ["CHAR_SIZES", "char_hashes", "features", "pair_hashes", "word_hash", "words"]

#: Character n-gram lengths read inside each padded word.
CHAR_SIZES: tuple[int, ...] = (2, 3, 4, 5)
_WORD_PREFIX = b"w "
_SLICES: dict[int, list[slice]] = {}


def words(text: str) -> list[str]:
    """The text's words, normalised the way the crisis lexicon reads them."""
    return normalise(text).split()


def _slices(length: int) -> list[slice]:
    """The n-gram slices of a padded word of ``length`` bytes (cached per length)."""
    found = _SLICES.get(length)
    if found is None:
        found = [slice(i, i + n) for n in CHAR_SIZES for i in range(length - n + 1)]
        if length <= 64:
            _SLICES[length] = found
    return found


def char_hashes(word: str) -> list[int]:
    """The hashes of the character n-grams of one word (padded with a space on each side)."""
    padded = b" " + word.encode("utf-8") + b" "
    return list(map(zlib.crc32, map(padded.__getitem__, _slices(len(padded)))))


def word_hash(word: str) -> int:
    """The hash of a word as a word feature."""
    return zlib.crc32(_WORD_PREFIX + word.encode("utf-8"))


def pair_hashes(tokens: Sequence[str]) -> list[int]:
    """The hashes of every pair of adjacent words."""
    return [zlib.crc32(_WORD_PREFIX + f"{a} {b}".encode()) for a, b in zip(tokens, tokens[1:], strict=False)]


def features(tokens: Iterable[str]) -> list[int]:
    """Every feature hash of a text's words, with repeats (the count of a hash is its count)."""
    tokens = list(tokens)
    found: list[int] = []
    for word in tokens:
        found.extend(char_hashes(word))
        found.append(word_hash(word))
    found.extend(pair_hashes(tokens))
    return found

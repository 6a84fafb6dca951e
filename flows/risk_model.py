"""The trained risk model, scored in pure Python (no numpy in the webhook path).

Two logistic regressions over the hashed n-grams of ``flows.risk_features``, fitted offline by
``bench/train_risk.py`` and shipped as ``flows/data/risk/model.bin``:

- ``crisis``: the probability that a text is a crisis;
- ``alert``: the probability that it is a crisis or a concern (anything a person should read).

The file is a magic line, a length-prefixed JSON header (biases, weight scales, the thresholds the
training script chose, a few reference texts with the probabilities it computed) and three
little-endian arrays: the sorted feature hashes (uint32) and the two weight vectors (int16, times
the header's scale). Features the training corpus never showed have no weight.

Scoring adds each word's weight (its character n-grams and itself, memoised per word: a text
is mostly words already seen) and each adjacent pair's to the bias: the features are plain
counts. A text longer than ``WINDOW`` words is scored in half-overlapping windows of that many
words and the highest window counts, so a long text is read as the short texts the model was
trained on, and one risky sentence in a long chatty text is neither diluted nor outvoted.
"""

from __future__ import annotations

import functools
import json
import math
import sys
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flows.risk_features import char_hashes, pair_hashes, word_hash, words

__all__ = ["MAGIC", "MODEL_PATH", "WINDOW", "ModelError", "RiskModel", "Scores", "load_model", "read_model"]

MODEL_PATH = Path(__file__).resolve().parent / "data" / "risk" / "model.bin"
MAGIC = b"TLRISK1\n"
#: Texts longer than this many words are scored in windows of this size (half overlapping).
WINDOW = 24
_MEMO_LIMIT = 50_000


class ModelError(ValueError):
    """The model file is missing or malformed."""


@dataclass(frozen=True)
class Scores:
    """The model's probabilities for one text."""

    crisis: float
    alert: float


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


class RiskModel:
    """Weights per feature hash for the crisis and alert regressions, and the header they came with."""

    def __init__(self, weights: Mapping[int, tuple[float, float]], bias: Sequence[float], header: dict[str, Any]):
        self.weights = dict(weights)
        self.bias = (float(bias[0]), float(bias[1]))
        self.header = header
        self.thresholds: dict[str, float] = dict(header.get("thresholds", {}))
        self._memo: dict[str, tuple[float, float]] = {}

    def _word(self, word: str) -> tuple[float, float]:
        """(crisis, alert) weight of one word: its character n-grams and itself."""
        found = self._memo.get(word)
        if found is None:
            get = self.weights.get
            hashes = char_hashes(word)
            hashes.append(word_hash(word))
            crisis = alert = 0.0
            for w in map(get, hashes):
                if w is not None:
                    crisis += w[0]
                    alert += w[1]
            found = (crisis, alert)
            if len(self._memo) >= _MEMO_LIMIT:
                self._memo.clear()
            self._memo[word] = found
        return found

    def logits(self, tokens: Sequence[str]) -> tuple[float, float]:
        """The two regressions' log-odds for a text's words (the highest window's for a long text)."""
        if not tokens:
            return self.bias
        per_word = [self._word(t) for t in tokens]
        get = self.weights.get
        zero = (0.0, 0.0)
        per_pair = [get(h, zero) for h in pair_hashes(tokens)]
        if len(tokens) <= WINDOW:
            return self._span(per_word, per_pair, 0, len(tokens))
        step = WINDOW // 2
        starts = range(0, len(tokens) - step, step)
        spans = [self._span(per_word, per_pair, s, min(s + WINDOW, len(tokens))) for s in starts]
        return max(c for c, _ in spans), max(a for _, a in spans)

    def _span(
        self,
        per_word: Sequence[tuple[float, float]],
        per_pair: Sequence[tuple[float, float]],
        start: int,
        end: int,
    ) -> tuple[float, float]:
        crisis, alert = self.bias
        for c, a in per_word[start:end]:
            crisis += c
            alert += a
        for c, a in per_pair[start : end - 1]:
            crisis += c
            alert += a
        return crisis, alert

    def clear_memo(self) -> None:
        """Forget the per-word sums (to measure a cold score)."""
        self._memo.clear()

    def score(self, text: str) -> Scores:
        """The crisis and alert probabilities of a text."""
        crisis, alert = self.logits(words(text))
        return Scores(_sigmoid(crisis), _sigmoid(alert))


def read_model(path: Path) -> RiskModel:
    """Parse a model file (see the module docstring for the layout)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ModelError(f"{path}: cannot read: {exc}") from exc
    if not raw.startswith(MAGIC) or len(raw) < len(MAGIC) + 4:
        raise ModelError(f"{path}: not a textline risk model")
    at = len(MAGIC)
    size = int.from_bytes(raw[at : at + 4], "little")
    at += 4
    try:
        header = json.loads(raw[at : at + size].decode("utf-8"))
        count = int(header["features"])
        bias = header["bias"]
        scale = header["scale"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"{path}: bad header: {exc}") from exc
    at += size
    if len(raw) != at + count * 8:
        raise ModelError(f"{path}: expected {count} features, found {len(raw) - at} bytes")
    hashes = array("I")
    crisis = array("h")
    alert = array("h")
    if hashes.itemsize != 4 or crisis.itemsize != 2:
        raise ModelError("this platform's array sizes differ from the model file's")
    hashes.frombytes(raw[at : at + count * 4])
    crisis.frombytes(raw[at + count * 4 : at + count * 6])
    alert.frombytes(raw[at + count * 6 : at + count * 8])
    if sys.byteorder != "little":
        for arr in (hashes, crisis, alert):
            arr.byteswap()
    sc, sa = float(scale[0]), float(scale[1])
    weights = dict(zip(hashes, zip(map(sc.__mul__, crisis), map(sa.__mul__, alert), strict=True), strict=True))
    return RiskModel(weights, bias, header)


@functools.lru_cache(maxsize=1)
def load_model() -> RiskModel:
    """The shipped model, read once per process on first use."""
    return read_model(MODEL_PATH)

"""The labelled corpus of the risk assessment: tests/flows/crisis_corpus.tsv and risk_corpus.tsv.

Both files have the same columns (label, language, kind, text; '#' lines are comments). A line
``# Held-out round N ...`` starts block "round N"; lines before the first such comment form the
block "base". Labels map to risk levels: crisis -> crisis, concern -> concern, benign -> none.

The final block (``FINAL_BLOCK``) was written before any model was fitted or tuned and is never
trained on: the training script leaves it out, and the bench reports it as held out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
CRISIS_CORPUS = ROOT / "tests" / "flows" / "crisis_corpus.tsv"
RISK_CORPUS = ROOT / "tests" / "flows" / "risk_corpus.tsv"
CORPORA = (CRISIS_CORPUS, RISK_CORPUS)

#: Written last, before any phase-2 tuning; reported, never trained on. (Round 11, the final block of
#: phase 1, was measured before and after phase 1 and trains the model since phase 2.)
FINAL_BLOCK = "round 15"
#: Written for this model (rounds 8-11 before any fitting, 12-14 after experiments on them): they train it.
NEW_BLOCKS = ("round 8", "round 9", "round 10", "round 11", "round 12", "round 13", "round 14", "round 16",
              "round 17", "round 18", "round 19")
LEVELS = ("crisis", "concern", "none")
_LEVEL_OF = {"crisis": "crisis", "concern": "concern", "benign": "none"}
_BLOCK = re.compile(r"^# Held-out (round \d+)", re.IGNORECASE)


class Row(NamedTuple):
    """One labelled text."""

    source: str  # file name
    line: int
    level: str  # crisis | concern | none
    language: str
    kind: str
    text: str
    block: str  # "base" or "round N"


def read_file(path: Path) -> list[Row]:
    """Every labelled line of one corpus file."""
    rows: list[Row] = []
    block = "base"
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if raw.startswith("#"):
            found = _BLOCK.match(raw)
            if found:
                block = found.group(1).lower()
            continue
        if not raw.strip() or raw.startswith("label\t"):
            continue
        label, language, kind, text = raw.split("\t", 3)
        if label not in _LEVEL_OF:
            raise ValueError(f"{path.name}:{number}: unknown label {label!r}")
        rows.append(Row(path.name, number, _LEVEL_OF[label], language, kind, text, block))
    return rows


def read_corpus(paths: Iterable[Path] = CORPORA) -> list[Row]:
    """Every labelled line of the corpus files, in file order."""
    return [row for path in paths for row in read_file(path)]


def training_rows(rows: Iterable[Row]) -> list[Row]:
    """The rows a model may be trained on: everything but the final block."""
    return [r for r in rows if r.block != FINAL_BLOCK]


def in_blocks(rows: Iterable[Row], *blocks: str) -> list[Row]:
    """The rows of the named blocks."""
    return [r for r in rows if r.block in blocks]

"""Train the risk model from the labelled corpus and write flows/data/risk/model.bin.

    pip install -e '.[train]'          # scikit-learn, for training only
    PYTHONPATH=. python bench/train_risk.py [--out PATH] [--folds 5]

What it does, in order (deterministic: same corpus, same file):

1. reads every labelled text except the final held-out block (``bench.risk_data``), sets aside
   the clauses ``flows.risk_context`` sets aside at run time, and hashes the rest into the
   features of ``flows.risk_features``;
2. out of fold (k folds, stratified by level and block, the model trained inside each fold),
   gathers the evidence ``flows.risk.decide`` reads for each text of the newer blocks
   (``NEW_BLOCKS``: written for this model, with the lexicon never tuned on them), and picks the
   thresholds that catch the most crises while benign texts reaching crisis stay at or under
   ``--max-benign-crisis``, then the lowest ``concern`` that keeps benign texts reaching concern
   at or under ``--max-benign-concern`` (see ``choose_thresholds``);
3. fits the two regressions (crisis; crisis or concern) on all of it, drops weights too small to
   matter, stores them as int16 with the thresholds and a few reference scores.

Logistic regression (scikit-learn, lbfgs, L2, C=``--c``) over feature counts. Scores at run time
come from ``flows.risk_model`` in pure Python; the reference scores let tests check that the file
reproduces what was trained.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from bench.risk_data import CORPORA, FINAL_BLOCK, NEW_BLOCKS, Row, read_corpus, training_rows
from flows.risk import Evidence, Level, Thresholds, decide, gather
from flows.risk_context import read_context
from flows.risk_features import features, words
from flows.risk_model import MAGIC, MODEL_PATH, RiskModel, read_model

C = 1.0
PRUNE = 0.002  # weights smaller than this (times the feature's largest value, 1) change no decision
SEED = 0
CHECK_TEXTS = (
    "i want to kill myself",
    "not suicidal, just tired",
    "what time is group on thursday?",
    "gave my dog to my neighbor and wrote letters to everyone",
    "me tomé todas las pastillas y me siento mareada",
    "everything is too much lately",
)


@dataclass(frozen=True)
class Fitted:
    """The two regressions' weights per feature hash, before quantisation."""

    hashes: np.ndarray  # uint32, sorted
    crisis: np.ndarray  # float64, one per hash
    alert: np.ndarray
    bias: tuple[float, float]


def model_text(text: str) -> str:
    """What the model reads of a text: the clauses the context rules keep."""
    return read_context(text).kept


def _counts(rows: Sequence[Row]) -> list[Counter[int]]:
    return [Counter(features(words(model_text(r.text)))) for r in rows]


def _matrix(counts: Sequence[Counter[int]], index: dict[int, int], grow: bool) -> csr_matrix:
    data: list[float] = []
    cols: list[int] = []
    ptr = [0]
    for c in counts:
        for h, k in c.items():
            j = index.get(h)
            if j is None:
                if not grow:
                    continue
                j = index[h] = len(index)
            cols.append(j)
            data.append(float(k))
        ptr.append(len(cols))
    return csr_matrix((data, cols, ptr), shape=(len(counts), len(index)))


def fit(rows: Sequence[Row], counts: Sequence[Counter[int]] | None = None, c: float = C) -> Fitted:
    """Fit the crisis and alert regressions on ``rows``."""
    counts = counts if counts is not None else _counts(rows)
    index: dict[int, int] = {}
    x = _matrix(counts, index, grow=True)
    out = []
    for target in (
        np.array([r.level == "crisis" for r in rows]),
        np.array([r.level != "none" for r in rows]),
    ):
        reg = LogisticRegression(C=c, max_iter=5000, tol=1e-6).fit(x, target)
        out.append((reg.coef_[0], float(reg.intercept_[0])))
    hashes = np.array(list(index), dtype=np.uint32)
    order = np.argsort(hashes)
    return Fitted(hashes[order], out[0][0][order], out[1][0][order], (out[0][1], out[1][1]))


def quantise(fitted: Fitted, prune: float = PRUNE) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[float]]:
    """Hashes and int16 weights of the features that matter, and the two scales."""
    keep = np.maximum(np.abs(fitted.crisis), np.abs(fitted.alert)) >= prune
    scales = [float(np.abs(w[keep]).max() / 32767) for w in (fitted.crisis, fitted.alert)]
    crisis = np.round(fitted.crisis[keep] / scales[0]).astype("<i2")
    alert = np.round(fitted.alert[keep] / scales[1]).astype("<i2")
    return fitted.hashes[keep].astype("<u4"), crisis, alert, scales


def to_model(fitted: Fitted, header: dict[str, object] | None = None) -> RiskModel:
    """The run-time model for ``fitted`` (quantised exactly as the file stores it)."""
    hashes, crisis, alert, scales = quantise(fitted)
    weights = {
        int(h): (scales[0] * int(c), scales[1] * int(a)) for h, c, a in zip(hashes, crisis, alert, strict=True)
    }
    return RiskModel(weights, fitted.bias, dict(header or {}))


def folds(rows: Sequence[Row], k: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified k folds (by level and by whether the row is from a newer block)."""
    strata = [f"{r.level}/{r.block in NEW_BLOCKS}" for r in rows]
    return list(StratifiedKFold(k, shuffle=True, random_state=SEED).split(np.zeros(len(rows)), strata))


def out_of_fold(rows: Sequence[Row], k: int, only: set[int] | None = None) -> dict[int, Evidence]:
    """Evidence for each row (or the rows in ``only``) from a model trained without its fold."""
    counts = _counts(rows)
    found: dict[int, Evidence] = {}
    for train, test in folds(rows, k):
        model = to_model(fit([rows[i] for i in train], [counts[i] for i in train]))
        for i in test:
            if only is None or i in only:
                found[int(i)] = gather(rows[i].text, model)
    return found


def rates(rows: Sequence[Row], levels: Sequence[Level]) -> dict[str, float]:
    """Crisis recall, crisis-or-concern recall and benign texts sent to crisis and to concern."""

    def share(level: str, hit: set[Level]) -> float:
        picked = [lv for r, lv in zip(rows, levels, strict=True) if r.level == level]
        return sum(lv in hit for lv in picked) / max(1, len(picked))

    return {
        "crisis_recall": share("crisis", {Level.CRISIS}),
        "alert_recall": share("crisis", {Level.CRISIS, Level.CONCERN}),
        "benign_crisis": share("none", {Level.CRISIS}),
        "benign_concern": share("none", {Level.CONCERN}),
        "concern_alert": share("concern", {Level.CRISIS, Level.CONCERN}),
        "concern_crisis": share("concern", {Level.CRISIS}),
    }


def _grid(step: float, top: float) -> list[float]:
    return [round(i * step, 2) for i in range(int(round(top / step)) + 1)]


def choose_thresholds(
    rows: Sequence[Row], evidence: Sequence[Evidence], max_benign_crisis: float, max_benign_concern: float
) -> Thresholds:
    """The thresholds that catch the most crises with benign texts under the two limits.

    ``decide`` evaluated with numpy over a grid (checked against ``decide`` itself at the end):
    first the crisis thresholds with the highest crisis recall whose share of the other texts
    (benign and concern) reaching crisis is at most ``max_benign_crisis`` (ties: fewer of them,
    then higher thresholds), then the
    lowest ``concern`` whose benign share reaching concern is at most ``max_benign_concern``.
    """
    level = np.array([r.level for r in rows])
    crisis_p = np.array([e.scores.crisis for e in evidence])
    alert_p = np.array([e.scores.alert for e in evidence])
    third = np.array([e.context.third_party is not None for e in evidence])
    group = np.array([_group(e) for e in evidence])
    joke = np.array([e.set_aside is not None and "joke" in e.context.set_aside for e in evidence])
    is_crisis, is_none, not_crisis = level == "crisis", level == "none", level != "crisis"
    best: tuple[tuple[float, float, float], Thresholds] | None = None
    for crisis in _grid(0.02, 0.98):
        model_alone = third | (crisis_p >= crisis)
        for confirm in (0.0, 0.05, 0.1, 0.2, 0.3):
            strong = model_alone | ((group == 1) & (crisis_p >= confirm))
            for indirect in _grid(0.04, crisis):
                with_indirect = strong | ((group == 2) & (crisis_p >= indirect))
                for means in _grid(0.04, crisis):
                    caught = with_indirect | ((group == 3) & (crisis_p >= means))
                    benign = caught[not_crisis].mean()
                    if benign > max_benign_crisis:
                        continue
                    key = (caught[is_crisis].mean(), -benign, crisis + confirm + indirect + means)
                    if best is None or key > best[0]:
                        best = (key, Thresholds(crisis, confirm, indirect, means, crisis))
    if best is None:
        sys.exit("no thresholds keep benign texts under --max-benign-crisis")
    chosen = best[1]
    caught = np.array([decide(e, chosen)[0] is Level.CRISIS for e in evidence])
    for concern in _grid(0.02, chosen.crisis):
        flagged = (group > 0) | (alert_p >= concern) | joke
        if (flagged & ~caught)[is_none].mean() <= max_benign_concern:
            chosen = Thresholds(chosen.crisis, chosen.confirm, chosen.confirm_indirect, chosen.confirm_means, concern)
            break
    check = rates(rows, [decide(e, chosen)[0] for e in evidence])
    assert abs(check["crisis_recall"] - best[0][0]) < 1e-9, "the grid and decide() disagree"
    return chosen


def _group(evidence: Evidence) -> int:
    """0 nothing, 1 a lexicon category naming the danger, 2 indirect or a cue, 3 means (as ``decide``)."""
    found = evidence.detection
    if found is None:
        return 0 if evidence.cue is None else 2
    return {"indirect": 2, "means": 3}.get(found.category, 1)


def reference_scores(fitted: Fitted, texts: Sequence[str]) -> list[dict[str, object]]:
    """The fitted regressions' probabilities for ``texts``, computed with numpy before quantisation."""
    index = {int(h): i for i, h in enumerate(fitted.hashes)}
    x = _matrix([Counter(features(words(model_text(t)))) for t in texts], index, grow=False)
    crisis = 1 / (1 + np.exp(-(x @ fitted.crisis + fitted.bias[0])))
    alert = 1 / (1 + np.exp(-(x @ fitted.alert + fitted.bias[1])))
    return [
        {"text": t, "crisis": round(float(c), 6), "alert": round(float(a), 6)}
        for t, c, a in zip(texts, crisis, alert, strict=True)
    ]


def write_model(path: Path, fitted: Fitted, header: dict[str, object]) -> None:
    """Write the model file (layout in flows/risk_model.py)."""
    hashes, crisis, alert, scales = quantise(fitted)
    head = dict(header, features=len(hashes), bias=list(fitted.bias), scale=scales)
    blob = json.dumps(head, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        MAGIC + len(blob).to_bytes(4, "little") + blob + hashes.tobytes() + crisis.tobytes() + alert.tobytes()
    )


def corpus_digest() -> str:
    """SHA-256 of the corpus files, so a model names the corpus it was trained on."""
    digest = hashlib.sha256()
    for path in CORPORA:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--c", type=float, default=C)
    parser.add_argument("--max-benign-crisis", type=float, default=0.08)
    parser.add_argument("--max-benign-concern", type=float, default=0.30)
    args = parser.parse_args()

    rows = training_rows(read_corpus())
    newer = {i for i, r in enumerate(rows) if r.block in NEW_BLOCKS}
    evidence = out_of_fold(rows, args.folds, newer)
    dev = sorted(newer)
    thresholds = choose_thresholds(
        [rows[i] for i in dev], [evidence[i] for i in dev], args.max_benign_crisis, args.max_benign_concern
    )
    chosen = rates([rows[i] for i in dev], [decide(evidence[i], thresholds)[0] for i in dev])
    print(f"thresholds {thresholds}")
    print("out of fold on " + ", ".join(NEW_BLOCKS) + ": " + ", ".join(f"{k} {v:.3f}" for k, v in chosen.items()))

    fitted = fit(rows, c=args.c)
    header: dict[str, object] = {
        "format": 1,
        "thresholds": dataclasses.asdict(thresholds),
        "trained": {
            "rows": len(rows),
            "left_out": FINAL_BLOCK,
            "c": args.c,
            "folds": args.folds,
            "corpus_sha256": corpus_digest(),
            "out_of_fold": {k: round(v, 4) for k, v in chosen.items()},
        },
    }
    header["checks"] = reference_scores(fitted, CHECK_TEXTS)
    write_model(args.out, fitted, header)
    size = args.out.stat().st_size
    print(f"wrote {args.out} ({size / 1024:.0f} KiB, {len(read_model(args.out).weights)} features)")


if __name__ == "__main__":
    main()

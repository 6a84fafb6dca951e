"""Figures for the risk assessment: the lexicon alone, the model alone and ``assess`` on labelled rows.

Used by ``bench/crisis_recall.py --risk``. Every figure is over texts of a labelled level:

- crisis recall: crisis texts assessed crisis;
- crisis-or-concern recall: crisis texts assessed crisis or concern;
- benign->crisis, benign->concern: benign texts (level none) assessed crisis, or concern;
- concern->alert: concern texts assessed crisis or concern.

"Lexicon alone" is ``crisis_detect.detect`` on the whole text (a match is a crisis; it has no
concern tier). "Model alone" is the model on the whole text with the shipped thresholds (crisis
probability >= ``crisis`` is a crisis, alert probability >= ``concern`` a concern). "assess" is
``flows.risk``: context, lexicon, cues and model together.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bench.risk_data import Row
from flows.crisis_detect import detect
from flows.risk import Level, Thresholds, decide, gather
from flows.risk_model import RiskModel

Assessor = Callable[[str], Level]


@dataclass(frozen=True)
class Figures:
    """Counts behind the rates of one assessor on one set of rows."""

    crisis: int
    crisis_caught: int
    crisis_alerted: int
    benign: int
    benign_crisis: int
    benign_concern: int
    concern: int
    concern_alerted: int

    def cells(self, tiers: bool = True) -> list[str]:
        """The table cells: crisis recall, crisis-or-concern recall, benign->crisis, benign->concern, concern."""

        def pct(hit: int, total: int) -> str:
            return f"{hit}/{total} {hit / total:4.0%}" if total else "-"

        return [
            pct(self.crisis_caught, self.crisis),
            pct(self.crisis_alerted, self.crisis) if tiers else "-",
            pct(self.benign_crisis, self.benign),
            pct(self.benign_concern, self.benign) if tiers else "-",
            pct(self.concern_alerted, self.concern) if tiers else "-",
        ]


HEADERS = ["crisis recall", "crisis|concern", "benign->crisis", "benign->concern", "concern->alert"]


def figures(rows: Sequence[Row], levels: Sequence[Level]) -> Figures:
    """Count how ``levels`` (one per row) meet the rows' labels."""
    pairs = list(zip(rows, levels, strict=True))
    alert = {Level.CRISIS, Level.CONCERN}
    return Figures(
        crisis=sum(r.level == "crisis" for r, _ in pairs),
        crisis_caught=sum(r.level == "crisis" and lv is Level.CRISIS for r, lv in pairs),
        crisis_alerted=sum(r.level == "crisis" and lv in alert for r, lv in pairs),
        benign=sum(r.level == "none" for r, _ in pairs),
        benign_crisis=sum(r.level == "none" and lv is Level.CRISIS for r, lv in pairs),
        benign_concern=sum(r.level == "none" and lv is Level.CONCERN for r, lv in pairs),
        concern=sum(r.level == "concern" for r, _ in pairs),
        concern_alerted=sum(r.level == "concern" and lv in alert for r, lv in pairs),
    )


def lexicon_alone(text: str) -> Level:
    return Level.CRISIS if detect(text) is not None else Level.NONE


def model_alone(model: RiskModel, thresholds: Thresholds) -> Assessor:
    def level(text: str) -> Level:
        scores = model.score(text)
        if scores.crisis >= thresholds.crisis:
            return Level.CRISIS
        return Level.CONCERN if scores.alert >= thresholds.concern else Level.NONE

    return level


def combined(model: RiskModel, thresholds: Thresholds) -> Assessor:
    def level(text: str) -> Level:
        if not text.strip():
            return Level.NONE
        return decide(gather(text, model), thresholds)[0]

    return level


def print_table(title: str, lines: Sequence[tuple[str, Figures, bool]]) -> None:
    """One block's table: a line per assessor (name, figures, whether it has a concern tier)."""
    print(title)
    width = max(len(name) for name, _, _ in lines) + 2
    print(" " * width + "".join(f"{h:>17}" for h in HEADERS))
    for name, figs, tiers in lines:
        print(f"{name:<{width}}" + "".join(f"{c:>17}" for c in figs.cells(tiers)))


def evaluate(rows: Sequence[Row], model: RiskModel, thresholds: Thresholds) -> list[tuple[str, Figures, bool]]:
    """Lexicon alone, model alone and assess on ``rows``."""
    texts = [r.text for r in rows]
    lex = [lexicon_alone(t) for t in texts]
    alone = model_alone(model, thresholds)
    both = combined(model, thresholds)
    return [
        ("lexicon alone", figures(rows, lex), False),
        ("model alone", figures(rows, [alone(t) for t in texts]), True),
        ("assess", figures(rows, [both(t) for t in texts]), True),
    ]


def misses(rows: Sequence[Row], model: RiskModel, thresholds: Thresholds) -> list[str]:
    """One line per row that assess gets wrong in the direction that matters (for -v)."""
    out = []
    for r in rows:
        level, reasons = decide(gather(r.text, model), thresholds) if r.text.strip() else (Level.NONE, ())
        wrong = (r.level == "crisis" and level is not Level.CRISIS) or (r.level == "none" and level is Level.CRISIS)
        if wrong:
            where = f"{r.source}:{r.line} [{r.language}/{r.kind}]"
            out.append(f"  {r.level:>6}->{level.value:<7} {where} {'; '.join(reasons)}")
    return out


def best_of(fn: Callable[[], object], rounds: int) -> float:
    """The fastest of ``rounds`` calls of ``fn``, in seconds (the least disturbed by other load)."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


# ---------------------------------------------------------------------------------------------
# The report printed by bench/crisis_recall.py --risk
# ---------------------------------------------------------------------------------------------

LONG_TEXT = (
    "hey everyone, sorry for the long text. so work has been a lot lately, my manager moved me to the early shift "
    "and the bus doesn't run that early so i've been getting rides from my cousin which is fine but she's always "
    "late. the kids are good, my daughter made the soccer team and my son is finally sleeping through the night. "
) * 6


def report_heldout(rows: Sequence[Row], model: RiskModel, thresholds: Thresholds, verbose: bool) -> None:
    """The shipped model on every block it was never trained on."""
    left_out = model.header.get("trained", {}).get("left_out")
    blocks = [left_out] if isinstance(left_out, str) else []
    for block in blocks:
        picked = [r for r in rows if r.block == block]
        if not picked:
            continue
        title = f"\n== held-out {block} (never trained on, never tuned on): {_sizes(picked)}"
        print_table(title, evaluate(picked, model, thresholds))
        for language in sorted({r.language for r in picked}):
            sub = [r for r in picked if r.language == language]
            print_table(f"   {language}:", [evaluate(sub, model, thresholds)[2]])
        both = combined(model, thresholds)
        kinds = sorted({r.kind for r in picked if r.level != "concern"})
        print("   assess by kind (crisis: caught as crisis, as crisis or concern; benign: sent to crisis, to concern):")
        for kind in kinds:
            sub = [r for r in picked if r.kind == kind and r.level != "concern"]
            f = figures(sub, [both(r.text) for r in sub])
            if f.crisis:
                print(f"     {kind:<13} crisis {f.crisis_caught}/{f.crisis}, alert {f.crisis_alerted}/{f.crisis}")
            if f.benign:
                sent = f"benign->crisis {f.benign_crisis}/{f.benign}, ->concern {f.benign_concern}/{f.benign}"
                print(f"     {kind:<13} {sent}")
        if verbose:
            print("\n".join(misses(picked, model, thresholds)))


def _sizes(rows: Sequence[Row]) -> str:
    count = {lv: sum(r.level == lv for r in rows) for lv in ("crisis", "concern", "none")}
    return f"{count['crisis']} crisis / {count['concern']} concern / {count['none']} benign"


def report_block_out(rows: Sequence[Row], blocks: Sequence[str], thresholds: Thresholds) -> None:
    """For each block: a model trained without it (and without the final block), measured on it."""
    from bench.risk_data import training_rows
    from bench.train_risk import fit, to_model

    train_all = training_rows(rows)
    for block in blocks:
        picked = [r for r in train_all if r.block == block]
        if not picked:
            continue
        model = to_model(fit([r for r in train_all if r.block != block]))
        note = " (the lexicon was tuned on it)" if block in {"base", *(f"round {i}" for i in range(1, 8))} else ""
        print_table(f"\n== {block} left out of training{note}: {_sizes(picked)}", evaluate(picked, model, thresholds))


def report_cross_validation(rows: Sequence[Row], k: int, thresholds: Thresholds) -> None:
    """k-fold over the whole corpus (the final block too), the model trained inside each fold."""
    from bench.train_risk import _counts, fit, folds, to_model

    counts = _counts(rows)
    levels: dict[int, tuple[Level, Level, Level]] = {}
    for train, test in folds(rows, k):
        model = to_model(fit([rows[i] for i in train], [counts[i] for i in train]))
        alone, both = model_alone(model, thresholds), combined(model, thresholds)
        for i in test:
            text = rows[i].text
            levels[int(i)] = (lexicon_alone(text), alone(text), both(text))
    order = sorted(levels)
    picked = [rows[i] for i in order]
    lines = [
        (name, figures(picked, [levels[i][n] for i in order]), n > 0)
        for n, name in enumerate(("lexicon alone", "model alone", "assess"))
    ]
    print_table(f"\n== {k}-fold cross-validation over the whole corpus: {_sizes(picked)}", lines)
    newer = [i for i in order if rows[i].block not in {"base", *(f"round {j}" for j in range(1, 8))}]
    sub = [rows[i] for i in newer]
    names = ("lexicon alone", "model alone", "assess")
    print_table(
        f"   of which the blocks the lexicon was never tuned on (rounds 8 on): {_sizes(sub)}",
        [(name, figures(sub, [levels[i][n] for i in newer]), n > 0) for n, name in enumerate(names)],
    )


def report_timing(path: object) -> None:
    """Model load and scoring times, as ratios to detect() on the same text in the same run."""
    from pathlib import Path

    from flows.risk import assess, sentences
    from flows.risk_model import read_model

    text = LONG_TEXT[:1600]
    short = LONG_TEXT[:160]
    assert isinstance(path, Path)
    detect(text)
    base = best_of(lambda: detect(text), 20)
    base_short = best_of(lambda: detect(short), 50)
    load = best_of(lambda: read_model(path), 5)
    model = read_model(path)

    def cold_score() -> None:
        model.clear_memo()
        model.score(text)

    cold = best_of(cold_score, 20)
    model.score(text)
    warm = best_of(lambda: model.score(text), 50)

    def as_read() -> None:  # as flows.risk.gather reads a long text: whole, then sentence by sentence
        model.clear_memo()
        model.score(text)
        for part in sentences(text):
            model.score(part)

    by_sentence = best_of(as_read, 20)
    assess(text)
    whole = best_of(lambda: assess(text), 20)
    whole_short = best_of(lambda: assess(short), 50)
    print("\n== timing (best of several runs; baseline: crisis_detect.detect() on the same text, this run)")
    print(f"   detect() 1,600 chars: {base * 1e3:.2f} ms; 160 chars: {base_short * 1e3:.3f} ms")
    print(f"   model load:                      {load * 1e3:6.1f} ms  = {load / base:5.2f} x detect(1,600 chars)")
    print(f"   model score, 1,600 chars, cold:  {cold * 1e3:6.3f} ms  = {cold / base:5.2f} x detect()  (no word memo)")
    print(f"   model score, 1,600 chars, warm:  {warm * 1e3:6.3f} ms  = {warm / base:5.2f} x detect()")
    print(f"   ... and its sentences, cold:     {by_sentence * 1e3:6.3f} ms  = {by_sentence / base:5.2f} x detect()")
    print(f"   assess(), 1,600 chars:           {whole * 1e3:6.3f} ms  = {whole / base:5.2f} x detect()")
    ratio = whole_short / base_short
    print(f"   assess(), 160 chars:             {whole_short * 1e3:6.3f} ms  = {ratio:5.2f} x detect(160 chars)")

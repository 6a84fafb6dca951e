"""Recall and false-positive rate of the crisis detector on a labelled TSV (held-out rounds),
and the figures of the risk assessment (lexicon, model, assess) with ``--risk``.

    PYTHONPATH=. python bench/crisis_recall.py --risk [-v] [--folds 5] [--quick]
    PYTHONPATH=. python bench/crisis_recall.py bench/crisis_heldout_r4.tsv [-v]
    PYTHONPATH=. python bench/crisis_recall.py tests/flows/crisis_corpus.tsv --block "round 4" [-v]
    PYTHONPATH=. python bench/crisis_recall.py FILE --rev b037f92     # the detector as of a commit

The TSV has the corpus format (label, language, category, text; '#' lines skipped). ``--block``
keeps only the lines after the first '#' comment containing that text, up to the next comment
line starting with '# Held-out'. ``--rev`` loads flows/crisis_detect.py and flows/data/crisis/
from that git revision (via ``git show``) instead of the working tree, so a "before" figure can
be reproduced after the lexicon has changed. ``-v`` lists every miss and false positive.

``--risk`` reads both corpus files (bench/risk_data.py) and prints, for the lexicon alone, the
model alone and ``flows.risk.assess``: crisis recall, crisis-or-concern recall, benign texts
sent to crisis and to concern, concern texts alerted. First on each block the shipped model
never trained on (the final held-out block), then on each newer block with a model trained
without it, then k-fold cross-validation over the whole corpus (models trained inside each
fold; these need the ``train`` extra, skipped with ``--quick``), then model load and scoring
times as ratios to ``detect()`` in the same run.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent


class Row(NamedTuple):
    line: int
    label: str
    language: str
    category: str
    text: str


def read_rows(path: Path, block: str | None) -> list[Row]:
    rows: list[Row] = []
    inside = block is None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if raw.startswith("#"):
            if block is not None:
                if block.lower() in raw.lower() and not rows:
                    inside = True
                elif inside and rows and raw.startswith("# Held-out"):
                    break
            continue
        if not raw.strip() or raw.startswith("label\t") or not inside:
            continue
        label, language, category, text = raw.split("\t", 3)
        rows.append(Row(number, label, language, category, text))
    return rows


def detector_at(rev: str | None) -> Callable[[str], Any]:
    """``detect`` from the working tree, or from git revision ``rev``."""
    os.environ.pop("TEXTLINE_CRISIS_LEXICON_DIR", None)
    if rev is None:
        from flows.crisis_detect import detect

        return detect

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout

    tmp = Path(tempfile.mkdtemp(prefix="crisis_rev_"))
    (tmp / "data" / "crisis").mkdir(parents=True)
    (tmp / "crisis_detect.py").write_text(git("show", f"{rev}:flows/crisis_detect.py"), encoding="utf-8")
    for name in git("ls-tree", "--name-only", rev, "flows/data/crisis/").split():
        (tmp / "data" / "crisis" / Path(name).name).write_text(git("show", f"{rev}:{name}"), encoding="utf-8")
    spec = importlib.util.spec_from_file_location("crisis_detect_rev", tmp / "crisis_detect.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.detect  # type: ignore[no-any-return]


def pct(hit: int, total: int) -> str:
    return f"{hit}/{total} = {hit / total:.0%}" if total else "-"


def report(rows: list[Row], detect: Callable[[str], Any], verbose: bool) -> None:
    crisis = [r for r in rows if r.label == "crisis"]
    benign = [r for r in rows if r.label == "benign"]
    found = {r.line: detect(r.text) for r in rows}  # also compiles whatever the lexicon builds lazily
    start = time.process_time()
    for r in rows:
        detect(r.text)
    cpu = (time.process_time() - start) / max(1, len(rows))
    caught = {r.line for r in crisis if found[r.line] is not None}

    cats = sorted({r.category for r in crisis})
    langs = sorted({r.language for r in rows})
    total: Counter[tuple[str, str]] = Counter((r.category, r.language) for r in crisis)
    hits: Counter[tuple[str, str]] = Counter((r.category, r.language) for r in crisis if r.line in caught)
    width = max(len(c) for c in [*cats, "category"]) + 2
    print(f"{'category':<{width}}" + "".join(f"{lang:>16}" for lang in langs) + f"{'all':>16}")
    for cat in cats:
        cells = [pct(hits[cat, lang], total[cat, lang]) for lang in langs]
        all_hit = sum(hits[cat, lang] for lang in langs)
        all_total = sum(total[cat, lang] for lang in langs)
        print(f"{cat:<{width}}" + "".join(f"{c:>16}" for c in cells) + f"{pct(all_hit, all_total):>16}")
    row = [pct(sum(hits[c, lang] for c in cats), sum(total[c, lang] for c in cats)) for lang in langs]
    print(f"{'RECALL':<{width}}" + "".join(f"{c:>16}" for c in row) + f"{pct(len(caught), len(crisis)):>16}")
    flagged = [r for r in benign if found[r.line] is not None]
    fp = [
        pct(sum(1 for r in flagged if r.language == lang), sum(1 for r in benign if r.language == lang))
        for lang in langs
    ]
    print(f"{'BENIGN FP':<{width}}" + "".join(f"{c:>16}" for c in fp) + f"{pct(len(flagged), len(benign)):>16}")
    print(f"mean detect(): {cpu * 1e6:.0f} us CPU over {len(rows)} messages")
    if verbose:
        for r in crisis:
            if r.line not in caught:
                print(f"  MISS  {r.line} [{r.language}/{r.category}] {r.text}")
        for r in flagged:
            d = found[r.line]
            print(f"  FP    {r.line} [{r.language}] {d.category}/{d.language}/{d.term}: {r.text}")


def risk_report(folds: int, quick: bool, verbose: bool) -> None:
    """The --risk figures (see the module docstring)."""
    from bench import risk_eval
    from bench.risk_data import NEW_BLOCKS, read_corpus
    from flows.risk import thresholds_of
    from flows.risk_model import MODEL_PATH, read_model

    os.environ.pop("TEXTLINE_CRISIS_LEXICON_DIR", None)
    model = read_model(MODEL_PATH)
    thresholds = thresholds_of(model)
    trained = model.header.get("trained", {})
    size = MODEL_PATH.stat().st_size / 1024
    print(f"model {MODEL_PATH.relative_to(ROOT)}: {size:.0f} KiB, {len(model.weights)} features")
    print(f"trained on {trained.get('rows')} texts (all but {trained.get('left_out')}); thresholds {thresholds}")
    rows = read_corpus()
    risk_eval.report_heldout(rows, model, thresholds, verbose)
    if not quick:
        try:
            import sklearn  # noqa: F401
        except ImportError:
            print("\n(scikit-learn missing: pip install -e '.[train]' for the leave-one-block-out and k-fold figures)")
        else:
            risk_eval.report_block_out(rows, NEW_BLOCKS, thresholds)
            risk_eval.report_cross_validation(rows, folds, thresholds)
    risk_eval.report_timing(MODEL_PATH)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tsv", type=Path, nargs="?")
    parser.add_argument("--block", help="only the lines after the '#' comment containing this text")
    parser.add_argument("--rev", help="measure the detector as of this git revision")
    parser.add_argument("-v", "--verbose", action="store_true", help="list misses and false positives")
    parser.add_argument("--risk", action="store_true", help="figures of the risk assessment (see above)")
    parser.add_argument("--folds", type=int, default=5, help="k for the --risk cross-validation")
    parser.add_argument("--quick", action="store_true", help="--risk without the figures that train models")
    args = parser.parse_args()
    if args.risk:
        risk_report(args.folds, args.quick, args.verbose)
        return
    if args.tsv is None:
        parser.error("give a TSV file, or --risk")
    rows = read_rows(args.tsv, args.block)
    if not rows:
        sys.exit(f"no rows in {args.tsv}" + (f" after a comment containing {args.block!r}" if args.block else ""))
    detect = detector_at(args.rev)
    detect("warm up")
    report(rows, detect, args.verbose)


if __name__ == "__main__":
    main()

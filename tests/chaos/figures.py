"""Summarise what the chaos and fuzz tests measured: `python -m tests.chaos.figures test-artifacts`.

Reads reliability.jsonl (one line per chaos scenario run) and fuzz.json, prints the figures the
reliability note reports: messages lost and duplicated, 5xx answers, worst crisis alert delay, requests
fuzzed.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path


def summary(folder: Path) -> dict[str, object]:
    runs = [json.loads(line) for line in (folder / "reliability.jsonl").read_text().splitlines() if line.strip()]
    fuzz = folder / "fuzz.json"
    delays = [d for run in runs for d in run.get("crisis_delays", [])]
    return {
        "scenarios": [run["scenario"] for run in runs],
        "messages_expected": sum(run["expected"] for run in runs),
        "messages_lost": sum(run["lost"] for run in runs),
        "messages_duplicated": sum(run["duplicated"] for run in runs),
        "unwanted_sends": sum(run["unwanted"] for run in runs),
        "webhooks_acknowledged": sum(run["acknowledged"] for run in runs),
        "five_xx": sum(run["five_xx"] for run in runs),
        "horses_killed": sum(run["kills"] for run in runs),
        "crisis_alerts": len(delays),
        "worst_crisis_delay_s": round(max(delays), 2) if delays else None,
        "requests_fuzzed": json.loads(fuzz.read_text())["total"] if fuzz.exists() else 0,
    }


if __name__ == "__main__":
    print(json.dumps(summary(Path(sys.argv[1] if len(sys.argv) > 1 else "test-artifacts")), indent=2))

"""Reading `GET /metrics` in tests: the exposition text parsed by prometheus-client's own parser."""
from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def samples(text: str) -> Samples:
    """Every sample in an exposition text: (name, sorted labels) -> value."""
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def figure(found: Samples, name: str, **labels: str) -> float:
    """One sample's value (0 when the label set was never counted)."""
    return found.get((name, tuple(sorted(labels.items()))), 0.0)

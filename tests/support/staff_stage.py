"""The staff catch-all stage in the engine, where the lead wires it: after the staff stages, before the
member stages. Until that wiring is merged, tests put it there themselves (the same place)."""
from __future__ import annotations

import pytest

from flows import engine, plan_peer, staff_help


def wire(monkeypatch: pytest.MonkeyPatch) -> None:
    if staff_help.catch_all in engine.STAGES:
        return
    stages = list(engine.STAGES)
    stages.insert(stages.index(plan_peer.peer_stage) + 1, staff_help.catch_all)
    monkeypatch.setattr(engine, "STAGES", stages)

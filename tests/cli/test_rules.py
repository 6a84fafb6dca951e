"""`textline rules [GROUP] [TEXT] [--clear] [--json]`: a group's agreement."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.group_directory import Groups
from tests.support.harness import Harness
from textline.models import agreements

AGREEMENT = "What is said here stays here. Listen without judging. One voice at a time."


@pytest.fixture
def groups(monkeypatch: pytest.MonkeyPatch) -> Iterator[Groups]:
    directory = Groups({}, others=("RIVER", "EMPTY"))
    monkeypatch.setattr(agreements, "_directory", [directory])
    yield directory


def test_set_show_list_clear(line: Harness, groups: Groups) -> None:
    result = line.cli("rules", "RIVER", AGREEMENT)
    assert result.exit_code == 0 and "1 segment" in result.output
    assert line.cli_json("rules", "river") == [{"group": "RIVER", "rules": AGREEMENT, "segments": 1}]
    line.cli("rules", "EMPTY", "x " * 100)
    assert [row["group"] for row in line.cli_json("rules")] == ["EMPTY", "RIVER"]
    assert line.cli_json("rules")[0]["segments"] == 2
    assert line.cli("rules", "RIVER", "--clear").exit_code == 0
    assert [row["group"] for row in line.cli_json("rules")] == ["EMPTY"]


@pytest.mark.parametrize("args", [("NOWHERE", "Be kind"), ("RIVER",), ("RIVER", " "), ("RIVER", "x" * 481)])
def test_bad_input_is_a_one_line_error(line: Harness, groups: Groups, args: tuple[str, ...]) -> None:
    result = line.cli("rules", *args)
    assert result.exit_code != 0
    assert len(result.output.strip().splitlines()) == 1, result.output

"""`textline rules [GROUP] [TEXT] [--clear] [--json]`: a group's agreement."""
from __future__ import annotations

import pytest

from tests.support.harness import Harness

AGREEMENT = "What is said here stays here. Listen without judging. One voice at a time."


@pytest.fixture
def groups(line: Harness) -> None:
    for name, code in (("River", "RIVER"), ("Empty", "EMPTY")):
        assert line.cli("groups", "add", name, "--code", code).exit_code == 0


def test_set_show_list_clear(line: Harness, groups: None) -> None:
    result = line.cli("rules", "RIVER", AGREEMENT)
    assert result.exit_code == 0 and "1 segment" in result.output
    assert line.cli_json("rules", "river") == [{"group": "RIVER", "rules": AGREEMENT, "segments": 1}]
    line.cli("rules", "EMPTY", "x " * 100)
    assert [row["group"] for row in line.cli_json("rules")] == ["EMPTY", "RIVER"]
    assert line.cli_json("rules")[0]["segments"] == 2
    assert line.cli("rules", "RIVER", "--clear").exit_code == 0
    assert [row["group"] for row in line.cli_json("rules")] == ["EMPTY"]


@pytest.mark.parametrize("args", [("NOWHERE", "Be kind"), ("RIVER",), ("RIVER", " "), ("RIVER", "x" * 481)])
def test_bad_input_is_a_one_line_error(line: Harness, groups: None, args: tuple[str, ...]) -> None:
    result = line.cli("rules", *args)
    assert result.exit_code != 0
    assert len(result.output.strip().splitlines()) == 1, result.output

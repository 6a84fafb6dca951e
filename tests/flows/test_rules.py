"""RULES: each group's agreement; sent once on joining (the groups feature calls `join_followup`)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from flows.rules import join_followup
from tests.support.group_directory import Groups
from tests.support.harness import Harness, member_number
from textline.models import agreements

M1, M2, MX = member_number(871), member_number(872), "+525512345678"
AGREEMENT = "What is said here stays here. Listen without judging. One voice at a time."


@pytest.fixture
def groups(monkeypatch: pytest.MonkeyPatch) -> Iterator[Groups]:
    directory = Groups({M1: ["RIVER", "HILL"], MX: ["RIVER"]})
    monkeypatch.setattr(agreements, "_directory", [directory])
    yield directory


def test_rules_shows_each_groups_agreement(line: Harness, groups: Groups) -> None:
    assert line.cli("rules", "river", AGREEMENT).exit_code == 0
    member = line.member(M1).joins()
    assert member.texts("RULES") == [f"RIVER agreement: {AGREEMENT}"]
    line.cli("rules", "HILL", "Be kind.")
    assert member.texts("rules") == [f"RIVER agreement: {AGREEMENT}", "HILL agreement: Be kind."]


def test_spanish(line: Harness, groups: Groups) -> None:
    line.cli("rules", "RIVER", "Lo que se dice aquí, aquí se queda.")
    member = line.member(MX)
    member.texts("hola")
    member.texts("YES")
    assert member.texts("REGLAS") == ["Acuerdo de RIVER: Lo que se dice aqui, aqui se queda."]


def test_no_group_or_no_agreement(line: Harness, groups: Groups) -> None:
    assert "not in a group" in line.member(M2).joins().texts("RULES")[0]
    assert line.member(M1).joins().texts("RULES") == ["Your group has no written agreement yet."]


def test_sent_once_on_joining(line: Harness, groups: Groups) -> None:
    line.cli("rules", "RIVER", AGREEMENT)
    line.member(M1).joins()
    assert join_followup(line.line, M1, "river", "en") == f"RIVER agreement: {AGREEMENT}"
    assert join_followup(line.line, M1, "RIVER", "en") is None  # joining again: not repeated
    assert join_followup(line.line, M1, "HILL", "en") is None  # no agreement written
    assert join_followup(line.line, MX, "RIVER", "es") == f"Acuerdo de RIVER: {AGREEMENT}"

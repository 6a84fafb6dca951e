"""RULES: each group's agreement; sent once on joining (the groups feature calls `join_followup`)."""
from __future__ import annotations

import pytest

from flows.rules import join_followup
from tests.support.harness import Harness, member_number
from textline.models import groups

M1, M2, MX = member_number(871), member_number(872), "+525512345678"
AGREEMENT = "What is said here stays here. Listen without judging. One voice at a time."


@pytest.fixture
def rosters(line: Harness) -> None:
    """M1 in the River and Hill groups, MX in River (on the rosters as JOIN leaves them, without its texts)."""
    for name, code in (("River", "RIVER"), ("Hill", "HILL")):
        assert line.cli("groups", "add", name, "--code", code).exit_code == 0
    for phone, codes in ((M1, ("RIVER", "HILL")), (MX, ("RIVER",))):
        for code in codes:
            groups.join(line.r, groups.require(line.r, code), phone)


def test_rules_shows_each_groups_agreement(line: Harness, rosters: None) -> None:
    assert line.cli("rules", "river", AGREEMENT).exit_code == 0
    member = line.member(M1).joins()
    assert member.texts("RULES") == [f"RIVER agreement: {AGREEMENT}"]
    line.cli("rules", "HILL", "Be kind.")
    assert member.texts("rules") == [f"RIVER agreement: {AGREEMENT}", "HILL agreement: Be kind."]


def test_spanish(line: Harness, rosters: None) -> None:
    line.cli("rules", "RIVER", "Lo que se dice aquí, aquí se queda.")
    member = line.member(MX)
    member.texts("hola")
    member.texts("YES")
    assert member.texts("REGLAS") == ["Acuerdo de RIVER: Lo que se dice aqui, aqui se queda."]


def test_no_group_or_no_agreement(line: Harness, rosters: None) -> None:
    assert "not in a group" in line.member(M2).joins().texts("RULES")[0]
    assert line.member(M1).joins().texts("RULES") == ["Your group has no written agreement yet."]


def test_sent_once_on_joining(line: Harness, rosters: None) -> None:
    line.cli("rules", "RIVER", AGREEMENT)
    line.member(M1).joins()
    assert join_followup(line.line, M1, "river", "en") == f"RIVER agreement: {AGREEMENT}"
    assert join_followup(line.line, M1, "RIVER", "en") is None  # joining again: not repeated
    assert join_followup(line.line, M1, "HILL", "en") is None  # no agreement written
    assert join_followup(line.line, MX, "RIVER", "es") == f"Acuerdo de RIVER: {AGREEMENT}"

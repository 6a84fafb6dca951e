"""Discreet mode for shared phones: DISCREET ON|OFF (DISCRETO SI|NO) changes what the line sends unprompted."""
from __future__ import annotations

from tests.support.harness import Harness, member_number
from textline.models import members

M1 = member_number(701)
MX = "+525512345701"


def test_discreet_on_and_off(line: Harness) -> None:
    member = line.member(M1).joins()
    assert "is off" in member.texts("DISCREET")[0]
    [on] = member.texts("discreet on")
    assert "neutral" in on and "DISCREET OFF" in on
    assert members.get(line.r, M1).discreet
    assert "is on" in member.texts("DISCREET")[0]
    assert "off" in member.texts("DISCREET OFF")[0]
    assert not members.get(line.r, M1).discreet


def test_discreto_in_spanish(line: Harness) -> None:
    member = line.member(MX).joins()
    assert "activado" in member.texts("DISCRETO SI")[0]
    assert members.get(line.r, MX).discreet
    assert "desactivado" in member.texts("discreto no")[0]


def test_the_tip_is_not_given_to_a_member_already_discreet(line: Harness) -> None:
    member = line.member(M1).joins()
    member.texts("DISCREET ON")
    assert len(member.texts("DAILY 9am")) == 1

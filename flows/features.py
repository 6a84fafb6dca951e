"""Every feature of the conversation, imported here once: each declares its commands and session
flows in flows/registry.py beside its handlers. The engine imports this module, so a process that
can answer a message knows every command.

A new feature module is added to `FEATURES` (tests/flows/test_engine.py checks that every module
that declares a command is listed).
"""
from __future__ import annotations

from flows import (
    call_me,
    callbacks,
    checkin,
    coordinator,
    crisis_staff,
    discreet,
    groups,
    language,
    menu,
    peer,
    plan,
    plan_peer,
    registry,
    relay,
    remind,
    rules,
    schedule,
    signal,
    staff_help,
    staff_oncall,
    zone,
)

FEATURES = (menu, staff_oncall, checkin, schedule, zone, language, discreet, plan, plan_peer, signal, remind, rules,
            callbacks, peer, call_me, groups, coordinator, crisis_staff, relay, staff_help)

registry.complete()

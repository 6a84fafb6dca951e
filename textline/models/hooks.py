"""Hooks the entry layer calls, so features react without the web layer knowing them.

`on_status`: called for each delivery status of a known message: Twilio's
status callbacks, and refusals the sender met itself (the voice fallback
listens for 30006 here). Call `status()` rather than the list: it first
imports `HOOK_MODULES`, so a hook registered by a feature also runs in a
worker process that never imported that feature.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable

from textline.core.line import Line
from textline.models.outbound import Message

StatusHook = Callable[[Line, Message, str, str], None]

on_status: list[StatusHook] = []

#: Modules that register hooks when imported; each feature adds its own.
HOOK_MODULES: list[str] = ["textline.models.cases"]


def status(line: Line, message: Message, state: str, error: str = "") -> None:
    """Tell every status hook that `message` reached `state` (with Twilio's error code, if any)."""
    for module in HOOK_MODULES:
        importlib.import_module(module)
    for hook in on_status:
        hook(line, message, state, error)

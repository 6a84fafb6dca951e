"""Hooks the entry layer calls, so features react without the web layer knowing them.

`on_status`: called for each delivery status callback of a known message
(the voice fallback listens for 30006 here).
"""
from __future__ import annotations

from collections.abc import Callable

from textline.line import Line
from textline.outbound import Message

StatusHook = Callable[[Line, Message, str, str], None]

on_status: list[StatusHook] = []

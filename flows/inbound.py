"""What came in, whatever the channel: a text, a keypad press or a speech result."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import cached_property

_EDGES = re.compile(r"^[\W_]+|[\W_]+$")


class Channel(StrEnum):
    SMS = "sms"
    VOICE = "voice"


def normalise_keyword(text: str) -> str:
    """The whole message as a keyword: case-insensitive, surrounding spaces and punctuation ignored."""
    return _EDGES.sub("", text or "").upper()


@dataclass(frozen=True)
class Inbound:
    channel: Channel
    phone: str
    text: str
    at: datetime
    sid: str = ""
    digits: str = ""
    opt_out_type: str = ""

    # Each is worked out once a turn (many stages ask), the instance being frozen.
    @cached_property
    def keyword(self) -> str:
        return normalise_keyword(self.digits or self.text)

    @cached_property
    def words(self) -> list[str]:
        return (self.digits or self.text or "").split()

    @cached_property
    def command(self) -> str:
        """The first word, as a keyword."""
        words = self.words
        return normalise_keyword(words[0]) if words else ""

    @cached_property
    def rest(self) -> str:
        """Everything after the first word."""
        parts = (self.text or "").strip().split(None, 1)
        return parts[1].strip() if len(parts) > 1 else ""

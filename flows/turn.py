"""One turn of a conversation: the line, what came in, and who sent it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import redis

from flows.inbound import Channel, Inbound
from textline.core import phones
from textline.core.line import Line
from textline.models.members import Member
from textline.models.staff import StaffMember


@dataclass
class Turn:
    line: Line
    inbound: Inbound
    member: Member | None
    staff: StaffMember | None

    @property
    def r(self) -> redis.Redis:
        return self.line.r

    @property
    def phone(self) -> str:
        return self.inbound.phone

    @property
    def now(self) -> datetime:
        return self.inbound.at

    @property
    def language(self) -> str:
        if self.member:
            return self.member.language
        if self.staff:
            return self.staff.language
        return phones.default_language(self.phone, self.line.settings.languages)

    @property
    def discreet(self) -> bool:
        return bool(self.member and self.member.discreet)

    @property
    def voice(self) -> bool:
        """A phone call: replies take the catalog's `.voice` wording where there is one."""
        return self.inbound.channel == Channel.VOICE

    def text(self, key: str, **values: Any) -> str:
        """A catalog entry in this sender's language."""
        return self.line.text(self.language, key, voice=self.voice, **values)

    def text_in(self, language: str, key: str, **values: Any) -> str:
        """A catalog entry in `language` (one just chosen), worded for this turn's channel."""
        return self.line.text(language, key, voice=self.voice, **values)

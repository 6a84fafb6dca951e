"""Safety plans: warning signs, what helps, people to contact, a reason to keep going.

Keys (owned here): `tl:member:{phone}:plan` hash (signs, helps, reason,
updated_at), `tl:member:{phone}:plan:contacts` list of JSON contacts (newest
last, at most two), `tl:member:{phone}:plan:proposals` list of steps a peer
proposed that the member has not confirmed yet. All under the member prefix,
so export and erase find them. A plan is member data: it is never logged.
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import phonenumbers
import redis

from textline.core import gsm, phones
from textline.core.errors import InvalidNumber
from textline.core.line import Line
from textline.models import members

#: The text steps of a plan, in walk-through order, with the contacts step third.
STEPS: tuple[str, ...] = ("signs", "helps", "contacts", "reason")
TEXT_FIELDS = frozenset({"signs", "helps", "reason"})
#: Septets per answer and per contact name: the whole plan then fits two segments in either language.
MAX_ANSWER = 50
MAX_NAME = 16
MAX_CONTACTS = 2
#: Two concatenated GSM-7 segments.
PLAN_SEPTETS = 2 * gsm.GSM7_CONCAT
PROPOSALS_TTL = 86400
_SPACES = re.compile(r"\s+")


def _key(phone: str) -> str:
    return members.sub_key(phone, "plan")


def _contacts_key(phone: str) -> str:
    return members.sub_key(phone, "plan", "contacts")


def _proposals_key(phone: str) -> str:
    return members.sub_key(phone, "plan", "proposals")


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str

    def shown(self, *, masked: bool = False) -> str:
        return f"{self.name} {phones.mask(self.phone) if masked else self.phone}"


@dataclass(frozen=True)
class Plan:
    signs: str = ""
    helps: str = ""
    contacts: tuple[Contact, ...] = ()
    reason: str = ""
    updated_at: str = ""

    @property
    def empty(self) -> bool:
        return not (self.signs or self.helps or self.contacts or self.reason)

    def as_dict(self) -> dict[str, Any]:
        return {"signs": self.signs, "helps": self.helps, "contacts": [asdict(c) for c in self.contacts],
                "reason": self.reason, "updated_at": self.updated_at}


class TooLong(ValueError):
    """An answer over its limit; the member is asked for a shorter one."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"longer than {limit} characters")
        self.limit = limit


def clean(text: str, limit: int = MAX_ANSWER) -> str:
    """One line of GSM-7 text within `limit` septets, or TooLong."""
    fitted = gsm.fit(_SPACES.sub(" ", text or "").strip())
    if gsm.septets(fitted) > limit:
        raise TooLong(limit)
    return fitted


def parse_contact(text: str, region: str) -> Contact:
    """A name and a valid number in free text ("Ana 202-555-0101"); InvalidNumber otherwise."""
    raw = (text or "").strip()
    match = next(iter(phonenumbers.PhoneNumberMatcher(raw, region, leniency=phonenumbers.Leniency.VALID)), None)
    if match is None:
        raise InvalidNumber("no valid number in the answer")
    number = phones.parse_phone(phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164))
    name = (raw[: match.start] + " " + raw[match.end:]).strip(" ,:;-")
    name = gsm.truncate(_SPACES.sub(" ", name), MAX_NAME).strip()
    if not name:
        raise InvalidNumber("no name beside the number")
    return Contact(name, number)


def get(r: redis.Redis, phone: str) -> Plan:
    data = r.hgetall(_key(phone))
    contacts = tuple(Contact(**json.loads(c)) for c in r.lrange(_contacts_key(phone), 0, -1))
    return Plan(signs=data.get("signs", ""), helps=data.get("helps", ""), contacts=contacts,
                reason=data.get("reason", ""), updated_at=data.get("updated_at", ""))


def set_answer(r: redis.Redis, phone: str, step: str, value: str, at: datetime) -> None:
    """Save one text step (already cleaned)."""
    if step not in TEXT_FIELDS:
        raise ValueError(f"not a text step: {step!r}")
    r.hset(_key(phone), mapping={step: value, "updated_at": at.isoformat()})


def add_contact(r: redis.Redis, phone: str, contact: Contact, at: datetime, *, fresh: bool = False) -> None:
    """Add a contact (the newest two are kept); `fresh` replaces the ones there were."""
    pipe = r.pipeline(transaction=True)
    if fresh:
        pipe.delete(_contacts_key(phone))
    pipe.rpush(_contacts_key(phone), json.dumps(asdict(contact)))
    pipe.ltrim(_contacts_key(phone), -MAX_CONTACTS, -1)
    pipe.hset(_key(phone), "updated_at", at.isoformat())
    pipe.execute()


def apply(r: redis.Redis, phone: str, step: str, value: str, at: datetime, *, fresh: bool = False) -> None:
    """Save a step's answer, whichever kind of step it is (a contact is stored as JSON)."""
    if step == "contacts":
        add_contact(r, phone, Contact(**json.loads(value)), at, fresh=fresh)
    else:
        set_answer(r, phone, step, value, at)


# -- what a peer proposes and the member confirms ----------------------------------------------------------
@dataclass(frozen=True)
class Proposal:
    step: str
    value: str
    fresh: bool = False

    def shown(self) -> str:
        """The value as the member reads it: a contact in full (it is their own plan)."""
        if self.step == "contacts":
            return Contact(**json.loads(self.value)).shown()
        return self.value


def propose(r: redis.Redis, phone: str, proposal: Proposal) -> bool:
    """Queue a step for the member to confirm; True when it is first in line (ask the member now)."""
    pipe = r.pipeline(transaction=True)
    pipe.rpush(_proposals_key(phone), json.dumps({"step": proposal.step, "value": proposal.value,
                                                  "fresh": proposal.fresh}))
    pipe.expire(_proposals_key(phone), PROPOSALS_TTL)
    length, _ = pipe.execute()
    return int(length) == 1


def pending(r: redis.Redis, phone: str) -> Proposal | None:
    """The proposal the member is being asked about."""
    head = r.lindex(_proposals_key(phone), 0)
    return _proposal(head) if head else None


def settle(r: redis.Redis, phone: str, accept: bool, at: datetime) -> Proposal | None:
    """Apply (or drop) the proposal in front; the next one to ask about, if any."""
    head = r.lpop(_proposals_key(phone))
    if head and accept:
        done = _proposal(head)
        apply(r, phone, done.step, done.value, at, fresh=done.fresh)
    return pending(r, phone)


def _proposal(raw: str) -> Proposal:
    data = json.loads(raw)
    return Proposal(data["step"], data["value"], bool(data.get("fresh")))


# -- showing the plan ----------------------------------------------------------------------------------------
def render(line: Line, plan: Plan, language: str, *, hint: bool = False) -> str:
    """The plan as one text of at most two segments; with `hint`, how to change it when that still fits."""
    label = lambda key: line.text(language, f"plan.{key}")  # noqa: E731
    parts = [label("title")]
    if plan.signs:
        parts.append(f"{label('signs')} {plan.signs}")
    if plan.helps:
        parts.append(f"{label('helps')} {plan.helps}")
    if plan.contacts:
        parts.append(f"{label('contacts')} " + ", ".join(c.shown() for c in plan.contacts))
    if plan.reason:
        parts.append(f"{label('reason')} {plan.reason}")
    text = "\n".join(parts)
    if hint:
        hinted = f"{text}\n{label('edit_hint')}"
        if gsm.septets(hinted) <= PLAN_SEPTETS:
            text = hinted
    return gsm.truncate(text, PLAN_SEPTETS)


def crisis_followup(line: Line, phone: str, language: str) -> str | None:
    """The plan to send right after the crisis resource (the crisis stage's second message), or None."""
    plan = get(line.r, phone)
    return None if plan.empty else render(line, plan, language)


def export_member(r: redis.Redis, phone: str) -> dict[str, Any] | None:
    plan = get(r, phone)
    return None if plan.empty else plan.as_dict()



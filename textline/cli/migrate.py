"""`textline migrate`: move what an earlier version stored to the current key layout, once, after deploying.

Idempotent: what is already in the current layout is left as it is, so running it twice changes nothing
the second time. Run it after deploying and before starting the web processes and workers: the new code
cannot read a check-in history still in the old layout (a sorted set where it expects a list).
"""
from __future__ import annotations

import click

from textline.cli import common
from textline.models import checkins, groups, inbound_log, members

_CHECKINS = members.sub_key("*", "checkins")


@click.command("migrate")
@common.errors_as_messages
def migrate_command() -> None:
    """Move data stored by an earlier version to the current key layout (safe to run again)."""
    line = common.line()
    r, now = line.r, line.now()
    ttl = max(1, int(line.settings.checkin_retention))
    phones = set(members.all_phones(r))
    phones.update(found[len(members.key("")):-len(":checkins")] for found in r.scan_iter(match=_CHECKINS, count=1000))
    records = sum(members.migrate(r, phone) for phone in sorted(phones))
    moved = sum(checkins.migrate_member(r, phone, ttl=ttl, now=now) for phone in sorted(phones))
    memberships = sum(groups.migrate_member(r, phone) for phone in sorted(phones))
    answers = inbound_log.migrate(r)
    click.echo(f"member records: {records} changed; check-ins moved: {moved}; group memberships moved: "
               f"{memberships}; webhook answers shortened: {answers}")

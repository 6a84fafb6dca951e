"""`textline broadcast GROUP TEXT [--at ...]` and `textline broadcasts`: announcements to a group."""
from __future__ import annotations

import click

from textline.cli import common
from textline.core import gsm
from textline.models import broadcasts, groups
from workers.broadcast import Fanout


@click.command(name="broadcast")
@click.argument("group")
@click.argument("text")
@click.option("--at", "at", default=None, help='"YYYY-MM-DD HH:MM" in the group\'s time zone: send then.')
@click.option("--discreet", default="", help="A neutral form of TEXT for members in discreet mode.")
@common.errors_as_messages
def broadcast(group: str, text: str, at: str | None, discreet: str) -> None:
    """Send TEXT to every member of GROUP (name or code) who can get it, one copy each.

    Pending, opted-out and invalid numbers are skipped; members in quiet hours get it when
    their quiet hours end; sends go out at the line's send_rate.
    """
    line = common.line()
    r = line.r
    for label, words in (("TEXT", text), ("--discreet", discreet)):
        for note in fit_notes(words):
            click.echo(f"warning: {label}: {note}", err=True)
    made = broadcasts.announce(line, group, text, at=at, by="cli", discreet=discreet)
    bid, found = made.id, made.group
    segments = gsm.segments(gsm.fit(text.strip()))
    if made.scheduled:
        click.echo(f"broadcast {bid} to {found.name} scheduled for {at} {found.timezone}; {segments} segment(s) each")
        return
    with click.progressbar(length=groups.size(r, found), label=f"broadcast {bid} to {found.name}") as bar:
        Fanout(line, bid).run(progress=bar.update, budget=None)
    done = broadcasts.get(r, bid)
    assert done is not None
    c = done.counts
    minutes = c["queued"] / line.settings.send_rate / 60
    click.echo(f"broadcast {bid}: {c['queued']} to send, {segments} segment(s) each ({c['held']} held for quiet "
               f"hours); skipped {c['skipped_pending']} pending, {c['skipped_opted_out']} opted out, "
               f"{c['skipped_invalid']} invalid; about {minutes:.0f} min at {line.settings.send_rate:g}/s")


def fit_notes(text: str) -> list[str]:
    """One line per character GSM-7 cannot carry: what it is sent as, or that it is dropped."""
    notes = []
    for original, sent in gsm.replaced(text or ""):
        shown = f"{original!r} (U+{ord(original):04X})"
        notes.append(f"{shown} is sent as {sent!r} to fit GSM-7" if sent else f"{shown} is dropped to fit GSM-7")
    return notes


@click.command(name="broadcasts")
@common.json_option
def broadcasts_list(as_json: bool) -> None:
    """Recent broadcasts, reminders and cancellation notices, with their progress."""
    r = common.line().r
    rows = [b.as_dict() for b in broadcasts.recent(r)]
    common.emit(rows, as_json, ["id", "kind", "status", "group", "recipients", "queued", "held", "sent", "failed",
                                "skipped", "skipped_opted_out", "skipped_pending"])

"""mapgen-ics: the mutual action plan as an iCalendar file.

A third-party mapgen plugin: it imports only mapgen's public API (``mapgen.formats``,
``mapgen.hookspecs``, ``mapgen.plan``, ``mapgen.markup``) and is found through the
``mapgen`` entry point group declared in its pyproject.toml.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from typing import TYPE_CHECKING

from mapgen.formats import OutputFormat, RenderContext
from mapgen.hookspecs import hookimpl
from mapgen.markup import clean, plain

if TYPE_CHECKING:  # annotations only: loading the plugin (mapgen --help) stays light
    from mapgen.plan import Milestone, Plan

__version__ = "0.1.0"

PRODID = "-//mapgen//mapgen-ics//EN"
KEY_STEPS = {"signature": "Target signature", "go_live": "Target go-live"}
#: SEQUENCE counts days from here, so a plan regenerated later always wins on re-import.
SEQUENCE_EPOCH = dt.date(2020, 1, 1)


def slug(text: str) -> str:
    """``Acme Corp`` -> ``acme-corp``; text with no ASCII letters gets a stable hash instead."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return out[:60].strip("-") or hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def deal_key(plan: Plan) -> str:
    """The deal's identity in UIDs: buyer company and deal name."""
    return slug(f"{plain(plan.buyer.company)} {plain(plan.deal.name)}")


def uid(plan: Plan, step_id: str) -> str:
    return f"{step_id}.{deal_key(plan)}@mapgen"


def _text(value: str | None) -> str:
    return clean(plain(value)) if value else ""


_LINE_BREAKS = re.compile(r"\s*[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+\s*")


def _line(value: str | None) -> str:
    """Text for a property icalendar writes unescaped (the calendar's name, a category): line breaks
    become spaces, since a raw line break there ends the content line."""
    return _LINE_BREAKS.sub(" ", _text(value)).strip()


def _description(step: Milestone) -> str:
    lines = [
        f"{step.workstream_name} · step {step.number}",
        f"Buyer owner: {_text(step.owners.buyer.name)}",
        f"Seller owner: {_text(step.owners.seller.name)}",
        f"Status: {step.status_label}",
    ]
    if step.duration:
        lines.append(f"Work: {step.start.isoformat()} to {step.due.isoformat()} ({step.duration} working days)")
    if step.gate:
        lines.append(f"Decision gate: {_text(step.gate)}")
    if step.description:
        lines.append(_text(step.description))
    for criterion in step.criteria:
        lines.append(f"Success criterion: {_text(criterion)}")
    if step.note:
        lines.append(f"Note: {_text(step.note)}")
    return "\n".join(lines)


def _summary(step: Milestone) -> str:
    name = _text(step.name)
    if step.id in KEY_STEPS:
        name = f"★ {KEY_STEPS[step.id]}: {name}"
    if step.state in ("late", "at_risk", "blocked"):
        name = f"{name} ({step.state_label.lower()})"
    return name


class IcsFormat(OutputFormat):
    name = "ics"
    suffix = ".ics"
    description = "Milestones and the weekly check-in as calendar events (iCalendar)"
    default = False  # a calendar is something you ask for: -f ics

    def render(self, plan: Plan, context: RenderContext) -> bytes:
        from icalendar import Calendar

        calendar = Calendar()
        calendar.add("prodid", PRODID)
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("method", "PUBLISH")
        calendar.add("x-wr-calname", _line(plan.title))
        stamp = dt.datetime.combine(plan.today, dt.time(0, 0), tzinfo=dt.timezone.utc)
        sequence = max(0, (plan.today - SEQUENCE_EPOCH).days)
        for step in plan.milestones:
            calendar.add_component(self._milestone_event(plan, step, stamp, sequence))
        check_in = self._check_in_event(plan, stamp, sequence)
        if check_in is not None:
            calendar.add_component(check_in)
        return calendar.to_ical()

    def _milestone_event(self, plan: Plan, step: Milestone, stamp: dt.datetime, sequence: int):  # type: ignore[no-untyped-def]
        from icalendar import Event

        event = Event()
        event.add("uid", uid(plan, step.id))
        event.add("dtstamp", stamp)
        event.add("sequence", sequence)
        event.add("summary", _summary(step))
        event.add("dtstart", step.due)
        event.add("dtend", step.due + dt.timedelta(days=1))
        event.add("description", _description(step))
        event.add("transp", "TRANSPARENT")  # a deadline, not a meeting: it does not block the day
        categories = [_line(step.workstream_name)]
        if step.id in KEY_STEPS:
            categories.insert(0, "Key date")
            event.add("priority", 1)
        if step.critical:
            categories.append("Critical path")
        event.add("categories", categories)
        event.add("status", "CONFIRMED" if step.status == "done" else "TENTATIVE")
        return event

    def _check_in_event(self, plan: Plan, stamp: dt.datetime, sequence: int):  # type: ignore[no-untyped-def]
        """A weekly series until the planned go-live (or signature), on working days only: an
        occurrence on a holiday or a closed day is excluded and held on the next working day."""
        from icalendar import Event

        if plan.check_in is None or plan.next_check_in is None:
            return None
        last_day = (plan.go_live or plan.signature).planned
        first = plan.check_in_moved[0] if plan.check_in_moved else plan.next_check_in.date()
        if first > last_day:
            return None
        time = plan.check_in.time
        excluded, moved = [], []
        day = first
        while day <= last_day:
            if not plan.calendar.is_working(day):
                held = day + dt.timedelta(days=1)
                while not plan.calendar.is_working(held):
                    held += dt.timedelta(days=1)
                excluded.append(dt.datetime.combine(day, time))
                moved.append(dt.datetime.combine(held, time))
            day += dt.timedelta(days=7)
        event = Event()
        event.add("uid", uid(plan, "check-in"))
        event.add("dtstamp", stamp)
        event.add("sequence", sequence)
        event.add("summary", f"{_text(plan.buyer.company)} × {_text(plan.seller.company)}: weekly plan check-in")
        event.add("dtstart", dt.datetime.combine(first, time))  # floating local time, as the brief gives it
        event.add("duration", dt.timedelta(minutes=30))
        until = dt.datetime.combine(last_day, dt.time(23, 59, 59))
        event.add("rrule", {"freq": "weekly", "until": until})
        if excluded:
            event.add("exdate", excluded)
            event.add("rdate", moved)
        event.add("description", f"{plan.check_in.label} until {'go-live' if plan.go_live else 'signature'}, "
                                 "on working days: what moved, what slipped, and what that means for signature "
                                 "and go-live.")
        return event


@hookimpl
def register_formats(registry) -> None:  # type: ignore[no-untyped-def]
    registry.add(IcsFormat)

"""Wording every document format shares, so the deck, the document and the Markdown say the same thing."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple, Sequence

from mapgen.markup import escape_markdown  # the one Markdown escaping; formats import it from here too
from mapgen.plan import Person, Plan

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: Month names, English on every machine whatever its locale (the deck, the page and every date).
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: Who signs the plan on each side, by preference.
SIGNER_ROLES = {"buyer": ("economic_buyer", "champion"), "seller": ("account_executive", "executive_sponsor")}


def human_date(value: dt.date | dt.datetime | None) -> str:
    """``Fri 27 Nov 2026``: the same on every machine, whatever its locale."""
    if value is None:
        return ""
    text = f"{_DAYS[value.weekday()]} {value.day} {MONTHS[value.month - 1]} {value.year}"
    if isinstance(value, dt.datetime):
        text += f" at {value.strftime('%H:%M')}"
    return text


def date_range(start: dt.date, end: dt.date) -> str:
    """``Wed 4 Nov – Fri 6 Nov 2026``; one date when they are the same day."""
    if start == end:
        return human_date(start)
    if start.year == end.year:
        return f"{_DAYS[start.weekday()]} {start.day} {MONTHS[start.month - 1]} – {human_date(end)}"
    return f"{human_date(start)} – {human_date(end)}"


def late_sentence(plan: Plan) -> str:
    """The plain statement of what cannot be met and the earliest dates (inline Markdown), or ""."""
    if not plan.signature.feasible:
        text = (f"**The target signature date of {human_date(plan.signature.target)} cannot be met.** "
                f"The earliest signature is **{human_date(plan.signature.earliest)}**")
        if plan.go_live:
            text += f", and the earliest go-live is **{human_date(plan.go_live.earliest)}**"
        return text + "."
    if plan.go_live and not plan.go_live.feasible:
        return (f"**The target go-live date of {human_date(plan.go_live.target)} cannot be met.** "
                f"The earliest go-live is **{human_date(plan.go_live.earliest)}**.")
    return ""


def signers(plan: Plan, side: str, count: int = 2) -> list[Person]:
    """Who signs for a side: the preferred roles first, else the first people listed."""
    people: Sequence[Person] = plan.people(side)  # type: ignore[arg-type]
    chosen = list(dict.fromkeys(p for role in SIGNER_ROLES[side] for p in people if p.role == role))
    return (chosen or list(people))[:count]


def step_label(plan: Plan, step_id: str) -> str:
    """A driver step as the slip sentence names it: ``Security review (15 d)``."""
    m = plan.by_id.get(step_id)
    if m is None:
        return escape_markdown(step_id)
    if m.pinned:
        return f"{m.name} (booked {human_date(m.due)})"
    if m.status == "in_progress" and m.actual_start is not None:
        return f"{m.name} (in progress since {human_date(m.actual_start)})"
    return f"{m.name} ({m.duration} d)"


def key_label(key: str) -> str:
    return "signature" if key == "signature" else "go-live"


def drivers_sentence(plan: Plan, key: str = "signature") -> str:
    """Why the forecast is what it is (inline Markdown), or "" for a plan without that key date:
    ``Security review (15 d) → Executive approval (5 d): earliest signature Thu 11 Feb 2027,
    28 working days after the target``. Only the plan's own steps are named (a buyer's plan has no
    internal ones, see ``Plan.for_reader``)."""
    date = plan.key_date(key)
    if date is None:
        return ""
    chain = " → ".join(step_label(plan, i) for i in date.drivers if i in plan.by_id)
    text = f"earliest {key_label(key)} {human_date(date.forecast)}"
    if not date.feasible and date.slip:
        days = "working day" if date.slip == 1 else "working days"
        text += f", {date.slip} {days} after the target"
    elif not date.feasible:
        text += ", after the target"
    return f"{chain}: {text}" if chain else text[:1].upper() + text[1:]


class Outlook(NamedTuple):
    """How a key date stands: ``text`` to show, ``state`` (a step state: done, late, at_risk, blocked,
    on_track) to colour it by."""

    text: str
    state: str


def key_outlook(plan: Plan, key: str = "signature") -> Outlook:
    """How a key date stands: ``Outlook("At risk: 1 working day to spare", "at_risk")``. It is the key
    step's own state (docs/scheduling.md), so a signature whose forecast has less room than a step needs
    to be on track reads "At risk" beside the amber steps that drive it, never "On track". Formats add
    the slip to "Cannot be met" in their own way."""
    date = plan.key_date(key)
    step = plan.by_id.get(key)
    if date is None:
        return Outlook("", "on_track")
    if step is not None and step.is_done:
        return Outlook("Done", "done")
    if not date.feasible:
        return Outlook("Cannot be met", "late")
    if step is not None and step.state == "blocked":
        return Outlook("Blocked", "blocked")
    if step is not None and step.state == "at_risk":
        spare = max(0, step.slack or 0)
        room = "no working day" if spare == 0 else f"{spare} working day{'s' if spare != 1 else ''}"
        return Outlook(f"At risk: {room} to spare", "at_risk")
    return Outlook("On track", "on_track")


def target_text(plan: Plan, key: str = "signature") -> str:
    """``Fri 18 Dec 2026`` or ``Fri 18 Dec 2026 (worked out from go-live)``: a derived target says so."""
    date = plan.key_date(key)
    if date is None:
        return ""
    text = human_date(date.target)
    if date.derived:
        other = "go-live" if key == "signature" else "signature"
        text += f" (worked out from {other})"
    return text

"""Wording every document format shares, so the deck, the document and the Markdown say the same thing."""

from __future__ import annotations

import datetime as dt
import re
from typing import Sequence

from mapgen.plan import Person, Plan

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>~!|])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
#: Who signs the plan on each side, by preference.
SIGNER_ROLES = {"buyer": ("economic_buyer", "champion"), "seller": ("account_executive", "executive_sponsor")}


def human_date(value: dt.date | dt.datetime | None) -> str:
    """``Fri 27 Nov 2026``: the same on every machine, whatever its locale."""
    if value is None:
        return ""
    text = f"{_DAYS[value.weekday()]} {value.day} {_MONTHS[value.month - 1]} {value.year}"
    if isinstance(value, dt.datetime):
        text += f" at {value.strftime('%H:%M')}"
    return text


def escape_markdown(text: str) -> str:
    """Literal text (a person's name, a status) made safe to embed in inline Markdown we build."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _ENTITY.sub("&amp;", text))


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

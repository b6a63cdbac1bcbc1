"""The schedule as a terminal table (``mapgen plan``): the same story as every format.

Key dates show the target beside the forecast and the chain of steps behind it; each row shows
the planned dates (done steps at their actual dates), the steps it waits for, and its state.
"""

from __future__ import annotations

import shutil
import textwrap

import click

from mapgen.markup import plain
from mapgen.plan import KeyDate, Plan
from mapgen.wording import drivers_sentence, key_outlook

_STATE_STYLE = {"late": {"fg": "red"}, "at_risk": {"fg": "yellow"}, "blocked": {"fg": "magenta"},
                "done": {"dim": True}, "on_track": {}}


def _fit(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def _key_line(label: str, date: KeyDate, plan: Plan, key: str, width: int) -> list[str]:
    target = f"target {date.target}" + (" (worked out)" if date.derived else "")
    line = f"{label:<10} {target}, planned {date.planned}, forecast {date.forecast}"
    outlook = key_outlook(plan, key)
    if not date.feasible:
        line += click.style("   CANNOT BE MET", bold=True, **_STATE_STYLE["late"])
    elif outlook.state in ("at_risk", "blocked"):
        line += click.style(f"   {outlook.text.upper()}", bold=True, **_STATE_STYLE[outlook.state])
    lines = [line]
    why = plain(drivers_sentence(plan, key))
    if why:
        lines.extend(textwrap.wrap(why, max(40, width - 1), initial_indent=f"{'':<11}why: ",
                                   subsequent_indent=" " * 16, break_on_hyphens=False))
    return lines


def plan_table(plan: Plan, width: int | None = None) -> str:
    width = width or shutil.get_terminal_size((120, 24)).columns
    lines = [click.style(plain(plan.title), bold=True),
             f"as of {plan.today}   template {plan.template}   placement "
             f"{plan.placement['before_signature']} before signature, {plan.placement['after_signature']} after"]
    lines += _key_line("signature:", plan.signature, plan, "signature", width)
    if plan.go_live:
        lines += _key_line("go-live:", plan.go_live, plan, "go_live", width)
    lines.append("")
    fixed = 4 + 11 + 11 + 11 + 10 + 6 + 3  # number, start, due, after, state, slack, flags
    flexible = max(30, width - fixed - 8)
    name_w = max(16, flexible * 45 // 100)
    owner_w = max(10, (flexible - name_w) // 2)
    header = (f"{'#':>3} {'start':<10} {'due':<10} {'step':<{name_w}} {'buyer owner':<{owner_w}} "
              f"{'seller owner':<{owner_w}} {'after':<10} {'state':<9} {'slack':>5} ")
    lines.append(click.style(header, underline=True))
    for m in plan.milestones:
        flags = ("P" if m.pinned else " ") + ("C" if m.critical else " ")
        after = ", ".join(str(n) for n in plan.waits_for(m))
        slack = "" if m.slack is None else str(m.slack)
        row = (f"{m.number:>3} {m.start.isoformat():<10} {m.due.isoformat():<10} {_fit(plain(m.name), name_w):<{name_w}} "
               f"{_fit(plain(m.owners.buyer.name), owner_w):<{owner_w}} "
               f"{_fit(plain(m.owners.seller.name), owner_w):<{owner_w}} {_fit(after, 10):<10} "
               f"{m.state.replace('_', ' '):<9} {slack:>5} {flags}")
        style = dict(_STATE_STYLE[m.state])
        if m.critical and m.state != "done":
            style["bold"] = True
        lines.append(click.style(row, **style) if style else row)
    lines.append("")
    lines.append("C critical (decides the forecast)   P pinned   done steps at their actual dates   "
                 "slack in working days")
    derived = [r for r in plan.risks if r.derived]
    if derived:
        lines.append("")
        lines.append("risks found in the plan:")
        for r in derived:
            lines.append(f"  - {plain(r.risk)}" + (f" (owner: {plain(r.owner)})" if r.owner else ""))
    if plan.next_check_in and plan.check_in:
        note = ""
        if plan.check_in_moved:
            day, reason = plan.check_in_moved
            note = f"; moved from {day} ({reason})"
        lines.append(f"next check-in: {plan.next_check_in:%Y-%m-%d %H:%M} ({plan.check_in.label}{note})")
    return "\n".join(lines)

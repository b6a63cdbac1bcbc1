"""The schedule as a terminal table (``mapgen plan``): late in red, critical in bold."""

from __future__ import annotations

import shutil

import click

from mapgen.markup import plain
from mapgen.plan import Plan


def _fit(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def plan_table(plan: Plan, include_internal: bool = False, width: int | None = None) -> str:
    width = width or shutil.get_terminal_size((120, 24)).columns
    lines = [click.style(plain(plan.title), bold=True),
             f"as of {plan.today}   template {plan.template}"]
    sig = plan.signature
    sig_line = f"signature: target {sig.target}{' (derived from go-live)' if sig.derived else ''}, earliest {sig.earliest}"
    lines.append(sig_line + ("" if sig.feasible else click.style("   CANNOT BE MET", fg="red", bold=True)))
    if plan.go_live:
        g = plan.go_live
        line = f"go-live:   target {g.target}{' (derived)' if g.derived else ''}, earliest {g.earliest}"
        lines.append(line + ("" if g.feasible else click.style("   CANNOT BE MET", fg="red", bold=True)))
    lines.append("")
    fixed = 4 + 11 + 11 + 6 + 14 + 4  # number, start, due, slack, status, flags
    flexible = max(30, width - fixed - 8)
    name_w = max(16, flexible * 45 // 100)
    owner_w = max(10, (flexible - name_w) // 2)
    header = (f"{'#':>3} {'start':<10} {'due':<10} {'step':<{name_w}} {'buyer owner':<{owner_w}} "
              f"{'seller owner':<{owner_w}} {'status':<16} {'slack':>5} ")
    lines.append(click.style(header, underline=True))
    for m in plan.visible(include_internal):
        flags = ("L" if m.late else " ") + ("C" if m.critical else " ")
        status = m.status.replace("_", " ") + (" late" if m.late else "")
        row = (f"{m.number:>3} {m.start.isoformat():<10} {m.due.isoformat():<10} {_fit(plain(m.name), name_w):<{name_w}} "
               f"{_fit(plain(m.owners.buyer.name), owner_w):<{owner_w}} "
               f"{_fit(plain(m.owners.seller.name), owner_w):<{owner_w}} {_fit(status, 16):<16} {m.slack:>5} {flags}")
        if m.late:
            row = click.style(row, fg="red")
        elif m.critical:
            row = click.style(row, bold=True)
        lines.append(row)
    lines.append("")
    lines.append("L late   C critical (decides the earliest signature or go-live)   slack in working days")
    if plan.next_check_in and plan.check_in:
        lines.append(f"next check-in: {plan.next_check_in:%Y-%m-%d %H:%M} ({plan.check_in.label})")
    return "\n".join(lines)

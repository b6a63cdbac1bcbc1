"""The slip report in words: the terminal (``mapgen diff``), Markdown (``--md`` and the md format) and
the plain lines the deck, the document and the workbook share. The comparison itself is
``mapgen.changes``; nothing here computes a change.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable

from mapgen.changes import Changes, KeyDateChange, Moved, StateChanged
from mapgen.markup import cell, escape_markdown, inline, plain
from mapgen.plan import STATUS_LABELS
from mapgen.wording import human_date, key_label


def days_text(days: int) -> str:
    """``+3 d``, ``-2 d``, ``0 d``: a shift in working days."""
    return f"+{days} d" if days > 0 else f"{days} d"


def moved_mark(move: Moved | None) -> str:
    """The marker beside a moved step in a plan table: ``moved +3 d`` (the due date's shift), or ""."""
    if move is None:
        return ""
    if move.days:
        return f"moved {days_text(move.days)}"
    return f"start moved {days_text(move.start_days)}" if move.start_days else ""


def title(changes: Changes) -> str:
    return f"What changed since {human_date(changes.old_today)}"


def state_text(s: StateChanged) -> str:
    """``At risk → Done``; the status when the state stayed the same (``Not started → In progress``)."""
    if s.old_state != s.new_state:
        return f"{s.old_label} → {s.new_label}"
    return f"{STATUS_LABELS.get(s.old_status, s.old_status)} → {STATUS_LABELS.get(s.new_status, s.new_status)}"


def key_sentence(k: KeyDateChange) -> str:
    """One plain sentence per key date: ``Forecast signature Thu 17 Dec 2026 → Fri 18 Dec 2026 (+1 d);
    target Fri 18 Dec 2026, can be met.``"""
    label = key_label(k.key)
    if k.new_forecast is None:
        return f"{label[:1].upper() + label[1:]} is no longer in the plan."
    if k.old_forecast is None:
        return f"{label[:1].upper() + label[1:]} is new: forecast {human_date(k.new_forecast)}."
    if k.old_forecast != k.new_forecast:
        text = (f"Forecast {label} {human_date(k.old_forecast)} → {human_date(k.new_forecast)} "
                f"({days_text(k.days)})")
    else:
        text = f"Forecast {label} unchanged at {human_date(k.new_forecast)}"
    target = human_date(k.new_target)
    if k.old_target != k.new_target:
        target = f"{human_date(k.old_target)} → {human_date(k.new_target)}"
    outlook = "can be met" if k.new_feasible else "cannot be met"
    if k.old_feasible is not None and k.old_feasible != k.new_feasible:
        outlook = "can now be met" if k.new_feasible else "can no longer be met"
    return f"{text}; target {target}, {outlook}."


def summary_line(changes: Changes) -> str:
    """``10 steps moved, 8 changed state, 1 added, 0 removed``: the counts at a glance."""
    parts = [f"{len(changes.moved)} step{'s' if len(changes.moved) != 1 else ''} moved",
             f"{len(changes.states)} changed state"]
    for label, items in (("added", changes.added), ("removed", changes.removed), ("renamed", changes.renamed),
                         ("owner change", changes.owners)):
        if items:
            plural = "s" if label == "owner change" and len(items) != 1 else ""
            parts.append(f"{len(items)} {label}{plural}")
    return ", ".join(parts)


def plain_lines(changes: Changes) -> list[tuple[str, str]]:
    """(kind, plain text) lines for formats with little room (a slide, a sheet): key dates and why
    first, then moved steps (largest shift first), state changes, added, removed, renamed, owners."""
    lines: list[tuple[str, str]] = []
    for k in changes.key_dates:
        lines.append(("key", key_sentence(k)))
        if k.why and k.new_forecast is not None:
            lines.append(("why", f"Why: {plain(k.why)}."))
    if changes.empty:
        lines.append(("none", "Nothing moved: the same steps, dates, states and owners."))
    for m in sorted(changes.moved, key=lambda m: (-abs(m.days), m.new_due)):
        lines.append(("moved", f"{plain(m.name)}: due {human_date(m.old_due)} → {human_date(m.new_due)} "
                               f"({days_text(m.days)})"))
    for s in changes.states:
        lines.append(("state", f"{plain(s.name)}: {state_text(s)}"))
    for a in changes.added:
        lines.append(("added", f"Added: {plain(a.name)} (due {human_date(a.due)})"))
    for r in changes.removed:
        lines.append(("removed", f"Removed: {plain(r.name)}"))
    for n in changes.renamed:
        lines.append(("renamed", f"Renamed: {plain(n.old_name)} → {plain(n.new_name)}"))
    for o in changes.owners:
        lines.append(("owner", f"{plain(o.name)}: {o.side} owner {plain(o.old)} → {plain(o.new)}"))
    return lines


# -- Markdown (GFM) ----------------------------------------------------------------------------

def markdown(changes: Changes, level: int = 2) -> str:
    """The section as GitHub-flavoured Markdown: what ``mapgen diff --md`` prints and the md format embeds."""
    h = "#" * level
    out = [f"{h} {title(changes)}", "", f"*{human_date(changes.old_today)} → {human_date(changes.new_today)}: "
                                        f"{summary_line(changes)}*", ""]
    for k in changes.key_dates:
        line = f"- **{key_sentence(k)}**"
        if k.why and k.new_forecast is not None:
            line += f" Why: {inline(k.why)}."
        out.append(line)
    if changes.key_dates:
        out.append("")
    if changes.empty:
        out += ["Nothing moved: the same steps, dates, states and owners.", ""]
    if changes.moved:
        out += ["| Step | Was due | Now due | Moved |", "|---|---|---|---|"]
        for m in changes.moved:
            out.append(f"| {cell(m.name)} | {human_date(m.old_due)} | {human_date(m.new_due)} | "
                       f"{days_text(m.days)}{'' if m.days or not m.start_days else f' (start {days_text(m.start_days)})'} |")
        out += ["", "Moved: working days the due date moved (+ later, - earlier).", ""]
    if changes.states:
        out += ["| Step | State was | State now |", "|---|---|---|"]
        for s in changes.states:
            was, now = state_text(s).split(" → ")
            out.append(f"| {cell(s.name)} | {was} | {now} |")
        out.append("")
    def strong(text: str) -> str:  # bold around a name that may carry its own formatting: its words only
        return f"**{escape_markdown(plain(text))}**" if plain(text).strip() else ""

    for label, items in (("Added", changes.added), ("Removed", changes.removed)):
        for a in items:
            out.append(f"- {label}: {strong(a.name)} (due {human_date(a.due)})")
    for n in changes.renamed:
        out.append(f"- Renamed: {inline(n.old_name)} → {strong(n.new_name)}")
    for o in changes.owners:
        out.append(f"- {inline(o.name)}: {o.side} owner {inline(o.old)} → {strong(o.new)}")
    return "\n".join(out).rstrip("\n") + "\n"


# -- the terminal --------------------------------------------------------------------------------

def terminal(changes: Changes, style: Callable[..., str] | None = None, heading: str = "",
             width: int | None = None) -> str:
    """Readable at a glance: key dates first (red when later, green when earlier), then each list;
    the "why" lines wrapped to ``width`` (default: the terminal's)."""
    import shutil
    import textwrap

    import click

    width = width or shutil.get_terminal_size((120, 24)).columns

    s = style or click.style

    def shift(days: int) -> str:
        text = f"{days_text(days):>6}"
        return s(text, fg="red" if days > 0 else "green" if days < 0 else None, bold=days > 0)

    def iso(d: dt.date | None) -> str:
        return d.isoformat() if d else "-"

    out = [s(f"{title(changes)} ({changes.old_today} → {changes.new_today})", bold=True)]
    if heading:
        out.append(heading)
    out.append(summary_line(changes))
    out.append("")
    for k in changes.key_dates:
        label = f"{key_label(k.key)}:"
        line = f"{label:<11}forecast {iso(k.old_forecast)} → {iso(k.new_forecast)} {shift(k.days)}   target {iso(k.new_target)}"
        if k.new_feasible is False:
            line += s("  CANNOT BE MET", fg="red", bold=True)
        elif k.new_feasible:
            line += "  can be met"
        out.append(line)
        if k.why and k.new_forecast is not None:
            out.extend(textwrap.wrap(plain(k.why), max(40, width - 1), initial_indent=f"{'':<11}why: ",
                                     subsequent_indent=" " * 16, break_on_hyphens=False))
    if changes.key_dates:
        out.append("")
    if changes.empty:
        out.append("Nothing moved.")
    if changes.moved:
        out.append(s(f"moved ({len(changes.moved)}), in working days:", underline=True))
        width = max(len(plain(m.name)) for m in changes.moved)
        width = min(width, 56)
        for m in changes.moved:
            name = plain(m.name)
            name = name if len(name) <= width else name[: width - 1] + "…"
            extra = f"  (start {days_text(m.start_days)})" if not m.days and m.start_days else ""
            out.append(f"  {shift(m.days)}  {name:<{width}}  due {m.old_due} → {m.new_due}{extra}")
        out.append("")
    if changes.states:
        out.append(s(f"state ({len(changes.states)}):", underline=True))
        colours = {"late": "red", "at_risk": "yellow", "blocked": "magenta", "done": "green"}
        for c in changes.states:
            text = state_text(c)
            out.append(f"  {plain(c.name)}: " + s(text, fg=colours.get(c.new_state)))
        out.append("")
    for label, items, colour in (("added", changes.added, "green"), ("removed", changes.removed, "red")):
        if items:
            out.append(s(f"{label} ({len(items)}):", underline=True))
            sign = "+" if label == "added" else "-"
            out += [f"  {s(sign, fg=colour, bold=True)} {plain(a.name)} [{a.id}] due {a.due}" for a in items]
            out.append("")
    if changes.renamed:
        out.append(s(f"renamed ({len(changes.renamed)}):", underline=True))
        out += [f"  [{n.id}] {plain(n.old_name)} → {plain(n.new_name)}" for n in changes.renamed]
        out.append("")
    if changes.owners:
        out.append(s(f"owners ({len(changes.owners)}):", underline=True))
        out += [f"  {plain(o.name)}: {o.side} {plain(o.old)} → {plain(o.new)}" for o in changes.owners]
        out.append("")
    return "\n".join(out).rstrip("\n")

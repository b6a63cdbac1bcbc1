"""The Changes sheet (``mapgen generate --baseline``): what changed since the baseline plan,
key dates first, then one row per change with real dates and the shift in working days."""

from __future__ import annotations

from typing import Any

from mapgen.changes import Changes
from mapgen.slip import key_sentence, state_text, summary_line, title
from mapgen.wording import human_date

from .workbook import DATE_FORMAT, _height, _lines, _print_setup, _widths, cell, text  # noqa: F401

#: (header, width) of the Changes sheet's table.
CHANGE_COLUMNS = (("Step", 46), ("Change", 14), ("Was", 18), ("Now", 18), ("Working days", 10), ("Step id", 18))
LATER = "B42318"
EARLIER = "067647"


def moved_note(changes: Changes | None, step_id: str) -> str | None:
    """The note on a moved step's Due cell in the Plan sheet, or None."""
    if changes is None:
        return None
    move = changes.moved_by_id().get(step_id)
    if move is None or not move.days:
        return None
    from mapgen.slip import days_text

    return (f"Moved {days_text(move.days)} (working days) since {human_date(changes.old_today)}: "
            f"was due {human_date(move.old_due)}")


def changes_sheet(ws: Any, changes: Changes, styles: Any) -> None:
    from openpyxl.utils import get_column_letter

    _widths(ws, [w for _, w in CHANGE_COLUMNS])
    ws.column_dimensions[get_column_letter(len(CHANGE_COLUMNS))].hidden = True  # the step ids, for scripts
    _print_setup(ws, landscape=True)
    wide = sum(w for _, w in CHANGE_COLUMNS[:5])
    row = 0

    def line(value: str, font: Any = None) -> None:
        """A line of text across the table's width (write-only sheets cannot merge): long ones are
        broken into rows between words, each overflowing into the empty cells beside it."""
        import textwrap

        nonlocal row
        for part in textwrap.wrap(value, int(wide * 0.95), break_on_hyphens=False) or [""]:
            row += 1
            ws.append([cell(ws, part, font=font, alignment=styles.top)])

    line(title(changes), styles.title)
    ws.row_dimensions[1].height = 22
    line(f"{human_date(changes.old_today)} → {human_date(changes.new_today)}: {summary_line(changes)}.",
         styles.muted)
    for k in changes.key_dates:
        line(key_sentence(k), styles.bold)
        if k.why and k.new_forecast is not None:
            line(f"Why: {text(k.why)}.")
    if changes.empty:
        line("Nothing moved: the same steps, dates, states and owners.")
    row += 1
    ws.append([])
    row += 1
    ws.row_dimensions[row].height = _height(max(_lines(name, w, bold=True) for name, w in CHANGE_COLUMNS))
    ws.append([cell(ws, name, font=styles.header_font, fill=styles.header_fill, alignment=styles.wrap)
               for name, _ in CHANGE_COLUMNS])
    ws.freeze_panes = f"A{row + 1}"
    ws.print_title_rows = f"{row}:{row}"

    def add(name: str, change: str, was: Any, now: Any, days: int | None, step_id: str, colour: str | None) -> None:
        nonlocal row
        row += 1
        lines = max(_lines(text(name), CHANGE_COLUMNS[0][1]), _lines(str(was or ""), 18), _lines(str(now or ""), 18))
        if lines > 1:
            ws.row_dimensions[row].height = _height(lines)
        style = {"alignment": styles.wrap}
        date = {"alignment": styles.top, "number_format": DATE_FORMAT}
        ws.append([cell(ws, text(name), **style), cell(ws, change, **style),
                   cell(ws, was, **(date if not isinstance(was, str) else style)),
                   cell(ws, now, **(date if not isinstance(now, str) else style)),
                   cell(ws, days, font=styles.font(bold=True, color=colour) if colour else None, alignment=styles.top,
                        number_format="+0;-0;0"),
                   cell(ws, step_id, alignment=styles.top, font=styles.muted)])

    for m in changes.moved:
        add(m.name, "Moved", m.old_due, m.new_due, m.days, m.id,
            LATER if m.days > 0 else EARLIER if m.days < 0 else None)
    for s in changes.states:
        was, now = state_text(s).split(" → ")
        add(s.name, "State", was, now, None, s.id, None)
    for a in changes.added:
        add(a.name, "Added", None, a.due, None, a.id, None)
    for r in changes.removed:
        add(r.name, "Removed", r.due, None, None, r.id, None)
    for n in changes.renamed:
        add(n.new_name, "Renamed", text(n.old_name), text(n.new_name), None, n.id, None)
    for o in changes.owners:
        add(o.name, f"{o.side.capitalize()} owner", text(o.old), text(o.new), None, o.id, None)

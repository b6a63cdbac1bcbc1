"""The "What changed since DATE" section of the Word document (``mapgen generate --baseline``).

Inserted after rendering, before the document's second top-level heading (in the default
template: right after the key dates), so it works with any ``plan.docx``, restyled or not.
"""

from __future__ import annotations

from typing import Any

from mapgen.changes import Changes
from mapgen.markup import plain
from mapgen.slip import days_text, key_sentence, state_text, summary_line, title
from mapgen.wording import human_date

LATER = "B42318"
EARLIER = "067647"


def _style(doc: Any, name: str) -> Any:
    try:
        return doc.styles[name]
    except KeyError:  # a restyled plan.docx without it: the paragraph keeps the default style
        return None


def insert_changes(doc: Any, changes: Changes) -> None:
    from docx.shared import RGBColor

    headings = [p for p in doc.paragraphs if p.style is not None and p.style.name == "Heading 1"]
    anchor = headings[1] if len(headings) > 1 else None

    def paragraph(text: str = "", style: str | None = None) -> Any:
        chosen = _style(doc, style) if style else None
        if anchor is not None:
            return anchor.insert_paragraph_before(text, chosen)
        return doc.add_paragraph(text, chosen)

    def table(header: tuple[str, ...], rows: list[tuple[str, ...]], colours: list[str | None],
              widths: tuple[float, ...]) -> None:
        from docx.oxml.ns import qn
        from docx.shared import Inches

        t = doc.add_table(rows=1, cols=len(header))
        style = _style(doc, "Light Grid Accent 1")
        if style is not None:
            t.style = style
        t.autofit = False
        look = t._tbl.tblPr.find(qn("w:tblLook"))
        if look is not None:  # no bold first column
            look.set(qn("w:firstColumn"), "0")
            look.set(qn("w:val"), "0420")
        for cell, text in zip(t.rows[0].cells, header):
            cell.text = text
            for run in cell.paragraphs[0].runs:
                run.bold = True
        for values, colour in zip(rows, colours):
            cells = t.add_row().cells
            for index, (cell, text) in enumerate(zip(cells, values)):
                cell.text = text
                if colour and index == len(values) - 1:
                    for run in cell.paragraphs[0].runs:
                        run.font.color.rgb = RGBColor.from_string(colour)
                        run.bold = True
        text_style = _style(doc, "Table Text")
        for row in t.rows:
            for cell, width in zip(row.cells, widths):
                cell.width = Inches(width)
                if text_style is not None:
                    for para in cell.paragraphs:
                        para.style = text_style
        for column, width in zip(t.columns, widths):
            column.width = Inches(width)
        if anchor is not None:
            anchor._p.addprevious(t._tbl)

    paragraph(title(changes), "Heading 1")
    paragraph(f"{human_date(changes.old_today)} → {human_date(changes.new_today)}: {summary_line(changes)}.",
              "Caption")
    for k in changes.key_dates:
        p = paragraph("", "List Bullet")
        p.add_run(key_sentence(k)).bold = True
        if k.why and k.new_forecast is not None:
            p.add_run(f" Why: {plain(k.why)}.")
    if changes.empty:
        paragraph("Nothing moved: the same steps, dates, states and owners.")
    if changes.moved:
        table(("Step", "Was due", "Now due", "Moved"),
              [(plain(m.name), human_date(m.old_due), human_date(m.new_due),
                days_text(m.days) + (f" (start {days_text(m.start_days)})" if not m.days and m.start_days else ""))
               for m in changes.moved],
              [LATER if m.days > 0 else EARLIER if m.days < 0 else None for m in changes.moved],
              (3.7, 1.3, 1.3, 1.0))
        paragraph("Moved: working days the due date moved (+ later, - earlier).", "Caption")
    if changes.states:
        table(("Step", "State was", "State now"),
              [(plain(s.name), *state_text(s).split(" → ")) for s in changes.states],
              [LATER if s.new_state in ("late", "blocked") else None for s in changes.states],
              (4.3, 1.5, 1.5))
        paragraph("")
    for label, items in (("Added", changes.added), ("Removed", changes.removed)):
        for a in items:
            paragraph(f"{label}: {plain(a.name)} (due {human_date(a.due)})", "List Bullet")
    for n in changes.renamed:
        paragraph(f"Renamed: {plain(n.old_name)} → {plain(n.new_name)}", "List Bullet")
    for o in changes.owners:
        paragraph(f"{plain(o.name)}: {o.side} owner {plain(o.old)} → {plain(o.new)}", "List Bullet")

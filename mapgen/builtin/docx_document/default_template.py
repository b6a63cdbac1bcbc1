"""Build the default Word template, ``plan.docx``, with python-docx.

Run ``python -m mapgen.builtin.docx_document.default_template`` after changing it; the
result is committed, and it is the file enablement copies and restyles in Word
(docs/word-template.md). The Jinja tags in it are docxtpl's: ``{{r x }}`` inserts
formatted text, ``{%tr %}`` repeats a table row, ``{%p %}`` a paragraph.
"""

from __future__ import annotations

import re
from pathlib import Path

TARGET = Path(__file__).with_name("plan.docx")
ACCENT = "1D4ED8"
PLAN_COLUMNS = (("#", 0.4), ("Step", 2.55), ("Buyer owner", 0.92), ("Seller owner", 0.92), ("Due", 1.1),
                ("After", 0.6), ("Status", 0.81))  # 7.3 in: the page's width inside its margins
FONT = "Arial"  # named in every style, so no text falls back to the theme's fonts (Calibri, Cambria)


def build(target: Path = TARGET) -> None:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Inches, Pt, RGBColor

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Inches(8.5), Inches(11)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Inches(0.6))
    section.top_margin, section.bottom_margin = Inches(0.5), Inches(0.6)
    section.footer_distance = Inches(0.3)
    _styles(doc, Pt, RGBColor)

    doc.add_paragraph("{{ title }}", style="Title")
    doc.add_paragraph("Mutual action plan for {{ deal }} · as of {{ today }}", style="Subtitle")
    goal = doc.add_paragraph()
    goal.add_run("What we are working towards: ").bold = True
    goal.add_run("{{r outcome }}")

    doc.add_heading("Key dates", level=1)
    # Outlook holds "At risk: 1 working day to spare" on one line; Target a worked-out target, dates the rest
    dates = _table(doc, ("", "Target", "Planned", "Forecast", "Outlook"), (1.0, 2.3, 1.1, 1.1, 1.8), Inches)
    _loop_rows(dates, "{%tr for d in key_dates %}", ("{{ d.label }}", "{{ d.target }}", "{{ d.planned }}",
                                                    "{{ d.forecast }}", "{{r d.status }}"), "{%tr endfor %}")
    doc.add_paragraph("{%p if not feasible %}")
    doc.add_paragraph("{{r late_sentence }}")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p for w in why %}")
    doc.add_paragraph("{{r w }}", style="Caption")
    doc.add_paragraph("{%p endfor %}")


    doc.add_paragraph("{%p if next_steps %}")
    doc.add_heading("The next two weeks", level=1)
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p if next_steps %}")
    soon = _table(doc, ("Step", "When", "{{ buyer }}", "{{ seller }}"), (3.25, 1.95, 1.05, 1.05), Inches)
    _plain_first_column(soon)
    _loop_rows(soon, "{%tr for n in next_steps %}", ("{{r n.name }}", "{{ n.when }}", "{{r n.buyer }}",
                                                    "{{r n.seller }}"), "{%tr endfor %}")
    doc.add_paragraph("{%p endif %}")

    doc.add_paragraph("{%p if people %}")  # a section with nothing to say is left out
    doc.add_heading("Who is involved", level=1)
    people = _table(doc, ("{{ buyer }}", "{{ seller }}"), (3.65, 3.65), Inches)
    _plain_first_column(people)
    _loop_rows(people, "{%tr for p in people_pairs %}", ("{{r p.buyer }}", "{{r p.seller }}"), "{%tr endfor %}")
    doc.add_paragraph("{%p endif %}")

    doc.add_heading("The plan", level=1)
    doc.add_paragraph("◆ decides the forecast: a day lost there is a day lost at signature or go-live. Done steps "
                      "show the day they were done; After: the steps each one waits for.", style="Caption")
    plan = _table(doc, tuple(name for name, _ in PLAN_COLUMNS), tuple(w for _, w in PLAN_COLUMNS), Inches)
    plan.rows[0].cells[2].text = "{{ buyer }}"
    plan.rows[0].cells[3].text = "{{ seller }}"
    _bold_row(plan.rows[0])
    _control_row(plan, "{%tr for g in groups %}")
    group = plan.add_row()
    merged = group.cells[0].merge(group.cells[-1])
    merged.text = "{{ g.name }}"
    merged.paragraphs[0].runs[0].bold = True
    merged.paragraphs[0].paragraph_format.keep_with_next = True  # a workstream's name never ends a page
    _shade(merged, "E8EEFB")
    _control_row(plan, "{%tr for m in g.steps %}")
    row = plan.add_row()
    for cell, text in zip(row.cells, ("{{ m.number }}{{ m.mark }}", "{{r m.step }}", "{{r m.buyer }}",
                                      "{{r m.seller }}", "{{ m.due }}", "{{ m.after }}", "{{r m.status }}")):
        cell.text = text
    _control_row(plan, "{%tr endfor %}")
    _control_row(plan, "{%tr endfor %}")
    plan.alignment = WD_TABLE_ALIGNMENT.CENTER

    doc.add_paragraph("{%p if gates %}")
    doc.add_heading("Decision gates and success criteria", level=1)
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p for g in gates %}")
    doc.add_paragraph("{{r g.line }}", style="List Bullet")
    doc.add_paragraph("{%p endfor %}")

    doc.add_paragraph("{%p if risks %}")
    doc.add_heading("Risks and mitigations", level=1)
    risks = _table(doc, ("Risk", "Owner", "What we do about it"), (2.9, 1.3, 3.1), Inches)
    _plain_first_column(risks)
    _loop_rows(risks, "{%tr for r in risks %}", ("{{r r.risk }}", "{{ r.owner }}", "{{r r.mitigation }}"),
               "{%tr endfor %}")
    doc.add_paragraph("{%p endif %}")

    doc.add_heading("How we stay on track", level=1)
    doc.add_paragraph("{{ cadence }}")

    doc.add_heading("Sign-off", level=1)
    commitment = doc.add_paragraph("Both teams commit to the steps, owners and dates in this plan, and to "
                                   "updating it together when something changes.")
    commitment.paragraph_format.keep_with_next = True  # heading, sentence and the signature table together
    # One row that cannot split: both sides' signatures stay on one page, under the sentence (which keeps
    # with it) and the heading. (Keep-with-next inside a table is not used: LibreOffice then keeps the
    # whole table with the paragraph after it, and there is none.)
    sign = doc.add_table(rows=1, cols=2)
    # What each side commits (the steps' resources), a row above the signatures when any step names one: the
    # signature lines stay level, and the row keeps with them (its paragraphs keep with the next).
    sign.rows[0].cells[0].text = "{%tr if commitments %}"
    commits = sign.add_row()
    for cell, side in zip(commits.cells, ("buyer", "seller")):
        cell.text = f"{{{{r commitments.{side} }}}}"
        cell.paragraphs[0].paragraph_format.keep_with_next = True
    sign.add_row().cells[0].text = "{%tr endif %}"
    sign_row = sign.add_row()
    lines = []
    for cell, side in zip(sign_row.cells, ("buyer", "seller")):
        cell.text = f"For {{{{ {side} }}}}"
        cell.paragraphs[0].runs[0].bold = True
        cell.add_paragraph("{%p for s in signers %}")
        lines.append(cell.add_paragraph("______________________________   Date ________"))
        cell.add_paragraph(f"{{{{ s.{side} }}}}")
        cell.add_paragraph("{%p endfor %}")

    for table in doc.tables:
        _table_text(table)
    for line in lines:
        line.paragraph_format.space_before = Pt(14)  # room to sign above the line
    _footer(section, Pt)
    doc.core_properties.title = "Mutual action plan"
    doc.save(target)


def _styles(doc, Pt, RGBColor) -> None:  # type: ignore[no-untyped-def]
    styles = doc.styles
    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10)
    normal.paragraph_format.space_after = Pt(3)
    for name, size in (("Title", 18), ("Subtitle", 10), ("Heading 1", 12), ("Heading 2", 11)):
        style = styles[name]
        style.font.name = FONT
        style.font.size = Pt(size)
        if name.startswith("Heading"):
            style.font.color.rgb = RGBColor.from_string(ACCENT)
            style.paragraph_format.space_before = Pt(6)
            style.paragraph_format.keep_with_next = True
            style.paragraph_format.space_after = Pt(3)
    text = styles.add_style("Table Text", 1)  # WD_STYLE_TYPE.PARAGRAPH
    text.base_style = normal
    text.font.size = Pt(8.5)
    text.paragraph_format.space_after = Pt(0)
    text.paragraph_format.space_before = Pt(0)
    styles["Subtitle"].font.color.rgb = RGBColor.from_string("6B7280")
    styles["Caption"].font.size = Pt(8.5)
    styles["Caption"].font.color.rgb = RGBColor.from_string("6B7280")
    for name in ("List Bullet", "List Bullet 2"):  # gates and criteria: a list, not spaced paragraphs
        styles[name].paragraph_format.space_after = Pt(1)
        styles[name].font.size = Pt(9)
    _name_the_font(doc)


def _name_the_font(doc) -> None:  # type: ignore[no-untyped-def]
    """Arial everywhere: in the defaults, in every style, and as the theme's heading and body fonts.

    Word's built-in styles name theme fonts (``w:asciiTheme="majorHAnsi"``), which win over a named
    font: headings came out in Calibri (Carlito, or whatever the reader has) beside Arial body text.
    The theme attributes are removed, so the font a style names is the font a reader sees; a style
    naming another font (Courier for code) keeps it.
    """
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    for element in doc.styles.element.iter(f"{w}rFonts"):
        themed = [name for name in element.attrib if name.lower().endswith("theme")]
        for name in themed:
            del element.attrib[name]
        if themed or element.getparent().getparent().tag == f"{w}rPrDefault":
            for attribute in ("ascii", "hAnsi", "cs", "eastAsia"):  # complex and East Asian scripts too
                element.set(f"{w}{attribute}", FONT)
    theme = doc.part.part_related_by(RT.THEME)
    xml = theme.blob.decode("utf-8")
    xml = re.sub(r'(<a:(?:major|minor)Font>\s*<a:latin typeface=")[^"]*"', rf'\g<1>{FONT}"', xml)
    theme._blob = xml.encode("utf-8")


def _table(doc, header, widths, Inches):  # type: ignore[no-untyped-def]
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    table = doc.add_table(rows=1, cols=len(header))
    table.style = doc.styles["Light Grid Accent 1"]
    table.autofit = False
    for cell, text, width in zip(table.rows[0].cells, header, widths):
        cell.text = text
        cell.width = Inches(width)
    for column, width in zip(table.columns, widths):
        column.width = Inches(width)
    _cell_margins(table, 72)  # 0.05 in each side instead of 0.08: seven columns need the width
    properties = table.rows[0]._tr.get_or_add_trPr()  # repeat the header row on every page
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    properties.append(repeat)
    _bold_row(table.rows[0])
    return table


def _plain_first_column(table) -> None:  # type: ignore[no-untyped-def]
    """No bold first column: the two sides of a side-by-side table read alike."""
    from docx.oxml.ns import qn

    look = table._tbl.tblPr.find(qn("w:tblLook"))
    if look is not None:
        look.set(qn("w:firstColumn"), "0")
        look.set(qn("w:val"), "0420")


def _cell_margins(table, twips: int) -> None:  # type: ignore[no-untyped-def]
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(twips))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    properties = table._tbl.tblPr
    look = properties.find(qn("w:tblLook"))
    if look is not None:
        look.addprevious(margins)  # the schema's order: tblCellMar before tblLook
    else:
        properties.append(margins)


def _table_text(table) -> None:  # type: ignore[no-untyped-def]
    """Cells in the "Table Text" style; rows kept whole on one page."""
    from docx.oxml import OxmlElement

    for row in table.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.style = table.part.document.styles["Table Text"]


def _bold_row(row) -> None:  # type: ignore[no-untyped-def]
    for cell in row.cells:
        for paragraph in cell.paragraphs:
            for run in paragraph.runs:
                run.bold = True


def _control_row(table, tag: str) -> None:  # type: ignore[no-untyped-def]
    table.add_row().cells[0].text = tag


def _loop_rows(table, start: str, cells, end: str) -> None:  # type: ignore[no-untyped-def]
    _control_row(table, start)
    row = table.add_row()
    for cell, text in zip(row.cells, cells):
        cell.text = text
    _control_row(table, end)


def _shade(cell, fill: str) -> None:  # type: ignore[no-untyped-def]
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _footer(section, Pt) -> None:  # type: ignore[no-untyped-def]
    """Footer: the deal, then "page N of M" as Word fields."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("{{ buyer }} × {{ seller }} · Mutual action plan · page ").font.size = Pt(8)
    _field(paragraph, "PAGE", Pt)
    paragraph.add_run(" of ").font.size = Pt(8)
    _field(paragraph, "NUMPAGES", Pt)


def _field(paragraph, code: str, Pt) -> None:  # type: ignore[no-untyped-def]
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for kind, text in (("begin", None), ("instr", f" {code} "), ("separate", None), ("text", "1"), ("end", None)):
        run = paragraph.add_run()
        run.font.size = Pt(8)
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        elif kind == "text":
            element = OxmlElement("w:t")
            element.text = text
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._r.append(element)


if __name__ == "__main__":
    build()
    print(f"wrote {TARGET}")

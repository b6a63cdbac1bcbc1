"""How long the workbook takes to render and how much memory it needs, beside openpyxl alone.

Run: python bench/bench_xlsx.py

"mapgen" is the xlsx format's render(plan). "direct" is openpyxl (write-only mode, as
mapgen uses) writing the same five sheets: every cell of the finished workbook (value,
number format, font, fill, alignment), column widths, the table, the status drop-down and
the conditional formats are first read into lists (not timed), then written and saved.
Peak memory is measured with tracemalloc around one render ("peak MB"), and split into the
workbook itself ("build MB": openpyxl write-only, rows streamed to a temporary file) and
mapgen.officezip.normalize_office_zip ("zip MB": it holds each zip member uncompressed, so it grows
with the largest sheet's XML). Best of 3 for time.
"""

from __future__ import annotations

import copy
import io
import statistics
import sys
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import best  # noqa: E402  (also puts the repository on the path)

from mapgen.formats import RenderContext  # noqa: E402
from mapgen.plugins import formats  # noqa: E402
from mapgen.testing import make_plan  # noqa: E402

SIZES = (40, 500, 5000)
SPAN_DAYS = 365  # a year-long plan: a realistic Timeline width whatever the number of steps
REPEAT = 3


def describe(data: bytes) -> list[dict]:
    """The finished workbook as plain data (not timed)."""
    from openpyxl import load_workbook

    shared: dict[object, object] = {}

    from openpyxl.styles import Alignment, PatternFill
    from openpyxl.styles.fonts import DEFAULT_FONT

    defaults = {DEFAULT_FONT, PatternFill(), Alignment()}

    def one(style):  # type: ignore[no-untyped-def]
        """Equal styles shared, default ones left unset, as a direct script would write them."""
        return None if style in defaults else shared.setdefault(style, style)

    sheets = []
    for ws in load_workbook(io.BytesIO(data)):
        rows = [[(c.value, None if c.number_format == "General" else c.number_format, one(copy.copy(c.font)), one(copy.copy(c.fill)), one(copy.copy(c.alignment)))
                 if c.value is not None or c.fill.fgColor.rgb not in (None, "00000000") else None for c in row]
                for row in ws.iter_rows()]
        widths = {k: v.width for k, v in ws.column_dimensions.items()}
        sheets.append({"title": ws.title, "rows": rows, "widths": widths, "freeze": ws.freeze_panes,
                       "tables": list(ws.tables.values()), "validations": list(ws.data_validations.dataValidation),
                       "formats": [(str(cf.sqref), list(cf.rules)) for cf in ws.conditional_formatting]})
    return sheets


def direct(sheets: list[dict]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    for spec in sheets:
        ws = wb.create_sheet(spec["title"])
        for key, width in spec["widths"].items():
            ws.column_dimensions[key].width = width
        ws.freeze_panes = spec["freeze"]
        for row in spec["rows"]:
            out = []
            for item in row:
                if item is None:
                    out.append(None)
                    continue
                value, number_format, font, fill, alignment = item
                c = WriteOnlyCell(ws, value=value)
                if number_format:
                    c.number_format = number_format
                if font is not None:
                    c.font = font
                if fill is not None:
                    c.fill = fill
                if alignment is not None:
                    c.alignment = alignment
                out.append(c)
            ws.append(out)
        for table in spec["tables"]:
            ws.add_table(table)
        for validation in spec["validations"]:
            ws.data_validations.dataValidation.append(validation)
        for ref, rules in spec["formats"]:
            for rule in rules:
                ws.conditional_formatting.add(ref, rule)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def peak_memory(func, *args) -> float:  # type: ignore[no-untyped-def]
    tracemalloc.start()
    func(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def main() -> None:
    import warnings

    warnings.simplefilter("ignore")
    fmt = formats()["xlsx"].format
    context = RenderContext()
    fmt.render(make_plan(5), context)
    from mapgen.builtin.xlsx_workbook.workbook import build_workbook
    from mapgen.officezip import normalize_office_zip

    print(f"{'steps':>6} {'mapgen s':>9} {'direct s':>9} {'ratio':>6} {'peak MB':>8} {'build MB':>9} "
          f"{'zip MB':>7} {'file KB':>8}")
    ratios = []
    for steps in SIZES:
        plan = make_plan(steps, span_days=SPAN_DAYS).for_reader("buyer")
        data = fmt.render(plan, context)
        ours = best(fmt.render, plan, context, repeat=REPEAT)
        theirs = best(direct, describe(data), repeat=REPEAT)
        ratios.append(ours / theirs)
        peak = peak_memory(fmt.render, plan, context)
        built = peak_memory(build_workbook, plan)
        zipped = peak_memory(normalize_office_zip, build_workbook(plan), plan.today)
        print(f"{steps:>6} {ours:>9.3f} {theirs:>9.3f} {ours / theirs:>6.2f} {peak:>8.1f} {built:>9.1f} "
              f"{zipped:>7.1f} {len(data) / 1e3:>8.0f}")
    print(f"median ratio {statistics.median(ratios):.2f} (target: within 1.3)")


if __name__ == "__main__":
    main()

"""How long the deck takes to render, beside python-pptx building the same slides directly.

Run: python bench/bench_pptx.py

"mapgen" is the pptx format's render(plan): measuring text, paginating, parsing inline
Markdown, drawing the timeline, rendering the talk track, normalising the zip. "direct" is
python-pptx alone building the same deck from plain data: every text box, shape, connector and
table of the finished deck (geometry, colours, formatted runs, notes) is first read into lists
(not timed), then built with plain python-pptx calls and saved. The ratio is what mapgen's
layout work costs on top of the library. Best of 5.
"""

from __future__ import annotations

import io
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import best  # noqa: E402  (also puts the repository on the path)

from mapgen.formats import RenderContext  # noqa: E402
from mapgen.plugins import formats  # noqa: E402
from mapgen.testing import make_plan  # noqa: E402

SIZES = (14, 40)
REPEAT = 5


def _color(color):  # type: ignore[no-untyped-def]
    if color.type is None:
        return None
    return ("rgb", color.rgb) if color.type == 1 else ("theme", color.theme_color)


def _runs(frame) -> list[list[tuple]]:  # type: ignore[no-untyped-def]
    return [[(run.text, run.font.size, run.font.bold, run.font.italic, _color(run.font.color), run.hyperlink.address)
             for run in paragraph.runs] for paragraph in frame.paragraphs]


def describe(source: bytes) -> list[dict]:
    """The finished deck as plain data (not timed): what a direct script would have in hand."""
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    slides = []
    for old in Presentation(io.BytesIO(source)).slides:
        items = []
        for shape in old.shapes:
            box = (shape.left, shape.top, shape.width, shape.height)
            if shape.has_table:
                items.append(("table", box, [c.width for c in shape.table.columns],
                              [(row.height, [_runs(cell.text_frame) for cell in row.cells]) for row in shape.table.rows]))
            elif shape.shape_type == MSO_SHAPE_TYPE.AUTO_SHAPE:
                fill = _color(shape.fill.fore_color) if shape.fill.type == 1 else None
                items.append(("shape", box, shape.auto_shape_type, fill))
            elif shape.has_text_frame:
                items.append(("text", box, _runs(shape.text_frame)))
            else:
                items.append(("line", (shape.begin_x, shape.begin_y, shape.end_x, shape.end_y), shape.line.width,
                              _color(shape.line.color)))
        slides.append({"items": items, "notes": old.notes_slide.notes_text_frame.text})
    return slides


def _set_color(target, value) -> None:  # type: ignore[no-untyped-def]
    if value is None:
        return
    if value[0] == "rgb":
        target.rgb = value[1]
    else:
        target.theme_color = value[1]


def _write_runs(frame, paragraphs) -> None:  # type: ignore[no-untyped-def]
    frame.word_wrap = True
    paragraph = frame.paragraphs[0]
    for index, runs in enumerate(paragraphs):
        if index:
            paragraph = frame.add_paragraph()
        for text, size, bold, italic, color, link in runs:
            run = paragraph.add_run()
            run.text = text
            run.font.size, run.font.bold, run.font.italic = size, bold, italic
            _set_color(run.font.color, color)
            if link:
                run.hyperlink.address = link


def direct(slides: list[dict]) -> bytes:
    """python-pptx building the same slides: the same shapes, colours, formatted runs, tables and notes."""
    from pptx import Presentation
    from pptx.enum.shapes import MSO_CONNECTOR

    prs = Presentation()
    prs.slide_width, prs.slide_height = 12192000, 6858000
    blank = prs.slide_layouts[6]
    for spec in slides:
        slide = prs.slides.add_slide(blank)
        for item in spec["items"]:
            kind = item[0]
            if kind == "table":
                _, box, widths, rows = item
                table = slide.shapes.add_table(len(rows), len(widths), *box).table
                for c, width in enumerate(widths):
                    table.columns[c].width = width
                for r, (height, cells) in enumerate(rows):
                    table.rows[r].height = height
                    for c, paragraphs in enumerate(cells):
                        _write_runs(table.cell(r, c).text_frame, paragraphs)
            elif kind == "shape":
                _, box, shape_type, fill = item
                shape = slide.shapes.add_shape(shape_type, *box)
                if fill:
                    shape.fill.solid()
                    _set_color(shape.fill.fore_color, fill)
                else:
                    shape.fill.background()
                shape.line.fill.background()
            elif kind == "text":
                _write_runs(slide.shapes.add_textbox(*item[1]).text_frame, item[2])
            else:
                line = slide.shapes.add_connector(MSO_CONNECTOR.STRAIGHT, *item[1])
                line.line.width = item[2]
                _set_color(line.line.color, item[3])
        slide.notes_slide.notes_text_frame.text = spec["notes"]
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def main() -> None:
    fmt = formats()["pptx"].format
    context = RenderContext()
    fmt.render(make_plan(5), context)  # warm up imports and font loading
    print(f"{'steps':>6} {'slides':>7} {'mapgen s':>9} {'direct s':>9} {'ratio':>6}")
    ratios = []
    for steps in SIZES:
        plan = make_plan(steps)
        data = fmt.render(plan, context)
        from pptx import Presentation

        slides = len(Presentation(io.BytesIO(data)).slides)
        ours = best(fmt.render, plan, context)
        theirs = best(direct, describe(data))
        ratios.append(ours / theirs)
        print(f"{steps:>6} {slides:>7} {ours:>9.3f} {theirs:>9.3f} {ours / theirs:>6.2f}")
    print(f"median ratio {statistics.median(ratios):.2f} (target: within 1.3)")


if __name__ == "__main__":
    main()

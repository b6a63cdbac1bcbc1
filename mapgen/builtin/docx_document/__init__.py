"""Built-in plugin: the plan as a Word document, rendered by docxtpl from ``plan.docx``.

A segment template may ship its own ``plan.docx`` (restyled and reworded in Word, see
docs/word-template.md); otherwise the default next to this file is used. Rendering is
sandboxed (the template is someone else's), autoescaped (so ``&`` and ``<`` survive), and
starts from a fresh DocxTemplate every time (docxtpl keeps state in the object).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import io
from functools import lru_cache
from pathlib import Path

from mapgen.errors import Problem, RenderError
from mapgen.formats import OutputFormat, RenderContext
from mapgen.hookspecs import hookimpl

if TYPE_CHECKING:  # only annotations: `mapgen --help` loads plugins without the plan model
    from mapgen.plan import Plan

ASSET = "plan.docx"
DEFAULT_TEMPLATE = Path(__file__).with_name(ASSET)


class DocxFormat(OutputFormat):
    name = "docx"
    suffix = ".docx"
    description = "A Word document to circulate internally, restyled through the template's plan.docx"
    assets = (ASSET,)

    def render(self, plan: Plan, context: RenderContext) -> bytes:
        from mapgen.officezip import normalize_office_zip, set_core_properties

        from .variables import template_variables

        path = context.asset(ASSET) or DEFAULT_TEMPLATE
        template = _template(path)
        layout = document_layout(context)
        variables = template_variables(plan, template, layout)
        from mapgen.sandbox import budget

        try:  # the sandbox's templates render within its time budget, with room for each step
            with budget(steps=len(plan.milestones)):
                template.render(variables, jinja_env=_environment(), autoescape=True)
        except Exception as exc:  # a template mistake names the Word template
            message = getattr(exc, "message", None) or str(exc)
            raise RenderError([Problem(f"format docx: template error: {message}", str(path))]) from exc
        if plan.changes is not None:
            from .changes import insert_changes

            insert_changes(template.docx, plan.changes)
        for table in template.docx.tables:
            drop_empty_columns(table)
        set_core_properties(template.docx.core_properties, plan)
        buffer = io.BytesIO()
        template.save(buffer)
        return normalize_office_zip(buffer.getvalue(), plan.today)

    def check_template(self, context: RenderContext) -> list[Problem]:
        try:
            document_layout(context)
        except RenderError as exc:
            where = str(context.template_dirs[0] / "template.yaml") if context.template_dirs else None
            return [Problem(p.message, where) for p in exc.problems]
        path = context.asset(ASSET)
        if path is None:
            return []
        from .variables import VARIABLES

        try:
            template = _template(path)
            used = template.get_undeclared_template_variables(_environment())
        except Exception as exc:  # noqa: BLE001 - not a Word file, or broken Jinja in it
            message = getattr(exc, "message", None) or str(exc)
            return [Problem(f"format docx: cannot read the Word template: {message}", str(path))]
        return [Problem(f"format docx: the Word template uses '{name}', which the plan does not provide "
                        f"(available: {', '.join(sorted(VARIABLES))})", str(path))
                for name in sorted(set(used) - set(VARIABLES))]


def document_layout(context: RenderContext) -> str:
    """``formats.docx.layout`` of the template: ``full`` (the default) or ``compact`` (one page)."""
    from .variables import LAYOUTS

    layout = context.options.get("layout", "full")
    if layout not in LAYOUTS:
        raise RenderError([Problem(f"format docx: layout must be one of {', '.join(LAYOUTS)}, not {layout!r}")])
    return str(layout)


def drop_empty_columns(table) -> None:  # type: ignore[no-untyped-def]
    """Remove a column that is empty in every row below a repeating header, giving its width to the
    widest column: with no notes in the plan, the Notes column goes and the step names get the room.

    Only tables whose header row repeats on each page (the plan, people, risks and key dates tables
    of plan.docx) are considered; a cell spanning several columns (a workstream's row) loses one.
    Cells are read with lxml directly: python-docx's accessors cost more than the rest of the render.
    """
    rows = table._tbl.tr_lst
    if len(rows) < 2 or not rows[0].xpath("./w:trPr/w:tblHeader"):
        return
    grid = table._tbl.tblGrid
    layouts = [_layout(row) for row in rows]
    for index in reversed(range(len(grid.gridCol_lst))):
        below = [_covering(layout, index) for layout in layouts[1:]]
        # any() stops at a column's first filled cell: reading a cell's text is the costly part (5,000 rows)
        if len(grid.gridCol_lst) < 2 or any(c is None or (c[1] == 1 and _text(c[0])) for c in below) \
                or all(c[1] > 1 for c in below):  # type: ignore[index]
            continue
        columns = grid.gridCol_lst
        width = columns[index].w or 0
        widest = max((i for i in range(len(columns)) if i != index), key=lambda i: columns[i].w or 0)
        columns[widest].w = (columns[widest].w or 0) + width
        for row, layout in zip(rows, layouts):
            found = _covering(layout, index)
            if found is None:
                continue
            tc, span = found
            if span > 1:
                tc.grid_span = span - 1
                continue
            row.remove(tc)
            grown = _covering(_layout(row), widest - (widest > index))
            if grown is not None and grown[1] == 1 and grown[0].width is not None:
                grown[0].width = grown[0].width + width
        grid.remove(columns[index])
        layouts = [_layout(row) for row in rows]


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _layout(tr) -> list[tuple[int, int, object]]:  # type: ignore[no-untyped-def]
    """A row's cells as (first grid column, columns spanned, w:tc)."""
    before = tr.find(f"{_W}trPr/{_W}gridBefore")
    position = int(before.get(f"{_W}val")) if before is not None else 0
    out = []
    for tc in tr.iterchildren(f"{_W}tc"):
        span_el = tc.find(f"{_W}tcPr/{_W}gridSpan")
        span = int(span_el.get(f"{_W}val")) if span_el is not None else 1
        out.append((position, span, tc))
        position += span
    return out


def _covering(layout: list[tuple[int, int, object]], column: int):  # type: ignore[no-untyped-def]
    """(w:tc, span) of the cell covering grid column ``column``, or None."""
    for start, span, tc in layout:
        if start <= column < start + span:
            return tc, span
    return None


def _text(tc) -> str:  # type: ignore[no-untyped-def]
    return "".join(tc.itertext()).strip()


def _template(path: Path):  # type: ignore[no-untyped-def]
    from docxtpl import DocxTemplate

    return DocxTemplate(io.BytesIO(path.read_bytes()))  # fresh per render: docxtpl objects keep state


@lru_cache(maxsize=1)
def _environment():  # type: ignore[no-untyped-def]
    """The sandboxed environment docxtpl renders in, once per process. docxtpl compiles the document's
    XML with ``from_string`` on every render; the same Word template gives the same XML, so each one
    is compiled once and reused for every brief (a fresh DocxTemplate still holds each render's state)."""
    from mapgen.sandbox import environment

    env = environment(autoescape=True)
    env.from_string = lru_cache(maxsize=16)(env.from_string)  # type: ignore[method-assign]
    return env


@hookimpl
def register_formats(registry) -> None:  # type: ignore[no-untyped-def]
    registry.add(DocxFormat)

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
        from mapgen.output import normalize_office_zip, set_core_properties

        from .variables import template_variables

        path = context.asset(ASSET) or DEFAULT_TEMPLATE
        template = _template(path)
        layout = document_layout(context)
        variables = template_variables(plan, template, context.include_internal, layout)
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
    """
    rows = table._tbl.tr_lst
    if len(rows) < 2 or not rows[0].xpath("./w:trPr/w:tblHeader"):
        return
    grid = table._tbl.tblGrid
    for index in reversed(range(len(grid.gridCol_lst))):
        # Lazily, row by row: a column with text stops at its first filled cell (a 5,000-row table).
        below = (_cell_at(row, index) for row in rows[1:])
        if len(grid.gridCol_lst) < 2 or any(tc is None or (tc.grid_span == 1 and _text(tc)) for tc in below) \
                or all(_cell_at(row, index).grid_span > 1 for row in rows[1:]):
            continue
        columns = grid.gridCol_lst
        width = columns[index].w or 0
        widest = max((i for i in range(len(columns)) if i != index), key=lambda i: columns[i].w or 0)
        columns[widest].w = (columns[widest].w or 0) + width
        for row in rows:
            tc = _cell_at(row, index)
            if tc is None:
                continue
            if tc.grid_span > 1:
                tc.grid_span -= 1
                continue
            row.remove(tc)
            grown = _cell_at(row, widest - (widest > index))
            if grown is not None and grown.grid_span == 1 and grown.width is not None:
                grown.width = grown.width + width
        grid.remove(columns[index])


def _cell_at(tr, column: int):  # type: ignore[no-untyped-def]
    """The w:tc of a row that covers grid column ``column``."""
    position = tr.grid_before
    for tc in tr.tc_lst:
        if position <= column < position + tc.grid_span:
            return tc
        position += tc.grid_span
    return None


def _text(tc) -> str:  # type: ignore[no-untyped-def]
    return "".join(tc.itertext()).strip()


def _template(path: Path):  # type: ignore[no-untyped-def]
    from docxtpl import DocxTemplate

    return DocxTemplate(io.BytesIO(path.read_bytes()))  # fresh per render: docxtpl objects keep state


@lru_cache(maxsize=1)
def _environment():  # type: ignore[no-untyped-def]
    from mapgen.sandbox import environment

    return environment(autoescape=True)


@hookimpl
def register_formats(registry) -> None:  # type: ignore[no-untyped-def]
    registry.add(DocxFormat)

"""Built-in plugin: the plan as an Excel tracker people work in with the buyer.

Sheets: Plan (a formatted table with the planned dates, done steps at their actual dates, what
each step waits for, its deadline and state, a status drop-down, and conditional formats against
TODAY() so a step turns red when its deadline passes, whenever the file is opened), Timeline
(week-by-week bars coloured by state, room to move, holidays, targets and forecasts, a legend),
People, Risks (the brief's and those found in the plan) and Summary (target beside forecast and
why, the next two weeks). Written with openpyxl's write-only mode, so a plan of thousands of
steps stays in bounded memory. docs/workbook.md describes it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mapgen.formats import OutputFormat, RenderContext
from mapgen.hookspecs import hookimpl

if TYPE_CHECKING:  # only annotations: `mapgen --help` loads plugins without the plan model
    from mapgen.plan import Plan


class XlsxFormat(OutputFormat):
    name = "xlsx"
    suffix = ".xlsx"
    description = "An Excel tracker: real dates, a status drop-down, late steps that turn red by themselves"

    def render(self, plan: Plan, context: RenderContext) -> bytes:
        from mapgen.officezip import normalize_office_zip

        from .workbook import build_workbook

        return normalize_office_zip(build_workbook(plan), plan.today)


@hookimpl
def register_formats(registry) -> None:  # type: ignore[no-untyped-def]
    registry.add(XlsxFormat)

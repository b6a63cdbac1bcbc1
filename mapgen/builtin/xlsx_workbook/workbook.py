"""Building the workbook, sheet by sheet, row by row (openpyxl write-only mode)."""

from __future__ import annotations

import datetime as dt
import io
import warnings
from typing import Any, Iterable

from mapgen.markup import clean, plain
from mapgen.plan import STATUSES, Milestone, Plan, role_label

DATE_FORMAT = "ddd d mmm yyyy"
WEEK_FORMAT = "d mmm"
HEADER_FILL = "1D4ED8"
LATE_FILL = "FDE2E2"
LATE_TEXT = "B91C1C"
DONE_FILL = "DCFCE7"
BAR = "93C5FD"
BAR_CRITICAL = "1D4ED8"
BAR_DONE = "D1D5DB"
BAR_LATE = "DC2626"
KEY_FILL = "F59E0B"
TODAY_FILL = "FCA5A5"

#: (header, width) of the Plan sheet; the last column holds the step id, hidden.
PLAN_COLUMNS = (("#", 5), ("Workstream", 22), ("Step", 52), ("Buyer owner", 20), ("Seller owner", 20),
                ("Start", 17), ("Due", 17), ("Status", 14), ("Slack (days)", 13), ("Critical", 9),
                ("Notes", 48), ("Step id", 18))
WRAPPED = ("Workstream", "Step", "Buyer owner", "Seller owner", "Notes")
LINE_HEIGHT = 15.0  # points, for the default 11 pt font
MAX_ROW_HEIGHT = 409.0  # points: Excel's limit; a taller row is not a valid row (the text stays in the cell)
NAME_WIDTH = (24, 60)  # the Timeline's step-name column: at least, at most (characters)
COL = {name: i for i, (name, _) in enumerate(PLAN_COLUMNS)}


def text(value: Any) -> str:
    """What a cell shows for a text field: Markdown removed, characters XML cannot hold dropped."""
    return clean(plain(str(value))) if value else ""


class Styles:
    """Style objects made once and shared by every cell.

    The styles of the Plan and Timeline rows are also registered as named cell styles
    ("Plan date", "Bar critical", ...): one assignment per cell instead of three or four,
    and they show in Excel's Cell Styles gallery for whoever keeps the tracker.
    """

    def __init__(self, wb) -> None:  # type: ignore[no-untyped-def]
        from openpyxl.styles import Alignment, Border, NamedStyle, PatternFill, Side

        font = self.font
        self.body = font()
        self.header_font = font(bold=True, color="FFFFFF")
        self.header_fill = PatternFill("solid", fgColor=HEADER_FILL)
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.top = Alignment(vertical="top")
        self.center = Alignment(horizontal="center", vertical="top")
        # text beside a right-aligned date would touch it: an indent keeps them apart
        self.indented = Alignment(horizontal="left", vertical="top", indent=1)  # indent needs "left"
        self.title = font(bold=True, size=16, color="1E293B")
        self.bold = font(bold=True)
        self.late = font(bold=True, color=LATE_TEXT)
        self.muted = font(italic=True, color="6B7280")
        thin = Side(style="thin", color="FFFFFF")
        self.grid = Border(left=thin, right=thin)
        self.fills = {name: PatternFill("solid", fgColor=colour) for name, colour in
                      (("bar", BAR), ("critical", BAR_CRITICAL), ("done", BAR_DONE), ("late", BAR_LATE),
                       ("key", KEY_FILL), ("today", TODAY_FILL))}
        named = {
            "Plan cell": NamedStyle("Plan cell", font=self.body, alignment=self.top),
            "Plan text": NamedStyle("Plan text", font=self.body, alignment=self.wrap),
            "Plan unnamed": NamedStyle("Plan unnamed", alignment=self.wrap, font=self.muted),
            "Plan date": NamedStyle("Plan date", font=self.body, alignment=self.top, number_format=DATE_FORMAT),
            "Plan status": NamedStyle("Plan status", font=self.body, alignment=self.indented),
            "Plan flag": NamedStyle("Plan flag", font=self.body, alignment=self.center),
            "Late step": NamedStyle("Late step", font=self.late, alignment=self.wrap),
            "Step name": NamedStyle("Step name", font=self.body, alignment=self.wrap),
        }
        for kind, title in (("bar", "Bar"), ("critical", "Bar critical"), ("done", "Bar done"), ("late", "Bar late")):
            named[title] = NamedStyle(title, font=self.body, fill=self.fills[kind], alignment=self.center,
                                      border=self.grid)
        for style in named.values():
            wb.add_named_style(style)

    @staticmethod
    def font(**changes: Any):  # type: ignore[no-untyped-def]
        """The workbook's body font (Calibri 11) with ``changes``.

        A font without a name or size is not "the default": LibreOffice shows it in its own
        default face (a serif), so every font names its face and size.
        """
        from openpyxl.styles import Font

        return Font(**{"name": "Calibri", "size": 11, "family": 2, "scheme": "minor", **changes})


def build_workbook(plan: Plan, include_internal: bool) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    styles = Styles(wb)
    steps = plan.visible(include_internal)
    _plan_sheet(wb.create_sheet("Plan"), plan, steps, styles)
    _timeline_sheet(wb.create_sheet("Timeline"), plan, steps, styles)
    _people_sheet(wb.create_sheet("People"), plan, styles)
    _risks_sheet(wb.create_sheet("Risks"), plan, styles)
    _summary_sheet(wb.create_sheet("Summary"), plan, steps, styles)
    _properties(wb, plan)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def cell(ws, value: Any, style: str | None = None, *, font=None, fill=None, alignment=None,  # type: ignore[no-untyped-def]
         number_format: str | None = None, border=None):
    """A write-only cell. Text is always text: "=SUM(A1)" from a brief is never a formula."""
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, str):
        value = clean(value)
    c = WriteOnlyCell(ws, value=value)
    if isinstance(value, str) and value:
        c.data_type = "s"  # openpyxl would make a string starting with "=" a formula
    if style is not None:
        c.style = style
    if font is not None:
        c.font = font
    if fill is not None:
        c.fill = fill
    if alignment is not None:
        c.alignment = alignment
    if border is not None:
        c.border = border
    if number_format:
        c.number_format = number_format
    return c


def _header(ws, names: Iterable[str], styles: Styles) -> None:  # type: ignore[no-untyped-def]
    ws.append([cell(ws, name, font=styles.header_font, fill=styles.header_fill, alignment=styles.wrap)
               for name in names])


def _widths(ws, widths: Iterable[float]) -> None:  # type: ignore[no-untyped-def]
    from openpyxl.utils import get_column_letter

    for index, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(index)].width = width


# -- Plan -------------------------------------------------------------------------------------------


def _plan_sheet(ws, plan: Plan, steps: tuple[Milestone, ...], styles: Styles) -> None:  # type: ignore[no-untyped-def]
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.filters import AutoFilter
    from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

    _widths(ws, [w for _, w in PLAN_COLUMNS])
    ws.column_dimensions[get_column_letter(len(PLAN_COLUMNS))].hidden = True
    ws.freeze_panes = "D2"
    ws.sheet_view.zoomScale = 100
    _print_setup(ws, landscape=True)
    ws.print_title_rows = "1:1"
    headers = [name for name, _ in PLAN_COLUMNS]
    headers[COL["Buyer owner"]] = _heading(f"{text(plan.buyer.company)} owner", "Buyer owner", headers)
    headers[COL["Seller owner"]] = _heading(f"{text(plan.seller.company)} owner", "Seller owner", headers)
    lines = max(_lines(name, width, bold=True) for name, (_, width) in zip(headers, PLAN_COLUMNS))
    if lines > 1:  # a long company name in an owner heading
        ws.row_dimensions[1].height = _height(lines)
    _header(ws, headers, styles)
    for row_number, m in enumerate(steps, 2):
        values = {"Workstream": text(m.workstream_name), "Step": text(m.name), "Notes": text(m.note),
                  "Buyer owner": text(m.owners.buyer.name), "Seller owner": text(m.owners.seller.name)}
        lines = max(_lines(values[name], PLAN_COLUMNS[COL[name]][1]) for name in WRAPPED)
        if lines > 1:  # LibreOffice does not grow wrapped rows by itself
            ws.row_dimensions[row_number].height = _height(lines)
        ws.append([
            cell(ws, m.number, "Plan cell"),
            cell(ws, values["Workstream"], "Plan text"),
            cell(ws, values["Step"] + (" (internal)" if m.internal else ""), "Plan text"),
            cell(ws, values["Buyer owner"], "Plan text" if m.owners.buyer.named else "Plan unnamed"),
            cell(ws, values["Seller owner"], "Plan text" if m.owners.seller.named else "Plan unnamed"),
            cell(ws, m.start, "Plan date"),
            cell(ws, m.due, "Plan date"),
            cell(ws, m.status, "Plan status"),
            cell(ws, m.slack, "Plan cell"),
            cell(ws, "Yes" if m.critical else "No", "Plan flag"),
            cell(ws, values["Notes"], "Plan text"),
            cell(ws, m.id),
        ])
    last = len(steps) + 1
    end_col = get_column_letter(len(PLAN_COLUMNS))
    if steps:
        table = Table(displayName="PlanSteps", ref=f"A1:{end_col}{last}")
        # write-only mode: the table's columns (and its filter buttons) are declared by hand
        table.tableColumns = [TableColumn(id=i, name=name) for i, name in enumerate(headers, 1)]
        table.autoFilter = AutoFilter(ref=table.ref)
        table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
        with warnings.catch_warnings():  # openpyxl warns in write-only mode even when columns are given
            warnings.simplefilter("ignore", UserWarning)
            ws.add_table(table)
        _status_validation(ws, last)
        _conditional_formats(ws, last, styles)


def _lines(value: str, width: float, bold: bool = False) -> int:
    """How many lines ``value`` wraps to in a column ``width`` characters wide (a slightly generous estimate).

    A column's width counts digits; ordinary text in Calibri (and Carlito, LibreOffice's
    metric twin) averages a little narrower (rows turn bold when critical or late: 1.1 leaves room for that),
    a bold heading about as wide.
    """
    import math

    per_line = max(1.0, width * (1.0 if bold else 1.1))
    return sum(max(1, math.ceil(len(part) / per_line)) for part in value.split("\n")) if value else 1


def _height(lines: int) -> float:
    return min(MAX_ROW_HEIGHT, LINE_HEIGHT * lines)


def _heading(wanted: str, fallback: str, taken: list[str]) -> str:
    """A table column name: one line, at most 80 characters, unique in the table."""
    name = " ".join(wanted.split())[:80] or fallback
    return name if name not in taken else fallback


def _status_validation(ws, last: int) -> None:  # type: ignore[no-untyped-def]
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    column = get_column_letter(COL["Status"] + 1)
    validation = DataValidation(type="list", formula1='"' + ",".join(STATUSES) + '"', allow_blank=False,
                                showErrorMessage=True, errorTitle="Status",
                                error="Pick a status from the list: " + ", ".join(STATUSES),
                                promptTitle="Status", prompt="not_started, in_progress, done or blocked")
    validation.add(f"{column}2:{column}{last}")
    ws.data_validations.dataValidation.append(validation)


def _conditional_formats(ws, last: int, styles: Styles) -> None:  # type: ignore[no-untyped-def]
    """Rules evaluated by Excel when the file is opened: late against TODAY(), done, critical."""
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    due = get_column_letter(COL["Due"] + 1)
    status = get_column_letter(COL["Status"] + 1)
    critical = get_column_letter(COL["Critical"] + 1)
    everything = f"A2:{get_column_letter(len(PLAN_COLUMNS) - 1)}{last}"
    ws.conditional_formatting.add(everything, FormulaRule(
        formula=[f'${status}2="done"'], fill=PatternFill("solid", bgColor=DONE_FILL), stopIfTrue=True))
    ws.conditional_formatting.add(everything, FormulaRule(
        formula=[f'AND(${due}2<TODAY(),${status}2<>"done")'], fill=PatternFill("solid", bgColor=LATE_FILL),
        font=Font(color=LATE_TEXT, bold=True), stopIfTrue=True))
    ws.conditional_formatting.add(f"A2:C{last}", FormulaRule(formula=[f'${critical}2="Yes"'], font=Font(bold=True)))


# -- Timeline -----------------------------------------------------------------------------------------


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _timeline_sheet(ws, plan: Plan, steps: tuple[Milestone, ...], styles: Styles) -> None:  # type: ignore[no-untyped-def]
    key_days = [plan.today, plan.signature.target] + ([plan.go_live.target] if plan.go_live else [])
    first = _monday(min([m.start for m in steps] + key_days))
    last = _monday(max([m.due for m in steps] + key_days))
    weeks = [first + dt.timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]
    marks = {_monday(plan.today): "Today", _monday(plan.signature.target): "Signature"}
    if plan.go_live:
        marks[_monday(plan.go_live.target)] = "Go-live" if _monday(plan.go_live.target) not in marks else \
            marks[_monday(plan.go_live.target)] + " · Go-live"
    names = [text(m.name) for m in steps]
    # wide enough for the usual name; a longer one wraps (a filled week cell would not stop it
    # spilling over the bars otherwise: an empty cell with a fill lets text run across)
    name_width = min(NAME_WIDTH[1], max([NAME_WIDTH[0]] + [len(n) + 2 for n in names]))
    _widths(ws, [5, name_width] + [8] * len(weeks))
    ws.freeze_panes = "C3"
    _print_setup(ws, landscape=True)
    ws.append([cell(ws, "#", font=styles.header_font, fill=styles.header_fill),
               cell(ws, "Week of", font=styles.header_font, fill=styles.header_fill)]
              + [cell(ws, w, font=styles.header_font, fill=styles.header_fill, number_format=WEEK_FORMAT,
                      alignment=styles.center) for w in weeks])
    ws.append([None, cell(ws, "Key dates", font=styles.bold)]
              + [cell(ws, marks[w], font=styles.bold, fill=styles.fills["today" if marks[w] == "Today" else "key"],
                      alignment=styles.center) if w in marks else None for w in weeks])
    for row_number, (m, name) in enumerate(zip(steps, names), 3):
        span = (_monday(m.start), _monday(m.due))
        bar = "Bar done" if m.status == "done" else "Bar late" if m.late else "Bar critical" if m.critical else "Bar"
        mark = "◆" if m.is_event else None
        lines = _lines(name, name_width)
        if lines > 1:
            ws.row_dimensions[row_number].height = _height(lines)
        row = [cell(ws, m.number, "Plan cell"), cell(ws, name, "Late step" if m.late else "Step name")]
        row += [cell(ws, mark, bar) if span[0] <= w <= span[1] else None for w in weeks]
        ws.append(row)
    ws.append([])
    ws.append([None, cell(ws, "Dark blue: critical path · light blue: other steps · red: late · grey: done · "
                              "◆ one-day milestone", font=styles.muted)])


# -- People, Risks, Summary ---------------------------------------------------------------------------------


def _people_sheet(ws, plan: Plan, styles: Styles) -> None:  # type: ignore[no-untyped-def]
    _widths(ws, (10, 24, 26, 28, 24, 30))
    ws.freeze_panes = "A2"
    _print_setup(ws, landscape=False)
    _header(ws, ("Side", "Company", "Name", "Title", "Role", "Email"), styles)
    for side, party in (("Buyer", plan.buyer), ("Seller", plan.seller)):
        for p in party.people:
            ws.append([cell(ws, side), cell(ws, text(party.company)), cell(ws, text(p.name)), cell(ws, text(p.title)),
                       cell(ws, role_label(p.role) if p.role else ""), cell(ws, text(p.email))])
    for side, name, steps in plan.unnamed():
        ws.append([cell(ws, side.capitalize()), cell(ws, text((plan.buyer if side == "buyer" else plan.seller).company)),
                   cell(ws, name, font=styles.muted), cell(ws, "Owns steps " + ", ".join(str(m.number) for m in steps),
                                                          font=styles.muted)])


def _risks_sheet(ws, plan: Plan, styles: Styles) -> None:  # type: ignore[no-untyped-def]
    _widths(ws, (60, 24, 60))
    ws.freeze_panes = "A2"
    _print_setup(ws, landscape=True)
    _header(ws, ("Risk", "Owner", "Mitigation"), styles)
    for r in plan.risks:
        ws.append([cell(ws, text(r.risk), alignment=styles.wrap), cell(ws, text(r.owner), alignment=styles.wrap),
                   cell(ws, text(r.mitigation), alignment=styles.wrap)])


def _summary_sheet(ws, plan: Plan, steps: tuple[Milestone, ...], styles: Styles) -> None:  # type: ignore[no-untyped-def]
    _widths(ws, (26, 20, 20, 44))
    _print_setup(ws, landscape=False)
    ws.append([cell(ws, text(plan.title), font=styles.title)])
    ws.append([cell(ws, f"Mutual action plan for {text(plan.deal.name)}", font=styles.muted)])
    ws.append([])
    _header(ws, ("", "Target", "Earliest feasible", "Status"), styles)
    ws.append([cell(ws, "Today", font=styles.bold), cell(ws, plan.today, number_format=DATE_FORMAT)])
    pairs = [("Signature", plan.signature)] + ([("Go-live", plan.go_live)] if plan.go_live else [])
    for label, key in pairs:
        ws.append([cell(ws, label, font=styles.bold), cell(ws, key.target, number_format=DATE_FORMAT),
                   cell(ws, key.earliest, number_format=DATE_FORMAT),
                   cell(ws, "On track" if key.feasible else "Cannot be met: plan for the earliest date",
                        font=None if key.feasible else styles.late, alignment=styles.indented)])
    ws.append([])
    ws.append([cell(ws, "Feasible", font=styles.bold), cell(ws, "Yes" if plan.feasible else "No",
                                                           font=None if plan.feasible else styles.late)])
    ws.append([cell(ws, "Steps", font=styles.bold), cell(ws, len(steps))])
    ws.append([cell(ws, "Late steps (when generated)", font=styles.bold), cell(ws, sum(1 for m in steps if m.late))])
    if plan.check_in and plan.next_check_in:
        ws.append([cell(ws, "Weekly check-in", font=styles.bold), cell(ws, plan.check_in.label),
                   cell(ws, plan.next_check_in.date(), number_format=DATE_FORMAT),
                   cell(ws, "next check-in", alignment=styles.indented)])
    ws.append([cell(ws, "Outcome", font=styles.bold), cell(ws, text(plan.buyer.outcome))])


def _print_setup(ws, landscape: bool) -> None:  # type: ignore[no-untyped-def]
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    from openpyxl.worksheet.properties import PageSetupProperties

    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.gridLines = False


def _properties(wb, plan: Plan) -> None:  # type: ignore[no-untyped-def]
    stamp = dt.datetime.combine(plan.today, dt.time(0, 0))
    props = wb.properties
    props.title = text(plan.title)[:255]
    props.subject = f"Mutual action plan: {text(plan.deal.name)}"[:255]
    props.creator = text(plan.seller.company)[:255] or "mapgen"
    props.lastModifiedBy = "mapgen"
    props.keywords = "mutual action plan"
    props.created = props.modified = stamp

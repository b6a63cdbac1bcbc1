"""Building the workbook, sheet by sheet, row by row (openpyxl write-only mode)."""

from __future__ import annotations

import datetime as dt
import io
import warnings
from typing import Any, Iterable

from mapgen.markup import clean
from mapgen.plan import STATE_LABELS, STATUS_LABELS, STATUSES, Milestone, Plan, role_label
from mapgen.sync import cell_text as text  # what a cell shows for a text field: sync reads it back
from mapgen.sync import started_shown
from mapgen.wording import drivers_sentence, human_date, key_label, key_outlook

DATE_FORMAT = "ddd d mmm yyyy"
WEEK_FORMAT = "d mmm"
HEADER_FILL = "1D4ED8"
COMPUTED_FILL = "475569"  # headings of the columns mapgen works out (deadline, state, slack, critical)
LATE_FILL = "FDE2E2"
LATE_TEXT = "B91C1C"
AT_RISK_FILL = "FEF3C7"
AT_RISK_TEXT = "92400E"
BLOCKED_FILL = "EDE9FE"
BLOCKED_TEXT = "6D28D9"
DONE_FILL = "F3F4F6"
DONE_TEXT = "6B7280"
BAR = "93C5FD"
BAR_CRITICAL = "1D4ED8"
BAR_DONE = "D1D5DB"
BAR_LATE = "DC2626"
BAR_AT_RISK = "F59E0B"
BAR_BLOCKED = "8B5CF6"
ROOM_FILL = "E0F2FE"  # room to move: from the earliest start to the planned start
DAY_OFF_FILL = "E2E8F0"  # a week with a public holiday or a closed day
CLOSED_FILL = "CBD5E1"  # a week closed (or off) most of its working days
TARGET_FILL = "3F6212"
TARGET_TINT = "ECFCCB"
FORECAST_LATE_FILL = "DC2626"
FORECAST_LATE_TINT = "FEE2E2"
FORECAST_FILL = "16A34A"
TODAY_FILL = "374151"

#: (header, width) of the Plan sheet; the last column holds the step id, hidden.
PLAN_COLUMNS = (("#", 5), ("Workstream", 20), ("Step", 46), ("Buyer owner", 18), ("Seller owner", 18),
                ("Waits for", 10), ("Start", 16), ("Due", 16), ("Deadline", 16), ("Started", 16), ("Done on", 16),
                ("Status", 14), ("State", 11), ("Days to spare", 9), ("Critical", 9), ("Notes", 40),
                ("Step id", 18))
WRAPPED = ("Workstream", "Step", "Buyer owner", "Seller owner", "Waits for", "Notes")
#: Columns mapgen works out from the brief: their headings are slate, with a note saying so.
COMPUTED = ("Deadline", "State", "Days to spare", "Critical")
LINE_HEIGHT = 15.0  # points, for the default 11 pt font
SMALL_LINE_HEIGHT = 11.5  # points, for the 8 pt notes of the Timeline
MAX_ROW_HEIGHT = 409.0  # points: Excel's limit; a taller row is not a valid row (the text stays in the cell)
NAME_WIDTH = (24, 60)  # the Timeline's step-name column: at least, at most (characters)
WEEK_WIDTH = 9
#: At most this many shaded cells for the Timeline's holiday, target and forecast columns (see _timeline_sheet).
MAX_TINT_CELLS = 50_000
COL = {name: i for i, (name, _) in enumerate(PLAN_COLUMNS)}


def _letter(name: str) -> str:
    """The Plan sheet's column letter of heading ``name``."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(COL[name] + 1)
#: What the buyer picks in the Status column (the brief's statuses, in words).
STATUS_WORDS = tuple(STATUS_LABELS[s] for s in STATUSES)


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
        self.computed_fill = PatternFill("solid", fgColor=COMPUTED_FILL)
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.top = Alignment(vertical="top")
        self.left = Alignment(horizontal="left", vertical="top")
        self.center = Alignment(horizontal="center", vertical="top")
        self.center_wrap = Alignment(horizontal="center", vertical="top", wrap_text=True)
        # text beside a right-aligned date would touch it: an indent keeps them apart
        self.indented = Alignment(horizontal="left", vertical="top", indent=1)  # indent needs "left"
        self.indented_wrap = Alignment(horizontal="left", vertical="top", indent=1, wrap_text=True)
        self.title = font(bold=True, size=16, color="1E293B")
        self.section = font(bold=True, size=12, color="1E293B")
        self.bold = font(bold=True)
        self.late = font(bold=True, color=LATE_TEXT)
        self.at_risk = font(bold=True, color=AT_RISK_TEXT)
        self.muted = font(italic=True, color="6B7280")
        self.small = font(size=8, color="475569")
        self.marker = font(bold=True, size=9, color="FFFFFF")
        self.white = font(color="FFFFFF")
        thin = Side(style="thin", color="FFFFFF")
        self.grid = Border(left=thin, right=thin, top=thin, bottom=thin)  # bars of adjacent rows stay apart
        self.fills = {name: PatternFill("solid", fgColor=colour) for name, colour in (
            ("bar", BAR), ("critical", BAR_CRITICAL), ("done", BAR_DONE), ("late", BAR_LATE),
            ("at_risk", BAR_AT_RISK), ("blocked", BAR_BLOCKED), ("room", ROOM_FILL), ("day_off", DAY_OFF_FILL),
            ("closed", CLOSED_FILL), ("target", TARGET_FILL), ("target_tint", TARGET_TINT),
            ("forecast_late", FORECAST_LATE_FILL), ("forecast_late_tint", FORECAST_LATE_TINT),
            ("forecast", FORECAST_FILL), ("today", TODAY_FILL))}
        named = {
            "Plan cell": NamedStyle("Plan cell", font=self.body, alignment=self.top),
            "Plan text": NamedStyle("Plan text", font=self.body, alignment=self.wrap),
            "Plan unnamed": NamedStyle("Plan unnamed", alignment=self.wrap, font=self.muted),
            "Plan date": NamedStyle("Plan date", font=self.body, alignment=self.top, number_format=DATE_FORMAT),
            "Plan status": NamedStyle("Plan status", font=self.body, alignment=self.indented),
            "Plan flag": NamedStyle("Plan flag", font=self.body, alignment=self.center),
            "Late step": NamedStyle("Late step", font=self.late, alignment=self.wrap),
            "At-risk step": NamedStyle("At-risk step", font=self.at_risk, alignment=self.wrap),
            "Blocked step": NamedStyle("Blocked step", font=font(bold=True, color=BLOCKED_TEXT), alignment=self.wrap),
            "Done step": NamedStyle("Done step", font=font(color=DONE_TEXT), alignment=self.wrap),
            "Step name": NamedStyle("Step name", font=self.body, alignment=self.wrap),
        }
        dark = ("critical", "late", "blocked")
        for kind, title in (("bar", "Bar"), ("critical", "Bar critical"), ("done", "Bar done"), ("late", "Bar late"),
                            ("at_risk", "Bar at risk"), ("blocked", "Bar blocked"), ("room", "Room to move")):
            named[title] = NamedStyle(title, font=self.white if kind in dark else self.body, fill=self.fills[kind],
                                      alignment=self.center, border=self.grid)
        for kind, title in (("day_off", "Week with days off"), ("closed", "Week closed"),
                            ("target_tint", "Target week"), ("forecast_late_tint", "Forecast week")):
            named[title] = NamedStyle(title, font=self.body, fill=self.fills[kind], alignment=self.center)
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


def build_workbook(plan: Plan) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    styles = Styles(wb)
    steps = plan.milestones
    # why each forecast is what it is: worked out once (a chain of thousands of steps takes a while)
    why = {key: text(drivers_sentence(plan, key)) for key in ("signature", "go_live")}
    # the Summary first: what a reader opening the file sees (its live counts are formulas on the Plan sheet)
    _summary_sheet(wb.create_sheet("Summary"), plan, steps, styles, why)
    _plan_sheet(wb.create_sheet("Plan"), plan, steps, styles)
    _timeline_sheet(wb.create_sheet("Timeline"), plan, steps, styles, why)
    _people_sheet(wb.create_sheet("People"), plan, styles)
    if any(m.resources for m in steps):  # a sheet with nothing to say is left out
        _resources_sheet(wb.create_sheet("Resources"), plan, steps, styles)
    _risks_sheet(wb.create_sheet("Risks"), plan, styles)
    if plan.changes is not None:  # --baseline
        from .changes_sheet import changes_sheet

        changes_sheet(wb.create_sheet("Changes"), plan.changes, styles)
    _properties(wb, plan)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def cell(ws, value: Any, style: str | None = None, *, font=None, fill=None, alignment=None,  # type: ignore[no-untyped-def]
         number_format: str | None = None, border=None, comment: str | None = None):
    """A write-only cell. Text is always text: "=SUM(A1)" from a brief is never a formula.

    ``comment`` becomes the cell's note (shown when the pointer rests on the cell).
    """
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
    if comment:
        from openpyxl.comments import Comment

        note = Comment(clean(comment), "mapgen")
        note.width, note.height = 320, 24 + 16 * _lines(comment, 40)
        c.comment = note
    return c


def formula(ws, expression: str, style: str | None = None, **options: Any):  # type: ignore[no-untyped-def]
    """A write-only cell holding a formula (``expression`` starts with "="), computed when the file opens."""
    c = cell(ws, None, style, **options)
    c.value = expression
    c.data_type = "f"
    return c


def _header(ws, names: Iterable[str], styles: Styles, notes: dict[str, str] | None = None) -> None:  # type: ignore[no-untyped-def]
    """A heading row; a heading with a note (``notes``) is one mapgen works out: slate, with the note."""
    notes = notes or {}
    ws.append([cell(ws, name, font=styles.header_font, alignment=styles.wrap, comment=notes.get(name),
                    fill=styles.computed_fill if name in notes else styles.header_fill)
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
    if lines > 1:  # a long company name in an owner heading, a narrow column's heading
        ws.row_dimensions[1].height = _height(lines)
    _header(ws, headers, styles, _plan_notes(plan))
    waiting = _waits_for(plan, steps)
    for row_number, m in enumerate(steps, 2):
        waits = ", ".join(str(n) for n in waiting[m.id])
        values = {"Workstream": text(m.workstream_name), "Step": text(m.name), "Notes": text(m.note),
                  "Buyer owner": text(m.owners.buyer.name), "Seller owner": text(m.owners.seller.name),
                  "Waits for": waits}
        lines = max(_lines(values[name], PLAN_COLUMNS[COL[name]][1]) for name in WRAPPED)
        if lines > 1:  # LibreOffice does not grow wrapped rows by itself
            ws.row_dimensions[row_number].height = _height(lines)
        due_note = f"Booked for {human_date(m.due)} in the brief (a pinned date)" if m.pinned and m.is_open else None
        if plan.changes is not None:  # --baseline: a moved step's Due cell says so in its note
            from .changes_sheet import moved_note

            moved = moved_note(plan.changes, m.id)
            due_note = "\n".join(n for n in (due_note, moved) if n) or None
        ws.append([
            cell(ws, m.number, "Plan cell"),
            cell(ws, values["Workstream"], "Plan text"),
            cell(ws, values["Step"] + (" (internal)" if m.internal else ""), "Plan text"),
            cell(ws, values["Buyer owner"], "Plan text" if m.owners.buyer.named else "Plan unnamed"),
            cell(ws, values["Seller owner"], "Plan text" if m.owners.seller.named else "Plan unnamed"),
            cell(ws, waits, "Plan text"),
            cell(ws, m.start, "Plan date"),
            cell(ws, m.due, "Plan date", comment=due_note),
            cell(ws, None if m.is_done else m.latest_due, "Plan date"),
            cell(ws, started_shown(m), "Plan date"),
            cell(ws, m.actual_done, "Plan date"),
            cell(ws, STATUS_LABELS[m.status], "Plan status"),
            cell(ws, STATE_LABELS[m.state], "Plan status"),
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
        _validations(ws, last)
        _conditional_formats(ws, last, styles)


def _waits_for(plan: Plan, steps: tuple[Milestone, ...]) -> dict[str, tuple[int, ...]]:
    """``plan.waits_for`` of every shown step at once (it looks at the whole plan for each step: a plan of
    thousands of steps would take seconds): the numbers of the shown steps each waits for, through hidden ones."""
    shown = {m.id: m.number for m in steps}
    every = {m.id: m for m in plan.milestones}
    out = {}
    for m in steps:
        found: set[int] = set()
        seen: set[str] = set()
        stack = list(m.after)
        while stack:
            step_id = stack.pop()
            if step_id in seen or step_id not in every:
                continue
            seen.add(step_id)
            if step_id in shown:
                found.add(shown[step_id])
            else:
                stack.extend(every[step_id].after)
        out[m.id] = tuple(sorted(found))
    return out


def _plan_notes(plan: Plan) -> dict[str, str]:
    """The notes on the headings of the columns mapgen works out, and on the planned dates."""
    on = human_date(plan.today)
    return {
        "Deadline": ("Worked out by mapgen: the latest due date that still meets the target signature and go-live "
                     "(none once the step is done)."),
        "State": (f"Worked out by mapgen on {on}: Late (its deadline has passed or can no longer be met), "
                  "At risk (one more slip and it is late), Blocked, Done or On track. Regenerate the plan to "
                  "update it; the row colours follow the Status, the dates and today."),
        "Days to spare": "Worked out by mapgen: working days the step can slip before it misses its deadline.",
        "Critical": "Worked out by mapgen: Yes when the step is on the chain that decides the earliest "
                    "signature or go-live.",
    }


def _lines(value: str, width: float, bold: bool = False) -> int:
    """How many lines ``value`` wraps to in a column ``width`` characters wide (a slightly generous estimate).

    A column's width counts digits; ordinary text in Calibri (and Carlito, LibreOffice's
    metric twin) averages a little narrower (rows turn bold when critical or late: 1.1 leaves room for that),
    a bold heading about as wide. Lines break between words, as the spreadsheet breaks them.
    """
    import math

    if not value:
        return 1
    per_line = max(1.0, width * (1.0 if bold else 1.1))
    total = 0
    for part in value.split("\n"):
        lines, used = 1, 0.0
        for word in part.split():
            size = len(word)
            if used and used + 1 + size > per_line:  # the word goes to the next line
                lines, used = lines + 1, 0.0
            if size > per_line:  # a word longer than a line is broken where it must be
                lines += math.ceil(size / per_line) - 1
                used = size % per_line or per_line
            else:
                used += (1 if used else 0) + size
        total += lines
    return total


def _height(lines: int) -> float:
    return min(MAX_ROW_HEIGHT, LINE_HEIGHT * lines)


def _heading(wanted: str, fallback: str, taken: list[str]) -> str:
    """A table column name: one line, at most 80 characters, unique in the table."""
    name = " ".join(wanted.split())[:80] or fallback
    return name if name not in taken else fallback


def _validations(ws, last: int) -> None:  # type: ignore[no-untyped-def]
    """The Status column takes a status from a list (in words); Done on takes a date."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    words = ", ".join(STATUS_WORDS)
    column = get_column_letter(COL["Status"] + 1)
    status = DataValidation(type="list", formula1='"' + ",".join(STATUS_WORDS) + '"', allow_blank=False,
                            showErrorMessage=True, errorTitle="Status", error="Pick a status from the list: " + words,
                            promptTitle="Status", prompt=words)
    status.add(f"{column}2:{column}{last}")
    dates = []
    for name, what in (("Started", "began"), ("Done on", "was done")):
        column = get_column_letter(COL[name] + 1)
        rule = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True,  # 1 Jan 2000
                              showErrorMessage=True, errorTitle=name, error=f"Enter the date the step {what}",
                              promptTitle=name, prompt=f"The date the step {what}")
        rule.add(f"{column}2:{column}{last}")
        dates.append(rule)
    ws.data_validations.dataValidation += [status, *dates]


def _conditional_formats(ws, last: int, styles: Styles) -> None:  # type: ignore[no-untyped-def]
    """Rules evaluated by Excel when the file is opened, first match wins: done grey, blocked violet,
    late red (the deadline has passed by TODAY(), or it was late when generated), at risk amber
    (the planned due date has passed by TODAY(), or it was at risk when generated); critical bold."""
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    def letter(name: str) -> str:
        return get_column_letter(COL[name] + 1)

    due, deadline, status, state, critical = (letter(n) for n in ("Due", "Deadline", "Status", "State", "Critical"))
    everything = f"A2:{get_column_letter(len(PLAN_COLUMNS) - 1)}{last}"
    rules = (
        (f'${status}2="{STATUS_LABELS["done"]}"', DONE_FILL, Font(color=DONE_TEXT)),
        (f'${status}2="{STATUS_LABELS["blocked"]}"', BLOCKED_FILL, Font(color=BLOCKED_TEXT, bold=True)),
        (f'OR(${state}2="{STATE_LABELS["late"]}",AND(ISNUMBER(${deadline}2),${deadline}2<TODAY()))', LATE_FILL,
         Font(color=LATE_TEXT, bold=True)),
        (f'OR(${state}2="{STATE_LABELS["at_risk"]}",AND(ISNUMBER(${due}2),${due}2<TODAY()))', AT_RISK_FILL,
         Font(color=AT_RISK_TEXT)),
    )
    for formula, fill, font in rules:
        ws.conditional_formatting.add(everything, FormulaRule(
            formula=[formula], fill=PatternFill("solid", bgColor=fill), font=font, stopIfTrue=True))
    ws.conditional_formatting.add(f"A2:C{last}", FormulaRule(formula=[f'${critical}2="Yes"'], font=Font(bold=True)))


# -- Timeline -----------------------------------------------------------------------------------------


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


#: How a step's bar is drawn, by state (critical on-track steps are darker).
BAR_STYLE = {"done": "Bar done", "blocked": "Bar blocked", "late": "Bar late", "at_risk": "Bar at risk"}
NAME_STYLE = {"done": "Done step", "blocked": "Blocked step", "late": "Late step", "at_risk": "At-risk step"}


def _days_off(plan: Plan, week: dt.date) -> list[tuple[dt.date, str]]:
    """The usual working days of ``week`` that are not working days: (day, holiday name or "Closed")."""
    cal = plan.calendar
    out = []
    for offset in range(7):
        day = week + dt.timedelta(days=offset)
        if day.weekday() in cal.weekend or cal.is_working(day):
            continue
        reason = cal.closed_reason(day) or "Closed"
        out.append((day, "Closed" if reason == "closed" else reason))
    return out


def _key_rows(plan: Plan) -> list[tuple[str, dict[dt.date, tuple[str, str]], dict[dt.date, str]]]:
    """The Timeline's key-date rows: (label, {week: (marker, fill)}, {week: column tint})."""
    rows: list[tuple[str, dict[dt.date, tuple[str, str]], dict[dt.date, str]]] = [
        (f"Today: {human_date(plan.today)}", {_monday(plan.today): ("Today", "today")}, {})]
    for key in ("signature", "go_live"):
        date = plan.key_date(key)
        if date is None:
            continue
        name = key_label(key)
        label = f"{name[:1].upper()}{name[1:]}: target {human_date(date.target)}"
        if date.derived:
            label += f" (worked out from {'go-live' if key == 'signature' else 'signature'})"
        if date.requested and date.requested != date.target:
            label += f" (the brief's {human_date(date.requested)} is not a working day)"
        label += f", forecast {human_date(date.forecast)}"
        if not date.feasible:
            label += ": the target cannot be met"
        target, forecast = _monday(date.target), _monday(date.forecast)
        marks = {target: ("Target", "target")}
        tints = {target: "Target week"}
        if forecast == target:
            marks[target] = ("Target\nForecast", "target")
        else:
            marks[forecast] = ("Forecast", "forecast" if date.feasible else "forecast_late")
            if not date.feasible:
                tints[forecast] = "Forecast week"
        rows.append((label, marks, tints))
    return rows


def _timeline_bars(ws, first_row: int, count: int, week_count: int) -> None:  # type: ignore[no-untyped-def]
    """Each step's bar, drawn by conditional formats from its Plan sheet row (the same order, from row 2):
    the weeks from Start to Done on (else Due), coloured by the Status and the dates against TODAY() as the Plan
    sheet's rows are (done grey, blocked violet, late red, at risk amber), critical steps dark blue, others
    light blue. Edit a date or a status on the Plan sheet and the bar moves and recolours when recalculated."""
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    def plan(name: str) -> str:
        return f"Plan!${_letter(name)}2"  # relative row: the rule's first row is the Plan sheet's row 2

    start, due, done, deadline = plan("Start"), plan("Due"), plan("Done on"), plan("Deadline")
    status, state, critical = plan("Status"), plan("State"), plan("Critical")
    span = f"ISNUMBER({start}),C$1+6>={start},C$1<=IF(ISNUMBER({done}),{done},{due})"
    rules = (
        (f'{status}="{STATUS_LABELS["done"]}"', BAR_DONE, None),
        (f'{status}="{STATUS_LABELS["blocked"]}"', BAR_BLOCKED, "FFFFFF"),
        (f'OR({state}="{STATE_LABELS["late"]}",AND(ISNUMBER({deadline}),{deadline}<TODAY()))', BAR_LATE, "FFFFFF"),
        (f'OR({state}="{STATE_LABELS["at_risk"]}",AND(ISNUMBER({due}),{due}<TODAY()))', BAR_AT_RISK, None),
        (f'{critical}="Yes"', BAR_CRITICAL, "FFFFFF"),
        ("", BAR, None),
    )
    grid = f"C{first_row}:{get_column_letter(2 + week_count)}{first_row + count - 1}"
    for condition, colour, text_colour in rules:
        expression = f"AND({span},{condition})" if condition else f"AND({span})"
        ws.conditional_formatting.add(grid, FormulaRule(
            formula=[expression], fill=PatternFill("solid", bgColor=colour), stopIfTrue=True,
            font=Font(color=text_colour, bold=True) if text_colour else None))


def _timeline_sheet(ws, plan: Plan, steps: tuple[Milestone, ...], styles: Styles,  # type: ignore[no-untyped-def]
                    why_of: dict[str, str]) -> None:
    """Week by week: bars at the planned dates (done steps at their actual dates), coloured by state;
    each open step's room to move; the weeks with holidays or closed days shaded and named; today, the
    target and the forecast of signature and go-live marked; a legend; why the forecast is what it is."""
    from openpyxl.utils import get_column_letter

    keys = _key_rows(plan)
    key_days = [plan.today] + [w for _, marks, _ in keys for w in marks]
    starts = [m.earliest_start if m.is_open else m.start for m in steps]
    first = _monday(min(starts + [m.start for m in steps] + key_days))
    last = _monday(max([m.due for m in steps] + key_days))
    weeks = [first + dt.timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]

    def week_index(monday: dt.date) -> int:
        return (monday - first).days // 7
    off = {w: _days_off(plan, w) for w in weeks}
    working_days = 7 - len(plan.calendar.weekend)
    tint = {w: ("Week closed" if len(off[w]) * 2 > working_days else "Week with days off") for w in weeks if off[w]}
    for _, _, tints in keys:
        tint.update(tints)
    # shading whole columns costs a cell per step and shaded week: past a plan of a few hundred steps over
    # years, only the named row and the key-date rows show them
    column_tint = tint if len(steps) * len(tint) <= MAX_TINT_CELLS else {}
    blanks: dict[str, Any] = {}

    def blank(style: str):  # type: ignore[no-untyped-def]
        """An empty cell with a style: one object per style, reused (a write-only row writes each cell as it
        comes, so the same empty cell can stand in many places; the year-long plan of 5,000 steps has a
        million of them)."""
        if style not in blanks:
            blanks[style] = cell(ws, None, style)
        return blanks[style]

    names = [text(m.name) for m in steps]
    # wide enough for the usual name; a longer one wraps (a filled week cell would not stop it
    # spilling over the bars otherwise: an empty cell with a fill lets text run across)
    name_width = min(NAME_WIDTH[1], max([NAME_WIDTH[0]] + [len(n) + 2 for n in names]))
    _widths(ws, [5, name_width] + [WEEK_WIDTH] * len(weeks))
    ws.freeze_panes = f"C{3 + len(keys)}"
    _print_setup(ws, landscape=True)
    ws.print_title_rows = f"1:{2 + len(keys)}"
    ws.append([cell(ws, "#", font=styles.header_font, fill=styles.header_fill),
               cell(ws, "Week of", font=styles.header_font, fill=styles.header_fill)]
              + [cell(ws, w, font=styles.header_font, fill=styles.header_fill, number_format=WEEK_FORMAT,
                      alignment=styles.center) for w in weeks])
    # the holidays and closed days, named in the week they fall in
    labels = {w: list(dict.fromkeys(name for _, name in off[w])) for w in weeks if off[w]}
    lines = max([1] + [sum(_lines(n, WEEK_WIDTH * 1.35) for n in names_) for names_ in labels.values()])
    ws.row_dimensions[2].height = min(MAX_ROW_HEIGHT, SMALL_LINE_HEIGHT * lines + 3)
    ws.append([None, cell(ws, "Holidays and closed days", font=styles.bold, alignment=styles.top)]
              + [cell(ws, "\n".join(labels[w]), tint[w] if tint.get(w, "").startswith("Week") else "Week with days off",
                      font=styles.small, alignment=styles.center_wrap,
                      comment="\n".join(f"{human_date(d)}: {n}" for d, n in off[w]))
                 if w in labels else None for w in weeks])
    for row_number, (label, marks, _) in enumerate(keys, 3):
        lines = max([_lines(label, name_width, bold=True)] + [m[0].count("\n") + 1 for m in marks.values()])
        if lines > 1:
            ws.row_dimensions[row_number].height = _height(lines)
        ws.append([None, cell(ws, label, font=styles.bold, alignment=styles.wrap)]
                  + [cell(ws, marks[w][0], font=styles.marker, fill=styles.fills[marks[w][1]],
                          alignment=styles.center_wrap) if w in marks else None for w in weeks])
    for row_number, (m, name) in enumerate(zip(steps, names), 3 + len(keys)):
        span = (_monday(m.start), _monday(m.due))
        room = _monday(m.earliest_start) if m.is_open and m.earliest_start < m.start else span[0]
        lines = _lines(name, name_width)
        if lines > 1:
            ws.row_dimensions[row_number].height = _height(lines)
        row = [cell(ws, m.number, "Plan cell"), cell(ws, name, NAME_STYLE.get(m.state, "Step name"))]
        # the week cells by index: the shaded columns and the room to move; the bar is drawn over them by the
        # conditional formats (_timeline_bars), from the Plan sheet's dates and status, so it follows an edit
        cells: list[Any] = [blank(column_tint[w]) if w in column_tint else None for w in weeks] if column_tint \
            else [None] * len(weeks)
        first_bar, last_bar, first_room = (week_index(d) for d in (span[0], span[1], room))
        cells[first_room:first_bar] = [blank("Room to move")] * (first_bar - first_room)
        plan_row = row_number - len(keys) - 1
        if m.is_done or m.is_event:  # the mark shows while the Plan sheet's date stays in this week
            at, date_column, mark = (last_bar, "Done on", "✓") if m.is_done else (first_bar, "Start", "◆")
            week = f"{get_column_letter(3 + at)}$1"
            day = f"Plan!${_letter(date_column)}{plan_row}"
            cells[at] = formula(ws, f'=IF(AND(ISNUMBER({day}),{day}>={week},{day}<{week}+7),"{mark}","")',
                                alignment=styles.center, font=styles.body)
        row += cells
        ws.append(row)
    if steps and weeks:
        _timeline_bars(ws, 3 + len(keys), len(steps), len(weeks))
    ws.append([])
    row_number = len(steps) + len(keys) + 4
    grid_width = name_width + WEEK_WIDTH * len(weeks)
    for key in ("signature", "go_live"):
        date = plan.key_date(key)
        why = why_of[key]
        if date is None or not why:
            continue
        why = f"Why {key_label(key)} is forecast for {human_date(date.forecast)}: {why}"
        # merged across the grid and wrapped: a long sentence must not widen the printed page
        ws.merged_cells.add(f"B{row_number}:{get_column_letter(2 + len(weeks))}{row_number}")
        lines = _lines(why, grid_width)
        if lines > 1:
            ws.row_dimensions[row_number].height = _height(lines)
        ws.append([None, cell(ws, why, font=styles.muted, alignment=styles.wrap)])
        row_number += 1
    ws.append([])
    ws.append([None, cell(ws, "Legend", font=styles.bold)])
    legend = (
        ("Bar critical", "Critical path: decides the earliest signature or go-live"),
        ("Bar", "Other steps, on track"),
        ("Bar at risk", "At risk: one more slip and it is late"),
        ("Bar late", "Late: its deadline has passed or can no longer be met"),
        ("Bar blocked", "Blocked"),
        ("Bar done", "Done, drawn at its actual dates (✓ the week it was done)"),
        ("Room to move", "Room to move: the step could start this early"),
        ("Week with days off", "A week with a public holiday or a closed day (named at the top)"),
        ("Week closed", "A week closed most of its working days"),
        ("Target week", "The week of a target date (signature, go-live)"),
        ("Forecast week", "The week of a forecast that misses its target"),
    )
    for style, words in legend:
        ws.append([cell(ws, None, style), cell(ws, words, font=styles.body)])
    ws.append([cell(ws, "◆", alignment=styles.center), cell(ws, "A one-day milestone (a meeting, a signature)")])


# -- People, Risks, Summary ---------------------------------------------------------------------------------


PEOPLE_COLUMNS = (("Side", 10), ("Company", 24), ("Name", 26), ("Title", 28), ("Role", 24), ("Email", 30))


def _people_sheet(ws, plan: Plan, styles: Styles) -> None:  # type: ignore[no-untyped-def]
    _widths(ws, [w for _, w in PEOPLE_COLUMNS])
    ws.freeze_panes = "A2"
    _print_setup(ws, landscape=False)
    ws.print_title_rows = "1:1"
    _header(ws, [name for name, _ in PEOPLE_COLUMNS], styles)
    rows: list[tuple[list[str], bool]] = []
    for side, party in (("Buyer", plan.buyer), ("Seller", plan.seller)):
        for p in party.people:
            rows.append(([side, text(party.company), text(p.name), text(p.title),
                          role_label(p.role) if p.role else "", text(p.email)], False))
    for side, name, steps in plan.unnamed():
        rows.append(([side.capitalize(), text((plan.buyer if side == "buyer" else plan.seller).company), name,
                      "Owns steps " + ", ".join(str(m.number) for m in steps)], True))
    for row_number, (values, unnamed) in enumerate(rows, 2):
        lines = max(_lines(v, w) for v, (_, w) in zip(values, PEOPLE_COLUMNS))
        if lines > 1:
            ws.row_dimensions[row_number].height = _height(lines)
        ws.append([cell(ws, v, alignment=styles.wrap, font=styles.muted if unnamed and i >= 2 else None)
                   for i, v in enumerate(values)])


RESOURCE_COLUMNS = (("#", 5), ("Step", 54), ("Side", 18), ("Kind", 22), ("Resource", 50))


def _resources_sheet(ws, plan: Plan, steps: tuple[Milestone, ...], styles: Styles) -> None:  # type: ignore[no-untyped-def]
    """What each step needs from each side, one row per resource, in the Plan sheet's order (the Summary says
    what each side commits, over all steps)."""
    _widths(ws, [w for _, w in RESOURCE_COLUMNS])
    ws.freeze_panes = "A2"
    _print_setup(ws, landscape=True)
    ws.print_title_rows = "1:1"
    _header(ws, [name for name, _ in RESOURCE_COLUMNS], styles)
    row_number = 1
    for m in steps:
        for side, party in (("buyer", plan.buyer), ("seller", plan.seller)):
            for r in m.resources.side(side):
                row_number += 1
                values = (f"{m.number}", text(m.name), text(party.company) or side.capitalize(), r.kind_label,
                          text(r.text))
                lines = max(_lines(v, w) for v, (_, w) in zip(values, RESOURCE_COLUMNS))
                if lines > 1:
                    ws.row_dimensions[row_number].height = _height(lines)
                ws.append([cell(ws, m.number, "Plan cell")] + [cell(ws, v, "Plan text") for v in values[1:]])


RISK_COLUMNS = (("Risk", 60), ("Owner", 22), ("Mitigation", 50), ("Likelihood", 12), ("Impact", 12),
                ("Status", 12), ("Source", 18))
#: The Risks sheet's drop-downs: what the team picks for each risk (left empty by mapgen).
RISK_CHOICES = {"Likelihood": ("Low", "Medium", "High"), "Impact": ("Low", "Medium", "High"),
                "Status": ("Open", "Mitigating", "Closed")}


def _risks_sheet(ws, plan: Plan, styles: Styles) -> None:  # type: ignore[no-untyped-def]
    """The brief's risks, then the ones mapgen found in the plan (marked in the Source column)."""
    _widths(ws, [w for _, w in RISK_COLUMNS])
    ws.freeze_panes = "A2"
    _print_setup(ws, landscape=True)
    ws.print_title_rows = "1:1"
    _header(ws, [name for name, _ in RISK_COLUMNS], styles)
    for row_number, r in enumerate(plan.risks, 2):
        values = (text(r.risk), text(r.owner), text(r.mitigation), "Found in the plan" if r.derived else "Brief")
        widths = [w for name, w in RISK_COLUMNS if name not in RISK_CHOICES]
        lines = max(_lines(v, w) for v, w in zip(values, widths))
        if lines > 1:
            ws.row_dimensions[row_number].height = _height(lines)
        ws.append([cell(ws, v, alignment=styles.wrap) for v in values[:3]]
                  + [cell(ws, None, alignment=styles.indented) for _ in RISK_CHOICES]
                  + [cell(ws, values[3], alignment=styles.indented_wrap, font=styles.muted if r.derived else None)])
    _risk_validations(ws, max(2, len(plan.risks) + 1) + 20)  # room for the risks the team adds below


def _risk_validations(ws, last: int) -> None:  # type: ignore[no-untyped-def]
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    names = [name for name, _ in RISK_COLUMNS]
    for name, choices in RISK_CHOICES.items():
        words = ", ".join(choices)
        rule = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                              showErrorMessage=True, errorTitle=name, error=f"Pick from the list: {words}",
                              promptTitle=name, prompt=words)
        column = get_column_letter(names.index(name) + 1)
        rule.add(f"{column}2:{column}{last}")
        ws.data_validations.dataValidation.append(rule)


SUMMARY_WIDTHS = (30, 18, 18, 58)


def _summary_sheet(ws, plan: Plan, steps: tuple[Milestone, ...], styles: Styles,  # type: ignore[no-untyped-def]
                   why_of: dict[str, str]) -> None:
    """Key dates (target beside forecast, and why), where the plan stands, the next check-in, the
    outcome and the next two weeks' steps."""
    from openpyxl.styles import PatternFill

    _widths(ws, SUMMARY_WIDTHS)
    _print_setup(ws, landscape=False)
    wide = sum(SUMMARY_WIDTHS[1:])
    row = 0

    def add(values: list, height_of: str = "", width: float = wide, merge: str = "") -> None:  # type: ignore[type-arg]
        """Append a row, as tall as ``height_of`` wrapped at ``width`` (or as the wrapped cells in ``values``)."""
        nonlocal row
        row += 1
        lines = _lines(height_of, width) if height_of else 1
        for value, column_width in zip(values, SUMMARY_WIDTHS):
            if value is not None and value.alignment.wrap_text and isinstance(value.value, str) and not merge:
                lines = max(lines, _lines(value.value, column_width - 2 * (value.alignment.indent or 0)))
        if lines > 1:
            ws.row_dimensions[row].height = _height(lines)
        if merge:
            ws.merged_cells.add(f"{merge}{row}:D{row}")
        ws.append(values)

    def label(words: str):  # type: ignore[no-untyped-def]
        return cell(ws, words, font=styles.bold, alignment=styles.top)

    add([cell(ws, text(plan.title), font=styles.title)])
    add([cell(ws, f"Mutual action plan for {text(plan.deal.name)} · as of {human_date(plan.today)}",
              font=styles.muted)])
    add([])
    row += 1
    _header(ws, ("Key date", "Target", "Forecast", "Outlook"), styles)
    add([label("Today"), cell(ws, plan.today, number_format=DATE_FORMAT, alignment=styles.top)])
    late_tile = PatternFill("solid", fgColor=LATE_FILL)
    for key in ("signature", "go_live"):
        date = plan.key_date(key)
        if date is None:
            continue
        name = key_label(key)
        outlook, state = key_outlook(plan, key)
        if not date.feasible and date.slip:
            outlook += f": {date.slip} working day{'s' if date.slip != 1 else ''} late"
        if date.derived:
            outlook += f" · target worked out from {'go-live' if key == 'signature' else 'signature'}"
        if date.requested and date.requested != date.target:
            outlook += f" · the brief's {human_date(date.requested)} is not a working day"
        add([label(name[:1].upper() + name[1:]),
             cell(ws, date.target, number_format=DATE_FORMAT, alignment=styles.top,
                  fill=None if date.feasible else late_tile, font=None if date.feasible else styles.late,
                  comment=(f"Worked out from the {'go-live' if key == 'signature' else 'signature'} date, "
                           "not a date the buyer gave") if date.derived else None),
             cell(ws, date.forecast, number_format=DATE_FORMAT, alignment=styles.top, font=styles.bold),
             cell(ws, outlook, font={"late": styles.late, "at_risk": styles.at_risk}.get(state),
                  alignment=styles.indented_wrap)],
            height_of=outlook, width=SUMMARY_WIDTHS[3] - 2)
        why = why_of[key]
        if why:
            add([cell(ws, f"Why {name} is forecast for this date", font=styles.muted, alignment=styles.wrap),
                 cell(ws, why, alignment=styles.wrap)], height_of=why, merge="B")
    add([])
    add([cell(ws, "Where the plan stands", font=styles.section)])
    add([label("Steps"), cell(ws, len(steps), alignment=styles.left)])
    if steps:  # live: counted from the Plan sheet's Status column whenever the file is opened
        statuses = f"Plan!${_letter('Status')}$2:${_letter('Status')}${len(steps) + 1}"
        done_word = STATUS_LABELS["done"]
        add([label("Complete"), formula(ws, f'=COUNTIF({statuses},"{done_word}")/{len(steps)}', alignment=styles.left,
                                        number_format="0%", font=styles.bold),
             cell(ws, "of the steps are Done on the Plan sheet (counted when the file is opened)",
                  font=styles.muted, alignment=styles.wrap)], merge="C")
    for state in ("done", "late", "at_risk", "blocked"):
        found = [m for m in steps if m.state == state]
        numbers = ("steps " if len(found) > 1 else "step ") + ", ".join(str(m.number) for m in found) if found else ""
        add([label(STATE_LABELS[state]), cell(ws, len(found), alignment=styles.left,
                                              font=styles.late if state == "late" and found else None),
             cell(ws, numbers, alignment=styles.wrap)], height_of=numbers, width=sum(SUMMARY_WIDTHS[2:]), merge="C")
    if plan.check_in and plan.next_check_in:
        when = "next check-in"
        if plan.check_in_moved:
            day, reason = plan.check_in_moved
            when += f", moved from {human_date(day)} ({text(reason)})"
        add([label("Weekly check-in"), cell(ws, plan.check_in.label, alignment=styles.wrap),
             cell(ws, plan.next_check_in.date(), number_format=DATE_FORMAT, alignment=styles.top),
             cell(ws, when, alignment=styles.indented_wrap)], height_of=when, width=SUMMARY_WIDTHS[3] - 2)
    outcome = text(plan.buyer.outcome)
    if outcome:
        add([label("Outcome"), cell(ws, outcome, alignment=styles.wrap)], height_of=outcome, merge="B")
    commitments = plan.commitments_by_side()
    if commitments:  # what each side puts in, from the steps' resources (the Resources sheet has them by step)
        add([])
        add([cell(ws, "What each side commits", font=styles.section)])
        for side, kinds in commitments:
            company = text((plan.buyer if side == "buyer" else plan.seller).company) or side.capitalize()
            for n, (kind, items) in enumerate(kinds):
                words = "; ".join(f"{text(c.text)} ({c.for_steps})" for c in items)
                add([label(company) if n == 0 else None, cell(ws, kind, alignment=styles.wrap),
                     cell(ws, words, alignment=styles.wrap)], height_of=words, width=sum(SUMMARY_WIDTHS[2:]),
                    merge="C")
    add([])
    horizon = plan.today + dt.timedelta(days=14)
    add([cell(ws, f"Next two weeks (to {human_date(horizon)})", font=styles.section)])
    row += 1
    _header(ws, ("Step", "Start", "Due", "Owners and state"), styles)
    upcoming = plan.next_steps(14)
    for m in upcoming:
        name = f"{m.number}. {text(m.name)}"
        who = f"{text(plan.buyer.company)}: {text(m.owners.buyer.name)} · {text(plan.seller.company)}: " \
              f"{text(m.owners.seller.name)} · {m.status_label}"
        add([cell(ws, name, NAME_STYLE.get(m.state, "Step name")), cell(ws, m.start, "Plan date"),
             cell(ws, m.due, "Plan date"), cell(ws, who, alignment=styles.indented_wrap)])
    if not upcoming:
        later = sorted((m for m in steps if m.is_open), key=lambda m: (m.start, m.number))
        words = "No open step is planned to start in the next two weeks."
        if later:
            m = later[0]
            words += f" The next is step {m.number}, {text(m.name)}, planned to start {human_date(m.start)}"
            if m.earliest_start < m.start:
                could = "today" if m.earliest_start <= plan.today else human_date(m.earliest_start)
                words += f" (it could start {could})"
            words += "."
        add([cell(ws, words, font=styles.muted, alignment=styles.wrap)], height_of=words,
            width=sum(SUMMARY_WIDTHS), merge="A")
    add([])
    note = (f"What mapgen works out, as of {human_date(plan.today)}: on the Plan sheet, the columns with slate "
            f"headings ({', '.join(COMPUTED)}); the forecasts and why; targets marked \"worked out\"; risks whose "
            "source is \"Found in the plan\". Regenerate the plan to update them.")
    add([cell(ws, note, font=styles.muted, alignment=styles.wrap)], height_of=note, width=sum(SUMMARY_WIDTHS), merge="A")


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
    # which deal the tracker belongs to: `mapgen sync` refuses a tracker of another deal
    from openpyxl.packaging.custom import StringProperty

    from mapgen.sync import BRIEF_PROPERTY, BUYER_PROPERTY, DEAL_PROPERTY

    wb.custom_doc_props.append(StringProperty(name=DEAL_PROPERTY, value=text(plan.deal.name)))
    wb.custom_doc_props.append(StringProperty(name=BUYER_PROPERTY, value=text(plan.buyer.company)))
    if plan.source:  # the file name only: the same brief in another folder gives the same bytes
        wb.custom_doc_props.append(StringProperty(name=BRIEF_PROPERTY, value=clean(plan.source.replace("\\", "/")
                                                                                   .rsplit("/", 1)[-1])))

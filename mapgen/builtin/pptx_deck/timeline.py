"""The timeline slide, drawn with shapes: a date axis, one lane per workstream, a bar or a
diamond per step at its planned dates (done steps at their actual dates), coloured by state,
each open step's room to move, the driver chains linked by arrows, the today line, the target
and forecast lines of signature and go-live, and the holidays and closed periods shaded.

It scales by choosing the axis unit from the plan's span (weeks up to three months, then
months, then quarters) and the lane height from the number of rows the steps need. Past a
readable size (a row under MIN_ROW_H points) it summarises instead: one bar per workstream,
from its first start to its last due date, coloured by its most urgent step, and a line on
the slide saying where the steps themselves are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Sequence

from mapgen.markup import plain
from mapgen.plan import KeyDate, Milestone, Plan
from mapgen.wording import MONTHS, human_date

from .canvas import AT_RISK, BLOCKED, CLOSED, DONE, GRID, LANE, LATE, MUTED, TEXT, Box, Canvas
from .measure import text_width

LABEL_COLUMN = 150.0
AXIS_H = 44.0  # the axis labels, and two rows of key-date flags below them
FLAG_H = 13.0
LEGEND_ROW_H = 15.0
LEGEND_H = 2 * LEGEND_ROW_H
NUMBER_SIZE = 8.0
MAX_ROW_H = 34.0
#: Below this row height the steps no longer read: bars are 4 pt and numbers 6.5 pt from 6 pt rows down, so
#: rows closer than 6 pt would run bars and numbers into each other (the compact decks of the examples, with 20
#: steps under a table, use 6.2 pt rows). Past it the timeline draws one bar per workstream instead.
MIN_ROW_H = 6.0
NOTE_H = 24.0  # two lines at 9 pt
COUNTS_ROW_H = 22.0  # a summary lane this tall shows its counts under its name
#: Below this width of a day (a plan of more than about four years) holidays are not shaded: they would be
#: hundreds of stripes.
MIN_SHADED_DAY = 0.5
ONE = dt.timedelta(days=1)
YEARLY_DAYS = 1500  # past about four years the axis is labelled in years
YEAR_LABEL_W = 40.0  # the room a year's label needs


@dataclass(frozen=True)
class Scale:
    first: dt.date
    last: dt.date
    left: float
    width: float

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def day_width(self) -> float:
        return self.width / self.days

    def x(self, day: dt.date) -> float:
        return self.left + (day - self.first).days / self.days * self.width

    def mid(self, day: dt.date) -> float:
        """The middle of ``day``: where a one-day milestone or a key-date line sits."""
        return self.x(day) + 0.5 * self.day_width


def short_date(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]}"


def key_dates(plan: Plan) -> list[tuple[str, KeyDate]]:
    return [("signature", plan.signature)] + ([("go_live", plan.go_live)] if plan.go_live else [])


@dataclass(frozen=True)
class Drawn:
    """What the timeline shows, for the speaker notes: the shaded days, and whether it summarised."""

    shaded: list[str]
    summary: bool = False
    lanes: tuple[str, ...] = ()  # a summary's workstreams and their counts

    def notes(self, steps: int, shaded: bool = True) -> str:
        """What the speaker notes add: how the timeline summarises, and the shaded days (unless not asked)."""
        extra = []
        if self.summary:
            extra += [summary_note(steps), "By workstream: " + "; ".join(self.lanes) + "."]
        if self.shaded and shaded:
            extra.append("Shaded on the timeline (no work planned): " + "; ".join(self.shaded) + ".")
        return "\n\n".join(extra)


def draw_timeline(canvas: Canvas, slide, box: Box, plan: Plan) -> Drawn:  # type: ignore[no-untyped-def]
    """Draw the timeline in ``box``; returns the shaded days, described for the speaker notes."""
    groups = plan.by_workstream()
    steps = [m for _, ms in groups for m in ms]
    days = [plan.today] + [d for _, k in key_dates(plan) for d in (k.target, k.forecast, k.planned)]
    first = min([m.start for m in steps] + [m.earliest_start for m in steps if m.is_open] + days) - 2 * ONE
    last = max([m.due for m in steps] + days) + 4 * ONE
    plot = Box(box.left + LABEL_COLUMN, box.top + AXIS_H, box.width - LABEL_COLUMN,
               box.height - AXIS_H - LEGEND_H - 16)
    scale = Scale(first, last, plot.left, plot.width)

    most = int(plot.height // MIN_ROW_H)  # rows that stay readable
    lanes = []
    rows = 0
    for ws, ms in groups:
        lanes.append((ws.name, _pack(ms, scale, most - rows + 1)))
        rows += len(lanes[-1][1])
        if rows > most:
            break
    rows = rows or 1
    if rows > most:
        return Drawn(_summary(canvas, slide, box, plan, groups, scale, len(steps)), summary=True,
                     lanes=tuple(f"{plain(ws.name)}: {lane_counts(ms)}" for ws, ms in groups))
    row_h = min(MAX_ROW_H, plot.height / rows)
    y = plot.top
    for index, (_, packed) in enumerate(lanes):  # backgrounds first: grid lines show through
        if index % 2 == 0:
            canvas.rect(slide, Box(box.left, y, box.width, row_h * len(packed)), fill=LANE)
        y += row_h * len(packed)
    bottom = y
    shaded = _closed_days(canvas, slide, plan, scale, plot.top, bottom)
    _axis(canvas, slide, scale, Box(plot.left, plot.top, plot.width, bottom - plot.top))
    y = plot.top
    placed: dict[str, tuple[float, float, float]] = {}
    for name, packed in lanes:
        lane_h = row_h * len(packed)
        label_lines = max(1, min(2, int(lane_h // 11)))
        canvas.textbox(slide, Box(box.left + 4, y, LABEL_COLUMN - 10, lane_h), name, size=9 if lane_h < 24 else 10,
                       bold=True, color=TEXT, anchor="middle", markdown=True, max_lines=label_lines)
        for r, row in enumerate(packed):
            for step in row:
                placed[step.id] = _step(canvas, slide, step, scale, y + r * row_h, row_h)
        y += lane_h
    _driver_links(canvas, slide, plan, placed)
    _key_lines(canvas, slide, plan, scale, plot, bottom)
    legend_top = min(box.bottom - LEGEND_H, bottom + 22)  # under the lanes, clear of the Today label
    _legend(canvas, slide, Box(box.left, legend_top, box.width, LEGEND_H), bool(shaded))
    return Drawn(shaded)


#: A workstream's bar takes the colour of its most urgent open step, in this order.
URGENCY = ("late", "blocked", "at_risk")


def _lane_state(steps: Sequence[Milestone]) -> dict[str, object]:
    states = {m.state for m in steps}
    for state in URGENCY:
        if state in states:
            return colour(next(m for m in steps if m.state == state))
    if all(m.state == "done" for m in steps):
        return {"fill": DONE}
    return {"theme": "accent1"} if any(m.critical and m.is_open for m in steps) else {"theme": "accent1",
                                                                                         "brightness": 0.6}


def lane_counts(steps: Sequence[Milestone]) -> str:
    """``1,665 steps · 12 late · 3 done``: what a workstream's summary bar stands for."""
    parts = [f"{len(steps):,} step{'s' if len(steps) != 1 else ''}"]
    for state, label in (("late", "late"), ("blocked", "blocked"), ("at_risk", "at risk"), ("done", "done")):
        n = sum(1 for m in steps if m.state == state)
        if n:
            parts.append(f"{n:,} {label}")
    return " · ".join(parts)


def summary_note(count: int) -> str:
    return (f"{count:,} steps, too many to draw one by one: one bar per workstream, from its first start to its "
            "last due date, in the colour of its most urgent step. The tables that follow list the steps that need "
            "attention; the workbook and the document list every step.")


def _summary(canvas: Canvas, slide, box: Box, plan: Plan, groups, scale: Scale, count: int  # type: ignore[no-untyped-def]
             ) -> list[str]:
    """One bar per workstream (first start to last due), with its counts, the key dates and the note."""
    plot = Box(scale.left, box.top + AXIS_H, scale.width, box.height - AXIS_H - LEGEND_H - NOTE_H - 20)
    row_h = min(MAX_ROW_H, plot.height / max(1, len(groups)))
    y = plot.top
    for index in range(len(groups)):
        if index % 2 == 0:
            canvas.rect(slide, Box(box.left, y, box.width, row_h), fill=LANE)
        y += row_h
    bottom = y
    shaded = _closed_days(canvas, slide, plan, scale, plot.top, bottom)
    _axis(canvas, slide, scale, Box(plot.left, plot.top, plot.width, bottom - plot.top))
    bar_h = max(4.0, min(14.0, row_h * 0.5))
    name_lines = 1 if row_h < 26 else 2
    y = plot.top
    for ws, steps in groups:
        if row_h >= COUNTS_ROW_H:  # the name, and the counts under it
            count_h = 7.5 * 1.25
            name_h = row_h - count_h - 2
            canvas.textbox(slide, Box(box.left + 4, y + 1, LABEL_COLUMN - 10, name_h), ws.name,
                           size=9 if name_h < 24 else 10, bold=True, color=TEXT, anchor="bottom", markdown=True,
                           max_lines=name_lines)
            canvas.textbox(slide, Box(box.left + 4, y + 1 + name_h, LABEL_COLUMN - 10, count_h), lane_counts(steps),
                           size=7.5, color=MUTED, markdown=False, max_lines=1)
        else:  # a short lane: its name alone (the counts are in the speaker notes)
            canvas.textbox(slide, Box(box.left + 4, y, LABEL_COLUMN - 10, row_h), ws.name,
                           size=max(6.0, min(9.0, row_h * 0.8)), bold=True, color=TEXT, anchor="middle",
                           markdown=True, max_lines=1)
        start = scale.x(min(m.start for m in steps))
        end = max(scale.x(max(m.due for m in steps) + ONE), start + 4)
        canvas.rect(slide, Box(start, y + row_h / 2 - bar_h / 2, end - start, bar_h), **_lane_state(steps))  # type: ignore[arg-type]
        y += row_h
    _key_lines(canvas, slide, plan, scale, plot, bottom)
    legend_top = min(box.bottom - LEGEND_H - NOTE_H - 4, bottom + 22)
    _legend(canvas, slide, Box(box.left, legend_top, box.width, LEGEND_H), bool(shaded), summary=True)
    canvas.textbox(slide, Box(box.left + 4, legend_top + LEGEND_H + 2, box.width - 8, NOTE_H), summary_note(count),
                   size=9, bold=True, color=TEXT, markdown=False, max_lines=2)
    return shaded


def _bar(step: Milestone, scale: Scale) -> tuple[float, float]:
    """Where a step's bar (or diamond) starts and ends."""
    if step.is_event:
        mid = scale.mid(step.due)
        return mid - 5, mid + 5
    start = scale.x(step.start)
    return start, max(scale.x(step.due + ONE), start + 4)


def _room_start(step: Milestone, scale: Scale) -> float | None:
    """Where an open step's room to move begins (its earliest start), when before its bar."""
    if not step.is_open or step.earliest_start >= step.start:
        return None
    return scale.x(step.earliest_start) if not step.is_event else scale.mid(step.earliest_start)


def _extent(step: Milestone, scale: Scale) -> tuple[float, float]:
    start, end = _bar(step, scale)
    room = _room_start(step, scale)
    if room is not None:
        start = min(start, room - 1)
    return start, end + 3 + text_width(str(step.number), NUMBER_SIZE)


def _pack(steps: Sequence[Milestone], scale: Scale, limit: int | None = None) -> list[list[Milestone]]:
    """Place steps on as few rows as possible without bars, room lines or numbers overlapping (stopping
    once more than ``limit`` rows are needed: the timeline will summarise)."""
    rows: list[list[Milestone]] = []
    ends: list[float] = []
    for step in sorted(steps, key=lambda m: (m.start, m.due, m.number)):
        start, end = _extent(step, scale)
        for i, row_end in enumerate(ends):
            if start >= row_end + 2:
                rows[i].append(step)
                ends[i] = end
                break
        else:
            rows.append([step])
            ends.append(end)
            if limit is not None and len(rows) > limit:
                break
    return rows


def colour(step: Milestone) -> dict[str, object]:
    """A step's fill by state: done grey, late red, at risk amber, blocked violet, on track the
    brand's colour (the steps that drive a key date in full, the others lighter)."""
    if step.state == "done":
        return {"fill": DONE}
    if step.state == "late":
        return {"fill": LATE}
    if step.state == "at_risk":
        return {"fill": AT_RISK}
    if step.state == "blocked":
        return {"fill": BLOCKED}
    if step.critical:
        return {"theme": "accent1"}
    return {"theme": "accent1", "brightness": 0.6}


def _step(canvas: Canvas, slide, step: Milestone, scale: Scale, top: float, row_h: float  # type: ignore[no-untyped-def]
          ) -> tuple[float, float, float]:
    """Draw one step; returns (bar start, bar end, middle y) for the driver links."""
    bar_h = max(4.0, min(12.0, row_h * 0.6))
    mid = top + row_h / 2
    fill = colour(step)
    outline = {"line": TEXT, "line_width": 1.25} if step.pinned else {}
    start, end = _bar(step, scale)
    room = _room_start(step, scale)
    if room is not None:  # the room to move: from the earliest start to the planned bar
        tick = min(bar_h, 8.0) / 2
        canvas.line(slide, room, mid, start, mid, color=MUTED, width=0.75)
        canvas.line(slide, room, mid - tick, room, mid + tick, color=MUTED, width=0.75)
    if step.is_event:
        size = max(6.0, min(11.0, row_h * 0.7))
        x = scale.mid(step.due)
        start, end = x - size / 2, x + size / 2
        canvas.rect(slide, Box(start, mid - size / 2, size, size), shape="DIAMOND", **fill, **outline)  # type: ignore[arg-type]
    else:
        canvas.rect(slide, Box(start, mid - bar_h / 2, end - start, bar_h), **fill, **outline)  # type: ignore[arg-type]
    size = NUMBER_SIZE if row_h >= 10 else 6.5
    canvas.textbox(slide, Box(end + 2, mid - size * 0.65, text_width(str(step.number), size) + 4, size * 1.3),
                   str(step.number), size=size, color=LATE if step.late else MUTED, markdown=False, max_lines=1)
    return start, end, mid


def _driver_links(canvas: Canvas, slide, plan: Plan, placed: dict[str, tuple[float, float, float]]) -> None:  # type: ignore[no-untyped-def]
    """Arrows from each driver step to the next, and from the last to the key date it decides."""
    drawn: set[tuple[str, str]] = set()
    for key, date in key_dates(plan):
        # The key step itself is linked only where it is planned on its forecast (not waiting for its target).
        last = (key,) if date.planned == date.forecast else ()
        chain = [i for i in (*date.drivers, *last) if i in placed]
        for a, b in zip(chain, chain[1:]):
            if (a, b) in drawn:
                continue
            drawn.add((a, b))
            _, a_end, a_mid = placed[a]
            b_start, _, b_mid = placed[b]
            if abs(a_mid - b_mid) < 1 and b_start - a_end < 6:
                continue  # end to end on one row: the bars already touch
            canvas.line(slide, a_end, a_mid, b_start, b_mid, color=TEXT, width=0.9, arrow=True)


def _closed_runs(plan: Plan, scale: Scale) -> list[tuple[dt.date, dt.date, list[str]]]:
    """Runs of non-working days that hold a holiday or a closed day (weekends alone are not shaded),
    with the names of what closes them."""
    cal = plan.calendar
    runs: list[tuple[dt.date, dt.date, list[str]]] = []
    current: list[dt.date] = []
    day = scale.first
    while day <= scale.last + ONE:
        if day <= scale.last and not cal.is_working(day):
            current.append(day)
        elif current:
            reasons = [r for r in dict.fromkeys(cal.closed_reason(d) for d in current) if r and r != "weekend"]
            if reasons:
                first = min((d for d in current if cal.closed_reason(d) != "weekend"))
                last = max((d for d in current if cal.closed_reason(d) != "weekend"))
                runs.append((first, last, reasons))
            current = []
        day += ONE
    return runs


def _closed_days(canvas: Canvas, slide, plan: Plan, scale: Scale, top: float, bottom: float) -> list[str]:  # type: ignore[no-untyped-def]
    shaded: list[str] = []
    if scale.day_width < MIN_SHADED_DAY:
        return shaded
    for first, last, reasons in _closed_runs(plan, scale):
        left = scale.x(first)
        width = max(scale.x(last + ONE) - left, 2.0)
        canvas.rect(slide, Box(left, top, width, bottom - top), fill=CLOSED)
        when = human_date(first) + (f" to {human_date(last)}" if last != first else "")
        names = ", ".join("closed" if r == "closed" else r for r in reasons)
        shaded.append(f"{when}: {names}")
    return shaded


def _ticks(scale: Scale) -> tuple[list[tuple[dt.date, str]], list[dt.date]]:
    """Labelled ticks and unlabelled grid lines, by span: weeks, months, or quarters."""
    labelled: list[tuple[dt.date, str]] = []
    grid: list[dt.date] = []
    day = scale.first
    if scale.days <= 100:
        day += dt.timedelta(days=(7 - day.weekday()) % 7)
        while day <= scale.last:
            labelled.append((day, short_date(day)))
            day += dt.timedelta(weeks=1)
        return labelled, grid
    if scale.days > YEARLY_DAYS:  # years, every one or every few so that the labels fit
        every = next(n for n in (1, 2, 5, 10, 20, 50) if scale.days / 365.25 / n * YEAR_LABEL_W <= scale.width)
        year = day.year + 1
        while dt.date(year, 1, 1) <= scale.last:
            if year % every == 0:
                labelled.append((dt.date(year, 1, 1), str(year)))
            else:
                grid.append(dt.date(year, 1, 1))
            year += 1
        return labelled, grid
    month = dt.date(day.year, day.month, 1)
    quarterly = scale.days > 400
    while month <= scale.last:
        if month >= scale.first and (not quarterly or month.month in (1, 4, 7, 10)):
            label = MONTHS[month.month - 1] + (f" {month.year}" if month.month == 1 or not labelled else "")
            labelled.append((month, label))
        elif month >= scale.first:
            grid.append(month)
        month = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    if scale.days <= 240:  # weekly grid lines under monthly labels
        day += dt.timedelta(days=(7 - day.weekday()) % 7)
        while day <= scale.last:
            grid.append(day)
            day += dt.timedelta(weeks=1)
    return labelled, grid


def _axis(canvas: Canvas, slide, scale: Scale, plot: Box) -> None:  # type: ignore[no-untyped-def]
    labelled, grid = _ticks(scale)
    for day in grid:
        x = scale.x(day)
        canvas.line(slide, x, plot.top, x, plot.bottom, color=GRID, width=0.5)
    last_end = -1e9
    for day, label in labelled:
        x = scale.x(day)
        canvas.line(slide, x, plot.top - AXIS_H + 14, x, plot.bottom, color="D1D5DB", width=0.75)
        width = text_width(label, 9) + 4
        if x < last_end + 4 or x + width > plot.right + 30:
            continue  # too close to the previous label: the grid line stays, the label goes
        canvas.textbox(slide, Box(x + 2, plot.top - AXIS_H + 1, width, 13), label, size=9, color=MUTED,
                       markdown=False, max_lines=1)
        last_end = x + width


def flag_label(key: str, date: KeyDate, kind: str) -> str:
    """``Target signature 18 Dec``, ``Forecast go-live 16 Feb``; a worked-out target says so."""
    name = "signature" if key == "signature" else "go-live"
    if kind == "forecast":
        return f"Forecast {name} {short_date(date.forecast)}"
    if date.derived:
        return f"{name.capitalize()} {short_date(date.target)} (worked out)"
    return f"Target {name} {short_date(date.target)}"


def _key_lines(canvas: Canvas, slide, plan: Plan, scale: Scale, plot: Box, bottom: float) -> None:  # type: ignore[no-untyped-def]
    """The target line of each key date, and its forecast line where the forecast differs."""
    flags: list[tuple[float, str, dict[str, object], bool]] = []
    for key, date in key_dates(plan):
        x = scale.mid(date.target)
        canvas.line(slide, x, plot.top - 2, x, bottom, theme="accent2", width=1.75)
        flags.append((x, flag_label(key, date, "target"), {"theme": "accent2"}, False))
        step = next((m for m in plan.milestones if m.id == key), None)
        if step is not None and step.is_done and step.actual_done is not None:
            if step.actual_done != date.target:  # done: the day it happened, in the done colour
                dx = scale.mid(step.actual_done)
                canvas.line(slide, dx, plot.top - 2, dx, bottom, color=DONE, width=1.5, dash=True)
                done = f"{'Signed' if key == 'signature' else 'Live'} {short_date(step.actual_done)}"
                flags.append((dx, done, {"fill": DONE}, False))
        elif date.forecast != date.target:
            fx = scale.mid(date.forecast)
            late = not date.feasible
            canvas.line(slide, fx, plot.top - 2, fx, bottom, color=LATE if late else None,
                        theme=None if late else "accent2", width=1.5, dash=True)
            flags.append((fx, flag_label(key, date, "forecast"), {"fill": LATE} if late else {"fill": "FFFFFF"},
                          not late))
    # Two rows of flags under the axis labels: each flag on the lower row unless it would overlap.
    ends = [-1e9, -1e9]
    for x, label, fill, outlined in sorted(flags, key=lambda f: f[0]):
        width = text_width(label, 8.5, bold=True) + 8
        left = max(plot.left - LABEL_COLUMN + 4, min(x - width / 2, plot.right + 32 - width))
        row = 0 if left > ends[0] + 6 else (1 if left > ends[1] + 6 else 0)
        y = plot.top - FLAG_H - 2 - row * (FLAG_H + 1)
        canvas.rect(slide, Box(left, y, width, FLAG_H), **fill,  # type: ignore[arg-type]
                    **({"line": "accent2", "dash": True} if outlined else {}))
        canvas.textbox(slide, Box(left, y + 1.5, width, FLAG_H - 2), label, size=8.5, bold=True,
                       color=None if outlined else "FFFFFF", color_theme="accent2" if outlined else None,
                       align="center", markdown=False, max_lines=1)
        ends[row] = left + width
    x = scale.x(plan.today)
    canvas.line(slide, x, plot.top - 2, x, bottom, color=LATE, width=1.25, dash=True)
    canvas.textbox(slide, Box(x - 30, bottom + 1, 60, 12), "Today", size=8, bold=True, color=LATE, align="center",
                   markdown=False, max_lines=1)


def _legend(canvas: Canvas, slide, box: Box, shaded: bool, summary: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Two rows: the states, then the lines and marks (a summary has no diamonds, numbers, room or arrows)."""
    states: list[tuple[str, dict[str, object]]] = [
        ("Done", {"fill": DONE}), ("Late", {"fill": LATE}), ("At risk", {"fill": AT_RISK}),
        ("Blocked", {"fill": BLOCKED}), ("On track, drives a key date", {"theme": "accent1"}),
        ("On track", {"theme": "accent1", "brightness": 0.6}),
    ]
    x = box.left + 4
    y = box.top
    for label, fill in states:
        canvas.rect(slide, Box(x, y + 4, 16, 8), **fill)  # type: ignore[arg-type]
        x = _legend_text(canvas, slide, x + 20, y, label)
    if summary:
        _legend_lines(canvas, slide, box.left + 4, box.top + LEGEND_ROW_H, shaded)
        return
    canvas.rect(slide, Box(x, y + 3, 10, 10), shape="DIAMOND", theme="accent1")
    x = _legend_text(canvas, slide, x + 14, y, "One-day milestone")
    _legend_text(canvas, slide, x, y, "Numbers match the plan table")
    x = box.left + 4
    y = box.top + LEGEND_ROW_H
    canvas.line(slide, x, y + 8, x + 16, y + 8, color=MUTED, width=0.75)
    canvas.line(slide, x, y + 5, x, y + 11, color=MUTED, width=0.75)
    x = _legend_text(canvas, slide, x + 20, y, "Room to move: could start from")
    canvas.line(slide, x, y + 8, x + 16, y + 8, color=TEXT, width=0.9, arrow=True)
    x = _legend_text(canvas, slide, x + 20, y, "Drivers of the forecast")
    _legend_lines(canvas, slide, x, y, shaded)


def _legend_lines(canvas: Canvas, slide, x: float, y: float, shaded: bool) -> None:  # type: ignore[no-untyped-def]
    """The legend of the key-date lines, booked dates and shaded days, from ``x``."""
    canvas.line(slide, x + 4, y + 2, x + 4, y + 14, theme="accent2", width=1.75)
    x = _legend_text(canvas, slide, x + 10, y, "Target")
    canvas.line(slide, x + 4, y + 2, x + 4, y + 14, theme="accent2", width=1.5, dash=True)
    canvas.line(slide, x + 10, y + 2, x + 10, y + 14, color=LATE, width=1.5, dash=True)
    x = _legend_text(canvas, slide, x + 16, y, "Forecast (red: after the target)")
    canvas.rect(slide, Box(x, y + 3, 14, 10), fill="FFFFFF", line=TEXT, line_width=1.25)
    x = _legend_text(canvas, slide, x + 18, y, "Booked date")
    if shaded:
        canvas.rect(slide, Box(x, y + 2, 10, 12), fill=CLOSED)
        _legend_text(canvas, slide, x + 14, y, "Holiday or closed")


def _legend_text(canvas: Canvas, slide, x: float, y: float, text: str) -> float:  # type: ignore[no-untyped-def]
    """One legend label at ``x``; returns where the next item may start."""
    width = text_width(text, 8.5) + 4
    canvas.textbox(slide, Box(x, y + 1, width, 13), text, size=8.5, color=MUTED, markdown=False, max_lines=1)
    return x + width + 14

"""The timeline slide, drawn with shapes: a date axis, one lane per workstream, a bar or a
diamond per step, the today line and the signature and go-live flags.

It scales by choosing the axis unit from the plan's span (weeks up to three months, then
months, then quarters) and the lane height from the number of rows the steps need.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Sequence

from mapgen.plan import Milestone, Plan

from .canvas import DONE, GRID, LANE, LATE, MUTED, TEXT, Box, Canvas
from .measure import text_width

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
LABEL_COLUMN = 150.0
AXIS_H = 30.0
LEGEND_H = 18.0
NUMBER_SIZE = 8.0
MAX_ROW_H = 34.0


@dataclass(frozen=True)
class Scale:
    first: dt.date
    last: dt.date
    left: float
    width: float

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def x(self, day: dt.date) -> float:
        return self.left + (day - self.first).days / self.days * self.width


def short_date(day: dt.date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]}"


def draw_timeline(canvas: Canvas, slide, box: Box, plan: Plan, include_internal: bool) -> None:  # type: ignore[no-untyped-def]
    groups = plan.by_workstream(include_internal)
    steps = [m for _, ms in groups for m in ms]
    key_days = [plan.today, plan.signature.target] + ([plan.go_live.target] if plan.go_live else [])
    first = min([m.start for m in steps] + key_days) - dt.timedelta(days=2)
    last = max([m.due for m in steps] + key_days) + dt.timedelta(days=4)
    plot = Box(box.left + LABEL_COLUMN, box.top + AXIS_H, box.width - LABEL_COLUMN, box.height - AXIS_H - LEGEND_H - 16)
    scale = Scale(first, last, plot.left, plot.width)

    lanes = [(ws.name, _pack(ms, scale)) for ws, ms in groups]
    rows = sum(len(packed) for _, packed in lanes) or 1
    row_h = min(MAX_ROW_H, plot.height / rows)
    y = plot.top
    for index, (_, packed) in enumerate(lanes):  # backgrounds first: grid lines show through
        if index % 2 == 0:
            canvas.rect(slide, Box(box.left, y, box.width, row_h * len(packed)), fill=LANE)
        y += row_h * len(packed)
    _axis(canvas, slide, scale, Box(plot.left, plot.top, plot.width, y - plot.top))
    y = plot.top
    for name, packed in lanes:
        lane_h = row_h * len(packed)
        label_lines = max(1, min(2, int(lane_h // 11)))
        canvas.textbox(slide, Box(box.left + 4, y, LABEL_COLUMN - 10, lane_h), name, size=9 if lane_h < 24 else 10,
                       bold=True, color=TEXT, anchor="middle", markdown=True, max_lines=label_lines)
        for r, row in enumerate(packed):
            for step in row:
                _step(canvas, slide, step, scale, y + r * row_h, row_h)
        y += lane_h
    _key_lines(canvas, slide, plan, scale, plot, y)
    _legend(canvas, slide, Box(box.left, box.bottom - LEGEND_H, box.width, LEGEND_H))


def _extent(step: Milestone, scale: Scale) -> tuple[float, float]:
    if step.is_event:
        mid = scale.x(step.due) + 0.5 * scale.width / scale.days
        start, end = mid - 5, mid + 5
    else:
        start, end = scale.x(step.start), max(scale.x(step.due + dt.timedelta(days=1)), scale.x(step.start) + 4)
    return start, end + 3 + text_width(str(step.number), NUMBER_SIZE)


def _pack(steps: Sequence[Milestone], scale: Scale) -> list[list[Milestone]]:
    """Place steps on as few rows as possible without bars or their numbers overlapping."""
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
    return rows


def _colour(step: Milestone) -> dict[str, object]:
    if step.status == "done":
        return {"fill": DONE}
    if step.late:
        return {"fill": LATE}
    if step.critical:
        return {"theme": "accent1"}
    return {"theme": "accent1", "brightness": 0.6}


def _step(canvas: Canvas, slide, step: Milestone, scale: Scale, top: float, row_h: float) -> None:  # type: ignore[no-untyped-def]
    bar_h = max(4.0, min(12.0, row_h * 0.6))
    mid = top + row_h / 2
    colour = _colour(step)
    if step.is_event:
        x = scale.x(step.due) + 0.5 * scale.width / scale.days
        size = max(6.0, min(11.0, row_h * 0.7))
        canvas.rect(slide, Box(x - size / 2, mid - size / 2, size, size), shape="DIAMOND", **colour)  # type: ignore[arg-type]
        end = x + size / 2
    else:
        start = scale.x(step.start)
        end = max(scale.x(step.due + dt.timedelta(days=1)), start + 4)
        canvas.rect(slide, Box(start, mid - bar_h / 2, end - start, bar_h), **colour)  # type: ignore[arg-type]
    size = NUMBER_SIZE if row_h >= 10 else 6.5
    canvas.textbox(slide, Box(end + 2, mid - size * 0.65, text_width(str(step.number), size) + 4, size * 1.3),
                   str(step.number), size=size, color=LATE if step.late else MUTED, markdown=False, max_lines=1)


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
    month = dt.date(day.year, day.month, 1)
    quarterly = scale.days > 400
    while month <= scale.last:
        if month >= scale.first and (not quarterly or month.month in (1, 4, 7, 10)):
            label = _MONTHS[month.month - 1] + (f" {month.year}" if month.month == 1 or not labelled else "")
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
        canvas.line(slide, x, plot.top - 6, x, plot.bottom, color="D1D5DB", width=0.75)
        width = text_width(label, 9) + 4
        if x < last_end + 4 or x + width > plot.right + 30:
            continue  # too close to the previous label: the grid line stays, the label goes
        canvas.textbox(slide, Box(x + 2, plot.top - AXIS_H + 2, width, 14), label, size=9, color=MUTED,
                       markdown=False, max_lines=1)
        last_end = x + width


def _key_lines(canvas: Canvas, slide, plan: Plan, scale: Scale, plot: Box, bottom: float) -> None:  # type: ignore[no-untyped-def]
    flags = [("Signature", plan.signature.target)]
    if plan.go_live:
        flags.append(("Go-live", plan.go_live.target))
    label_y = plot.top - 15
    previous_end = -1e9
    for name, day in flags:
        x = scale.x(day) + 0.5 * scale.width / scale.days
        canvas.line(slide, x, plot.top - 2, x, bottom, theme="accent2", width=1.75)
        label = f"{name} {short_date(day)}"
        width = text_width(label, 9, bold=True) + 8
        left = min(x - width / 2, plot.right - width + 20)
        y = label_y if left > previous_end + 4 else label_y - 13
        canvas.rect(slide, Box(left, y, width, 13), theme="accent2")
        canvas.textbox(slide, Box(left, y + 1, width, 12), label, size=9, bold=True, color="FFFFFF", align="center",
                       markdown=False, max_lines=1)
        previous_end = left + width
    x = scale.x(plan.today)
    canvas.line(slide, x, plot.top - 2, x, bottom, color=LATE, width=1.25, dash=True)
    canvas.textbox(slide, Box(x - 30, bottom + 1, 60, 12), "Today", size=8, bold=True, color=LATE, align="center",
                   markdown=False, max_lines=1)


def _legend(canvas: Canvas, slide, box: Box) -> None:  # type: ignore[no-untyped-def]
    items: list[tuple[str, dict[str, object]]] = [
        ("Critical path", {"theme": "accent1"}), ("Other steps", {"theme": "accent1", "brightness": 0.6}),
        ("Late", {"fill": LATE}), ("Done", {"fill": DONE}),
    ]
    x = box.left + LABEL_COLUMN
    for label, colour in items:
        canvas.rect(slide, Box(x, box.top + 5, 16, 8), **colour)  # type: ignore[arg-type]
        canvas.textbox(slide, Box(x + 20, box.top + 2, text_width(label, 9) + 6, 14), label, size=9, color=MUTED,
                       markdown=False, max_lines=1)
        x += 20 + text_width(label, 9) + 22
    canvas.rect(slide, Box(x, box.top + 3, 10, 10), shape="DIAMOND", theme="accent1")
    note = "One-day milestone · numbers match the plan table"
    canvas.textbox(slide, Box(x + 14, box.top + 2, text_width(note, 9) + 6, 14), note, size=9, color=MUTED,
                   markdown=False, max_lines=1)

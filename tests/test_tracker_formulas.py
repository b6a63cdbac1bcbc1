"""The tracker stays live: after an edit, LibreOffice (headless) recalculates it and the Summary's
% complete, the Plan sheet's row colours and the Timeline's bars follow (issue 11, part 3)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from mapgen.builtin.xlsx_workbook import workbook as xlsx
from mapgen.cli import main
from tests.office import html_sheets

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
EPOCH = dt.date(1899, 12, 30)


def generate(tmp_path: Path) -> Path:
    brief = tmp_path / "acme.yaml"
    shutil.copy(EXAMPLES / "acme-enterprise.yaml", brief)
    try:
        main(["generate", str(brief), "-o", str(tmp_path), "-f", "xlsx", "-q"])
    except SystemExit as exc:
        assert exc.code in (0, None)
    return tmp_path / "acme.xlsx"


def timeline_bars(sheet: list) -> dict[int, dict[dt.date, str | None]]:  # type: ignore[type-arg]
    """Each step's week cells: {number: {monday: colour}}."""
    header = sheet[0]
    weeks = {i: EPOCH + dt.timedelta(days=int(float(c[2]))) for i, c in enumerate(header) if i >= 2 and c[2]}
    out = {}
    for row in sheet[1:]:
        if row and row[0][0].isdigit() and len(row) > 2:
            out[int(row[0][0])] = {weeks[i]: row[i][1] for i in weeks if i < len(row)}
    return out


@pytest.mark.slow
def test_an_edited_tracker_recalculates_in_libreoffice(tmp_path):
    path = generate(tmp_path)
    before = html_sheets(path)
    wb = load_workbook(path)
    plan = wb["Plan"]
    heading = {c.value: c.column - 1 for c in plan[1]}
    rows = {r[heading["Step id"]].value: r for r in plan.iter_rows(min_row=2)}
    numbers = {step: row[0].value for step, row in rows.items()}

    def put(step: str, **values: object) -> None:
        for column, value in values.items():
            rows[step][heading[column.replace("_", " ")]].value = value

    put("security_questionnaire", Status="Done", Done_on=dt.datetime(2026, 11, 6))
    old_start, old_due = rows["user_training"][heading["Start"]].value, rows["user_training"][heading["Due"]].value
    put("user_training", Start=dt.datetime(2027, 2, 1), Due=dt.datetime(2027, 2, 12), Deadline=dt.datetime(2199, 12, 31))
    put("vendor_onboarding", Deadline=dt.datetime(2001, 1, 1))  # its deadline is past, whatever today is
    put("procurement", Status="Blocked")
    wb.save(path)
    after = html_sheets(path)

    # Summary: % complete is a formula on the Plan sheet's Status column
    def complete(sheets: dict) -> str:  # type: ignore[type-arg]
        return next(r[1][0] for r in sheets["Summary"] if r and r[0][0] == "Complete")
    steps = len(rows)
    assert complete(before) == f"{round(100 / steps)}%" and complete(after) == f"{round(200 / steps)}%"

    # Plan: the row colours follow the status and the dates against TODAY()
    plan_colours = {r[0][0]: r[2][1] for r in after["Plan"][1:] if r and r[0][0].isdigit()}
    assert plan_colours[str(numbers["security_questionnaire"])] == "#" + xlsx.DONE_FILL
    assert plan_colours[str(numbers["vendor_onboarding"])] == "#" + xlsx.LATE_FILL
    assert plan_colours[str(numbers["procurement"])] == "#" + xlsx.BLOCKED_FILL

    # Timeline: the bars follow the Plan sheet's dates and status
    bars_before, bars = timeline_bars(before["Timeline"]), timeline_bars(after["Timeline"])
    bar_colours = {"#" + c for c in (xlsx.BAR, xlsx.BAR_CRITICAL, xlsx.BAR_DONE, xlsx.BAR_LATE, xlsx.BAR_AT_RISK,
                                     xlsx.BAR_BLOCKED)}

    def drawn(weeks: dict[dt.date, str | None]) -> dict[dt.date, str | None]:
        return {w: c for w, c in weeks.items() if c in bar_colours}
    questionnaire = drawn(bars[numbers["security_questionnaire"]])
    assert set(questionnaire.values()) == {"#" + xlsx.BAR_DONE}
    assert max(questionnaire) == dt.date(2026, 11, 2)  # done on Fri 6 Nov: the bar ends that week
    training_before, training = drawn(bars_before[numbers["user_training"]]), drawn(bars[numbers["user_training"]])
    monday = lambda d: d - dt.timedelta(days=d.weekday())  # noqa: E731
    assert min(training_before) == monday(old_start.date()) and max(training_before) == monday(old_due.date())
    assert sorted(training) == [dt.date(2027, 2, 1), dt.date(2027, 2, 8)]  # moved with its dates
    assert set(drawn(bars[numbers["vendor_onboarding"]]).values()) == {"#" + xlsx.BAR_LATE}
    assert set(drawn(bars[numbers["procurement"]]).values()) == {"#" + xlsx.BAR_BLOCKED}

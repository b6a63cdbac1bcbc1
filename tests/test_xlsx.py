"""The Excel tracker, reopened with openpyxl and converted by LibreOffice."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from mapgen.builtin.xlsx_workbook import workbook as xlsx
from mapgen.markup import plain
from mapgen.pipeline import build_plan
from mapgen.plan import STATE_LABELS, STATES, STATUS_LABELS, STATUSES
from mapgen.testing import HOSTILE_STRINGS, make_plan
from mapgen.wording import drivers_sentence, human_date
from tests.office import convert_to_pdf, pdf_pages
from tests.test_contract import GENERATED

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
#: Plans a few weeks into a deal (done, in-progress, pinned and blocked steps), and one made on a holiday.
STORIES = ("enterprise-week-into-the-deal", "enterprise-today-on-a-holiday")
#: What a buyer must never read: the brief's and the plan's codes.
RAW_CODES = tuple(STATUSES) + tuple(STATES) + ("before_signature", "after_signature")


def raw_code_in(shown: str) -> bool:
    """A code such as ``not_started`` anywhere, or a one-word code (``done``) as a whole value."""
    return any(("_" in code and code in shown) or shown.strip() == code for code in RAW_CODES)


def workbook(data: bytes):  # type: ignore[no-untyped-def]
    return load_workbook(io.BytesIO(data))


def plan_rows(wb) -> dict[str, dict[str, object]]:  # type: ignore[no-untyped-def]
    sheet = wb["Plan"]
    header = [c.value for c in sheet[1]]
    out = {}
    for row in sheet.iter_rows(min_row=2):
        record = dict(zip(header, row))
        out[record["Step id"].value] = record
    return out


def fill(c) -> str | None:  # type: ignore[no-untyped-def]
    """A cell's solid fill colour as RRGGBB, or None."""
    rgb = c.fill.fgColor.rgb if c.fill is not None and c.fill.fill_type == "solid" else None
    return rgb[-6:].upper() if isinstance(rgb, str) and rgb not in ("00000000",) else None


def drawn_bars(wb, today: dt.date) -> dict[int, tuple[list[dt.date], str]]:  # type: ignore[no-untyped-def]
    """What the Timeline's conditional formats draw on the day ``today``: each step's weeks and colour.

    The rules are checked to be exactly the ones emulated here (first match wins), reading the
    Plan sheet row of the same position."""
    timeline, plan_sheet = wb["Timeline"], wb["Plan"]
    weeks = {c.column: c.value.date() for c in timeline[1][2:]}
    rules = [rule for ranges in timeline.conditional_formatting for rule in ranges.rules]
    span = "ISNUMBER(Plan!$G2),C$1+6>=Plan!$G2,C$1<=IF(ISNUMBER(Plan!$K2),Plan!$K2,Plan!$H2)"
    assert [r.formula[0] for r in rules] == [
        f'AND({span},Plan!$L2="Done")', f'AND({span},Plan!$L2="Blocked")',
        f'AND({span},OR(Plan!$M2="Late",AND(ISNUMBER(Plan!$I2),Plan!$I2<TODAY())))',
        f'AND({span},OR(Plan!$M2="At risk",AND(ISNUMBER(Plan!$H2),Plan!$H2<TODAY())))',
        f'AND({span},Plan!$O2="Yes")', f"AND({span})"]
    colours = [r.dxf.fill.bgColor.rgb[-6:] for r in rules]
    assert colours == [xlsx.BAR_DONE, xlsx.BAR_BLOCKED, xlsx.BAR_LATE, xlsx.BAR_AT_RISK, xlsx.BAR_CRITICAL, xlsx.BAR]
    first = next(r[0].row for r in timeline.iter_rows(min_row=3) if isinstance(r[0].value, int))
    out = {}
    for row in plan_sheet.iter_rows(min_row=2):
        v = {heading.value: c.value for heading, c in zip(plan_sheet[1], row)}
        day = {k: v[k].date() if isinstance(v[k], dt.datetime) else None for k in ("Start", "Due", "Deadline", "Done on")}
        end = day["Done on"] or day["Due"]
        drawn = sorted(w for w in weeks.values() if w + dt.timedelta(days=6) >= day["Start"] and w <= end)
        if v["Status"] == "Done":
            colour = xlsx.BAR_DONE
        elif v["Status"] == "Blocked":
            colour = xlsx.BAR_BLOCKED
        elif v["State"] == "Late" or (day["Deadline"] and day["Deadline"] < today):
            colour = xlsx.BAR_LATE
        elif v["State"] == "At risk" or day["Due"] < today:
            colour = xlsx.BAR_AT_RISK
        else:
            colour = xlsx.BAR_CRITICAL if v["Critical"] == "Yes" else xlsx.BAR
        assert timeline.cell(first + row[0].row - 2, 1).value == v["#"]  # the same step on both sheets
        out[v["#"]] = (drawn, colour)
    return out


def sheet_rows(wb, title: str) -> dict[str, tuple]:  # type: ignore[no-untyped-def, type-arg]
    """A sheet's rows by the text of their first cell (the first such row)."""
    out: dict[str, tuple] = {}  # type: ignore[type-arg]
    for row in wb[title].iter_rows():
        if row and isinstance(row[0].value, str):
            out.setdefault(row[0].value, row)
    return out


@pytest.fixture(scope="module")
def example_books(tmp_path_factory):  # type: ignore[no-untyped-def]
    """The examples and the story briefs, written by the command line: {name: (xlsx path, plan)}."""
    from mapgen.cli import main

    out = tmp_path_factory.mktemp("books")
    briefs = list(EXAMPLES)
    for name in STORIES:
        brief = out / "briefs" / f"{name}.yaml"
        brief.parent.mkdir(exist_ok=True)
        brief.write_text(GENERATED[name], encoding="utf-8")
        briefs.append(brief)
    with pytest.raises(SystemExit) as exit_info:
        main(["generate", *map(str, briefs), "-f", "xlsx", "-o", str(out)])
    assert exit_info.value.code == 0
    return {p.stem: (out / f"{p.stem}.xlsx", build_plan(p).for_reader("buyer")) for p in briefs}


@pytest.mark.slow
def test_every_example_converts_with_libreoffice_and_each_sheet_prints_on_one_page(example_books, tmp_path):
    """Nothing spills: the why-sentences wrap within the grid, long names wrap in their rows."""
    import subprocess

    for name, (path, plan) in example_books.items():
        pdf = convert_to_pdf(path, tmp_path)
        assert pdf.stat().st_size > 5_000
        if name == "enterprise-today-on-a-holiday":
            continue  # nobody named: a long list of risks found in the plan, over two pages
        assert pdf_pages(pdf) == 5 + any(m.resources for m in plan.milestones), name  # and the Resources sheet
        words = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                               check=True).stdout
        assert "Holidays and closed days" in words and "Legend" in words
        assert human_date(plan.signature.forecast) in words


def test_every_step_has_real_date_cells_equal_to_the_plan(example_books):
    for path, plan in example_books.values():
        wb = workbook(path.read_bytes())
        resources = ["Resources"] if any(m.resources for m in plan.milestones) else []
        assert wb.sheetnames == ["Summary", "Plan", "Timeline", "People", *resources, "Risks"]
        rows = plan_rows(wb)
        assert list(rows) == [m.id for m in plan.for_reader("buyer").milestones]
        for m in plan.for_reader("buyer").milestones:
            record = rows[m.id]
            for column, expected in (("Start", m.start), ("Due", m.due)):
                c = record[column]
                assert c.is_date and c.value.date() == expected, f"{path.name}: {m.id} {column}"
            assert record["Status"].value == STATUS_LABELS[m.status] and record["Step"].value == plain(m.name)
            assert record["State"].value == STATE_LABELS[m.state]
            assert record["Days to spare"].value == m.slack
            assert record["Critical"].value == ("Yes" if m.critical else "No")
            assert (record["Waits for"].value or "") == ", ".join(str(n) for n in plan.waits_for(m))
            deadline, done_on = record["Deadline"].value, record["Done on"].value
            assert (deadline.date() if deadline else None) == (None if m.is_done else m.latest_due)
            assert (done_on.date() if done_on else None) == m.actual_done


def test_done_steps_show_their_actual_dates(example_books):
    path, plan = example_books["enterprise-week-into-the-deal"]
    wb = workbook(path.read_bytes())
    recap = plan_rows(wb)["discovery_recap"]
    assert [recap[c].value.date() for c in ("Start", "Due", "Done on")] == \
        [dt.date(2026, 10, 26), dt.date(2026, 10, 29), dt.date(2026, 10, 29)]
    assert recap["Status"].value == "Done" and recap["Deadline"].value is None
    # on the Timeline: drawn grey in the week it was really done, ticked, before today's week
    timeline = wb["Timeline"]
    weeks = {c.column: c.value.date() for c in timeline[1][2:]}
    m = plan.milestone("discovery_recap")
    row = next(r for r in timeline.iter_rows() if r[0].value == m.number)
    assert drawn_bars(wb, plan.today)[m.number] == ([dt.date(2026, 10, 26)], xlsx.BAR_DONE)
    ticked = [c for c in row[2:] if c.value]
    assert [weeks[c.column] for c in ticked] == [dt.date(2026, 10, 26)]  # a tick while Done on stays in that week
    x = get_column_letter(ticked[0].column)
    assert re.fullmatch(rf'=IF\(AND\(ISNUMBER\(Plan!\$K(\d+)\),Plan!\$K\1>={x}\$1,Plan!\$K\1<{x}\$1\+7\),"✓",""\)',
                        ticked[0].value)


def test_a_tracker_people_work_in(example_books):
    path, plan = example_books["acme-enterprise"]
    sheet = workbook(path.read_bytes())["Plan"]
    last = len(plan.for_reader("buyer").milestones) + 1
    assert sheet.freeze_panes == "D2"
    assert [c.value for c in sheet[1]][5:16] == ["Waits for", "Start", "Due", "Deadline", "Started", "Done on",
                                                 "Status", "State", "Days to spare", "Critical", "Notes"]
    assert sheet.column_dimensions["Q"].hidden and sheet["Q1"].value == "Step id"  # `mapgen sync` reads edits back
    table = sheet.tables["PlanSteps"]
    assert table.ref == f"A1:Q{last}" and table.autoFilter is not None
    status, started, done_on = sheet.data_validations.dataValidation
    assert status.type == "list" and status.formula1 == '"Not started,In progress,Done,Blocked"'
    assert str(status.sqref) == f"L2:L{last}"
    assert started.type == "date" and str(started.sqref) == f"J2:J{last}"
    assert done_on.type == "date" and str(done_on.sqref) == f"K2:K{last}"
    rules = {rule.formula[0]: rule for rules in sheet.conditional_formatting for rule in rules.rules}
    # first match wins: done grey, blocked violet, late red (live: the deadline passed by TODAY()), at risk amber
    assert list(rules) == ['$L2="Done"', '$L2="Blocked"', 'OR($M2="Late",AND(ISNUMBER($I2),$I2<TODAY()))',
                           'OR($M2="At risk",AND(ISNUMBER($H2),$H2<TODAY()))', '$O2="Yes"']
    colours = [rule.dxf.fill.bgColor.rgb[-6:] for rule in list(rules.values())[:4]]
    assert colours == [xlsx.DONE_FILL, xlsx.BLOCKED_FILL, xlsx.LATE_FILL, xlsx.AT_RISK_FILL]
    assert all(rule.stopIfTrue for rule in list(rules.values())[:4])
    # colours come from the rules, never baked into cells: a status changed in Excel recolours the row
    assert all(c.fill.fgColor.rgb in (None, "00000000") for row in sheet.iter_rows(min_row=2) for c in row)
    # the columns mapgen works out are labelled so, with a note on their heading
    computed = {c.value: c for c in sheet[1] if c.comment is not None}
    assert set(computed) == {"Deadline", "State", "Days to spare", "Critical"}
    assert all("Worked out by mapgen" in c.comment.text and fill(c) == xlsx.COMPUTED_FILL for c in computed.values())


def test_timeline_people_risks_and_summary(example_books):
    path, plan = example_books["globex-late"]
    wb = workbook(path.read_bytes())
    timeline = wb["Timeline"]
    weeks = [c.value for c in timeline[1][2:]]
    assert all(isinstance(w, dt.datetime) and w.weekday() == 0 for w in weeks)
    assert timeline[2][1].value == "Holidays and closed days"
    labels = [timeline.cell(row, 2).value for row in (3, 4, 5)]
    assert labels == ["Today: Mon 2 Nov 2026",
                      "Signature: target Fri 18 Dec 2026, forecast Fri 15 Jan 2027: the target cannot be met",
                      "Go-live: target Mon 1 Mar 2027, forecast Tue 16 Feb 2027"]
    marks = {(r, c.value, c.column) for r in (3, 4, 5) for c in timeline[r][2:] if c.value}
    column = {w.date(): i + 3 for i, w in enumerate(weeks)}
    assert marks == {(3, "Today", column[dt.date(2026, 11, 2)]),
                     (4, "Target", column[dt.date(2026, 12, 14)]), (4, "Forecast", column[dt.date(2027, 1, 11)]),
                     (5, "Forecast", column[dt.date(2027, 2, 15)]), (5, "Target", column[dt.date(2027, 3, 1)])}
    assert fill(timeline.cell(4, column[dt.date(2027, 1, 11)])) == xlsx.FORECAST_LATE_FILL  # misses its target
    assert fill(timeline.cell(5, column[dt.date(2027, 2, 15)])) == xlsx.FORECAST_FILL
    # bars coloured by state, at the planned dates
    steps = {r[0].value: r for r in timeline.iter_rows(min_row=6) if isinstance(r[0].value, int)}
    assert len(steps) == len(plan.for_reader("buyer").milestones)
    bars = drawn_bars(wb, plan.today)  # drawn by conditional formats from the Plan sheet: as on the day generated
    for m in plan.for_reader("buyer").milestones:
        bar = xlsx.BAR_STYLE.get(m.state, "Bar critical" if m.critical else "Bar")
        colour = {"Bar": xlsx.BAR, "Bar critical": xlsx.BAR_CRITICAL, "Bar done": xlsx.BAR_DONE,
                  "Bar late": xlsx.BAR_LATE, "Bar at risk": xlsx.BAR_AT_RISK, "Bar blocked": xlsx.BAR_BLOCKED}[bar]
        drawn = bars[m.number][0]
        assert bars[m.number][1] == colour, m.id
        assert drawn[0] == m.start - dt.timedelta(days=m.start.weekday()), m.id
        assert drawn[-1] == m.due - dt.timedelta(days=m.due.weekday()), m.id
    assert {m.state for m in plan.for_reader("buyer").milestones} >= {"late", "at_risk", "done"}
    # why the forecast is what it is, and a legend
    texts = [c.value for row in timeline.iter_rows() for c in row if isinstance(c.value, str)]
    assert f"Why signature is forecast for Fri 15 Jan 2027: {plain(drivers_sentence(plan, 'signature'))}" in texts
    assert "Legend" in texts and "Room to move: the step could start this early" in texts
    people = [[c.value for c in row] for row in wb["People"].iter_rows(min_row=2)]
    assert {p[2] for p in people} >= {p.name for p in plan.people("buyer") + plan.people("seller")}
    risks = [[c.value for c in row] for row in wb["Risks"].iter_rows(min_row=2)]
    assert [r[0] for r in risks] == [plain(r.risk) for r in plan.risks]
    assert wb.properties.title == plan.title
    assert wb.properties.created.date() == plan.today


def test_late_summary_has_target_forecast_and_the_drivers(example_books):
    path, plan = example_books["globex-late"]
    summary = sheet_rows(workbook(path.read_bytes()), "Summary")
    target, forecast, outlook = summary["Signature"][1:4]
    assert target.value.date() == plan.signature.target == dt.date(2026, 12, 18)
    assert forecast.value.date() == plan.signature.forecast == dt.date(2027, 1, 15)
    assert outlook.value == "Cannot be met: 17 working days late"
    assert fill(target) == xlsx.LATE_FILL and target.font.color.rgb[-6:] == xlsx.LATE_TEXT  # the target tile is red
    why = summary["Why signature is forecast for this date"][1].value
    assert why == plain(drivers_sentence(plan, "signature"))
    assert why.startswith("Mutual action plan agreed by both teams (0 d) → Security questionnaire") and \
        why.endswith("earliest signature Fri 15 Jan 2027, 17 working days after the target")
    go_live = summary["Go-live"]
    assert go_live[1].value.date() == plan.go_live.target and go_live[3].value == "On track" and fill(go_live[1]) is None
    late = summary["Late"]
    assert late[1].value == 6 and late[2].value == "steps 2, 4, 11, 12, 13, 14"
    # what mapgen worked out is said in print too (the headings' notes do not print)
    assert any(k.startswith("What mapgen works out, as of Mon 2 Nov 2026: on the Plan sheet, the columns with slate "
                            "headings (Deadline, State, Days to spare, Critical)") for k in summary)


def test_a_worked_out_target_says_so(example_books):
    path, plan = example_books["bloom-smb"]
    assert plan.signature.derived
    target, _, outlook = sheet_rows(workbook(path.read_bytes()), "Summary")["Signature"][1:4]
    assert outlook.value == "On track · target worked out from go-live"
    assert "not a date the buyer gave" in target.comment.text
    labels = [r[1].value for r in workbook(path.read_bytes())["Timeline"].iter_rows(min_row=3, max_row=5)]
    assert "Signature: target Wed 2 Dec 2026 (worked out from go-live), forecast Thu 12 Nov 2026" in labels


def test_derived_risks_are_marked(example_books):
    path, plan = example_books["globex-late"]
    sheet = workbook(path.read_bytes())["Risks"]
    assert [c.value for c in sheet[1]] == ["Risk", "Owner", "Mitigation", "Likelihood", "Impact", "Status", "Source"]
    sources = {row[0].value: row[6].value for row in sheet.iter_rows(min_row=2) if row[0].value}
    assert sources == {plain(r.risk): "Found in the plan" if r.derived else "Brief" for r in plan.risks}
    assert sorted(sources.values()) == ["Brief", "Found in the plan"]


def next_step_rows(wb) -> list[tuple]:  # type: ignore[no-untyped-def, type-arg]
    rows = list(wb["Summary"].iter_rows())
    first = next(i for i, r in enumerate(rows) if str(r[0].value).startswith("Next two weeks")) + 2
    return [r for r in rows[first:] if r[1].value is not None]


def test_next_steps_are_the_open_steps_of_the_next_two_weeks_never_past_due(example_books):
    for name, (path, plan) in example_books.items():
        wb = workbook(path.read_bytes())
        rows = next_step_rows(wb)
        expected = plan.next_steps()
        assert [r[0].value for r in rows] == [f"{m.number}. {plain(m.name)}" for m in expected], name
        for row, m in zip(rows, expected):
            assert row[1].value.date() == m.start and row[2].value.date() == m.due
            assert row[2].value.date() >= plan.today and m.is_open
    path, plan = example_books["enterprise-week-into-the-deal"]
    rows = next_step_rows(workbook(path.read_bytes()))
    # done steps are never "next"; in-progress ones show the day they really started
    assert rows and all(not r[0].value.startswith(("1. ", "2. ")) for r in rows)
    path, plan = example_books["bloom-smb"]  # nothing planned in two weeks: say what comes next, and when it could start
    assert not plan.next_steps()
    texts = [c.value for row in workbook(path.read_bytes())["Summary"].iter_rows() for c in row]
    assert ("No open step is planned to start in the next two weeks. The next is step 2, Hands-on trial with your "
            "team, planned to start Fri 20 Nov 2026 (it could start today).") in texts


def test_check_in_moved_off_a_holiday_says_so(example_books):
    path, plan = example_books["enterprise-today-on-a-holiday"]
    row = sheet_rows(workbook(path.read_bytes()), "Summary")["Weekly check-in"]
    assert row[1].value == "Every Thursday at 09:00" and row[2].value.date() == dt.date(2026, 11, 27)
    assert row[3].value == "next check-in, moved from Thu 26 Nov 2026 (Thanksgiving Day)"


def test_holidays_and_closed_days_are_shaded_and_named_in_the_timeline(example_books):
    path, plan = example_books["acme-enterprise"]  # US holidays, closed 24 Dec to 1 Jan
    timeline = workbook(path.read_bytes())["Timeline"]
    column = {c.value.date(): c.column for c in timeline[1][2:]}
    named = {c.column: c for c in timeline[2][2:] if c.value}
    thanksgiving, christmas, new_year = column[dt.date(2026, 11, 23)], column[dt.date(2026, 12, 21)], \
        column[dt.date(2026, 12, 28)]
    assert named[thanksgiving].value == "Thanksgiving Day"
    assert "Thu 26 Nov 2026: Thanksgiving Day" in named[thanksgiving].comment.text
    assert named[christmas].value == "Closed\nChristmas Day" and named[new_year].value == "Closed\nNew Year's Day"
    assert set(named) == {column[d - dt.timedelta(days=d.weekday())] for d in plan.calendar.holidays}
    steps = [r for r in timeline.iter_rows(min_row=6) if isinstance(r[0].value, int)]
    empty = {c.column: c for r in steps for c in r[2:] if fill(c) not in (xlsx.BAR, xlsx.BAR_CRITICAL, xlsx.BAR_DONE,
             xlsx.BAR_LATE, xlsx.BAR_AT_RISK, xlsx.BAR_BLOCKED, xlsx.ROOM_FILL)}
    assert fill(empty[thanksgiving]) == fill(empty[christmas]) == xlsx.DAY_OFF_FILL  # one or two days off
    assert fill(empty[new_year]) == xlsx.CLOSED_FILL  # closed the whole week
    assert fill(empty[column[dt.date(2026, 11, 30)]]) is None


def test_room_to_move_runs_from_the_earliest_start_to_the_bar(example_books):
    path, plan = example_books["acme-enterprise"]
    timeline = workbook(path.read_bytes())["Timeline"]
    weeks = {c.column: c.value.date() for c in timeline[1][2:]}
    rows = {r[0].value: r for r in timeline.iter_rows(min_row=6) if isinstance(r[0].value, int)}
    monday = lambda d: d - dt.timedelta(days=d.weekday())  # noqa: E731
    roomy = [m for m in plan.for_reader("buyer").milestones if m.is_open and monday(m.earliest_start) < monday(m.start)]
    assert roomy
    for m in plan.for_reader("buyer").milestones:
        room = [weeks[c.column] for c in rows[m.number][2:] if fill(c) == xlsx.ROOM_FILL]
        if m in roomy:
            assert room[0] == monday(m.earliest_start) and room[-1] < monday(m.start), m.id
        else:
            assert not room, m.id


def test_no_raw_codes_anywhere_a_buyer_reads(example_books, render):
    books = [path.read_bytes() for path, _ in example_books.values()] + [render("xlsx", make_plan(late=True))]
    for data in books:
        wb = workbook(data)
        for sheet in wb:
            hidden = {letter for letter, d in sheet.column_dimensions.items() if d.hidden}
            for row in sheet.iter_rows():
                for c in row:
                    if get_column_letter(c.column) in hidden:
                        continue
                    for shown in (c.value, c.comment.text if c.comment else None):
                        assert not raw_code_in(str(shown or "")), (sheet.title, c.coordinate, shown)
        for v in wb["Plan"].data_validations.dataValidation:
            for shown in (v.prompt, v.error, *str(v.formula1).strip('"').split(",")):
                assert not raw_code_in(str(shown or "")), shown


def test_hostile_text_stays_exact_and_never_becomes_a_formula(render):
    plan = make_plan(hostile=True)
    data = render("xlsx", plan)
    wb = workbook(data)
    values = [c.value for sheet in wb for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    for hostile in HOSTILE_STRINGS:
        assert hostile in values, hostile  # a whole cell, exactly
    rows = plan_rows(wb)
    for m in plan.for_reader("buyer").milestones:
        assert rows[m.id]["Step"].value == plain(m.name)
        assert rows[m.id]["Notes"].value == (plain(m.note) if m.note else None)
    people = {row[2].value for row in wb["People"].iter_rows(min_row=2)}
    assert {HOSTILE_STRINGS[0], HOSTILE_STRINGS[1]} <= people
    # the only formulas are mapgen's own live counts on the Summary (never text from the brief)
    formula_cells = [c for sheet in wb for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert all(c.value.startswith("=COUNTIF(Plan!" if c.parent.title == "Summary" else "=IF(AND(ISNUMBER(Plan!")
               for c in formula_cells)
    assert "=SUM(A1:A9) looks like a formula" in values
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for name in package.namelist():
            if name.startswith("xl/worksheets/"):  # mapgen's own formulas only: none holds the brief's text
                formulas = re.findall(r"<f>(.*?)</f>", package.read(name).decode())
                assert all(f.startswith("COUNTIF(Plan!") or f.startswith("IF(AND(ISNUMBER(Plan!") for f in formulas), formulas


def test_control_characters_never_make_an_invalid_file(render):
    from dataclasses import replace

    plan = make_plan()
    first = plan.milestones[0]
    broken = replace(plan, milestones=(replace(first, name="Bell\x07 escape\x1b gone", note="=cmd|'/c calc'!A1"),)
                     + plan.milestones[1:])
    wb = workbook(render("xlsx", broken))
    rows = plan_rows(wb)
    assert rows[first.id]["Step"].value == "Bell escape gone"
    assert rows[first.id]["Notes"].value == "=cmd|'/c calc'!A1" and rows[first.id]["Notes"].data_type == "s"


@pytest.mark.parametrize("text", ["+1 for the plan", "-5 days of slack", "@champion to confirm", "=1+1"])
def test_text_that_a_spreadsheet_would_evaluate_stays_text(render, text):
    from dataclasses import replace

    plan = make_plan()
    first = plan.milestones[0]
    plan = replace(plan, milestones=(replace(first, note=text),) + plan.milestones[1:])
    data = render("xlsx", plan)
    note = plan_rows(workbook(data))[first.id]["Notes"]
    assert note.value == text and note.data_type == "s"
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert "<f>" not in package.read("xl/worksheets/sheet2.xml").decode()  # the Plan sheet


def test_internal_steps_only_when_asked_for(render):
    plan = make_plan()
    internal = next(m for m in plan.milestones if m.internal)
    assert internal.id not in plan_rows(workbook(render("xlsx", plan)))
    assert internal.id in plan_rows(workbook(render("xlsx", plan, audience="internal")))
    # what a step waits for goes through the hidden steps to the shown ones
    follower = next(m for m in plan.milestones if internal.id in m.after)
    for audience in ("buyer", "internal"):
        rows = plan_rows(workbook(render("xlsx", plan, audience=audience)))
        reader = plan.for_reader(audience)
        for m in reader.milestones:
            assert (rows[m.id]["Waits for"].value or "") == ", ".join(map(str, reader.waits_for(m)))
        follows = reader.by_id[follower.id]
        assert (internal.number in reader.waits_for(follows)) is (audience == "internal")
        # through the hidden step: the buyer's plan waits for what the internal step waited for
        if audience == "buyer":
            assert set(follows.after) >= {i for i in internal.after if not plan.by_id[i].internal}


def test_same_plan_gives_the_same_bytes(render, tmp_path):
    assert render("xlsx", make_plan()) == render("xlsx", make_plan())
    # notes (holidays, pinned dates, computed columns), merged cells, a blocked step
    brief = tmp_path / "week.yaml"
    brief.write_text(GENERATED["enterprise-week-into-the-deal"], encoding="utf-8")
    assert render("xlsx", build_plan(brief)) == render("xlsx", build_plan(brief))


@pytest.mark.slow
def test_thousands_of_steps_render(render):
    plan = make_plan(3000, span_days=365)  # a year-long plan: the scheduler's work stays small
    wb = load_workbook(io.BytesIO(render("xlsx", plan)), read_only=True)
    assert sum(1 for _ in wb["Plan"].iter_rows(values_only=True)) == len(plan.for_reader("buyer").milestones) + 1


def test_every_font_names_its_face_and_size(example_books):
    """An unnamed font is not "the default": LibreOffice draws it in its own serif face."""
    path, _ = example_books["acme-enterprise"]
    with zipfile.ZipFile(path) as package:
        styles = package.read("xl/styles.xml").decode()
    fonts = styles.split("<fonts", 1)[1].split("</fonts>", 1)[0].split("<font>")[1:]
    assert fonts and all("<name val=" in f and "<sz val=" in f for f in fonts), fonts


def test_text_beside_a_date_is_kept_apart(example_books):
    path, _ = example_books["acme-enterprise"]
    wb = workbook(path.read_bytes())
    # an indent counts only with an explicit left alignment (Excel and LibreOffice ignore it on "general")
    indented = [row[0].alignment for row in wb["Plan"].iter_rows(min_row=2, min_col=12, max_col=13)]
    summary = sheet_rows(wb, "Summary")
    indented.append(summary["Signature"][3].alignment)
    assert all(a.indent >= 1 and a.horizontal == "left" for a in indented)


def test_long_text_wraps_within_excels_row_limit(render):
    plan = make_plan(40, long_names=True)
    wb = workbook(render("xlsx", plan))
    for title in ("Plan", "Timeline"):
        heights = [d.height for d in wb[title].row_dimensions.values() if d.height]
        assert heights and max(heights) <= 409, title  # Excel's limit for a row
    timeline = wb["Timeline"]
    names = [row[1] for row in timeline.iter_rows(min_row=3, max_row=len(plan.for_reader("buyer").milestones) + 2)]
    # a name that does not fit wraps in its own column: it never spills across the week bars
    assert all(c.alignment.wrap_text for c in names)
    assert timeline.column_dimensions["B"].width <= 60


def test_a_target_on_a_non_working_day_keeps_the_briefs_date_in_view(render, tmp_path):
    brief = tmp_path / "weekend.yaml"
    brief.write_text(GENERATED["enterprise-closed-weekend-target"], encoding="utf-8")
    plan = build_plan(brief)
    assert plan.signature.requested == dt.date(2027, 1, 31) and plan.signature.target == dt.date(2027, 1, 29)
    wb = workbook(render("xlsx", plan))
    target, _, outlook = sheet_rows(wb, "Summary")["Signature"][1:4]
    assert target.value.date() == dt.date(2027, 1, 29)
    assert outlook.value.endswith("the brief's Sun 31 Jan 2027 is not a working day")
    assert wb["Timeline"]["B4"].value.startswith(
        "Signature: target Fri 29 Jan 2027 (the brief's Sun 31 Jan 2027 is not a working day)")

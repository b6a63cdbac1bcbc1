"""The Excel tracker, reopened with openpyxl and converted by LibreOffice."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from mapgen.markup import plain
from mapgen.pipeline import build_plan
from mapgen.plan import STATUSES
from mapgen.testing import HOSTILE_STRINGS, make_plan
from tests.office import convert_to_pdf

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


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


@pytest.fixture(scope="module")
def example_books(tmp_path_factory):  # type: ignore[no-untyped-def]
    from mapgen.cli import main

    out = tmp_path_factory.mktemp("books")
    with pytest.raises(SystemExit) as exit_info:
        main(["generate", *map(str, EXAMPLES), "-f", "xlsx", "-o", str(out)])
    assert exit_info.value.code == 0
    return {p.stem: (out / f"{p.stem}.xlsx", build_plan(p)) for p in EXAMPLES}


def test_every_example_converts_with_libreoffice(example_books):
    for path, _ in example_books.values():
        assert convert_to_pdf(path).stat().st_size > 5_000


def test_every_step_has_real_date_cells_equal_to_the_plan(example_books):
    for path, plan in example_books.values():
        wb = workbook(path.read_bytes())
        assert wb.sheetnames == ["Plan", "Timeline", "People", "Risks", "Summary"]
        rows = plan_rows(wb)
        assert list(rows) == [m.id for m in plan.visible()]
        for m in plan.visible():
            record = rows[m.id]
            for column, expected in (("Start", m.start), ("Due", m.due)):
                c = record[column]
                assert c.is_date and c.value.date() == expected, f"{path.name}: {m.id} {column}"
            assert record["Status"].value == m.status and record["Step"].value == plain(m.name)
            assert record["Slack (days)"].value == m.slack
            assert record["Critical"].value == ("Yes" if m.critical else "No")


def test_a_tracker_people_work_in(example_books):
    path, plan = example_books["acme-enterprise"]
    sheet = workbook(path.read_bytes())["Plan"]
    assert sheet.freeze_panes == "D2"
    assert sheet.column_dimensions["L"].hidden  # the step ids, for reading edits back later
    table = sheet.tables["PlanSteps"]
    assert table.ref == f"A1:L{len(plan.visible()) + 1}" and table.autoFilter is not None
    validations = sheet.data_validations.dataValidation
    assert len(validations) == 1
    assert validations[0].type == "list" and validations[0].formula1 == '"' + ",".join(STATUSES) + '"'
    assert str(validations[0].sqref) == f"H2:H{len(plan.visible()) + 1}"
    formulas = [rule.formula[0] for rules in sheet.conditional_formatting for rule in rules.rules]
    assert 'AND($G2<TODAY(),$H2<>"done")' in formulas  # late: evaluated when the file is opened
    assert '$H2="done"' in formulas and '$J2="Yes"' in formulas
    late_rule = next(rule for rules in sheet.conditional_formatting for rule in rules.rules
                     if "TODAY()" in rule.formula[0])
    assert late_rule.dxf.fill is not None  # a colour applied by the rule, not baked into cells
    assert all(c.fill.fgColor.rgb in (None, "00000000") for row in sheet.iter_rows(min_row=2) for c in row)


def test_timeline_people_risks_and_summary(example_books):
    path, plan = example_books["globex-late"]
    wb = workbook(path.read_bytes())
    timeline = wb["Timeline"]
    weeks = [c.value for c in timeline[1][2:]]
    assert all(isinstance(w, dt.datetime) and w.weekday() == 0 for w in weeks)
    marks = {c.value for c in timeline[2][2:] if c.value}
    assert {"Today", "Signature", "Go-live"} <= marks
    filled = sum(1 for row in timeline.iter_rows(min_row=3) for c in row[2:] if c.fill.fgColor.rgb not in (None, "00000000"))
    assert filled >= len(plan.visible())
    people = [[c.value for c in row] for row in wb["People"].iter_rows(min_row=2)]
    assert {p[2] for p in people} >= {p.name for p in plan.people("buyer") + plan.people("seller")}
    risks = [[c.value for c in row] for row in wb["Risks"].iter_rows(min_row=2)]
    assert [r[0] for r in risks] == [plain(r.risk) for r in plan.risks]
    summary = {row[0].value: row for row in wb["Summary"].iter_rows() if row and row[0].value}
    assert summary["Signature"][1].value.date() == plan.signature.target
    assert summary["Signature"][2].value.date() == plan.signature.earliest
    assert summary["Feasible"][1].value == "No"
    assert wb.properties.title == plan.title
    assert wb.properties.created.date() == plan.today


def test_hostile_text_stays_exact_and_never_becomes_a_formula(render):
    plan = make_plan(hostile=True)
    data = render("xlsx", plan)
    wb = workbook(data)
    values = [c.value for sheet in wb for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    for hostile in HOSTILE_STRINGS:
        assert hostile in values, hostile  # a whole cell, exactly
    rows = plan_rows(wb)
    for m in plan.visible():
        assert rows[m.id]["Step"].value == plain(m.name)
        assert rows[m.id]["Notes"].value == (plain(m.note) if m.note else None)
    people = {row[2].value for row in wb["People"].iter_rows(min_row=2)}
    assert {HOSTILE_STRINGS[0], HOSTILE_STRINGS[1]} <= people
    formula_cells = [c for sheet in wb for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert formula_cells == []
    assert "=SUM(A1:A9) looks like a formula" in values
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for name in package.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in package.read(name).decode()


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
        assert "<f>" not in package.read("xl/worksheets/sheet1.xml").decode()


def test_internal_steps_only_when_asked_for(render):
    plan = make_plan()
    internal = next(m for m in plan.milestones if m.internal)
    assert internal.id not in plan_rows(workbook(render("xlsx", plan)))
    assert internal.id in plan_rows(workbook(render("xlsx", plan, include_internal=True)))


def test_same_plan_gives_the_same_bytes(render):
    assert render("xlsx", make_plan()) == render("xlsx", make_plan())


def test_thousands_of_steps_render(render):
    plan = make_plan(3000, span_days=365)  # a year-long plan: the scheduler's work stays small
    wb = load_workbook(io.BytesIO(render("xlsx", plan)), read_only=True)
    assert sum(1 for _ in wb["Plan"].iter_rows(values_only=True)) == len(plan.visible()) + 1


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
    indented = [row[0].alignment for row in wb["Plan"].iter_rows(min_row=2, min_col=8, max_col=8)]
    summary = {row[0].value: row for row in wb["Summary"].iter_rows() if row and row[0].value}
    indented.append(summary["Signature"][3].alignment)
    assert all(a.indent >= 1 and a.horizontal == "left" for a in indented)


def test_long_text_wraps_within_excels_row_limit(render):
    plan = make_plan(40, long_names=True)
    wb = workbook(render("xlsx", plan))
    for title in ("Plan", "Timeline"):
        heights = [d.height for d in wb[title].row_dimensions.values() if d.height]
        assert heights and max(heights) <= 409, title  # Excel's limit for a row
    timeline = wb["Timeline"]
    names = [row[1] for row in timeline.iter_rows(min_row=3, max_row=len(plan.visible()) + 2)]
    # a name that does not fit wraps in its own column: it never spills across the week bars
    assert all(c.alignment.wrap_text for c in names)
    assert timeline.column_dimensions["B"].width <= 60

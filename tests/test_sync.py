"""`mapgen sync`: the buyer's tracker read back into the brief (issue 11), over three weeks of a deal."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from mapgen.cli import main
from mapgen.sync import CellError, read_date, read_status
from tests.office import convert

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def mapgen(capsys, *args: object) -> tuple[int, str, str]:
    try:
        main([str(a) for a in args])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def edit(path: Path, changes: dict[str, dict[str, object]], out: Path | None = None) -> Path:
    """Set cells of the Plan sheet by step id and column heading, as a buyer would in Excel."""
    wb = load_workbook(path)
    ws = wb["Plan"]
    heading = {c.value: c.column for c in ws[1]}
    for row in ws.iter_rows(min_row=2):
        step = row[heading["Step id"] - 1].value
        for column, value in changes.get(step, {}).items():
            row[heading[column] - 1].value = value
    wb.save(out or path)
    return out or path


def plan_json(capsys, brief: Path, today: str) -> dict:
    code, out, err = mapgen(capsys, "plan", brief, "--json", "--today", today)
    assert code == 0, err
    return {m["id"]: m for m in json.loads(out)["milestones"]}


def changed_lines(old: str, new: str) -> tuple[list[str], list[str]]:
    removed, added = [], []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, old.splitlines(), new.splitlines()).get_opcodes():
        if op != "equal":
            removed += old.splitlines()[a1:a2]
            added += new.splitlines()[b1:b2]
    return removed, added


def assert_only_steps_changed(old: str, new: str, steps: set[str]) -> None:
    """Every line outside the changed steps' own lines is byte for byte what it was (comments included)."""
    removed, added = changed_lines(old, new)
    for line in removed + added:
        assert any(re.search(rf"\b{s}\b", line) for s in steps) or line.strip() == "milestones:", line
    assert [l for l in old.splitlines() if l.lstrip().startswith("#")] == \
        [l for l in new.splitlines() if l.lstrip().startswith("#")]


def generate(capsys, brief: Path, out: Path, today: str) -> Path:
    code, _, err = mapgen(capsys, "generate", brief, "-o", out, "-f", "xlsx", "--today", today, "-q")
    assert code == 0, err
    return out / (brief.stem + ".xlsx")


@pytest.mark.slow
def test_three_weeks_of_a_deal(tmp_path, capsys):
    brief = tmp_path / "acme.yaml"
    shutil.copy(EXAMPLES / "acme-enterprise.yaml", brief)
    brief.chmod(0o640)
    tracker = generate(capsys, brief, tmp_path / "week0", "2026-11-02")

    # week 1: the buyer marks the questionnaire done (a date cell), starts SSO design (a text date), adds a note
    original = brief.read_text()
    edit(tracker, {"security_questionnaire": {"Status": "Done", "Done on": dt.datetime(2026, 11, 6)},
                   "sso_design": {"Status": "In progress", "Started": "5 Nov 2026", "Notes": "Draft with Priya"},
                   "success_criteria": {"Notes": "Criteria agreed, waiting on sign-off"}})
    code, out, err = mapgen(capsys, "sync", tracker, brief, "--today", "2026-11-09", "--dry-run")
    assert code == 0, err
    assert brief.read_text() == original  # a dry run writes nothing
    assert f"{brief}: milestones.security_questionnaire.status: in_progress -> done" in out.splitlines()
    code, out2, err = mapgen(capsys, "sync", tracker, brief, "--today", "2026-11-09")
    assert code == 0, err
    assert out.splitlines()[:-1] == out2.splitlines()
    assert len(out2.splitlines()) == 6  # one line per change
    week1 = brief.read_text()
    assert_only_steps_changed(original, week1, {"security_questionnaire", "sso_design", "success_criteria"})
    assert "security_questionnaire: {status: done, done: 2026-11-06, note:" in week1
    assert oct(brief.stat().st_mode & 0o777) == oct(0o640)  # the file keeps its mode
    steps = plan_json(capsys, brief, "2026-11-09")
    assert steps["security_questionnaire"]["status"] == "done"
    assert steps["security_questionnaire"]["actual_done"] == "2026-11-06"
    assert steps["sso_design"]["status"] == "in_progress" and steps["sso_design"]["actual_start"] == "2026-11-05"
    assert steps["success_criteria"]["note"] == "Criteria agreed, waiting on sign-off"
    # syncing the same tracker again changes nothing
    code, out, _ = mapgen(capsys, "sync", tracker, brief, "--today", "2026-11-09")
    assert code == 0 and out.strip() == f"{brief}: no changes" and brief.read_text() == week1

    # week 2: the regenerated tracker, edited, then saved again by LibreOffice before it comes back
    tracker = generate(capsys, brief, tmp_path / "week1", "2026-11-16")
    edit(tracker, {"success_criteria": {"Status": "Done", "Done on": "11/13/2026"},
                   "sso_design": {"Status": "Done", "Done on": dt.datetime(2026, 11, 12)}})
    resaved = convert(tracker, "xlsx", tmp_path / "resaved")
    code, out, err = mapgen(capsys, "sync", resaved, brief, "--today", "2026-11-16")
    assert code == 0, err
    week2 = brief.read_text()
    assert_only_steps_changed(week1, week2, {"success_criteria", "sso_design"})
    steps = plan_json(capsys, brief, "2026-11-16")
    assert steps["success_criteria"]["actual_done"] == "2026-11-13"
    assert steps["sso_design"]["status"] == "done" and steps["sso_design"]["actual_done"] == "2026-11-12"
    assert len(out.splitlines()) == 4, out

    # week 3: a serial-number date (Excel without a date format), a status back to not started with a note
    tracker = generate(capsys, brief, tmp_path / "week2", "2026-11-23")
    serial = (dt.date(2026, 11, 18) - dt.date(1899, 12, 30)).days
    edit(tracker, {"technical_validation": {"Status": "In progress", "Started": serial},
                   "legal_review": {"Status": "Blocked", "Notes": "Waiting for outside counsel: =not a formula"}})
    code, out, err = mapgen(capsys, "sync", tracker, brief, "--today", "2026-11-23")
    assert code == 0, err
    week3 = brief.read_text()
    assert_only_steps_changed(week2, week3, {"technical_validation", "legal_review"})
    steps = plan_json(capsys, brief, "2026-11-23")
    assert steps["technical_validation"]["actual_start"] == "2026-11-18"
    assert steps["legal_review"]["status"] == "blocked"
    assert steps["legal_review"]["note"] == "Waiting for outside counsel: =not a formula"
    # the regenerated tracker shows what the buyer entered
    tracker = generate(capsys, brief, tmp_path / "week3", "2026-11-23")
    ws = load_workbook(tracker)["Plan"]
    heading = {c.value: c.column - 1 for c in ws[1]}
    rows = {r[heading["Step id"]].value: r for r in ws.iter_rows(min_row=2)}
    assert rows["legal_review"][heading["Status"]].value == "Blocked"
    assert rows["sso_design"][heading["Done on"]].value == dt.datetime(2026, 11, 12)
    assert rows["technical_validation"][heading["Started"]].value == dt.datetime(2026, 11, 18)
    # and the whole brief is still the example with only those steps' lines changed
    assert_only_steps_changed(original, week3, {"security_questionnaire", "sso_design", "success_criteria",
                                                "technical_validation", "legal_review"})

    # the weekly check-in: regenerate with last week's plan as the baseline, and the slip report
    week2_json = tmp_path / "week2.json"  # what the plan said a week ago: that brief, that day
    (tmp_path / "week2-brief.yaml").write_text(week2, encoding="utf-8")
    code, out, err = mapgen(capsys, "plan", tmp_path / "week2-brief.yaml", "--json", "--today", "2026-11-16")
    assert code == 0, err
    week2_json.write_text(out, encoding="utf-8")
    code, _, err = mapgen(capsys, "generate", brief, "-o", tmp_path / "checkin", "-f", "md,json", "--today",
                          "2026-11-23", "--baseline", week2_json, "-q")
    assert code == 0, err
    old_plan = json.loads(week2_json.read_text(encoding="utf-8"))
    new_plan = json.loads((tmp_path / "checkin" / "acme.json").read_text(encoding="utf-8"))
    old_dates = {m["id"]: (m["start"], m["due"]) for m in old_plan["milestones"]}
    moved = {m["id"] for m in new_plan["milestones"]  # what the buyer reads: internal steps are not reported
             if not m["internal"] and m["id"] in old_dates and (m["start"], m["due"]) != old_dates[m["id"]]}
    code, out, err = mapgen(capsys, "diff", week2_json, tmp_path / "checkin" / "acme.json", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert {m["id"] for m in report["moved"]} == moved  # exactly the steps that moved, checked on the JSONs
    assert moved  # three weeks of real edits move something
    signature = report["signature"]
    assert (signature["old"]["forecast"], signature["new"]["forecast"]) == (
        old_plan["signature"]["forecast"], new_plan["signature"]["forecast"])  # the change in forecast signature
    section = (tmp_path / "checkin" / "acme.md").read_text(encoding="utf-8").split("## What changed since", 1)[1]
    names = {m["id"]: m["name"] for m in new_plan["milestones"]}
    for step in moved:
        assert names[step].replace("**", "") in section.replace("**", ""), step


@pytest.fixture(scope="module")
def tracked(tmp_path_factory):
    """A brief and its tracker, generated once; each bad edit works on copies."""
    folder = tmp_path_factory.mktemp("tracked")
    brief = folder / "acme.yaml"
    shutil.copy(EXAMPLES / "acme-enterprise.yaml", brief)
    main_exit = None
    try:
        main(["generate", str(brief), "-o", str(folder), "-f", "xlsx", "-q"])
    except SystemExit as exc:
        main_exit = exc.code
    assert main_exit in (0, None)
    return brief, folder / "acme.xlsx"


def cell_of(tracker: Path, step: str, column: str) -> str:
    from openpyxl.utils import get_column_letter

    ws = load_workbook(tracker)["Plan"]
    heading = {c.value: c.column for c in ws[1]}
    for row in ws.iter_rows(min_row=2):
        if row[heading["Step id"] - 1].value == step:
            return f"{get_column_letter(heading[column])}{row[0].row}"
    raise AssertionError(step)


BAD_EDITS = {
    "an unknown status word": ({"legal_review": {"Status": "Finished"}}, "legal_review", "Status",
                               "'Finished' is not a status: use Not started, In progress, Done or Blocked"),
    "a text in a date cell": ({"legal_review": {"Status": "Done", "Done on": "next week"}}, "legal_review",
                              "Done on", "'next week' is not a date"),
    "an ambiguous date": ({"legal_review": {"Status": "Done", "Done on": "03/04/2026"}}, "legal_review",
                          "Done on", "'03/04/2026' is ambiguous"),
    "a done date in the future": ({"legal_review": {"Status": "Done", "Done on": dt.datetime(2026, 11, 20)}},
                                  "legal_review", "Done on", "done on 2026-11-20, after today (2026-11-02)"),
    "a started date in the future": ({"legal_review": {"Status": "In progress", "Started": "2026-12-01"}},
                                     "legal_review", "Started", "after today"),
    "done without a date": ({"legal_review": {"Status": "Done"}}, "legal_review", "Done on", "no Done on date"),
    "a deleted id": ({"legal_review": {"Step id": None}}, "legal_review", "Step id", "this row has no step id"),
    "an edited id": ({"legal_review": {"Step id": "legal_reveiw"}}, "legal_review", "Step id",
                     "no step 'legal_reveiw' in this brief's plan"),
    "a duplicated id": ({"procurement": {"Step id": "legal_review"}}, "procurement", "Step id",
                        "step id 'legal_review' is also on row"),
}


@pytest.mark.parametrize("case", list(BAD_EDITS))
def test_a_bad_edit_is_a_located_error_and_the_brief_is_untouched(case, tracked, tmp_path, capsys):
    brief, source = tracked
    changes, step, column, message = BAD_EDITS[case]
    where = cell_of(source, step, column)
    tracker = edit(source, changes, tmp_path / "tracker.xlsx")
    before = brief.read_bytes()
    code, out, err = mapgen(capsys, "sync", tracker, brief)
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"{tracker}:Plan!{where}: error: "), lines[0]
    assert message in lines[0]
    assert brief.read_bytes() == before


def test_a_tracker_of_another_deal_is_refused(tracked, tmp_path, capsys):
    brief, _ = tracked
    other = tmp_path / "globex.yaml"
    shutil.copy(EXAMPLES / "globex-late.yaml", other)
    tracker = generate(capsys, other, tmp_path, "2026-11-02")
    before = brief.read_bytes()
    code, _, err = mapgen(capsys, "sync", tracker, brief)
    assert code == 1 and brief.read_bytes() == before
    assert re.fullmatch(rf"{re.escape(str(tracker))}: error: this tracker is for the deal '.+' \(.+\), not 'Acme "
                        r"warehouse platform' \(Acme Corp\): wrong brief or wrong file\?\n", err), err


def test_every_problem_of_a_tracker_at_once(tracked, tmp_path, capsys):
    brief, source = tracked
    tracker = edit(source, {"legal_review": {"Status": "Finished"}, "procurement": {"Done on": "soon"}},
                   tmp_path / "tracker.xlsx")
    code, _, err = mapgen(capsys, "sync", tracker, brief)
    assert code == 1 and len(err.strip().splitlines()) == 2, err


@pytest.mark.parametrize("value, expected", [
    (dt.datetime(2026, 11, 23), dt.date(2026, 11, 23)), (dt.date(2026, 11, 23), dt.date(2026, 11, 23)),
    (46349, dt.date(2026, 11, 23)), (46349.0, dt.date(2026, 11, 23)), ("2026-11-23", dt.date(2026, 11, 23)),
    ("23 Nov 2026", dt.date(2026, 11, 23)), ("Mon 23 Nov 2026", dt.date(2026, 11, 23)),
    ("November 23, 2026", dt.date(2026, 11, 23)), ("11/23/2026", dt.date(2026, 11, 23)),
    ("23/11/2026", dt.date(2026, 11, 23)), ("5/5/2026", dt.date(2026, 5, 5)), (None, None), ("  ", None)])
def test_dates_a_tracker_may_hold(value, expected):
    assert read_date(value) == expected


@pytest.mark.parametrize("value", ["03/04/2026", "23/11/26", "next week", "31 Feb 2026", 1.5, -3,
                                   dt.datetime(2026, 11, 23, 14, 30), True])
def test_dates_that_are_refused(value):
    with pytest.raises(CellError):
        read_date(value)


def test_status_words():
    assert [read_status(w) for w in ("Not started", "in progress", " DONE ", "Blocked", "in_progress")] == \
        ["not_started", "in_progress", "done", "blocked", "in_progress"]
    with pytest.raises(CellError, match="no status"):
        read_status(None)


@pytest.mark.parametrize("milestones", ["", "milestones:\n  security_review:\n    duration: 4w  # agreed\n"])
def test_a_brief_without_milestone_facts_gets_them_in_its_style(milestones, tmp_path, capsys):
    text = (EXAMPLES / "acme-enterprise.yaml").read_text()
    start, end = text.index("milestones:\n"), text.index("add:\n")
    brief = tmp_path / "acme.yaml"
    brief.write_text(text[:start] + milestones + text[end:])
    original = brief.read_text()
    tracker = generate(capsys, brief, tmp_path, "2026-11-02")
    edit(tracker, {"legal_review": {"Status": "Blocked"}, "security_review": {"Notes": "Queue is long"}})
    code, out, err = mapgen(capsys, "sync", tracker, brief)
    assert code == 0, err
    new = brief.read_text()
    assert_only_steps_changed(original, new, {"legal_review", "security_review", "Queue is long", "status: blocked"})
    assert new.index("milestones:") < new.index("add:")
    steps = plan_json(capsys, brief, "2026-11-02")
    assert steps["legal_review"]["status"] == "blocked" and steps["security_review"]["note"] == "Queue is long"
    if "duration: 4w  # agreed" in milestones:  # a block-style entry stays block style, its comment kept
        assert "    duration: 4w  # agreed\n    note: Queue is long\n" in new


def test_a_tracker_without_the_started_column_still_syncs(tracked, tmp_path, capsys):
    """Trackers made before the Started column (or with it deleted) read the rest."""
    brief, source = tracked
    wb = load_workbook(source)
    ws = wb["Plan"]
    started = next(c.column for c in ws[1] if c.value == "Started")
    ws.delete_cols(started)
    wb.save(tmp_path / "old.xlsx")
    tracker = edit(tmp_path / "old.xlsx", {"legal_review": {"Status": "In progress"}})
    before = brief.read_text()
    code, out, err = mapgen(capsys, "sync", tracker, brief, "--dry-run")
    assert code == 0, err
    assert out.splitlines()[0] == f"{brief}: milestones.legal_review.status: not_started -> in_progress"
    assert brief.read_text() == before


def test_what_is_not_a_tracker(tracked, tmp_path, capsys):
    from openpyxl import Workbook

    brief, _ = tracked
    text = tmp_path / "notes.xlsx"
    text.write_text("hello")
    other = tmp_path / "budget.xlsx"
    Workbook().save(other)
    for path, message in ((text, "not an Excel workbook (.xlsx): not a zip file"),
                          (brief, "not an Excel workbook (.xlsx): not a zip file"),
                          (other, "not a tracker mapgen wrote (it has no deal stamp)")):
        before = brief.read_bytes()
        code, _, err = mapgen(capsys, "sync", path, brief)
        assert code == 1 and err.startswith(f"{path}: error: {message}") and len(err.splitlines()) == 1, err
        assert brief.read_bytes() == before


def test_a_renamed_brief_of_the_same_deal_is_a_warning(tracked, tmp_path, capsys):
    brief, tracker = tracked
    renamed = tmp_path / "acme-renamed.yaml"
    shutil.copy(brief, renamed)
    code, out, err = mapgen(capsys, "sync", tracker, renamed)
    assert code == 0 and out == f"{renamed}: no changes\n"
    assert err == f"{tracker}: warning: made from the brief 'acme.yaml', read into 'acme-renamed.yaml' " \
                  "(the same deal: renamed?)\n"


def test_a_step_can_go_back(tracked, tmp_path, capsys):
    brief, source = tracked
    work = tmp_path / "acme.yaml"
    shutil.copy(brief, work)
    tracker = edit(source, {"discovery_recap": {"Status": "In progress", "Done on": None, "Started": None},
                            "security_questionnaire": {"Status": "Not started"}}, tmp_path / "acme.xlsx")
    code, out, err = mapgen(capsys, "sync", tracker, work)
    assert code == 0, err
    assert out.splitlines() == [f"{work}: milestones.discovery_recap.status: done -> in_progress",
                                f"{work}: milestones.discovery_recap.done: 2026-10-23 -> (none)",
                                f"{work}: milestones.security_questionnaire.status: in_progress -> not_started"]
    text = work.read_text()
    assert "  discovery_recap: {status: in_progress}\n" in text
    assert "  security_questionnaire: {status: not_started, note:" in text

"""The slip report (issue 11 part 1): `mapgen diff` and `mapgen generate --baseline`, on real files."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DAY_ONE = ROOT / "examples" / "acme-enterprise.yaml"
WEEK_THREE = ROOT / "examples" / "acme-week-three.yaml"
BLOOM = ROOT / "examples" / "bloom-smb.yaml"


@pytest.fixture(scope="module")
def plans(tmp_path_factory) -> dict[str, Path]:
    """The two Acme examples as plan JSON, written by `mapgen generate -f json`."""
    from mapgen.cli import main

    out = tmp_path_factory.mktemp("json")
    with pytest.raises(SystemExit) as exit_:
        main(["generate", str(DAY_ONE), str(WEEK_THREE), "-o", str(out), "-f", "json", "-q"])
    assert exit_.value.code == 0
    return {"old": out / "acme-enterprise.json", "new": out / "acme-week-three.json"}


def _expected(old_json: Path, new_json: Path) -> dict:
    """What moved, worked out independently from the two JSONs: planned dates compared by id, working days
    counted day by day from the NEW JSON's own weekend, holidays and closed periods."""
    old, new = (json.loads(p.read_text(encoding="utf-8")) for p in (old_json, new_json))
    cal = new["calendar"]
    off = set(cal["holidays"])
    for first, last in cal["closed"]:
        day = dt.date.fromisoformat(first)
        while day <= dt.date.fromisoformat(last):
            off.add(day.isoformat())
            day += dt.timedelta(days=1)
    codes = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

    def count(a: str, b: str) -> int:  # working days in (a, b], negative when b is earlier
        lo, hi = sorted((dt.date.fromisoformat(a), dt.date.fromisoformat(b)))
        days = [lo + dt.timedelta(days=n) for n in range(1, (hi - lo).days + 1)]
        n = sum(1 for d in days if codes[d.weekday()] not in cal["weekend"] and d.isoformat() not in off)
        return n if b >= a else -n

    before = {m["id"]: m for m in old["milestones"] if not m["internal"]}
    moved = {m["id"]: count(before[m["id"]]["due"], m["due"]) for m in new["milestones"]
             if not m["internal"] and m["id"] in before
             and (before[m["id"]]["start"], before[m["id"]]["due"]) != (m["start"], m["due"])}
    return {"moved": moved,
            "signature": (old["signature"]["forecast"], new["signature"]["forecast"],
                          count(old["signature"]["forecast"], new["signature"]["forecast"])),
            "go_live": (old["go_live"]["forecast"], new["go_live"]["forecast"],
                        count(old["go_live"]["forecast"], new["go_live"]["forecast"]))}


def test_diff_json_of_the_two_examples_names_exactly_what_moved(plans, mapgen_cli) -> None:
    expected = _expected(plans["old"], plans["new"])
    result = mapgen_cli("diff", plans["old"], plans["new"], "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert {m["id"]: m["days"] for m in data["moved"]} == expected["moved"]
    assert expected["moved"]["kickoff"] == 4  # the closed days over new year are not working days
    sig = data["signature"]
    assert (sig["old"]["forecast"], sig["new"]["forecast"], sig["forecast_days"]) == expected["signature"]
    assert expected["signature"] == ("2026-12-17", "2026-12-18", 1)
    live = data["go_live"]
    assert (live["old"]["forecast"], live["new"]["forecast"], live["forecast_days"]) == expected["go_live"]
    assert "Contract terms and redlines agreed" in sig["why"]  # the new drivers explain the new forecast
    # the buyer's view (the default audience) names only customer-facing drivers; the JSON has them all
    full = json.loads(plans["new"].read_text())
    internal = {m["id"] for m in full["milestones"] if m["internal"]}
    assert sig["new"]["drivers"] == [i for i in full["signature"]["drivers"] if i not in internal]


def test_diff_json_shape(plans, mapgen_cli) -> None:
    data = json.loads(mapgen_cli("diff", plans["old"], plans["new"], "--json").out)
    assert set(data) == {"schema", "old_today", "new_today", "empty", "signature", "go_live", "moved", "states",
                         "added", "removed", "renamed", "owners"}
    assert (data["schema"], data["old_today"], data["new_today"], data["empty"]) == (1, "2026-11-02", "2026-11-23",
                                                                                     False)
    move = next(m for m in data["moved"] if m["id"] == "security_review")
    assert move == {"id": "security_review", "name": "Security review completed and approved", "days": 2,
                    "start_days": 2, "old": {"start": "2026-11-12", "due": "2026-12-10"},
                    "new": {"start": "2026-11-16", "due": "2026-12-14"}}
    assert set(data["signature"]) == {"old", "new", "forecast_days", "changed", "why"}
    assert set(data["signature"]["old"]) == {"target", "planned", "forecast", "feasible", "drivers"}
    legal = next(s for s in data["states"] if s["id"] == "legal_review")
    assert (legal["old"], legal["new"], legal["new_status"]) == ("on_track", "blocked", "blocked")


def test_a_brief_side_is_planned_like_its_json(plans, mapgen_cli) -> None:
    from_json = json.loads(mapgen_cli("diff", plans["old"], plans["new"], "--json").out)
    from_brief = json.loads(mapgen_cli("diff", plans["old"], WEEK_THREE, "--json").out)
    both_briefs = json.loads(mapgen_cli("diff", DAY_ONE, WEEK_THREE, "--json").out)
    assert from_json == from_brief == both_briefs


def test_same_plan_is_empty(plans, mapgen_cli) -> None:
    result = mapgen_cli("diff", plans["new"], WEEK_THREE, "--json")
    assert json.loads(result.out)["empty"] is True
    assert "Nothing moved" in mapgen_cli("diff", plans["new"], WEEK_THREE).out


def test_terminal_output_reads_at_a_glance(plans, mapgen_cli, monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    result = mapgen_cli("diff", plans["old"], plans["new"])
    assert result.code == 0, result.err
    assert "\x1b[" not in result.out
    lines = result.out.splitlines()
    assert lines[0] == "What changed since Mon 2 Nov 2026 (2026-11-02 → 2026-11-23)"
    assert any(re.match(r"signature: +forecast 2026-12-17 → 2026-12-18 +\+1 d", line) for line in lines)
    assert any("+4 d  Project kickoff with both teams" in line and "due 2026-12-21 → 2027-01-05" in line
               for line in lines)
    assert "Contract terms and redlines agreed: On track → Blocked" in result.out


def test_md_renders_as_gfm(plans, mapgen_cli) -> None:
    from markdown_it import MarkdownIt

    text = mapgen_cli("diff", plans["old"], plans["new"], "--md").out
    html = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).render(text)
    assert "<h2>What changed since Mon 2 Nov 2026</h2>" in html
    assert html.count("<table>") == 2
    assert "<td>Project kickoff with both teams</td>" in html and "<td>+4 d</td>" in html
    assert "|" not in re.sub(r"<[^>]+>", "", html)  # every table row parsed as a table


def test_json_and_md_together_are_a_usage_error(plans, mapgen_cli) -> None:
    assert mapgen_cli("diff", plans["old"], plans["new"], "--json", "--md").code == 2


def test_a_file_that_is_not_a_plan_is_one_located_error(tmp_path: Path, mapgen_cli) -> None:
    bad = tmp_path / "old.json"
    bad.write_text('{"schema": 1}', encoding="utf-8")
    result = mapgen_cli("diff", bad, WEEK_THREE)
    assert result.code == 1
    assert result.errors == [f"{bad}: error: not a plan JSON of schema 2 (schema: 1); write one with "
                             "`mapgen generate -f json` or `mapgen plan --json`"]


def _brief(tmp_path: Path, name: str, edit) -> Path:
    text = edit(BLOOM.read_text(encoding="utf-8"))
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_renamed_added_removed_and_owner_changes(tmp_path: Path, mapgen_cli) -> None:
    old = _brief(tmp_path, "old.yaml", lambda t: t.replace(
        "  discovery_call: {status: done, done: 2026-10-29}\n",
        "  discovery_call: {status: done, done: 2026-10-29}\n  value_review: {skip: true}\n"))
    new = _brief(tmp_path, "new.yaml", lambda t: t.replace(
        "  discovery_call: {status: done, done: 2026-10-29}\n",
        "  discovery_call: {status: done, done: 2026-10-29}\n  proposal: {name: Proposal walked through together}\n"
        "  trial: {owner: {seller: Mei Chen}}\n").replace(
        "risks:", "add:\n  - {id: brand_review, name: Brand guidelines shared, workstream: evaluation, duration: 2d, "
                  "before: [proposal]}\nrisks:"))
    result = mapgen_cli("diff", old, new, "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert sorted(a["id"] for a in data["added"]) == ["brand_review", "value_review"]
    assert data["removed"] == []
    assert [r["id"] for r in data["renamed"]] == ["proposal"]
    assert data["renamed"][0]["new"] == "Proposal walked through together"
    assert [(o["id"], o["side"], o["new"]) for o in data["owners"]] == [("trial", "seller", "Mei Chen")]
    back = json.loads(mapgen_cli("diff", new, old, "--json").out)
    assert sorted(r["id"] for r in back["removed"]) == ["brand_review", "value_review"]
    assert back["added"] == []
    md = mapgen_cli("diff", new, old, "--md").out
    assert "- Removed: **Brand guidelines shared**" in md


# -- generate --baseline -------------------------------------------------------------------------

def _text_of(path: Path) -> str:
    """The words a reader sees in a docx, xlsx, pptx or md file."""
    if path.suffix == ".md":
        return path.read_text(encoding="utf-8")
    if path.suffix == ".html":  # the page's text, tags and entities resolved
        import html

        return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))))
    if path.suffix == ".xlsx":  # cell by cell (a long line is broken into rows), with the cells' notes
        import openpyxl

        wb = openpyxl.load_workbook(path)
        return " ".join(f"{c.value} {c.comment.text if c.comment else ''}" for ws in wb for row in ws.iter_rows()
                        for c in row if c.value is not None or c.comment)
    with zipfile.ZipFile(path) as z:
        parts = [n for n in z.namelist() if n.endswith(".xml")]
        words = " ".join(re.sub(r"<[^>]+>", " ", z.read(n).decode("utf-8")) for n in parts)
        return re.sub(r"\s+", " ", words)


@pytest.fixture(scope="module")
def with_baseline(plans, tmp_path_factory) -> dict[str, Path]:
    from mapgen.cli import main

    out = {}
    for name, extra in (("with", ["--baseline", str(plans["old"])]), ("without", []), ("again", ["--baseline",
                                                                                                 str(plans["old"])])):
        folder = tmp_path_factory.mktemp(name)
        with pytest.raises(SystemExit) as exit_:
            main(["generate", str(WEEK_THREE), "-o", str(folder), "-f", "md,docx,xlsx,pptx,html", "-q", *extra])
        assert exit_.value.code == 0
        out[name] = folder
    return out


@pytest.mark.parametrize("suffix", [".md", ".docx", ".xlsx", ".pptx", ".html"])
def test_what_changed_section_in_every_format(with_baseline, suffix: str) -> None:
    text = _text_of(with_baseline["with"] / f"acme-week-three{suffix}")
    assert "What changed since Mon 2 Nov 2026" in text
    assert "Project kickoff with both teams" in text
    assert "Thu 17 Dec 2026 → Fri 18 Dec 2026 (+1 d)" in text  # the forecast signature's change
    assert "moved +4 d" in text or suffix == ".xlsx" and "Moved +4 d" in text or suffix == ".html" and "+4 d" in text
    plain = _text_of(with_baseline["without"] / f"acme-week-three{suffix}")
    assert "What changed" not in plain and "moved +" not in plain.lower()


def test_workbook_has_a_changes_sheet_with_real_dates(with_baseline) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(with_baseline["with"] / "acme-week-three.xlsx")
    assert wb.sheetnames[-1] == "Changes"
    rows = list(wb["Changes"].iter_rows(values_only=True))
    kickoff = next(r for r in rows if r[-1] == "kickoff")
    assert kickoff[1:5] == ("Moved", dt.datetime(2026, 12, 21), dt.datetime(2027, 1, 5), 4)
    plain = openpyxl.load_workbook(with_baseline["without"] / "acme-week-three.xlsx")
    assert "Changes" not in plain.sheetnames


def test_deck_has_a_changes_slide(with_baseline) -> None:
    from pptx import Presentation

    deck = Presentation(str(with_baseline["with"] / "acme-week-three.pptx"))
    titles = [next((s.text_frame.text for s in slide.shapes if s.has_text_frame and s.text_frame.text), "")
              for slide in deck.slides]
    assert titles[2] == "What changed since Mon 2 Nov 2026"
    plain = Presentation(str(with_baseline["without"] / "acme-week-three.pptx"))
    assert len(plain.slides) == len(deck.slides) - 1


@pytest.mark.parametrize("suffix", [".md", ".docx", ".xlsx", ".pptx", ".html"])
def test_byte_identical_with_a_baseline(with_baseline, suffix: str) -> None:
    name = f"acme-week-three{suffix}"
    assert (with_baseline["with"] / name).read_bytes() == (with_baseline["again"] / name).read_bytes()


def test_json_output_is_the_same_with_a_baseline(plans, tmp_path: Path, mapgen_cli) -> None:
    assert mapgen_cli("generate", WEEK_THREE, "-o", tmp_path, "-f", "json", "--baseline", plans["old"]).code == 0
    assert (tmp_path / "acme-week-three.json").read_bytes() == plans["new"].read_bytes()


def test_the_baseline_bytes_are_part_of_the_up_to_date_key(plans, tmp_path: Path, mapgen_cli) -> None:
    baseline = tmp_path / "old.json"
    baseline.write_bytes(plans["old"].read_bytes())
    out = tmp_path / "out"
    first = mapgen_cli("generate", WEEK_THREE, "-o", out, "-f", "md", "--baseline", baseline)
    assert first.code == 0 and "1 written" in first.err
    assert "1 unchanged" in mapgen_cli("generate", WEEK_THREE, "-o", out, "-f", "md", "--baseline", baseline).err
    assert "1 written" in mapgen_cli("generate", WEEK_THREE, "-o", out, "-f", "md").err  # no baseline: rebuilt
    data = json.loads(baseline.read_text(encoding="utf-8"))
    data["signature"]["forecast"] = "2026-12-16"
    baseline.write_text(json.dumps(data), encoding="utf-8")
    again = mapgen_cli("generate", WEEK_THREE, "-o", out, "-f", "md", "--baseline", baseline)
    assert "1 written" in again.err
    assert "Wed 16 Dec 2026 → Fri 18 Dec 2026 (+2 d)" in (out / "acme-week-three.md").read_text(encoding="utf-8")


def test_a_brief_as_baseline(tmp_path: Path, mapgen_cli) -> None:
    result = mapgen_cli("generate", WEEK_THREE, "-o", tmp_path, "-f", "md", "--baseline", DAY_ONE)
    assert result.code == 0, result.err
    assert "## What changed since Mon 2 Nov 2026" in (tmp_path / "acme-week-three.md").read_text(encoding="utf-8")


def test_a_bad_baseline_fails_before_building(tmp_path: Path, mapgen_cli) -> None:
    bad = tmp_path / "old.json"
    bad.write_text("[]", encoding="utf-8")
    result = mapgen_cli("generate", WEEK_THREE, "-o", tmp_path / "out", "--baseline", bad)
    assert result.code == 1 and len(result.errors) == 1 and str(bad) in result.errors[0]
    assert not (tmp_path / "out").exists()


def test_changes_record_is_immutable(plans) -> None:
    import dataclasses

    from mapgen.changes import compare, load_side

    changes = compare(load_side(plans["old"]), load_side(plans["new"]))
    with pytest.raises(dataclasses.FrozenInstanceError):
        changes.moved = ()  # type: ignore[misc]
    assert isinstance(changes.moved, tuple)


def test_terminal_marks_added_and_removed(tmp_path: Path, mapgen_cli, monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    old = _brief(tmp_path, "old.yaml", lambda t: t)
    new = _brief(tmp_path, "new.yaml", lambda t: t.replace("risks:", "add:\n  - {id: brand_review, name: Brand "
                                                             "guidelines | shared, workstream: evaluation, duration: 2d, "
                                                             "before: [proposal]}\nrisks:"))
    out = mapgen_cli("diff", old, new).out
    assert "added (1):\n  + Brand guidelines | shared [brand_review] due " in out
    assert "removed (1):\n  - Brand guidelines | shared [brand_review]" in mapgen_cli("diff", new, old).out
    md = mapgen_cli("diff", new, old, "--md").out
    assert "- Removed: **Brand guidelines \\| shared**" in md


@pytest.mark.slow
def test_the_changes_slide_stays_on_its_slide(tmp_path: Path) -> None:
    """Many changes (another deal as the baseline): the tables end above the footer, whatever does not fit is
    counted on the slide and listed in the speaker notes; LibreOffice lays out one page per slide."""
    from pptx import Presentation

    from mapgen.changes import compare
    from mapgen.formats import RenderContext
    from mapgen.pipeline import build_plan
    from mapgen.plugins import formats
    from tests.office import convert_to_pdf, pdf_pages

    new = build_plan(ROOT / "examples" / "globex-late.yaml")
    plan = dataclasses_replace(new, changes=compare(build_plan(DAY_ONE), new)).for_reader("buyer")
    path = tmp_path / "deck.pptx"
    path.write_bytes(formats()["pptx"].format.render(plan, RenderContext()))
    prs = Presentation(str(path))
    slide = prs.slides[2]
    footer_top = prs.slide_height - 12700 * 40
    for shape in slide.shapes:
        if shape.has_table:
            assert shape.top + shape.height <= footer_top, shape.name
    cells = [c.text for shape in slide.shapes if shape.has_table for row in shape.table.rows for c in row.cells]
    assert any(re.fullmatch(r"and \d+ more: see the speaker notes", c) for c in cells)
    notes = slide.notes_slide.notes_text_frame.text
    assert all(plain_name in notes for plain_name in (m.name for m in plan.changes.moved))
    assert pdf_pages(convert_to_pdf(path)) == len(prs.slides)


def dataclasses_replace(obj, **changes):  # type: ignore[no-untyped-def]
    import dataclasses

    return dataclasses.replace(obj, **changes)


def test_a_brief_in_flow_style_is_a_brief(tmp_path: Path, mapgen_cli) -> None:
    """A .yaml side starting with "{" is still a brief (JSON is YAML), not a plan JSON."""
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(BLOOM.read_text(encoding="utf-8"))
    flow = tmp_path / "flow.yaml"
    flow.write_text(json.dumps(data, default=str), encoding="utf-8")
    result = mapgen_cli("diff", BLOOM, flow, "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["empty"] is True


def test_a_restyled_word_template_gets_the_section_too(plans, tmp_path: Path) -> None:
    """A plan.docx with one heading and no styles of the default's: the section is appended, in plain paragraphs."""
    from docx import Document

    from mapgen.changes import compare, load_side
    from mapgen.formats import RenderContext
    from mapgen.plugins import formats

    template = Document()
    template.add_paragraph("{{ title }}")
    template.save(str(tmp_path / "plan.docx"))
    new = load_side(WEEK_THREE)
    plan = dataclasses_replace(new, changes=compare(load_side(plans["old"]), new))
    data = formats()["docx"].format.render(plan, RenderContext(template_dirs=(tmp_path,)))
    text = [p.text for p in Document(io.BytesIO(data)).paragraphs]
    assert text[0] == "Acme Corp × Northwind: path to launch"
    assert "What changed since Mon 2 Nov 2026" in text
    assert formats()["docx"].format.render(plan, RenderContext(template_dirs=(tmp_path,))) == data

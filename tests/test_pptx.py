"""The deck, reopened with python-pptx and laid out by LibreOffice: what a rep and a buyer would check."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.util import Emu

from mapgen.markup import plain
from mapgen.pipeline import build_plan
from mapgen.testing import HOSTILE_STRINGS, make_plan, plan_from_brief
from mapgen.wording import signers
from tests.office import convert_to_pdf

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
FOOTER_TOP_PT = 540 - 24 - 4  # the footer rule: nothing above the footer may reach it


def deck(data: bytes):  # type: ignore[no-untyped-def]
    return Presentation(io.BytesIO(data))


def shapes(prs):  # type: ignore[no-untyped-def]
    for number, slide in enumerate(prs.slides, 1):
        for shape in slide.shapes:
            yield number, slide, shape


def table_cells(prs) -> list[list[str]]:
    """Every table row on every slide, as the texts a reader sees."""
    rows = []
    for _, _, shape in shapes(prs):
        if shape.has_table:
            for row in shape.table.rows:
                rows.append([cell.text_frame.text.replace("\v", "\n") for cell in row.cells])
    return rows


def all_text(prs) -> str:
    texts = []
    for _, _, shape in shapes(prs):
        if shape.has_text_frame:
            texts.append(shape.text_frame.text)
    return "\n".join(texts + ["\t".join(r) for r in table_cells(prs)]).replace("\v", "\n")


def titles(prs) -> list[str]:
    out = []
    for slide in prs.slides:
        boxes = [s for s in slide.shapes if s.has_text_frame and s.text_frame.text]
        out.append(boxes[0].text_frame.text if boxes else "")
    return out


@pytest.fixture(scope="module")
def example_decks(tmp_path_factory):  # type: ignore[no-untyped-def]
    """Each example brief's deck, written by the real command and converted by LibreOffice."""
    from mapgen.cli import main

    out = tmp_path_factory.mktemp("decks")
    with pytest.raises(SystemExit) as exit_info:
        main(["generate", *map(str, EXAMPLES), "-f", "pptx", "-o", str(out)])
    assert exit_info.value.code == 0
    return {path.stem: (out / f"{path.stem}.pptx", build_plan(path).for_reader("buyer")) for path in EXAMPLES}


@pytest.fixture(scope="module")
def long_deck(tmp_path_factory):  # type: ignore[no-untyped-def]
    from mapgen.formats import RenderContext
    from mapgen.plugins import formats

    plan = make_plan(40, long_names=True).for_reader("buyer")  # what `generate` gives the deck
    path = tmp_path_factory.mktemp("long") / "long.pptx"
    path.write_bytes(formats()["pptx"].format.render(plan, RenderContext()))
    return path, plan


@pytest.fixture(scope="module")
def example_pdfs(example_decks):  # type: ignore[no-untyped-def]
    """Each example deck as LibreOffice lays it out (converted once for the tests that read it)."""
    return {name: convert_to_pdf(path) for name, (path, _) in example_decks.items()}


@pytest.mark.slow
def test_every_example_converts_with_libreoffice(example_decks, example_pdfs):
    for name, (path, _) in example_decks.items():
        pdf = example_pdfs[name]
        assert pdf.stat().st_size > 10_000
        assert pdf_page_count(pdf) == len(deck(path.read_bytes()).slides)


def pdf_page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout if shutil.which("pdfinfo") else ""
    found = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    if found:
        return int(found.group(1))
    from tests.office import pdf_pages

    return pdf_pages(pdf)


def plan_rows(prs) -> list[list[str]]:  # type: ignore[no-untyped-def]
    """The plan table's rows (8 columns), header rows left out."""
    return [r for r in table_cells(prs) if len(r) == 8 and r[0] != "#"]


def test_every_customer_facing_step_is_in_the_plan_table(example_decks):
    from mapgen.wording import human_date

    for path, plan in example_decks.values():
        rows = table_cells(deck(path.read_bytes()))
        if len(next(r for r in rows if r[:2] == ["#", "Step"])) == 6:  # the compact deck (formats.pptx.layout)
            _check_compact_steps(path, plan, rows)
            continue
        assert ["#", "Step", "Workstream"] == next(r for r in rows if len(r) == 8)[:3]
        for step in plan.for_reader("buyer").milestones:
            row = next((r for r in rows if len(r) == 8 and r[1] == plain(step.name)), None)
            assert row is not None, f"{path.name}: step {step.id} not found"
            assert row[0].split()[0] == str(step.number)
            assert row[3] == step.owners.buyer.name and row[4] == step.owners.seller.name
            assert row[5] == ", ".join(str(n) for n in plan.waits_for(step))  # "after 3, 5"
            if step.is_done:
                assert row[6] == f"Done {human_date(step.actual_done)}"
            else:
                assert row[6] == human_date(step.due) + (" (booked)" if step.pinned else "")
                assert step.due >= plan.today  # planned dates: never a past due date for an open step
            assert row[7] == step.status_label
        for step in plan.milestones:
            if step.internal:
                assert plain(step.name) not in all_text(deck(path.read_bytes()))


def _check_compact_steps(path, plan, rows) -> None:  # type: ignore[no-untyped-def]
    """The compact deck's one steps table: number, step, both owners, due date and status."""
    from mapgen.wording import human_date

    for step in plan.for_reader("buyer").milestones:
        row = next((r for r in rows if len(r) == 6 and r[1] == plain(step.name)), None)
        assert row is not None, f"{path.name}: step {step.id} not found"
        assert row[0].split()[0] == str(step.number)
        assert row[2] == step.owners.buyer.name and row[3] == step.owners.seller.name
        due = f"Done {human_date(step.actual_done)}" if step.is_done else human_date(step.due)
        assert row[4].startswith(due) and row[5] == step.status_label
    for step in plan.milestones:
        if step.internal:
            assert plain(step.name) not in all_text(deck(path.read_bytes()))


def test_the_slides_a_rep_walks_through(example_decks):
    path, plan = example_decks["acme-enterprise"]
    prs = deck(path.read_bytes())
    assert prs.slide_width / prs.slide_height == pytest.approx(16 / 9, rel=0.01)
    names = titles(prs)
    assert names[0] == "Acme Corp × Northwind: path to launch"
    expected = ["Why we are doing this, and by when", "The path to go-live", "The plan", "Who is involved",
                "What could slow us down", "Next steps", "We agree to this plan"]
    seen = [next(e for e in expected if t.startswith(e)) for t in names[1:]]
    assert list(dict.fromkeys(seen)) == expected
    text = all_text(prs)
    assert "Onboard a new warehouse in one week instead of six" in text
    assert "Every Monday at 10:00" in text
    for person in plan.people("buyer") + plan.people("seller"):
        assert person.name in text
    for risk in plan.risks:
        assert plain(risk.risk) in text


def test_speaker_notes_on_every_slide_come_from_the_template(example_decks):
    for path, plan in example_decks.values():
        prs = deck(path.read_bytes())
        for slide in prs.slides:
            notes = slide.notes_slide.notes_text_frame.text
            assert len(notes) > 80 and "{{" not in notes and "{%" not in notes
    first = deck(example_decks["acme-enterprise"][0].read_bytes()).slides[0].notes_slide.notes_text_frame.text
    assert first.startswith("Thank you all for the time.")  # templates/enterprise text.deck.notes.title
    late = deck(example_decks["globex-late"][0].read_bytes()).slides[1].notes_slide.notes_text_frame.text
    assert "Fri 15 Jan 2027 is the earliest realistic signature" in late


def test_late_plan_says_the_earliest_dates_plainly(example_decks):
    path, plan = example_decks["globex-late"]
    text = all_text(deck(path.read_bytes()))
    assert not plan.signature.feasible
    assert "The target signature date of Fri 18 Dec 2026 cannot be met." in text
    assert "The earliest signature is Fri 15 Jan 2027" in text


def assert_within_slides(prs) -> None:  # type: ignore[no-untyped-def]
    width, height = prs.slide_width, prs.slide_height
    for number, _, shape in shapes(prs):
        assert shape.left >= 0 and shape.top >= 0, f"slide {number}: {shape.name} starts off the slide"
        assert shape.left + shape.width <= width, f"slide {number}: {shape.name} runs past the right edge"
        assert shape.top + shape.height <= height, f"slide {number}: {shape.name} runs past the bottom"
        if shape.has_table:
            rows_height = sum(row.height for row in shape.table.rows)
            assert rows_height <= shape.height + 2, f"slide {number}: table rows exceed their frame"
            assert shape.top + rows_height <= Emu(FOOTER_TOP_PT * 12700), f"slide {number}: table reaches the footer"


@pytest.mark.parametrize("steps, span, long_names", [(4, 21, False), (14, None, False), (40, 365, False),
                                                     (40, None, True), (40, 30, True)])
def test_no_shape_leaves_its_slide(render, steps, span, long_names):
    prs = deck(render("pptx", make_plan(steps, span_days=span, long_names=long_names)))
    assert_within_slides(prs)


def test_example_decks_stay_on_their_slides(example_decks):
    for path, _ in example_decks.values():
        assert_within_slides(deck(path.read_bytes()))


def test_forty_long_steps_paginate_onto_continuation_slides(long_deck):
    path, plan = long_deck
    prs = deck(path.read_bytes())
    assert_within_slides(prs)
    plan_titles = [t for t in titles(prs) if t.startswith("The plan")]
    total = len(plan_titles)
    assert total >= 3 and plan_titles == [f"The plan ({i} of {total})" for i in range(1, total + 1)]
    numbers = [r[0].split()[0] for r in plan_rows(prs)]
    assert numbers == [str(m.number) for m in plan.for_reader("buyer").milestones]  # each step once, in order
    # Names too long for three lines are set smaller, never cut: each is whole in the table.
    names = [r[1] for r in table_cells(prs) if len(r) == 8 and r[0] != "#"]
    assert names == [plain(m.name) for m in plan.for_reader("buyer").milestones]


#: Words above the footer end at least this far above its rule when LibreOffice lays them out: the
#: deck leaves 10 pt, so a renderer whose lines run a few points taller still stays clear.
FOOTER_CLEARANCE_PT = 4


def assert_laid_out_clear_of_the_footer(path: Path, outdir: Path, pdf: Path | None = None) -> None:
    """LibreOffice lays the text out: no word may run off the slide or into (or close to) the footer."""
    pdf = pdf or convert_to_pdf(path, outdir)
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed")
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', html, re.DOTALL)
    assert pages
    for number, page in enumerate(pages, 1):
        width, height, body = float(page[0]), float(page[1]), page[2]
        scale = height / 540
        for x_min, y_min, x_max, y_max, word in re.findall(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', body):
            where = f"{path.name} slide {number}: '{word}'"
            assert float(x_min) >= -0.5 and float(x_max) <= width + 0.5 and float(y_max) <= height + 0.5, \
                f"{where} runs off the slide"
            top, bottom = float(y_min) / scale, float(y_max) / scale
            assert bottom <= FOOTER_TOP_PT - FOOTER_CLEARANCE_PT or top >= FOOTER_TOP_PT, \
                f"{where} ends {bottom - FOOTER_TOP_PT:+.1f} pt from the footer rule"


@pytest.mark.slow
def test_long_deck_text_stays_clear_of_the_footer_when_laid_out(long_deck, tmp_path):
    assert_laid_out_clear_of_the_footer(long_deck[0], tmp_path)


@pytest.mark.slow
def test_example_decks_stay_clear_of_the_footer_when_laid_out(example_decks, example_pdfs, tmp_path):
    for name, (path, _) in example_decks.items():
        assert_laid_out_clear_of_the_footer(path, tmp_path, example_pdfs[name])


LONG_NAMES = """\
deal: {name: "Global warehouse, fleet and returns platform consolidation programme", amount: 480000}
buyer:
  company: Northwind Logistics Software International
  country: US
  outcome: One platform for every warehouse, fleet and returns desk, live before the spring peak season.
  people:
    - {name: Maximiliane Alexandra von Hohenzollern-Sigmaringen, title: Chief Financial Officer and Head of Group Procurement, role: economic_buyer}
    - {name: Bartholomew Featherstonehaugh-Cholmondeley, title: Senior Vice President of Global Warehouse Operations, role: champion}
seller:
  company: Contoso Enterprise Cloud Services Europe
  people:
    - {name: Anneliese Oppenheimer-Rothenberg, title: Senior Strategic Account Executive for Northern Europe, role: account_executive}
dates: {today: 2026-11-02, signature: 2026-12-18, go_live: 2027-03-01}
"""


@pytest.mark.slow
def test_long_names_are_set_smaller_or_wrapped_never_cut(render, tmp_path):
    plan = plan_from_brief(LONG_NAMES, tmp_path=tmp_path)
    path = tmp_path / "long-names.pptx"
    path.write_bytes(render("pptx", plan))
    prs = deck(path.read_bytes())
    frames = []
    for _, _, shape in shapes(prs):
        if shape.has_text_frame:
            frames.append(shape.text_frame.text.replace("\v", "\n"))
    cells = [c for row in table_cells(prs) for c in row]
    assert not [t for t in frames + cells if "…" in t], "text was shortened with an ellipsis"
    words = " ".join(" ".join(frames + cells).split())
    assert titles(prs)[0].replace("\v", " ").replace("\n", " ") == plan.title  # the cover title, whole
    assert "Northwind Logistics Software International owner" in cells  # the plan table's header
    assert "Contoso Enterprise Cloud Services Europe owner" in cells
    for side in ("buyer", "seller"):
        for person in plan.people(side):
            assert f"{person.name}, {person.title}" in words or (person.name in words and person.title in words)
    for person in signers(plan, "buyer") + signers(plan, "seller"):  # the sign-off lines, whole
        assert f"{person.name}, {person.title}" in frames
    assert_within_slides(prs)
    assert_laid_out_clear_of_the_footer(path, tmp_path)


def test_hostile_text_round_trips_exactly(render):
    plan = make_plan(hostile=True)
    prs = deck(render("pptx", plan))
    cells = {c for row in table_cells(prs) for c in row}
    for step in plan.for_reader("buyer").milestones:
        assert plain(step.name) in cells, step.name
    text = all_text(prs)
    for hostile in HOSTILE_STRINGS:
        assert hostile in text or hostile.replace("\n", " ") in text, hostile


def test_control_characters_never_make_an_invalid_file(render):
    from dataclasses import replace

    plan = make_plan()
    first = plan.milestones[0]
    broken = replace(plan, milestones=(replace(first, name="Bell\x07 and escape\x1b and NUL\x00 gone"),)
                     + plan.milestones[1:])
    prs = deck(render("pptx", broken))
    assert "Bell and escape and NUL gone" in {c for row in table_cells(prs) for c in row}


def test_inline_markdown_becomes_real_runs(render):
    prs = deck(render("pptx", make_plan()))
    assert "**" not in all_text(prs)
    bold = link = False
    for _, _, shape in shapes(prs):
        frames = [c.text_frame for r in shape.table.rows for c in r.cells] if shape.has_table else (
            [shape.text_frame] if shape.has_text_frame else [])
        for frame in frames:
            for paragraph in frame.paragraphs:
                for run in paragraph.runs:
                    bold |= run.text == "agree" and bool(run.font.bold)
                    link |= run.text == "one week" and bool(run.font.bold)
                    if run.hyperlink.address:
                        link = link or run.hyperlink.address.startswith("https://")
    assert bold and link


def test_internal_steps_only_when_asked_for(render):
    plan = make_plan()
    internal = next(m for m in plan.milestones if m.internal)
    assert plain(internal.name) not in all_text(deck(render("pptx", plan)))
    assert plain(internal.name) in all_text(deck(render("pptx", plan, audience="internal")))


def test_same_plan_gives_the_same_bytes(render):
    assert render("pptx", make_plan()) == render("pptx", make_plan())
    prs = deck(render("pptx", make_plan()))
    assert prs.core_properties.title == "Acme Corp × Northwind: path to launch"
    assert prs.core_properties.modified.date() == make_plan().today


def test_timeline_draws_every_step_and_the_key_dates(render):
    for steps, span in ((4, 21), (40, 365)):
        plan = make_plan(steps, span_days=span)
        prs = deck(render("pptx", plan))
        slide = next(s for s in prs.slides if any(sh.has_text_frame and sh.text_frame.text.startswith("The path to")
                                                  for sh in s.shapes))
        labels = [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame and sh.top < FOOTER_TOP_PT * 12700]
        assert sorted(int(t) for t in labels if t.isdigit()) == [m.number for m in plan.for_reader("buyer").milestones]
        assert any(t.startswith("Target signature ") for t in labels)
        assert any(t.startswith("Target go-live ") for t in labels)
        assert "Today" in labels


def test_a_branded_deck_template_supplies_master_layouts_and_theme(tmp_path, mapgen_cli):
    brand = Presentation()
    brand.slide_width, brand.slide_height = Emu(12192000), Emu(6858000)
    brand.slides.add_slide(brand.slide_layouts[0]).shapes.title.text = "Example slide enablement forgot"
    folder = tmp_path / "templates" / "acme-brand"
    folder.mkdir(parents=True)
    brand.save(folder / "deck.pptx")
    (folder / "template.yaml").write_text("name: acme-brand\nextends: enterprise\n", encoding="utf-8")
    result = mapgen_cli("generate", ROOT / "examples" / "acme-enterprise.yaml", "-f", "pptx", "--template",
                        "acme-brand", "--template-path", tmp_path / "templates", "-o", tmp_path / "out")
    assert result.code == 0, result.err
    prs = Presentation(str(tmp_path / "out" / "acme-enterprise.pptx"))
    assert "Example slide enablement forgot" not in all_text(prs)
    assert prs.slides[0].slide_layout.name == "Title Slide"
    assert {s.slide_layout.name for s in list(prs.slides)[1:]} == {"Title Only"}
    assert prs.slides[1].shapes.title.text == "Why we are doing this, and by when"
    assert_within_slides(prs)


# -- the story a plan tells once reality diverges (docs/scheduling.md) --------------------------------------------

STORY_BRIEFS = ("enterprise-week-into-the-deal", "smb-go-live-only")


@pytest.fixture(scope="module")
def story_decks(tmp_path_factory, example_decks):  # type: ignore[no-untyped-def]
    """Decks of a plan a week into the deal (done, in-progress, pinned and blocked steps), of a plan with
    a worked-out signature target, and of the late example: each with the PDF LibreOffice lays out."""
    from mapgen.cli import main
    from tests.test_contract import GENERATED

    out = tmp_path_factory.mktemp("story")
    briefs = []
    for name in STORY_BRIEFS:
        (out / f"{name}.yaml").write_text(GENERATED[name], encoding="utf-8")
        briefs.append(out / f"{name}.yaml")
    with pytest.raises(SystemExit) as exit_info:
        main(["generate", *map(str, briefs), "-f", "pptx", "-o", str(out)])
    assert exit_info.value.code == 0
    decks = {path.stem: (out / f"{path.stem}.pptx", build_plan(path).for_reader("buyer")) for path in briefs}
    decks["globex-late"] = example_decks["globex-late"]
    from mapgen.formats import RenderContext
    from mapgen.plugins import formats

    long_late = make_plan(40, long_names=True, late=True).for_reader("buyer")  # a chain of 23 long-named steps decides signature
    (out / "long-late.pptx").write_bytes(formats()["pptx"].format.render(long_late, RenderContext()))
    decks["long-late"] = (out / "long-late.pptx", long_late)
    return {name: (path, plan, convert_to_pdf(path, out)) for name, (path, plan) in decks.items()}


def pdf_text(pdf: Path) -> list[str]:
    """Each page's words as LibreOffice laid them out, one space apart."""
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [" ".join(page.split()) for page in text.split("\f")]


def slide_titled(prs, start: str):  # type: ignore[no-untyped-def]
    return next(s for s in prs.slides if any(sh.has_text_frame and sh.text_frame.text.startswith(start)
                                                 for sh in s.shapes))


def slide_text(slide) -> str:  # type: ignore[no-untyped-def]
    parts = [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame]
    parts += [c.text_frame.text for sh in slide.shapes if sh.has_table for r in sh.table.rows for c in r.cells]
    return "\n".join(parts).replace("\v", "\n")


def flat(text: str) -> str:
    return " ".join(text.split())


def fill_rgb(shape) -> str | None:  # type: ignore[no-untyped-def]
    """A drawn shape's solid fill as RRGGBB, when it is an RGB colour (not a theme colour)."""
    if shape.shape_type != 1 or shape.fill.type != 1 or shape.fill.fore_color.type != 1:
        return None
    return str(shape.fill.fore_color.rgb)


@pytest.mark.slow
def test_done_steps_show_their_actual_dates_and_are_drawn_done(story_decks):
    from mapgen.builtin.pptx_deck.canvas import DONE

    path, plan, pdf = story_decks["enterprise-week-into-the-deal"]
    prs = deck(path.read_bytes())
    done = [m for m in plan.for_reader("buyer").milestones if m.is_done]
    assert done and done[0].actual_done == dt.date(2026, 10, 29)
    rows = {r[0].split()[0]: r for r in plan_rows(prs)}
    assert rows[str(done[0].number)][6] == "Done Thu 29 Oct 2026"
    pages = pdf_text(pdf)
    assert any("Done Thu 29 Oct 2026" in page for page in pages)  # what LibreOffice shows
    # On the timeline: a grey bar that ends before today, not a future bar.
    slide = slide_titled(prs, "The path to")
    items = list(slide.shapes)
    today = next(sh for sh in items if sh.has_text_frame and sh.text_frame.text == "Today")
    for step in done:
        index = next(i for i, sh in enumerate(items) if sh.has_text_frame and sh.text_frame.text == str(step.number))
        bar = items[index - 1]
        assert fill_rgb(bar) == DONE
        assert bar.left + bar.width <= today.left + today.width / 2


@pytest.mark.slow
def test_a_late_plan_shows_target_beside_forecast_and_names_the_drivers(story_decks):
    from mapgen.builtin.pptx_deck.canvas import LATE
    from mapgen.wording import drivers_sentence, human_date

    path, plan, pdf = story_decks["globex-late"]
    prs = deck(path.read_bytes())
    slide = slide_titled(prs, "Why we are doing this")
    text = flat(slide_text(slide))
    target, forecast = human_date(plan.signature.target), human_date(plan.signature.forecast)
    assert not plan.signature.feasible and plan.signature.drivers
    assert f"Target signature {target} Cannot be met. Forecast {forecast}, 17 working days late" in text
    why = flat(plain(drivers_sentence(plan, "signature")))
    assert why.endswith("earliest signature Fri 15 Jan 2027, 17 working days after the target")
    assert why in text
    tiles = [sh for sh in slide.shapes if fill_rgb(sh) == LATE and sh.height > 100 * 12700]
    assert len(tiles) == 1 and tiles[0].width > 200 * 12700  # the signature tile is red
    page = pdf_text(pdf)[1]
    assert f"Forecast {forecast}" in page and target in page and why in page
    # The timeline draws the target and the forecast.
    labels = [sh.text_frame.text for sh in timeline_slide(prs).shapes if sh.has_text_frame]
    assert "Target signature 18 Dec" in labels and "Forecast signature 15 Jan" in labels
    # The talk track says it too.
    notes = slide.notes_slide.notes_text_frame.text
    assert forecast in notes and flat(plain(drivers_sentence(plan, "signature"))) in flat(notes)


def key_dates_slide(prs):  # type: ignore[no-untyped-def]
    """The slide with the key dates: the outcome slide, or the title slide of a compact deck."""
    try:
        return slide_titled(prs, "Why we are doing this")
    except StopIteration:
        return prs.slides[0]


def timeline_slide(prs):  # type: ignore[no-untyped-def]
    """The timeline: its own slide, or the compact deck's timeline-and-steps slide."""
    try:
        return slide_titled(prs, "The path to")
    except StopIteration:
        return slide_titled(prs, "The plan, step by step")


@pytest.mark.slow
def test_a_worked_out_target_is_never_shown_as_the_buyers_target(story_decks):
    path, plan, pdf = story_decks["smb-go-live-only"]
    assert plan.signature.derived and not plan.go_live.derived
    prs = deck(path.read_bytes())
    everything = all_text(prs) + "\n".join(s.notes_slide.notes_text_frame.text for s in prs.slides)
    assert "Target signature" not in everything and "target signature" not in everything
    assert "Signature, worked out from go-live" in slide_text(key_dates_slide(prs))
    assert "Target go-live" in everything
    labels = [sh.text_frame.text for sh in timeline_slide(prs).shapes if sh.has_text_frame]
    assert "Signature 21 Jan (worked out)" in labels
    assert "Target signature" not in " ".join(pdf_text(pdf))


@pytest.mark.slow
def test_next_steps_are_the_open_steps_planned_in_the_next_two_weeks(story_decks, example_decks):
    for name, (path, plan) in {**example_decks, **{k: v[:2] for k, v in story_decks.items()}}.items():
        slide = slide_titled(deck(path.read_bytes()), "Next steps")
        rows = [[c.text_frame.text for c in r.cells] for sh in slide.shapes if sh.has_table for r in sh.table.rows]
        numbers = [int(r[0]) for r in rows[1:]]
        expected = [m.number for m in plan.next_steps()]
        assert numbers == expected[:len(numbers)], name
        assert len(numbers) == len(expected) or f"{len(expected) - len(numbers)} more" in slide_text(slide)
        for number in numbers:
            step = next(m for m in plan.milestones if m.number == number)
            assert step.is_open and step.due >= plan.today, f"{name}: step {number} is past due"
        if not expected:
            assert "Nothing is planned in the next two weeks" in slide_text(slide), name
    path, plan = story_decks["smb-go-live-only"][:2]
    text = flat(slide_text(slide_titled(deck(path.read_bytes()), "Next steps")))
    assert "could start as early as Mon 23 Nov 2026" in text


@pytest.mark.slow
def test_derived_risks_are_marked_as_found_in_the_plan(story_decks):
    path, plan, pdf = story_decks["globex-late"]
    rows = [r for r in table_cells(deck(path.read_bytes())) if len(r) == 3 and r[0] != "Risk"]
    assert any(r.derived for r in plan.risks) and any(not r.derived for r in plan.risks)
    for risk in plan.risks:
        row = next(r for r in rows if plain(risk.risk) in r[0])
        assert row[0].startswith("Found in the plan:") == risk.derived
    assert "Found in the plan: The target signature date" in " ".join(pdf_text(pdf))


@pytest.mark.slow
def test_timeline_colours_state_with_a_legend(story_decks):
    from mapgen.builtin.pptx_deck.canvas import AT_RISK, BLOCKED, DONE

    path, plan, pdf = story_decks["enterprise-week-into-the-deal"]
    prs = deck(path.read_bytes())
    slide = slide_titled(prs, "The path to")
    labels = {sh.text_frame.text for sh in slide.shapes if sh.has_text_frame}
    for label in ("Done", "Late", "At risk", "Blocked", "On track", "Target", "Forecast (red: after the target)", "Booked date",
                  "Holiday or closed", "Drivers of the forecast", "Room to move: could start from"):
        assert label in labels, label
    fills = {fill_rgb(sh) for sh in slide.shapes}
    assert {AT_RISK, BLOCKED, DONE} <= fills
    arrows = [sh for sh in slide.shapes if sh.shape_type == 9 and "tailEnd" in sh._element.xml]
    assert len(arrows) >= len(plan.signature.drivers) - 1  # the driver chain is linked
    page = pdf_text(pdf)[2]
    assert "Holiday or closed" in page and "Target signature 18 Dec" in page
    notes = slide.notes_slide.notes_text_frame.text
    assert "Thu 26 Nov 2026: Thanksgiving Day" in notes  # what the shading is, for the rep


@pytest.mark.slow
@pytest.mark.parametrize("name", ["enterprise-week-into-the-deal", "smb-go-live-only", "globex-late", "long-late"])
def test_story_decks_stay_on_their_slides_when_laid_out(story_decks, name):
    path, _, pdf = story_decks[name]
    prs = deck(path.read_bytes())
    assert_within_slides(prs)
    assert_laid_out_clear_of_the_footer(path, pdf.parent, pdf)
    key_dates = slide_text(key_dates_slide(prs))
    assert "…" not in key_dates  # measured and shrunk to fit, never cut
    if name != "long-late":
        assert "…" not in all_text(prs)


@pytest.mark.slow
def test_a_chain_too_long_for_the_slide_is_named_by_its_ends(story_decks):
    path, plan, _ = story_decks["long-late"]
    text = flat(slide_text(slide_titled(deck(path.read_bytes()), "Why we are doing this")))
    chain = plan.driver_steps("signature")  # the buyer's plan: internal steps are not in the chain
    first, last = chain[0], chain[-1]
    assert f"Why: a chain of {len(chain)} steps (◆ in the plan table), from " in text
    assert flat(plain(first.name)) in text and flat(plain(last.name)) in text
    assert "62 working days after the target" in text


@pytest.mark.slow
def test_random_plans_make_decks_that_keep_to_their_slides(tmp_path_factory):  # type: ignore[no-untyped-def]
    """Random templates and briefs (statuses, pins, placements, calendars): the deck renders, stays on its
    slides, shows done steps at their actual dates and lists no past-due next step."""
    import json

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from mapgen.formats import RenderContext
    from mapgen.plugins import formats
    from mapgen.catalog import Catalog
    from mapgen.wording import human_date
    from tests.test_contract import random_template

    root = tmp_path_factory.mktemp("random-decks")

    @st.composite
    def brief(draw):  # type: ignore[no-untyped-def]
        template, before_ids, after_ids = random_template(draw, st)
        today = dt.date(2026, 11, 2) + dt.timedelta(days=draw(st.integers(0, 90)))
        dates = {"today": today.isoformat(),
                 "signature": (today + dt.timedelta(days=draw(st.integers(-10, 120)))).isoformat()}
        steps: dict = {}
        for ident in before_ids + after_ids:
            kind = draw(st.sampled_from(("none", "none", "done", "started", "blocked", "pin")))
            if kind == "done":
                steps[ident] = {"status": "done", "done": (today - dt.timedelta(days=draw(st.integers(0, 20)))).isoformat()}
            elif kind == "started":
                steps[ident] = {"status": "in_progress",
                                "started": (today - dt.timedelta(days=draw(st.integers(0, 15)))).isoformat()}
            elif kind == "blocked":
                steps[ident] = {"status": "blocked"}
            elif kind == "pin":
                day = today + dt.timedelta(days=draw(st.integers(1, 60)))
                while day.weekday() >= 5:
                    day += dt.timedelta(days=1)
                steps[ident] = {"due": day.isoformat()}
        data = {"deal": {"name": "Generated", "amount": 50_000},
                "buyer": {"company": "Buyer Co", "country": draw(st.sampled_from(("GB", "FR", "JP")))},
                "seller": {"company": "Seller Inc"}, "dates": dates, "milestones": steps,
                "placement": draw(st.sampled_from(("early", "late", {"after_signature": "early"})))}
        return template, json.dumps(data)

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
    @given(brief())
    def run(pair) -> None:  # type: ignore[no-untyped-def]
        template, text = pair
        (root / "random").mkdir(exist_ok=True)
        (root / "random" / "template.yaml").write_text(template, encoding="utf-8")
        (root / "brief.yaml").write_text(text, encoding="utf-8")
        try:
            plan = build_plan(root / "brief.yaml", template="random", catalog=Catalog([root]))
        except Exception as exc:  # a pin holidays make invalid is the brief's error, not the deck's
            assert "working day" in str(exc), exc
            return
        prs = deck(formats()["pptx"].format.render(plan, RenderContext()))
        assert_within_slides(prs)
        rows = {r[0].split()[0]: r for r in plan_rows(prs)}
        for step in plan.for_reader("buyer").milestones:
            expected = f"Done {human_date(step.actual_done)}" if step.is_done else human_date(step.due)
            assert rows[str(step.number)][6].startswith(expected)
        slide = slide_titled(prs, "Next steps")
        numbers = [int(r.cells[0].text_frame.text) for sh in slide.shapes if sh.has_table
                   for r in list(sh.table.rows)[1:]]
        by_number = {m.number: m for m in plan.for_reader("buyer").milestones}
        assert numbers == [m.number for m in plan.next_steps()][:len(numbers)]
        assert all(by_number[n].is_open and by_number[n].due >= plan.today for n in numbers)

    run()


@pytest.mark.slow
def test_room_to_move_shows_what_could_start_today(story_decks):
    """A plan placed late (go-live only, seven weeks of idle time): each step's thin line starts at today."""
    from mapgen.builtin.pptx_deck.canvas import LATE, MUTED

    path, plan, _ = story_decks["smb-go-live-only"]
    waiting = [m for m in plan.for_reader("buyer").milestones if m.is_open and m.earliest_start == plan.today < m.start]
    assert waiting
    slide = timeline_slide(deck(path.read_bytes()))
    lines = [sh for sh in slide.shapes if sh.shape_type == 9]
    colour = lambda sh: str(sh.line.color.rgb) if sh.line.color.type == 1 else None  # noqa: E731
    today = next(sh for sh in lines if colour(sh) == LATE and sh.begin_x == sh.end_x)
    room = [sh for sh in lines if colour(sh) == MUTED and sh.begin_y == sh.end_y and sh.end_x > sh.begin_x
            and abs(sh.begin_x - today.begin_x) < 12700 * 1.5]
    assert len(room) >= len(waiting)


@pytest.fixture(scope="module")
def big_deck(tmp_path_factory):  # type: ignore[no-untyped-def]
    """A 320-step plan: too many steps to draw one by one or to list on fewer than 40 slides."""
    from mapgen.formats import RenderContext
    from mapgen.plugins import formats

    plan = make_plan(320, span_days=365).for_reader("buyer")
    path = tmp_path_factory.mktemp("big") / "big.pptx"
    path.write_bytes(formats()["pptx"].format.render(plan, RenderContext()))
    return path, plan


def test_a_big_plan_summarises_its_timeline_one_bar_per_workstream(big_deck):
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    from mapgen.builtin.pptx_deck.timeline import lane_counts

    path, plan = big_deck
    prs = deck(path.read_bytes())
    assert len(prs.slides) < 40
    assert_within_slides(prs)
    slide = next(s for s in prs.slides if any(sh.has_text_frame and sh.text_frame.text.startswith("The path to")
                                              for sh in s.shapes))
    texts = [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame]
    groups = plan.by_workstream()
    assert [t for t in texts if t in {lane_counts(ms) for _, ms in groups}] == [lane_counts(ms) for _, ms in groups]
    assert not [sh for sh in slide.shapes if sh.has_text_frame and sh.text_frame.text.isdigit()
                and sh.top < FOOTER_TOP_PT * 12700]  # no step drawn one by one (the page number is below)
    note = next(t for t in texts if "one bar per workstream" in t)
    assert note.startswith(f"{len(plan.milestones):,} steps") and "list every step" in note
    # One bar per workstream: one rectangle in each lane (from its name to its counts), right of the labels.
    boxes = [sh for sh in slide.shapes if sh.has_text_frame]
    for ws, steps in groups:
        index = next(i for i, sh in enumerate(boxes) if sh.text_frame.text == ws.name)
        name, counts = boxes[index], boxes[index + 1]  # the lane's counts are drawn under its name
        assert counts.text_frame.text == lane_counts(steps)
        top, bottom = name.top, counts.top + counts.height
        bars = [sh for sh in slide.shapes if sh.shape_type == MSO_SHAPE_TYPE.AUTO_SHAPE
                and not (sh.has_text_frame and sh.text_frame.text) and sh.left > name.left + name.width
                and top <= sh.top + sh.height / 2 <= bottom and sh.height < bottom - top]
        assert len(bars) == 1, ws.name


def test_a_big_plan_lists_the_steps_that_need_attention_and_says_so(big_deck):
    path, plan = big_deck
    prs = deck(path.read_bytes())
    plan_titles = [t for t in titles(prs) if t.startswith("The plan")]
    assert 1 < len(plan_titles) <= 12
    assert plan_titles[0] == f"The plan: the steps that need attention (1 of {len(plan_titles)})"
    numbers = [int(r[0].split()[0]) for r in plan_rows(prs)]
    assert numbers == sorted(numbers) and len(numbers) < len(plan.milestones)
    text = all_text(prs)
    assert f"{len(numbers)} of {len(plan.milestones)} steps" in text
    assert "The workbook and the document list every step." in text
    shown = set(numbers)
    for key in ("signature", "go_live"):
        assert plan.milestone(key).number in shown
    soon = plan.today + dt.timedelta(weeks=4)
    assert {m.number for m in plan.milestones if m.is_open and m.start <= soon} <= shown


@pytest.mark.slow
def test_a_big_deck_stays_clear_of_the_footer_when_laid_out(big_deck, tmp_path):
    assert_laid_out_clear_of_the_footer(big_deck[0], tmp_path)

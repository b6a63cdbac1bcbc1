"""The deck, reopened with python-pptx and laid out by LibreOffice: what a rep and a buyer would check."""

from __future__ import annotations

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
    return {path.stem: (out / f"{path.stem}.pptx", build_plan(path)) for path in EXAMPLES}


@pytest.fixture(scope="module")
def long_deck(tmp_path_factory):  # type: ignore[no-untyped-def]
    from mapgen.formats import RenderContext
    from mapgen.plugins import formats

    plan = make_plan(40, long_names=True)
    path = tmp_path_factory.mktemp("long") / "long.pptx"
    path.write_bytes(formats()["pptx"].format.render(plan, RenderContext()))
    return path, plan


@pytest.fixture(scope="module")
def example_pdfs(example_decks):  # type: ignore[no-untyped-def]
    """Each example deck as LibreOffice lays it out (converted once for the tests that read it)."""
    return {name: convert_to_pdf(path) for name, (path, _) in example_decks.items()}


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


def test_every_customer_facing_step_is_in_the_plan_table(example_decks):
    from mapgen.wording import human_date

    for path, plan in example_decks.values():
        rows = table_cells(deck(path.read_bytes()))
        for step in plan.visible():
            row = next((r for r in rows if len(r) == 7 and r[1] == plain(step.name)), None)
            assert row is not None, f"{path.name}: step {step.id} not found"
            assert row[0].split()[0] == str(step.number)
            assert row[3] == step.owners.buyer.name and row[4] == step.owners.seller.name
            assert row[5] == human_date(step.due)
            assert row[6] == step.status_label
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
    numbers = [r[0].split()[0] for r in table_cells(prs) if len(r) == 7 and r[0] != "#"]
    assert numbers == [str(m.number) for m in plan.visible()]  # each step once, in order
    # Names too long for three lines are set smaller, never cut: each is whole in the table.
    names = [r[1] for r in table_cells(prs) if len(r) == 7 and r[0] != "#"]
    assert names == [plain(m.name) for m in plan.visible()]


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


def test_long_deck_text_stays_clear_of_the_footer_when_laid_out(long_deck, tmp_path):
    assert_laid_out_clear_of_the_footer(long_deck[0], tmp_path)


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
    for step in plan.visible():
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
    assert plain(internal.name) in all_text(deck(render("pptx", plan, include_internal=True)))


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
        assert sorted(int(t) for t in labels if t.isdigit()) == [m.number for m in plan.visible()]
        assert any(t.startswith("Signature ") for t in labels) and any(t.startswith("Go-live ") for t in labels)
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

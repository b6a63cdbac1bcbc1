"""The Word document, reopened with python-docx and converted by LibreOffice."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from html import unescape
from pathlib import Path

import pytest
from docx import Document
from docx.shared import RGBColor

from mapgen.builtin.docx_document.default_template import PLAN_COLUMNS
from mapgen.wording import human_date, signers
from mapgen.markup import plain
from mapgen.pipeline import build_plan
from mapgen.testing import HOSTILE_STRINGS, make_plan, plan_from_brief
from tests.office import convert_to_pdf

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
DEFAULT = ROOT / "mapgen" / "builtin" / "docx_document" / "plan.docx"


def open_docx(data: bytes):  # type: ignore[no-untyped-def]
    return Document(io.BytesIO(data))


def rows(doc) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return [[cell.text for cell in row.cells] for table in doc.tables for row in table.rows]


def text(doc) -> str:  # type: ignore[no-untyped-def]
    return "\n".join([p.text for p in doc.paragraphs] + ["\t".join(r) for r in rows(doc)])


@pytest.fixture(scope="module")
def example_docs(tmp_path_factory):  # type: ignore[no-untyped-def]
    from mapgen.cli import main

    out = tmp_path_factory.mktemp("docs")
    with pytest.raises(SystemExit) as exit_info:
        main(["generate", *map(str, EXAMPLES), "-f", "docx", "-o", str(out)])
    assert exit_info.value.code == 0
    return {p.stem: (out / f"{p.stem}.docx", build_plan(p).for_reader("buyer")) for p in EXAMPLES}


def pdf_words(pdf: Path) -> list[tuple[float, float, list[tuple[float, str]]]]:
    """Each page of a PDF as (width, height, [(bottom of the word in pt, word)]), as pdftotext lays it out."""
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed")
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [(float(w), float(h), [(float(y), unescape(word)) for y, word in
                                  re.findall(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="[\d.]+" yMax="([\d.]+)">(.*?)</word>',
                                             body)])
            for w, h, body in re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', html, re.DOTALL)]


def page_text(page) -> str:  # type: ignore[no-untyped-def]
    return " ".join(word for _, word in page[2])


#: Room left at the foot of the last page: a renderer whose lines come out a little taller (another
#: LibreOffice version, Word) still fits the plan on two pages. Half an inch is three to four table rows.
SPARE_PT = 36


@pytest.mark.slow
def test_every_example_fits_two_pages_with_the_sign_off_under_its_heading(example_docs, tmp_path):
    for name, (path, plan) in example_docs.items():
        pdf = convert_to_pdf(path, tmp_path)
        pages = pdf_words(pdf)
        assert 1 <= len(pages) <= 2, f"{name}: {len(pages)} pages"
        texts = [page_text(p) for p in pages]
        heading = [i for i, t in enumerate(texts) if "Sign-off Both teams commit" in t]
        assert len(heading) == 1, f"{name}: the sign-off heading is not followed by its sentence"
        for signer in [s for side in ("buyer", "seller") for s in signers(plan, side)]:
            assert plain(signer.name) in texts[heading[0]], f"{name}: {signer.name} signs on another page"
        width, height, words = pages[-1]
        body_bottom = max(y for y, word in words if y < height - 0.5 * 72)  # the footer sits 0.3 in up
        assert height - 0.6 * 72 - body_bottom >= SPARE_PT, f"{name}: the last page has no room to spare"
        printed = {word for page in pages for _, word in page[2]}  # (a wrapped cell's lines interleave)
        for step in plan.for_reader("buyer").milestones:
            missing = [word for word in plain(step.name).split() if word not in printed]
            assert not missing, f"{name}: {step.name} is missing {missing}"


@pytest.mark.slow
def test_sign_off_keeps_with_its_heading_when_the_plan_runs_long(render, tmp_path):
    plan = make_plan(40, long_names=True)
    path = tmp_path / "long.docx"
    path.write_bytes(render("docx", plan))
    pages = pdf_words(convert_to_pdf(path))
    texts = [page_text(p) for p in pages]
    heading = next(i for i, t in enumerate(texts) if "Sign-off Both teams commit" in t)
    assert "Dana Cho, CFO" in texts[heading] and "Sarah Kim, Account Executive" in texts[heading]


@pytest.mark.slow
def test_every_style_names_arial_and_no_theme_font(example_docs, tmp_path):
    path, _ = example_docs["acme-enterprise"]
    doc = open_docx(path.read_bytes())
    assert doc.styles["Heading 1"].font.name == doc.styles["Normal"].font.name == "Arial"
    with zipfile.ZipFile(path) as package:
        styles = package.read("word/styles.xml").decode()
        theme = package.read("word/theme/theme1.xml").decode()
    themed = re.findall(r'w:\w*[tT]heme="[^"]*"', styles)  # (a list: pytest would diff the whole XML)
    assert not themed, f"styles still name theme fonts: {sorted(set(themed))}"
    assert re.findall(r'<a:latin typeface="([^"]*)"', theme)[:2] == ["Arial", "Arial"]
    if shutil.which("pdffonts"):  # what the reader's PDF embeds: Arial's metric twin, no Calibri stand-in
        fonts = subprocess.run(["pdffonts", str(convert_to_pdf(path, tmp_path))], capture_output=True,
                               text=True).stdout
        assert "LiberationSans-Bold" in fonts and "Carlito" not in fonts  # (◆ comes from a symbol font)


NO_NOTES_NO_PEOPLE = """\
deal: {name: Hooli rollout, amount: 90000}
buyer: {company: Hooli, country: US}
seller: {company: Northwind}
dates: {today: 2026-11-02, signature: 2026-12-18}
"""


def step_cell(row: list[str], name: str) -> bool:
    """A plan table's step cell: the name (and why it matters), then the note on its own line when there is one."""
    return row[1] == name or row[1].startswith(name + "\n") or row[1].startswith(name + " · ")


def test_notes_sit_under_the_step_name_so_no_column_is_squeezed(render):
    plan = make_plan()
    doc = open_docx(render("docx", plan))
    table = next(t for t in doc.tables if t.rows[0].cells[1].text == "Step")
    header = [c.text for c in table.rows[0].cells]
    assert header == ["#", "Step", plan.buyer.company, plan.seller.company, "Due", "After", "Status"]
    widths = [int(w) for w in table._tbl.xpath("./w:tblGrid/w:gridCol/@w:w")]
    assert len(widths) == 7 and abs(sum(widths) - 10512) < 8  # the page's width: 7.3 in
    noted = next(m for m in plan.for_reader("buyer").milestones if m.note)
    row = next(r for r in rows(doc) if len(r) == 7 and step_cell(r, plain(noted.name)))
    from mapgen.builtin.docx_document.variables import DESCRIBED_STEPS

    described = noted.description and len(plan.for_reader("buyer").milestones) <= DESCRIBED_STEPS
    why = f" · {plain(noted.description)}" if described else ""
    assert row[1] == f"{plain(noted.name)}{why}\n{plain(noted.note)}"


def test_who_is_involved_is_left_out_when_no_one_is_named(render):
    doc = open_docx(render("docx", plan_from_brief(NO_NOTES_NO_PEOPLE)))
    paragraphs = [p.text for p in doc.paragraphs]
    assert "Who is involved" not in paragraphs and not any("No one is named" in p for p in paragraphs)
    assert not any(len(t.columns) == 2 and t.rows[0].cells[0].text == "Hooli" for t in doc.tables)
    plan = make_plan()
    people = next(t for t in open_docx(render("docx", plan)).tables
                  if len(t.columns) == 2 and t.rows[0].cells[0].text == plan.buyer.company)
    names = {c.text.split(",")[0] for r in people.rows[1:] for c in r.cells} - {""}
    assert names == {p.name for p in plan.buyer.people + plan.seller.people}


def test_every_customer_facing_step_with_owners_due_date_and_status(example_docs):
    for path, plan in example_docs.values():
        doc = open_docx(path.read_bytes())
        table_rows = rows(doc)
        for step in plan.for_reader("buyer").milestones:
            row = next((r for r in table_rows if len(r) == 7 and step_cell(r, plain(step.name))), None)
            assert row is not None, f"{path.name}: {step.id}"
            assert row[0] == f"{step.number}{' ◆' if step.critical else ''}"
            assert (row[2], row[3]) == (step.owners.buyer.name, step.owners.seller.name)
            assert row[4] == human_date(step.due) + (" (booked)" if step.pinned else "")
            assert row[5] == ", ".join(str(n) for n in plan.waits_for(step))
            assert row[6] == step.status_label
            if step.is_done:
                assert step.due == step.actual_done  # done steps at the day they were done
        for step in plan.milestones:
            if step.internal:
                assert plain(step.name) not in text(doc)


def test_the_story_of_a_late_plan_and_of_a_plan_three_weeks_in(example_docs):
    path, plan = example_docs["globex-late"]
    doc = open_docx(path.read_bytes())
    key_dates = next(t for t in doc.tables if t.rows[0].cells[1].text == "Target")
    assert [c.text for c in key_dates.rows[0].cells] == ["", "Target", "Planned", "Forecast", "Outlook"]
    signature = next(r for r in key_dates.rows if r.cells[0].text == "Signature")
    assert [c.text for c in signature.cells[1:]] == [human_date(plan.signature.target),
                                                      human_date(plan.signature.planned),
                                                      human_date(plan.signature.forecast), "Cannot be met"]
    body = text(doc)
    assert f"{plan.signature.slip} working days after the target" in body
    assert "Found in the plan: The target signature date" in body
    soon = next(t for t in doc.tables if t.rows[0].cells[1].text == "When")
    assert [r.cells[0].text.split(" (")[0] for r in soon.rows[1:]] == [plain(m.name) for m in plan.next_steps()]
    path, plan = example_docs["acme-week-three"]
    body = text(open_docx(path.read_bytes()))
    assert "(booked)" in body and "moved from Thu 26 Nov 2026, Thanksgiving Day" in body


def test_a_worked_out_target_says_so(render):
    brief = (ROOT / "examples" / "acme-enterprise.yaml").read_text(encoding="utf-8").replace("  signature: 2026-12-18\n", "")
    doc = open_docx(render("docx", plan_from_brief(brief)))
    key_dates = next(t for t in doc.tables if t.rows[0].cells[1].text == "Target")
    assert "(worked out from go-live)" in next(r for r in key_dates.rows if r.cells[0].text == "Signature").cells[1].text


def test_real_word_structure(example_docs):
    path, plan = example_docs["acme-enterprise"]
    doc = open_docx(path.read_bytes())
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["Key dates", "The next two weeks", "Who is involved", "The plan",
                        "Decision gates and success criteria", "Risks and mitigations", "How we stay on track",
                        "Sign-off"]
    assert doc.paragraphs[0].style.name == "Title" and doc.paragraphs[0].text == plan.title
    plan_table = next(t for t in doc.tables if t.rows[0].cells[1].text == "Step")
    assert plan_table.style.name == "Light Grid Accent 1"
    assert plan_table.rows[0]._tr.xpath("./w:trPr/w:tblHeader")  # header row repeats on each page
    assert [r.cells[0].text for r in plan_table.rows if r.cells[0].text == r.cells[-1].text][:2] == \
        ["Business case", "Technical validation"]  # workstream group rows
    footer = doc.sections[0].footer._element.xml
    assert "PAGE" in footer and "NUMPAGES" in footer
    assert doc.core_properties.title == plan.title
    assert doc.core_properties.subject == "Mutual action plan: Acme warehouse platform"
    assert doc.core_properties.created.date() == plan.today
    assert "Sign here" not in text(doc) and "Dana Cho, CFO" in text(doc)


def test_late_plan_states_the_earliest_dates(example_docs):
    path, _ = example_docs["globex-late"]
    body = text(open_docx(path.read_bytes()))
    assert ("The target signature date of Fri 18 Dec 2026 cannot be met. The earliest signature is "
            "Fri 15 Jan 2027") in body
    assert "Cannot be met" in body
    assert "The target signature date" not in text(open_docx(example_docs["acme-enterprise"][0].read_bytes()))


def test_inline_markdown_becomes_word_formatting(example_docs):
    doc = open_docx(example_docs["acme-enterprise"][0].read_bytes())
    outcome = next(p for p in doc.paragraphs if p.text.startswith("What we are working towards: Onboard a new"))
    assert any(run.bold and run.text == "one week instead of six" for run in outcome.runs)
    assert "**" not in text(doc)


def test_hostile_text_renders_exactly(render):
    plan = make_plan(hostile=True)
    data = render("docx", plan)
    doc = open_docx(data)
    cells = {line for r in rows(doc) for c in r for line in [c, c.split("\n")[0]]}
    for step in plan.for_reader("buyer").milestones:
        assert plain(step.name) in cells or any(c.startswith(plain(step.name) + "\n") for r in rows(doc) for c in r), \
            step.name
    body = text(doc)
    for hostile in HOSTILE_STRINGS:
        assert hostile in body, hostile
    assert doc.core_properties.title == plain(plan.title)  # properties unescaped: "R&D", not "R&amp;D"
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert "&amp;amp;" not in package.read("word/document.xml").decode()
        assert "&amp;amp;" not in package.read("docProps/core.xml").decode()


def test_control_characters_never_make_an_invalid_file(render, tmp_path):
    from dataclasses import replace

    plan = make_plan()
    first = plan.milestones[0]
    broken = replace(plan, milestones=(replace(first, name="Bell\x07 escape\x1b NUL\x00 gone", note="tab\tok"),)
                     + plan.milestones[1:])
    path = tmp_path / "control.docx"
    path.write_bytes(render("docx", broken))
    assert "Bell escape NUL gone" in {c.split("\n")[0] for r in rows(open_docx(path.read_bytes())) for c in r}


def test_internal_steps_only_when_asked_for(render):
    plan = make_plan()
    internal = next(m for m in plan.milestones if m.internal)
    assert plain(internal.name) not in text(open_docx(render("docx", plan)))
    assert plain(internal.name) in text(open_docx(render("docx", plan, audience="internal")))


def test_same_plan_gives_the_same_bytes(render):
    assert render("docx", make_plan()) == render("docx", make_plan())


def test_forty_long_steps_render(render):
    plan = make_plan(40, long_names=True).for_reader("buyer")
    doc = open_docx(render("docx", plan))
    numbers = [r[0].split()[0] for r in rows(doc) if len(r) == 7 and r[0][:1].isdigit()]
    assert numbers == [str(m.number) for g in plan.by_workstream() for m in g[1]]


def restyled_template(folder: Path) -> None:
    """What the guide tells enablement to do in Word, done with python-docx."""
    doc = Document(str(DEFAULT))
    doc.styles["Heading 1"].font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    doc.styles["Heading 1"].font.name = "Georgia"
    heading = next(p for p in doc.paragraphs if p.text == "The plan")
    heading.runs[0].text = "Our joint plan"
    doc.paragraphs[1].insert_paragraph_before("Prepared by {{ seller }} for {{ buyer }}.")
    folder.mkdir(parents=True)
    doc.save(str(folder / "plan.docx"))
    (folder / "template.yaml").write_text("name: acme-enterprise\nextends: enterprise\n", encoding="utf-8")


def test_a_custom_plan_docx_changes_styling_and_wording_as_the_guide_says(tmp_path, mapgen_cli):
    restyled_template(tmp_path / "templates" / "acme-enterprise")
    check = mapgen_cli("template", "check", tmp_path / "templates" / "acme-enterprise")
    assert check.code == 0, check.err
    result = mapgen_cli("generate", ROOT / "examples" / "acme-enterprise.yaml", "-f", "docx", "--template",
                        "acme-enterprise", "--template-path", tmp_path / "templates", "-o", tmp_path / "out")
    assert result.code == 0, result.err
    doc = Document(str(tmp_path / "out" / "acme-enterprise.docx"))
    assert doc.styles["Heading 1"].font.color.rgb == RGBColor(0xC0, 0x00, 0x00)
    assert doc.styles["Heading 1"].font.name == "Georgia"
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert "Our joint plan" in headings and "The plan" not in headings
    assert "Prepared by Northwind for Acme Corp." in [p.text for p in doc.paragraphs]


def test_template_check_names_the_word_template_and_the_unknown_variable(tmp_path, mapgen_cli):
    folder = tmp_path / "acme"
    restyled_template(folder)
    doc = Document(str(folder / "plan.docx"))
    doc.add_paragraph("Discount: {{ discount_percent }}")
    doc.save(str(folder / "plan.docx"))
    result = mapgen_cli("template", "check", folder)
    assert result.code == 1
    assert len(result.errors) == 1
    assert result.errors[0].startswith(f"{folder / 'plan.docx'}: error: format docx: the Word template uses "
                                       "'discount_percent', which the plan does not provide")
    assert mapgen_cli("check", folder).code == 1


def test_guide_lists_every_variable():
    from mapgen.builtin.docx_document.variables import VARIABLES

    guide = (ROOT / "docs" / "word-template.md").read_text(encoding="utf-8")
    for name in VARIABLES:
        assert f"`{name}`" in guide, name


def test_default_template_is_current(tmp_path):
    """plan.docx is generated: rebuilding it must give the same tags (the guide documents them)."""
    from mapgen.builtin.docx_document.default_template import build

    build(tmp_path / "plan.docx")
    fresh = Document(str(tmp_path / "plan.docx"))
    committed = Document(str(DEFAULT))
    assert text(fresh) == text(committed)

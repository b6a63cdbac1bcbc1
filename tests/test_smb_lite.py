"""The light SMB plan (issue 14, items 3 and 5): a handful of steps for two to four people, a deck of at
most five slides, sections with nothing to say left out, and each step's "why it matters" in the document,
the Markdown plan and the deck's speaker notes. Checked on the real files the command writes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document
from pptx import Presentation

from mapgen.markup import plain
from tests.office import convert_to_pdf
from tests.test_pptx import assert_laid_out_clear_of_the_footer, assert_within_slides

ROOT = Path(__file__).resolve().parents[1]
BLOOM = ROOT / "examples" / "bloom-smb.yaml"

#: A small deal with no risks and no decision gates in its template: nothing to say about either.
NO_RISKS_TEMPLATE = """\
name: plain
select:
  when: "false"
roles:
  champion: Champion
  account_executive: Account executive
workstreams:
  - id: buy
    name: Buying
    milestones:
      - id: proposal
        name: Proposal reviewed
        duration: 3d
        owner: {buyer: champion, seller: account_executive}
        description: One call, so the order form holds no surprises.
      - id: signature
        name: Order form signed
        duration: 0
        after: [proposal]
        owner: {buyer: champion, seller: account_executive}
"""
NO_RISKS_BRIEF = """\
deal: {name: Small deal, amount: 5000, segment: plain}
buyer:
  company: Tiny Co
  people:
    - {name: Ana Ruiz, role: champion}
seller:
  company: Northwind
  people:
    - {name: Sarah Kim, role: account_executive}
dates: {today: 2026-11-02, signature: 2026-12-18}
"""


@pytest.fixture(scope="module")
def bloom(tmp_path_factory):  # type: ignore[no-untyped-def]
    """The SMB example's files, written by the real command: {format: path}, and its plan."""
    from mapgen.cli import main
    from mapgen.pipeline import build_plan

    out = tmp_path_factory.mktemp("bloom")
    with pytest.raises(SystemExit) as exit_info:
        main(["generate", str(BLOOM), "-f", "pptx,docx,md", "-o", str(out), "-q"])
    assert exit_info.value.code == 0
    return {fmt: out / f"bloom-smb.{fmt}" for fmt in ("pptx", "docx", "md")}, build_plan(BLOOM)


@pytest.fixture(scope="module")
def bare(tmp_path_factory):  # type: ignore[no-untyped-def]
    """A plan without risks or gates: {format: path}."""
    from mapgen.cli import main

    root = tmp_path_factory.mktemp("bare")
    (root / "templates" / "plain").mkdir(parents=True)
    (root / "templates" / "plain" / "template.yaml").write_text(NO_RISKS_TEMPLATE, encoding="utf-8")
    brief = root / "small.yaml"
    brief.write_text(NO_RISKS_BRIEF, encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        main(["generate", str(brief), "-f", "pptx,docx,md", "-o", str(root / "out"), "-q",
              "--template-path", str(root / "templates")])
    assert exit_info.value.code == 0
    return {fmt: root / "out" / f"small.{fmt}" for fmt in ("pptx", "docx", "md")}


def notes(path: Path) -> str:
    prs = Presentation(io.BytesIO(path.read_bytes()))
    return "\n".join(s.notes_slide.notes_text_frame.text for s in prs.slides)


def deck_text(path: Path) -> str:
    prs = Presentation(io.BytesIO(path.read_bytes()))
    texts = []
    for slide in prs.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if shape.has_table:
                texts += [c.text_frame.text for r in shape.table.rows for c in r.cells]
    return "\n".join(texts)


def docx_text(path: Path) -> str:
    doc = Document(str(path))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_the_smb_plan_is_a_handful_of_steps_for_two_to_four_people(bloom):
    _, plan = bloom
    steps = plan.for_reader("buyer").milestones
    assert len(steps) <= 7
    roles = {m.owners.buyer.role for m in steps} | {m.owners.seller.role for m in steps}
    assert 2 <= len(roles) <= 4, roles
    for kept in ("signature", "kickoff", "go_live", "value_review"):
        assert kept in {m.id for m in steps}


@pytest.mark.slow
def test_the_smb_deck_is_at_most_five_slides_inside_and_above_the_footer(bloom, tmp_path):
    files, plan = bloom
    prs = Presentation(io.BytesIO(files["pptx"].read_bytes()))
    assert len(prs.slides) <= 5
    assert_within_slides(prs)
    assert_laid_out_clear_of_the_footer(files["pptx"], tmp_path)
    text = deck_text(files["pptx"])
    for m in plan.for_reader("buyer").milestones:  # one steps table has every step
        assert plain(m.name) in text
    title = "".join(sh.text_frame.text for sh in prs.slides[0].shapes if sh.has_text_frame)
    assert "Target go-live: Fri 11 Dec 2026" in title and "Signature, worked out from go-live" in title


def test_step_descriptions_are_in_the_document_the_markdown_and_the_deck_notes(bloom):
    files, plan = bloom
    described = [m for m in plan.for_reader("buyer").milestones if m.description]
    assert described
    md = files["md"].read_text(encoding="utf-8")
    word = docx_text(files["docx"])
    talk = notes(files["pptx"])
    for m in described:
        assert plain(m.description) in md
        assert plain(m.description) in word
        assert plain(m.description) in talk
    for m in plan.milestones:
        if m.internal:
            assert plain(m.name) not in md and plain(m.name) not in word and plain(m.name) not in deck_text(files["pptx"])


def test_a_plan_without_risks_or_gates_prints_no_such_section(bare):
    md = bare["md"].read_text(encoding="utf-8")
    assert "## Risks" not in md and "## Decision gates" not in md and "## Staying on track" not in md
    assert "\n\n\n" not in md  # a section left out leaves no gap
    word = docx_text(bare["docx"])
    assert "Risks and mitigations" not in word and "No risks listed" not in word
    assert "Decision gates" not in word
    deck = deck_text(bare["pptx"])
    assert "What could slow us down" not in deck and "No risks listed" not in deck
    assert "One call, so the order form holds no surprises." in md + word and \
        "One call, so the order form holds no surprises." in notes(bare["pptx"])


def test_compact_is_chosen_by_the_template_not_its_name(tmp_path):
    from mapgen.errors import RenderError
    from mapgen.formats import RenderContext
    from mapgen.plugins import formats
    from mapgen.testing import make_plan

    pptx = formats()["pptx"].format
    plan = make_plan(6).for_reader("buyer")
    full = Presentation(io.BytesIO(pptx.render(plan, RenderContext())))
    compact = Presentation(io.BytesIO(pptx.render(plan, RenderContext(options={"layout": "compact"}))))
    assert len(compact.slides) <= 5 < len(full.slides)
    with pytest.raises(RenderError, match="layout must be one of full, compact"):
        pptx.render(plan, RenderContext(options={"layout": "tiny"}))


@pytest.mark.slow
def test_the_smb_document_fits_one_page(bloom, tmp_path):
    files, _ = bloom
    from tests.office import pdf_pages

    assert pdf_pages(convert_to_pdf(files["docx"], tmp_path)) == 1


def test_the_compact_document_is_chosen_by_the_template(bloom):
    from mapgen.errors import RenderError
    from mapgen.formats import RenderContext
    from mapgen.plugins import formats

    _, plan = bloom
    docx = formats()["docx"].format
    full = Document(io.BytesIO(docx.render(plan, RenderContext())))
    compact = Document(io.BytesIO(docx.render(plan, RenderContext(options={"layout": "compact"}))))
    assert "Who is involved" in [p.text for p in full.paragraphs]
    assert "Who is involved" not in [p.text for p in compact.paragraphs]
    with pytest.raises(RenderError, match="layout must be one of full, compact"):
        docx.render(plan, RenderContext(options={"layout": "tiny"}))


def test_template_check_reports_a_bad_layout_before_anything_is_generated(tmp_path, mapgen_cli):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "template.yaml").write_text(
        "name: mine\nextends: smb\nformats:\n  pptx: {layout: tiny}\n  docx: {layout: huge}\n", encoding="utf-8")
    result = mapgen_cli("template", "check", folder)
    assert result.code == 1
    assert f"{folder / 'template.yaml'}: error: format pptx: layout must be one of" in result.err
    assert f"{folder / 'template.yaml'}: error: format docx: layout must be one of" in result.err

"""A key date's outlook is its key step's state, in every format (docs/scheduling.md): a signature forecast
one working day before its target reads "At risk: 1 working day to spare", as the steps that drive it do,
never "On track"; a target that cannot be met says so; one with room says "On track"."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from mapgen.pipeline import build_plan
from mapgen.wording import key_outlook

ROOT = Path(__file__).resolve().parents[1]
ACME = ROOT / "examples" / "acme-enterprise.yaml"  # signature: forecast Thu 17 Dec, target Fri 18 Dec
GLOBEX = ROOT / "examples" / "globex-late.yaml"  # signature cannot be met
AT_RISK = "At risk: 1 working day to spare"


def test_the_outlook_is_the_key_steps_state() -> None:
    plan = build_plan(ACME)
    signature = plan.by_id["signature"]
    assert (signature.state, signature.slack) == ("at_risk", 1)
    assert plan.signature.feasible and (plan.signature.target - plan.signature.forecast).days == 1
    assert key_outlook(plan, "signature") == (AT_RISK, "at_risk")
    assert key_outlook(plan, "go_live") == ("On track", "on_track")  # about a month to spare
    late = build_plan(GLOBEX)
    assert key_outlook(late, "signature") == ("Cannot be met", "late")



def test_markdown_and_html_say_at_risk(acme_outputs: Path) -> None:
    md = (acme_outputs / "acme-enterprise.md").read_text(encoding="utf-8")
    assert "| Signature | Fri 18 Dec 2026 | Fri 18 Dec 2026 | Thu 17 Dec 2026 | **At risk: 1 working day to spare** |" in md
    assert re.search(r"\| Go-live \|.*\| On track \|", md)
    page = (acme_outputs / "acme-enterprise.html").read_text(encoding="utf-8")
    assert f'<td class="at_risk">{AT_RISK}</td>' in page


def test_the_document_says_at_risk_in_amber(acme_outputs: Path) -> None:
    import docx

    document = docx.Document(str(acme_outputs / "acme-enterprise.docx"))
    runs = [run for table in document.tables for row in table.rows for cell in row.cells
            for paragraph in cell.paragraphs for run in paragraph.runs if run.text == AT_RISK]
    assert runs and all(str(run.font.color.rgb) == "B45309" for run in runs)


def test_the_workbook_says_at_risk_in_amber(acme_outputs: Path) -> None:
    import openpyxl

    summary = openpyxl.load_workbook(acme_outputs / "acme-enterprise.xlsx")["Summary"]
    row = next(r for r in summary.iter_rows() if r[0].value == "Signature")
    assert row[3].value == AT_RISK and row[3].font.color.rgb.endswith("92400E")
    go_live = next(r for r in summary.iter_rows() if r[0].value == "Go-live")
    assert go_live[3].value == "On track"


def test_the_decks_signature_card_is_amber_and_says_why(acme_outputs: Path) -> None:
    from pptx import Presentation

    deck = Presentation(io.BytesIO((acme_outputs / "acme-enterprise.pptx").read_bytes()))
    texts = [shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame]
    assert "Forecast Thu 17 Dec 2026, at risk: 1 working day to spare" in texts
    assert "Forecast Thu 28 Jan 2027: on track" in texts
    with zipfile.ZipFile(acme_outputs / "acme-enterprise.pptx") as z:
        slide = next(z.read(n).decode() for n in z.namelist()
                     if n.startswith("ppt/slides/slide") and "at risk: 1 working day" in z.read(n).decode())
    assert 'srgbClr val="A16207"' in slide  # the card's fill: amber with white text (4.9:1)


def test_the_terminal_says_at_risk(mapgen_cli) -> None:  # type: ignore[no-untyped-def]
    result = mapgen_cli("plan", ACME)
    assert result.code == 0
    signature = next(line for line in result.out.splitlines() if line.startswith("signature:"))
    assert signature.endswith("AT RISK: 1 WORKING DAY TO SPARE")


def test_the_email_says_at_risk_beside_the_forecast(acme_outputs: Path) -> None:
    import email
    from email import policy

    message = email.message_from_bytes((acme_outputs / "acme-enterprise.eml").read_bytes(), policy=policy.default)
    text = message.get_body(("plain",)).get_content()
    assert "- Signature: target Fri 18 Dec 2026, forecast Thu 17 Dec 2026 (at risk: 1 working day to spare)" in text
    assert "- Go-live: target Fri 26 Feb 2027, forecast Thu 28 Jan 2027" in text.splitlines()
    page = message.get_body(("html",)).get_content()
    assert "color:#B45309;font-weight:bold\">Thu 17 Dec 2026 (at risk: 1 working day to spare)</td>" in page

"""Who a plan is for: the buyer's files never hold internal steps or the MEDDPICC review
(docs/meddpicc.md); ``--audience internal`` adds both, under its own file names."""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from mapgen.markup import plain

ROOT = Path(__file__).resolve().parents[1]
ENTERPRISE = ROOT / "examples" / "acme-enterprise.yaml"
EVERY_FORMAT = "md,docx,pptx,xlsx,json,html,email,ics"
#: Words only the seller's view may hold: the brief's qualification notes and the review's headings.
SELLER_ONLY = ("MEDDPICC", "Contoso Logistics Cloud", "Payback inside twelve months", "Economic buyer:",
               "Decision criteria", "Paper process", "not for the buyer")


def everything_in(path: Path) -> str:
    """All the text a file holds, hidden parts included (speaker notes, every sheet, document parts)."""
    data = path.read_bytes()
    if data[:2] == b"PK":
        with zipfile.ZipFile(path) as z:
            parts = [z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith((".xml", ".rels"))]
        return html.unescape(re.sub(r"<[^>]+>", " ", " ".join(parts)))
    text = data.decode("utf-8", "replace")
    if path.suffix == ".eml":
        import email
        from email import policy

        message = email.message_from_bytes(data, policy=policy.default)
        text = " ".join(part.get_content() for part in message.walk() if part.get_content_maintype() == "text")
    return html.unescape(text)


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from mapgen.cli import main

    out = tmp_path_factory.mktemp("audience")
    for audience in ("buyer", "internal"):
        with pytest.raises(SystemExit) as exit_info:
            main(["generate", str(ENTERPRISE), "-f", EVERY_FORMAT, "-o", str(out), "--audience", audience, "-q"])
        assert exit_info.value.code == 0
    return out, out


def test_the_buyers_files_hold_no_internal_step_and_no_review(both: tuple[Path, Path]) -> None:
    from mapgen.pipeline import build_plan

    out, _ = both
    plan = build_plan(ENTERPRISE)
    internal = [plain(m.name) for m in plan.milestones if m.internal]
    assert internal  # the enterprise template has a deal-desk step of the seller's own
    buyer_files = sorted(p for p in out.iterdir() if ".internal." not in p.name and not p.name.startswith("."))
    assert {p.suffix for p in buyer_files} == {".md", ".docx", ".pptx", ".xlsx", ".json", ".html", ".eml", ".ics"}
    for path in buyer_files:
        text = everything_in(path)
        for word in SELLER_ONLY:
            assert word not in text, f"{path.name} holds {word!r}"
        if path.suffix != ".json":  # the JSON is the plan's full record, internal steps marked
            for name in internal:
                assert name not in text, f"{path.name} shows the internal step {name!r}"


def test_the_json_is_the_full_record_without_the_sellers_notes(both: tuple[Path, Path]) -> None:
    out, _ = both
    data = json.loads((out / "acme-enterprise.json").read_text(encoding="utf-8"))
    assert any(m["internal"] for m in data["milestones"])
    assert "qualification" not in data
    assert (out / "acme-enterprise.internal.json").read_bytes() == (out / "acme-enterprise.json").read_bytes()


def test_the_internal_view_has_its_own_file_names_steps_and_review(both: tuple[Path, Path]) -> None:
    out, _ = both
    md = (out / "acme-enterprise.internal.md").read_text(encoding="utf-8")
    assert "**Internal view: not for the buyer.**" in md
    assert "Pricing and terms approved by deal desk *(internal)*" in md
    review = md.split("## MEDDPICC review (internal)", 1)[1]
    for letter, name in (("M", "Metrics"), ("E", "Economic buyer"), ("D", "Decision criteria"),
                         ("D", "Decision process"), ("P", "Paper process"), ("I", "Identify pain"),
                         ("C", "Champion"), ("C", "Competition")):
        assert f"### {letter} · {name}: " in review
    assert "Dana Cho, CFO" in review  # the economic buyer, from the people
    assert "Executive review: Dana Cho, due Thu 17 Dec 2026" in review  # ... at the executive-approval gate
    assert "Contoso Logistics Cloud" in review and "Payback inside twelve months" in review
    assert "Signature: target Fri 18 Dec 2026, forecast Thu 17 Dec 2026, on target." in review
    assert "Purchase order approved: Tom Becker" in review  # the paper process, from the procurement steps
    assert "| Pricing and terms approved by deal desk *(internal)* | — | Sarah Kim |" in md  # no buyer owner
    deck = everything_in(out / "acme-enterprise.internal.pptx")
    assert "MEDDPICC review (internal: not for the buyer)" in deck
    from pptx import Presentation

    for number, slide in enumerate(Presentation(str(out / "acme-enterprise.internal.pptx")).slides, 1):
        text = " ".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)
        assert "Internal view: not for the buyer" in text, f"slide {number} is not marked internal"
    assert "Contoso Logistics Cloud" in deck and "Pricing and terms approved by deal desk" in deck


def test_gaps_are_flagged(tmp_path: Path) -> None:
    from mapgen.meddpicc import review
    from mapgen.testing import plan_from_brief

    brief = ENTERPRISE.read_text(encoding="utf-8")
    brief = brief.replace("role: economic_buyer", "role: end_users").split("qualification:")[0]
    plan = plan_from_brief(brief, tmp_path=tmp_path)
    gaps = review(plan).gaps
    assert "Economic buyer: no economic buyer named: who signs off the budget?" in gaps
    assert any(g.startswith("Competition: the brief names no competition") for g in gaps)
    assert any(g.startswith("Decision criteria: not written down") for g in gaps)
    smb = (ROOT / "examples" / "bloom-smb.yaml").read_text(encoding="utf-8")
    gaps = review(plan_from_brief(smb, tmp_path=tmp_path)).gaps
    assert any(g.startswith("Paper process: no paper process dates") for g in gaps)


def test_the_review_refuses_a_buyers_plan() -> None:
    from mapgen.meddpicc import review
    from mapgen.pipeline import build_plan

    with pytest.raises(ValueError, match="internal view only"):
        review(build_plan(ENTERPRISE).for_reader("buyer"))


def test_a_buyers_plan_is_consistent_without_its_internal_steps() -> None:
    from mapgen.pipeline import build_plan

    plan = build_plan(ENTERPRISE)
    buyer = plan.for_reader("buyer")
    assert buyer.audience == "buyer" and buyer.qualification is None and plan.qualification is not None
    assert [m.id for m in buyer.milestones] == [m.id for m in plan.milestones if not m.internal]
    hidden = next(m for m in plan.milestones if m.internal)
    follower = buyer.by_id[next(m.id for m in plan.milestones if hidden.id in m.after)]
    assert hidden.id not in follower.after and set(hidden.after) <= set(follower.after)
    for ws in buyer.workstreams:
        assert hidden.id not in ws.milestones
    assert all(i in buyer.by_id for i in buyer.signature.drivers)
    assert buyer.for_reader("buyer") is buyer
    with pytest.raises(ValueError):
        buyer.for_reader("internal")  # what was taken out cannot come back


def test_include_internal_is_a_hidden_alias(mapgen_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = mapgen_cli("generate", "--help")
    assert "--audience [buyer|internal]" in result.out and "--include-internal" not in result.out
    result = mapgen_cli("plan", ENTERPRISE, "--include-internal")
    assert result.code == 0 and "Pricing and terms" in result.out
    result = mapgen_cli("plan", ENTERPRISE)
    assert result.code == 0 and "Pricing and terms" not in result.out
    result = mapgen_cli("plan", ENTERPRISE, "--include-internal", "--audience", "buyer")
    assert result.code == 2 and "cannot be combined" in result.err


def test_no_review_unless_the_context_asks_for_it() -> None:
    """A plugin or script handing a format the full plan directly still gets no review for the buyer."""
    from mapgen.formats import RenderContext
    from mapgen.pipeline import build_plan
    from mapgen.plugins import formats

    plan = build_plan(ENTERPRISE)
    assert "MEDDPICC" not in formats()["md"].format.render(plan, RenderContext()).decode()
    with zipfile.ZipFile(io.BytesIO(formats()["pptx"].format.render(plan, RenderContext()))) as deck:
        assert b"MEDDPICC" not in b"".join(deck.read(n) for n in deck.namelist())
    assert "MEDDPICC" in formats()["md"].format.render(plan, RenderContext(audience="internal")).decode()

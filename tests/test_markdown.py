"""The Markdown plan, read back the way GitHub reads it (markdown-it, GFM tables)."""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from mapgen.markup import plain
from mapgen.plan import Plan
from mapgen.testing import HOSTILE_STRINGS, make_plan


def parse(text: str):  # type: ignore[no-untyped-def]
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).parse(text)


def tables(text: str) -> list[list[list[str]]]:
    """Each table as rows of cell texts (inline content rendered to plain text)."""
    out: list[list[list[str]]] = []
    rows: list[list[str]] = []
    row: list[str] | None = None
    for token in parse(text):
        if token.type == "table_open":
            rows = []
        elif token.type == "tr_open":
            row = []
        elif token.type == "inline" and row is not None:
            row.append("".join(child.content if child.type in ("text", "code_inline") else
                               ("\n" if child.type in ("softbreak", "hardbreak") or
                                (child.type == "html_inline" and child.content == "<br>") else "")
                               for child in token.children or []))
        elif token.type == "tr_close" and row is not None:
            rows.append(row)
            row = None
        elif token.type == "table_close":
            out.append(rows)
    return out


def plan_table(text: str) -> list[list[str]]:
    return next(t for t in tables(text) if t[0][:3] == ["#", "Workstream", "Action"])


def test_plan_table_has_one_row_per_visible_step(render, sample_plan: Plan) -> None:
    text = render("md", sample_plan).decode()
    table = plan_table(text)
    visible = sample_plan.for_reader("buyer").milestones
    assert len(table) == len(visible) + 1
    assert all(len(row) == 10 for row in table)
    for row, m in zip(table[1:], visible):
        assert row[2] == plain(m.name)
        assert row[3] == m.owners.buyer.name and row[4] == m.owners.seller.name
    assert not any(m.internal for m in visible)
    internal = [m for m in sample_plan.milestones if m.internal]
    assert internal and plain(internal[0].name) not in text
    assert plain(internal[0].name) in render("md", sample_plan, audience="internal").decode()


def test_hostile_text_stays_text_and_cannot_break_the_table(render, hostile_plan: Plan) -> None:
    text = render("md", hostile_plan).decode()
    table = plan_table(text)
    assert all(len(row) == 10 for row in table), "a pipe or a newline broke the table"
    cells = "\n".join("\n".join(row) for row in table)
    for s in HOSTILE_STRINGS:
        assert s in cells or s in plain(text), s
    html = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).render(text)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_inline_markdown_keeps_its_formatting(render, tmp_path: Path) -> None:
    from mapgen.testing import plan_from_brief

    brief = (Path(__file__).resolve().parents[1] / "examples" / "acme-enterprise.yaml").read_text(encoding="utf-8")
    text = render("md", plan_from_brief(brief, tmp_path=tmp_path)).decode()
    html = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(text)
    assert "<strong>one week instead of six</strong>" in html
    assert "<em>evaluation</em>" in html
    assert "**" not in html


def test_late_plan_states_the_earliest_dates_plainly(render, late_plan: Plan) -> None:
    text = render("md", late_plan).decode()
    assert late_plan.signature.earliest is not None
    assert "cannot be met" in text
    from mapgen.wording import human_date

    assert human_date(late_plan.signature.earliest) in text
    assert "⚠" in text


def test_long_plan_and_every_section(render) -> None:
    plan = make_plan(40, long_names=True)
    text = render("md", plan).decode()
    for heading in ("## Who is involved", "## The plan", "## Decision gates", "## Risks", "## Staying on track",
                    "## Sign-off"):
        assert heading in text
    assert len(plan_table(text)) == len(plan.for_reader("buyer").milestones) + 1


def test_a_template_can_override_the_markdown(tmp_path: Path, mapgen_cli) -> None:
    folder = tmp_path / "tpl" / "short"
    folder.mkdir(parents=True)
    (folder / "template.yaml").write_text("name: short\nextends: smb\n", encoding="utf-8")
    (folder / "plan.md.j2").write_text("# {{ plan.title }}\n{% for m in steps %}- {{ m.name | md }}\n{% endfor %}",
                                       encoding="utf-8")
    brief = Path(__file__).resolve().parents[1] / "examples" / "bloom-smb.yaml"
    result = mapgen_cli("generate", brief, "-f", "md", "--template-path", tmp_path / "tpl", "--template", "short",
                        "-o", tmp_path / "out")
    assert result.code == 0, result.err
    text = (tmp_path / "out" / "bloom-smb.md").read_text(encoding="utf-8")
    assert text.startswith("# ") and text.count("\n- ") >= 5


@pytest.mark.parametrize("source, message", [
    ("{% for m in steps %}", "plan.md.j2:1"),
    ("{{ plan.nothing_here }}", "plan.md.j2"),
    ("{{ plan.__class__.__mro__ }}", "plan.md.j2"),
])
def test_a_broken_markdown_template_is_reported_with_its_file(tmp_path: Path, mapgen_cli, source: str,
                                                              message: str) -> None:
    folder = tmp_path / "tpl" / "broken"
    folder.mkdir(parents=True)
    (folder / "template.yaml").write_text("name: broken\nextends: smb\n", encoding="utf-8")
    (folder / "plan.md.j2").write_text(source, encoding="utf-8")
    brief = Path(__file__).resolve().parents[1] / "examples" / "bloom-smb.yaml"
    result = mapgen_cli("generate", brief, "-f", "md,json", "--template-path", tmp_path / "tpl", "--template",
                        "broken", "-o", tmp_path / "out")
    assert result.code == 1
    assert message in result.err and "Traceback" not in result.err
    assert (tmp_path / "out" / "bloom-smb.json").exists(), "the other formats are still written"
    assert not (tmp_path / "out" / "bloom-smb.md").exists()


def test_the_story_of_a_late_plan(render, tmp_path: Path) -> None:
    """Target beside forecast, the drivers and the slip, derived risks marked, next steps from today."""
    from mapgen.pipeline import build_plan
    from mapgen.wording import human_date

    plan = build_plan(Path(__file__).resolve().parents[1] / "examples" / "globex-late.yaml")
    text = render("md", plan).decode()
    key_dates = next(t for t in tables(text) if t[0][0] == "Key date")
    assert key_dates[0] == ["Key date", "Target", "Planned", "Forecast", "Outlook"]
    signature = next(row for row in key_dates if row[0] == "Signature")
    assert signature[1] == human_date(plan.signature.target) and signature[3] == human_date(plan.signature.forecast)
    assert signature[4] == "Cannot be met"
    assert f"{plan.signature.slip} working days after the target" in text
    for m in plan.driver_steps("signature"):
        assert plain(m.name) in plain(text)
    risks = next(t for t in tables(text) if t[0][0] == "Risk")
    assert any(row[0].startswith("Found in the plan: The target signature date") for row in risks)
    section = text.split("## Next two weeks", 1)[1].split("\n## ", 1)[0]
    listed = [line for line in section.splitlines() if line.startswith("- ")]
    assert listed and len(listed) == len(plan.next_steps())
    assert all(m.start >= plan.today for m in plan.next_steps())


def test_done_steps_show_their_actual_date_and_dependencies_by_number(render, tmp_path: Path) -> None:
    from mapgen.testing import plan_from_brief
    from mapgen.wording import human_date

    brief = (Path(__file__).resolve().parents[1] / "examples" / "acme-enterprise.yaml").read_text(encoding="utf-8")
    plan = plan_from_brief(brief, tmp_path=tmp_path)
    table = plan_table(render("md", plan).decode())
    done = next(m for m in plan.for_reader("buyer").milestones if m.is_done)
    row = next(r for r in table if r[2] == plain(done.name))
    assert row[6] == f"{human_date(done.actual_done)} (done)"
    buyer = plan.for_reader("buyer")
    waiting = next(m for m in buyer.milestones if len(buyer.waits_for(m)) > 1)
    row = next(r for r in table if r[2] == plain(waiting.name))
    assert row[7] == ", ".join(str(n) for n in buyer.waits_for(waiting))


def test_a_worked_out_target_says_so(render, tmp_path: Path) -> None:
    from mapgen.testing import plan_from_brief

    brief = (Path(__file__).resolve().parents[1] / "examples" / "acme-enterprise.yaml").read_text(encoding="utf-8")
    brief = brief.replace("  signature: 2026-12-18\n", "")
    plan = plan_from_brief(brief, tmp_path=tmp_path)
    assert plan.signature.derived
    key_dates = next(t for t in tables(render("md", plan).decode()) if t[0][0] == "Key date")
    assert "(worked out from go-live)" in next(row for row in key_dates if row[0] == "Signature")[1]


def test_a_section_with_nothing_to_say_is_left_out(render, tmp_path: Path) -> None:
    from mapgen.testing import plan_from_brief

    plan = plan_from_brief("deal: {name: Bare}\nbuyer: {company: Buyer}\ndates: {today: 2026-11-02, signature: "
                           "2026-12-18}\n", tmp_path=tmp_path)
    assert "## Who is involved" not in render("md", plan).decode()


def test_the_sign_off_lists_who_signs_as_the_deck_and_document_do(render, tmp_path: Path) -> None:
    from mapgen.testing import plan_from_brief
    from mapgen.wording import signers

    brief = (Path(__file__).resolve().parents[1] / "examples" / "acme-enterprise.yaml").read_text(encoding="utf-8")
    plan = plan_from_brief(brief, tmp_path=tmp_path).for_reader("buyer")
    sign_off = render("md", plan).decode().split("## Sign-off", 1)[1]
    names = [row[1] for row in tables(sign_off)[0][1:]]
    assert names == [p.name for side in ("buyer", "seller") for p in signers(plan, side)]
    assert names == ["Dana Cho", "John Rivera", "Sarah Kim", "Grace Obi"]

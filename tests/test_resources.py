"""Resources: what each step needs from each side (people and time, access, budget), from the template's
defaults and the brief's overrides to what the document, workbook, Markdown and JSON show."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
import pytest

from mapgen.changes import plan_from_dict
from mapgen.plan import Plan
from mapgen.step import Resource, Resources
from mapgen.testing import make_plan, plan_from_brief

ROOT = Path(__file__).resolve().parents[1]
PLAN_SCHEMA = json.loads((ROOT / "mapgen" / "schemas" / "plan.schema.json").read_text(encoding="utf-8"))
BRIEF_SCHEMA = json.loads((ROOT / "mapgen" / "schemas" / "brief.schema.json").read_text(encoding="utf-8"))

BRIEF = """\
deal: {name: Warehouse platform, amount: 250000}
buyer:
  company: Acme Corp
  people: [{name: Dana Cho, role: economic_buyer}]
seller:
  company: Northwind
dates: {today: 2026-11-02, signature: 2026-12-18}
"""

OVERRIDES = BRIEF + """\
milestones:
  security_review:
    resources:
      buyer: ["CISO, half a day", {access: "Audit portal"}]
  legal_review:
    resources:
      seller: []
add:
  - id: data_room
    name: Data room opened
    workstream: security
    duration: 2d
    before: [security_review]
    resources:
      buyer: [{budget: "Travel for the site visit"}]
      seller: ["Solutions engineer, 1 day"]
"""


def people(*words: str) -> tuple[Resource, ...]:
    return tuple(Resource("people", w) for w in words)


@pytest.fixture(scope="module")
def defaults() -> Plan:
    return plan_from_brief(BRIEF)


@pytest.fixture(scope="module")
def overridden() -> Plan:
    return plan_from_brief(OVERRIDES)


def test_the_template_gives_defaults(defaults: Plan) -> None:
    review = defaults.milestone("security_review")
    assert review.resources == Resources(people("Security team, 2 days"), people("Security engineer, 2 h"))
    assert defaults.milestone("executive_approval").resources.buyer == (Resource("budget", "Budget confirmed for year one"),)
    assert not defaults.milestone("signature").resources  # steps that need nothing say nothing


def test_the_brief_replaces_a_side_and_keeps_the_side_it_leaves_out(overridden: Plan) -> None:
    review = overridden.milestone("security_review")
    assert review.resources.buyer == (Resource("people", "CISO, half a day"), Resource("access", "Audit portal"))
    assert review.resources.seller == people("Security engineer, 2 h")  # not given: the template's
    legal = overridden.milestone("legal_review")
    assert legal.resources.seller == () and legal.resources.buyer == people("Counsel, 3 days")  # [] clears a side
    added = overridden.milestone("data_room")
    assert added.resources == Resources((Resource("budget", "Travel for the site visit"),),
                                        people("Solutions engineer, 1 day"))


def test_what_each_side_commits_groups_by_kind_and_names_the_steps(overridden: Plan) -> None:
    grouped = dict(overridden.commitments_by_side())
    assert list(grouped) == ["buyer", "seller"]
    buyer = dict(grouped["buyer"])
    assert list(buyer) == ["People and time", "Systems and data access", "Budget"]
    review = overridden.milestone("security_review")
    ciso = next(c for c in buyer["People and time"] if c.text == "CISO, half a day")
    assert ciso.steps == (review,) and ciso.for_steps == f"step {review.number}"
    # the same words on two steps are one commitment naming both
    plan = make_plan(4)
    first, second = plan.milestones[:2]
    same = (Resource("people", "Solutions engineer, 1 day"),)
    from dataclasses import replace

    plan = replace(plan, milestones=(replace(first, resources=Resources(seller=same)),
                                     replace(second, resources=Resources(seller=same))) + plan.milestones[2:])
    (side, ((kind, (one,)),)), = plan.commitments_by_side()
    assert (side, kind, one.numbers) == ("seller", "People and time", f"{first.number}, {second.number}")


def test_the_json_carries_resources_validates_and_reads_back(overridden: Plan) -> None:
    data = json.loads(overridden.to_json())
    jsonschema.Draft202012Validator(PLAN_SCHEMA, format_checker=jsonschema.FormatChecker()).validate(data)
    review = next(m for m in data["milestones"] if m["id"] == "security_review")
    assert review["resources"] == {"buyer": [{"kind": "people", "text": "CISO, half a day"},
                                             {"kind": "access", "text": "Audit portal"}],
                                   "seller": [{"kind": "people", "text": "Security engineer, 2 h"}]}
    assert next(m for m in data["milestones"] if m["id"] == "signature")["resources"] == {"buyer": [], "seller": []}
    again = plan_from_dict(data)
    assert again.milestone("security_review").resources == overridden.milestone("security_review").resources
    bad = json.loads(overridden.to_json())
    bad["milestones"][0]["resources"]["buyer"] = [{"kind": "coffee", "text": "x"}]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(PLAN_SCHEMA).validate(bad)


def test_the_brief_schema_knows_resources(tmp_path: Path) -> None:
    from mapgen.yamlio import load_yaml

    def load() -> dict:  # type: ignore[type-arg]
        return json.loads(json.dumps(load_yaml(tmp_path / "brief.yaml", OVERRIDES)[0], default=str))

    validator = jsonschema.Draft202012Validator(BRIEF_SCHEMA, format_checker=jsonschema.FormatChecker())
    validator.validate(load())
    bad = load()
    bad["milestones"]["security_review"]["resources"]["buyer"] = [{"coffee": "x"}]
    assert list(validator.iter_errors(bad))


@pytest.mark.parametrize("entry, words", [
    ('{acess: "Audit portal"}', ["'acess' is not a kind of resource", "did you mean access"]),
    ('{people: a, budget: b}', ["a resource is text, or one of"]),
    ('[nested]', ["a resource is text, or one of"]),
    ('""', ["a resource cannot be empty"]),
])
def test_a_bad_resource_is_an_error_at_its_line(entry: str, words: list[str], tmp_path: Path, mapgen_cli) -> None:
    brief = tmp_path / "brief.yaml"
    brief.write_text(BRIEF + "milestones:\n  security_review:\n    resources:\n      buyer:\n"
                     f"        - CISO\n        - {entry}\n", encoding="utf-8")
    result = mapgen_cli("check", brief)
    assert result.code == 1
    assert len(result.errors) == 1, result.err
    line = result.errors[0]
    assert line.startswith(f"{brief}:13: error: milestones.security_review.resources.buyer[1]: "), line
    assert all(w in line for w in words), line


def test_a_bad_resource_in_a_template_is_an_error_at_its_line(tmp_path: Path, mapgen_cli) -> None:
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "template.yaml").write_text(
        "name: tpl\nworkstreams:\n  - id: main\n    name: Main\n    milestones:\n"
        "      - id: signature\n        name: Signed\n        duration: 0\n"
        "        owner: {buyer: champion, seller: account_executive}\n"
        "        resources:\n          buyer: [{budgte: Year one}]\n", encoding="utf-8")
    result = mapgen_cli("check", folder)
    assert result.code == 1
    assert any(e.startswith(f"{folder / 'template.yaml'}:11: error: ") and "did you mean budget" in e
               for e in result.errors), result.err


def test_a_child_template_and_a_rule_change_resources(tmp_path: Path) -> None:
    folder = tmp_path / "child"
    folder.mkdir()
    (folder / "template.yaml").write_text(
        "name: child\nextends: enterprise\nmilestones:\n"
        "  security_review: {resources: {seller: [\"Our CISO, 1 h\"]}}\n"
        "rules:\n  - when: \"deal.amount is not none and deal.amount > 100\"\n"
        "    set:\n      signature: {resources: {buyer: [{budget: Signed PO}]}}\n", encoding="utf-8")
    from mapgen.catalog import Catalog

    brief = tmp_path / "brief.yaml"
    brief.write_text(BRIEF, encoding="utf-8")
    from mapgen.pipeline import build_plan

    plan = build_plan(brief, template=str(folder), catalog=Catalog([tmp_path, ROOT / "templates"]))
    assert plan.milestone("security_review").resources == Resources(people("Security team, 2 days"),
                                                                    people("Our CISO, 1 h"))
    assert plan.milestone("signature").resources.buyer == (Resource("budget", "Signed PO"),)


# -- what readers see ---------------------------------------------------------------------------------------


def test_markdown_shows_each_steps_needs_and_what_each_side_commits(overridden: Plan, render) -> None:
    text = render("md", overridden).decode()
    review = overridden.milestone("security_review")
    needs = text.split("### What each step needs", 1)[1].split("\n## ", 1)[0]
    assert (f"- **{review.number}. Security review completed and approved:** Acme Corp: CISO, half a day; "
            "Audit portal *(access)*. Northwind: Security engineer, 2 h.") in needs
    commits = text.split("## What each side commits", 1)[1].split("\n## ", 1)[0]
    acme, northwind = commits.split("**Northwind**")
    assert "**Acme Corp**" in acme and f"CISO, half a day (step {review.number})" in acme
    lines = {line.split(":*", 1)[0]: line for line in acme.splitlines() if line.startswith("- *")}
    assert list(lines) == ["- *People and time", "- *Systems and data access", "- *Budget"]
    assert f"Audit portal (step {review.number})" in lines["- *Systems and data access"]
    assert "Travel for the site visit" in lines["- *Budget"]
    assert "Solutions engineer, 1 day" in northwind and "Counsel" not in northwind


def test_a_plan_without_resources_shows_no_empty_section(render) -> None:
    plan = make_plan()
    assert not any(m.resources for m in plan.milestones)
    text = render("md", plan).decode()
    assert "What each side commits" not in text and "What each step needs" not in text
    from docx import Document

    document = Document(io.BytesIO(render("docx", plan)))
    assert "commits" not in "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(render("xlsx", plan)))
    assert "Resources" not in wb.sheetnames
    assert "What each side commits" not in [c.value for row in wb["Summary"].iter_rows() for c in row]


def test_the_document_says_what_each_side_commits_above_the_signatures(overridden: Plan, render) -> None:
    from docx import Document

    document = Document(io.BytesIO(render("docx", overridden)))
    sign = document.tables[-1]
    commits, signatures = sign.rows[0].cells, sign.rows[1].cells
    review = overridden.milestone("security_review")
    buyer = commits[0].text
    assert buyer.startswith("Acme Corp commits people and time: ") and f"CISO, half a day ({review.number})" in buyer
    assert buyer.index("people and time:") < buyer.index("· access:") < buyer.index("· budget:")
    assert f"Audit portal ({review.number})" in buyer and "Travel for the site visit" in buyer
    assert commits[1].text.startswith("Northwind commits people and time: ")
    assert signatures[0].text.startswith("For Acme Corp") and signatures[1].text.startswith("For Northwind")
    from docxtpl import DocxTemplate

    from mapgen.builtin.docx_document import DEFAULT_TEMPLATE
    from mapgen.builtin.docx_document.variables import template_variables

    entries = template_variables(overridden.for_reader("buyer"), DocxTemplate(str(DEFAULT_TEMPLATE)))["commitments"]["entries"]
    assert {"side": "buyer", "company": "Acme Corp", "kind": "Systems and data access",
            "steps": str(review.number)} in [{k: v for k, v in e.items() if k != "text"} for e in entries]


def test_a_long_document_leaves_the_commitments_to_the_other_formats(render) -> None:
    from dataclasses import replace

    from docx import Document

    from mapgen.builtin.docx_document.variables import COMMITTED_STEPS

    plan = make_plan(COMMITTED_STEPS + 5)
    assert len(plan.for_reader("buyer").milestones) > COMMITTED_STEPS
    first = plan.for_reader("buyer").milestones[0]
    plan = replace(plan, milestones=tuple(replace(m, resources=Resources(people("Someone"))) if m.id == first.id else m
                                          for m in plan.milestones))
    document = Document(io.BytesIO(render("docx", plan)))
    assert "commits" not in document.tables[-1].rows[0].cells[0].text
    assert "Someone" in render("md", plan).decode()


def test_the_workbook_has_a_resources_sheet_and_the_summary_says_what_each_side_commits(overridden: Plan,
                                                                                        render) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(render("xlsx", overridden)))
    assert wb.sheetnames.index("Resources") == wb.sheetnames.index("People") + 1
    sheet = wb["Resources"]
    assert [c.value for c in sheet[1]] == ["#", "Step", "Side", "Kind", "Resource"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    review = overridden.milestone("security_review")
    assert [review.number, "Security review completed and approved", "Acme Corp", "Systems and data access",
            "Audit portal"] in rows
    numbers = [r[0] for r in rows]
    order = [m.number for m in overridden.for_reader("buyer").milestones]
    assert numbers == sorted(numbers, key=order.index)  # in the Plan sheet's order
    assert len(rows) == sum(len(m.resources.buyer) + len(m.resources.seller) for m in overridden.for_reader("buyer").milestones)
    summary = [[c.value for c in row] for row in wb["Summary"].iter_rows()]
    start = next(i for i, r in enumerate(summary) if r[0] == "What each side commits")
    people_row = summary[start + 1]
    assert people_row[:2] == ["Acme Corp", "People and time"]
    assert f"CISO, half a day (step {review.number})" in people_row[2]
    assert any(r[0] == "Northwind" and r[1] == "People and time" for r in summary[start:])


def test_the_page_says_what_each_side_commits_on_screen_not_in_print(acme_outputs: Path) -> None:
    """The page lists the commitments the Markdown does; its print stylesheet leaves them out (two sheets)."""
    page = (acme_outputs / "acme-enterprise.html").read_text(encoding="utf-8")
    section = page[page.index('<section aria-labelledby="h-commits"'):]
    section = section[:section.index("</section>")]
    assert "<h3>Acme Corp</h3>" in section and "<h3>Northwind</h3>" in section
    assert "<em>People and time:</em>" in section and "(step 8)" in section
    assert "@media print{" in page and " .commits{display:none}" in page

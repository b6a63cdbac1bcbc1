"""Templates: selection, rules in a sandbox, inheritance, validation, discovery."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from mapgen.testing import plan_from_brief

BRIEF = """\
deal:
  name: Test deal
  amount: {amount}
buyer:
  company: Buyer Co
  country: {country}
  outcome: Faster onboarding
seller:
  company: Seller Inc
dates:
  today: 2026-11-02
  signature: 2027-03-19
  go_live: 2027-06-01
"""


def brief(amount: int = 250_000, country: str = "US") -> str:
    return BRIEF.format(amount=amount, country=country)


def write_template(root: Path, name: str, body: str) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "template.yaml").write_text(textwrap.dedent(body), encoding="utf-8")
    return folder


# -- the shipped templates ---------------------------------------------------------------------------

@pytest.mark.parametrize("amount, expected", [(99_999, "smb"), (100_000, "enterprise"), (2_000_000, "enterprise")])
def test_selection_by_amount(tmp_path: Path, amount: int, expected: str) -> None:
    assert plan_from_brief(brief(amount), tmp_path=tmp_path).template == expected


def test_segment_and_explicit_template_win_over_rules(tmp_path: Path) -> None:
    text = brief(5_000).replace("  amount: 5000\n", "  amount: 5000\n  segment: enterprise\n")
    assert plan_from_brief(text, tmp_path=tmp_path).template == "enterprise"
    assert plan_from_brief(brief(5_000_000), tmp_path=tmp_path, template="smb").template == "smb"


def test_enterprise_has_buyer_centric_workstreams_gates_and_criteria(tmp_path: Path) -> None:
    plan = plan_from_brief(brief(), tmp_path=tmp_path)
    ids = {w.id for w in plan.workstreams}
    assert {"business_case", "technical_validation", "security", "legal", "procurement", "executive_approval",
            "signature"} <= ids
    visible = plan.for_reader("buyer").milestones
    assert 12 <= len(visible) <= 20
    assert plan.gates() and any(m.criteria for m in visible)
    assert all(not m.internal for m in visible)
    assert any(m.internal for m in plan.milestones)
    for m in visible:
        assert m.owners.buyer.name and m.owners.seller.name


def test_smb_is_light(tmp_path: Path) -> None:
    plan = plan_from_brief(brief(20_000), tmp_path=tmp_path)
    assert len(plan.for_reader("buyer").milestones) <= 10
    roles = {m.owners.buyer.role for m in plan.for_reader("buyer").milestones} | {m.owners.seller.role for m in plan.for_reader("buyer").milestones}
    assert 2 <= len(roles) <= 4
    assert (plan.go_live.target - plan.today).days < 8 * 30


def test_rules_add_skip_and_change_steps(tmp_path: Path) -> None:
    small = plan_from_brief(brief(250_000), tmp_path=tmp_path)
    big = plan_from_brief(brief(1_500_000, "DE"), tmp_path=tmp_path)
    assert "board_approval" not in {m.id for m in small.milestones}
    assert "board_approval" in {m.id for m in big.milestones}  # amount >= 1,000,000
    assert "data_processing_review" in {m.id for m in big.milestones}  # a buyer in the EU
    assert "data_processing_review" not in {m.id for m in small.milestones}
    assert big.milestone("legal_review").duration == 20 > small.milestone("legal_review").duration  # >= 500,000


# -- authored templates ------------------------------------------------------------------------------

def test_extends_patches_adds_and_removes(tmp_path: Path, mapgen_cli) -> None:
    write_template(tmp_path / "tpl", "acme-enterprise", """\
        name: acme-enterprise
        description: Enterprise, plus our own architecture review.
        extends: enterprise
        select: {when: "deal.amount >= 100000 and buyer.country == 'US'", priority: 20}
        milestones:
          security_review: {duration: 2w}
        remove: [user_training]
        add:
          - {id: architecture_review, name: Architecture review board, workstream: technical_validation,
             duration: 1w, after: [success_criteria], before: [technical_validation],
             owner: {buyer: technical_evaluator, seller: solutions_engineer}}
        """)
    (tmp_path / "deal.yaml").write_text(brief(), encoding="utf-8")
    result = mapgen_cli("plan", tmp_path / "deal.yaml", "--json", "--template-path", tmp_path / "tpl")
    assert result.code == 0, result.err
    import json

    data = json.loads(result.out)
    assert data["template"] == "acme-enterprise"  # selected by its own rule, higher priority
    ids = [m["id"] for m in data["milestones"]]
    assert "architecture_review" in ids and "user_training" not in ids and "signature" in ids
    security = next(m for m in data["milestones"] if m["id"] == "security_review")
    assert security["duration"] == 10


def test_template_by_path(tmp_path: Path, mapgen_cli) -> None:
    folder = write_template(tmp_path, "tiny", """\
        name: tiny
        workstreams:
          - id: deal
            name: The deal
            milestones:
              - {id: proposal, name: Proposal, duration: 3d, owner: {buyer: champion, seller: account_executive}}
              - {id: signature, name: Signed, duration: 0, after: [proposal],
                 owner: {buyer: economic_buyer, seller: account_executive}}
        """)
    (tmp_path / "deal.yaml").write_text(brief().replace("  go_live: 2027-06-01\n", ""), encoding="utf-8")
    result = mapgen_cli("plan", tmp_path / "deal.yaml", "--json", "--template", folder)
    assert result.code == 0, result.err
    assert '"template": "tiny"' in result.out


BAD_TEMPLATES = [
    ("cycle", """\
        name: broken
        workstreams:
          - id: deal
            name: The deal
            milestones:
              - {id: a, name: A, duration: 1d, after: [c], owner: {buyer: champion, seller: account_executive}}
              - {id: b, name: B, duration: 1d, after: [a], owner: {buyer: champion, seller: account_executive}}
              - {id: c, name: C, duration: 1d, after: [b], owner: {buyer: champion, seller: account_executive}}
              - {id: signature, name: S, duration: 0, after: [c], owner: {buyer: champion, seller: account_executive}}
        """, 6, r"cycle.*a → b → c → a|cycle.*a -> b -> c -> a"),
    ("unknown dependency", """\
        name: broken
        workstreams:
          - id: deal
            name: The deal
            milestones:
              - {id: signature, name: S, duration: 0, after: [proposl],
                 owner: {buyer: champion, seller: account_executive}}
        """, 6, r"proposl"),
    ("sandbox escape", """\
        name: broken
        extends: enterprise
        rules:
          - when: "().__class__.__bases__[0].__subclasses__()"
            skip: [kickoff]
        """, 4, r"__class__.*not allowed|not allowed.*__class__|unsafe"),
    ("undefined name in a rule", """\
        name: broken
        extends: enterprise
        rules:
          - when: "deal.ammount > 5"
            skip: [kickoff]
        """, 4, r"ammount"),
    ("syntax error in a rule", """\
        name: broken
        extends: enterprise
        rules:
          - when: "deal.amount >>> 5"
            skip: [kickoff]
        """, 4, r"deal.amount >>> 5"),
    ("unknown key", """\
        name: broken
        extends: enterprise
        milestone:
          kickoff: {duration: 2d}
        """, 3, r"did you mean milestones"),
    ("unknown parent", """\
        name: broken
        extends: enterprize
        """, 2, r"did you mean enterprise"),
    ("duplicate id", """\
        name: broken
        workstreams:
          - id: deal
            name: The deal
            milestones:
              - {id: signature, name: S, duration: 0, owner: {buyer: champion, seller: account_executive}}
              - {id: signature, name: S, duration: 0, owner: {buyer: champion, seller: account_executive}}
        """, 7, r"signature"),
]


@pytest.mark.parametrize("body, line, pattern", [b[1:] for b in BAD_TEMPLATES], ids=[b[0] for b in BAD_TEMPLATES])
def test_bad_template_is_located_by_check_and_generate(tmp_path: Path, mapgen_cli, body: str, line: int,
                                                         pattern: str) -> None:
    folder = write_template(tmp_path, "broken", body)
    result = mapgen_cli("check", folder)
    assert result.code == 1, result
    assert result.errors, result.err
    first = re.match(r"^(.+?):(\d+): error: (.+)$", result.errors[0])
    assert first and first[1] == str(folder / "template.yaml"), result.errors
    assert int(first[2]) == line, result.errors
    assert re.search(pattern, result.err), result.err
    (tmp_path / "deal.yaml").write_text(brief(), encoding="utf-8")
    out = tmp_path / "out"
    generated = mapgen_cli("generate", tmp_path / "deal.yaml", "--template", folder, "-o", out)
    assert generated.code == 1 and not out.exists()


def test_rule_expressions_cannot_reach_python(tmp_path: Path) -> None:
    from mapgen.errors import MapgenError
    from mapgen.expressions import evaluate

    for expression in ("().__class__.__mro__", "deal.__class__", "lipsum.__globals__", "cycler.__init__.__globals__",
                       "deal.update({'amount': 1})", "range(10**9) | list"):
        with pytest.raises(MapgenError):
            evaluate(expression, {"deal": {"amount": 5}})


def test_shipped_templates_pass_check_and_are_listed(mapgen_cli) -> None:
    root = Path(__file__).resolve().parents[1] / "templates"
    assert mapgen_cli("check", root / "enterprise", root / "smb").code == 0
    listed = mapgen_cli("templates")
    assert listed.code == 0
    assert "enterprise" in listed.out and "smb" in listed.out and "100000" in listed.out


def test_template_folders_from_the_environment(tmp_path: Path, mapgen_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    write_template(tmp_path / "tpl", "extra", "name: extra\nextends: smb\ndescription: From the search path.\n")
    monkeypatch.setenv("MAPGEN_TEMPLATE_PATH", str(tmp_path / "tpl"))
    assert "extra" in mapgen_cli("templates").out

"""Bad briefs: every problem is one located line, exit 1, and nothing is written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

BASE = """\
deal:
  name: Test deal
  amount: 50000
buyer:
  company: Buyer Co
  outcome: Faster onboarding
seller:
  company: Seller Inc
dates:
  today: 2026-11-02
  signature: 2026-12-18
"""

LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+): error: (?P<message>.+)$")


def edit(old: str, new: str) -> str:
    assert old in BASE
    return BASE.replace(old, new, 1)


# (id, brief text, expected line, expected words in the message)
BAD = [
    ("unknown key", edit("  amount: 50000\n", "  amount: 50000\n  ammount: 3\n"), 4, ["ammount", "did you mean amount"]),
    ("wrong type", edit("amount: 50000", "amount: lots"), 3, ["deal.amount", "number"]),
    ("negative amount", edit("amount: 50000", "amount: -5"), 3, ["deal.amount", "negative"]),
    ("impossible date", edit("signature: 2026-12-18", "signature: 2026-02-30"), 11, ["dates.signature", "2026-02-30"]),
    ("unknown milestone", BASE + "milestones:\n  secuirty_check: {duration: 2w}\n", 13,
     ["secuirty_check", "did you mean security_check"]),
    ("missing required field", edit("  company: Buyer Co\n", ""), 4, ["buyer.company", "required"]),
    ("no target date", edit("  signature: 2026-12-18\n", ""), 9, ["dates", "signature", "go-live"]),
    ("bad duration", BASE + "milestones:\n  kickoff: {duration: 3 weeks}\n", 13, ["duration", "3 weeks"]),
    ("yaml syntax", edit("  name: Test deal", "  name: [Test deal"), 3, ["invalid YAML"]),
    ("duplicate key", edit("  amount: 50000\n", "  amount: 50000\n  amount: 3\n"), 4, ["duplicate key"]),
    ("unknown segment", edit("  amount: 50000\n", "  amount: 50000\n  segment: enterprize\n"), 4,
     ["enterprize", "did you mean enterprise"]),
    ("not a mapping", "- just\n- a list\n", 1, ["mapping"]),
    ("empty file", "", 1, ["mapping"]),
    ("done without a date", BASE + "milestones:\n  kickoff: {status: done}\n", 13, ["kickoff", "done"]),
    ("unknown status", BASE + "milestones:\n  kickoff: {status: finished}\n", 13, ["status", "finished"]),
    ("add without workstream", BASE + "add:\n  - {id: extra, name: Extra step, duration: 2d}\n", 13, ["workstream"]),
    ("add duplicate id", BASE + "add:\n  - {id: kickoff, name: Again, workstream: onboarding, duration: 2d}\n", 13,
     ["kickoff"]),
    ("bad closed range", BASE + "calendar:\n  closed: [\"2026-12-24..2026-12-01\"]\n", 13, ["closed"]),
    ("unknown country", edit("  outcome: Faster onboarding\n", "  outcome: Faster onboarding\n  country: XX\n"), 7,
     ["country", "XX"]),
    ("bad check-in", BASE + "check_in: someday 10:00\n", 12, ["check_in"]),
]


@pytest.mark.parametrize("text, line, words", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_brief_is_one_located_line_and_writes_nothing(tmp_path: Path, mapgen_cli, text: str, line: int,
                                                           words: list[str]) -> None:
    brief = tmp_path / "deal.yaml"
    brief.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = mapgen_cli("generate", brief, "-o", out)
    assert result.code == 1, result
    assert "Traceback" not in result.err
    errors = result.errors
    assert errors, result.err
    first = LINE.match(errors[0])
    assert first, errors[0]
    assert first["file"] == str(brief)
    assert int(first["line"]) == line, errors
    for word in words:
        assert word.lower() in " ".join(errors).lower(), (word, errors)
    assert not out.exists() or not any(out.iterdir())


def test_a_bad_brief_leaves_existing_outputs_untouched(tmp_path: Path, mapgen_cli) -> None:
    brief = tmp_path / "deal.yaml"
    brief.write_text(BASE, encoding="utf-8")
    out = tmp_path / "out"
    assert mapgen_cli("generate", brief, "-o", out).code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert {".md", ".json", ".docx", ".pptx"} <= {Path(name).suffix for name in before}  # every default format
    brief.write_text(edit("amount: 50000", "amount: lots"), encoding="utf-8")
    assert mapgen_cli("generate", brief, "-o", out).code == 1
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_all_problems_of_a_brief_are_reported_at_once(tmp_path: Path, mapgen_cli) -> None:
    brief = tmp_path / "deal.yaml"
    brief.write_text(edit("amount: 50000", "amount: lots").replace("  company: Seller Inc", "  compnay: Seller Inc"),
                     encoding="utf-8")
    result = mapgen_cli("check", brief)
    assert result.code == 1
    assert len(result.errors) >= 2, result.err
    assert {int(LINE.match(e)["line"]) for e in result.errors} >= {3, 8}


def test_a_bad_brief_in_a_folder_does_not_stop_the_good_ones(tmp_path: Path, mapgen_cli) -> None:
    folder = tmp_path / "briefs"
    folder.mkdir()
    (folder / "good.yaml").write_text(BASE, encoding="utf-8")
    (folder / "bad.yaml").write_text(edit("amount: 50000", "amount: lots"), encoding="utf-8")
    out = tmp_path / "out"
    result = mapgen_cli("generate", folder, "-o", out)
    assert result.code == 1
    written = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))  # not the manifest
    assert {"good.json", "good.md"} <= set(written) and all(name.startswith("good.") for name in written)
    assert all(str(folder / "bad.yaml") in e for e in result.errors)


def test_missing_file_is_a_usage_error(tmp_path: Path, mapgen_cli) -> None:
    result = mapgen_cli("generate", tmp_path / "nope.yaml", "-o", tmp_path / "out")
    assert result.code == 2
    assert "nope.yaml" in result.err


def test_control_characters_in_a_brief_are_dropped(tmp_path: Path) -> None:
    from mapgen.testing import plan_from_brief

    plan = plan_from_brief(edit("Faster onboarding", '"Faster\\x01 onboarding\\x0b"'), tmp_path=tmp_path)
    assert plan.buyer.outcome == "Faster onboarding"


def test_owner_override_by_name_role_or_stranger(tmp_path: Path) -> None:
    from mapgen.testing import plan_from_brief

    text = BASE.replace("  outcome: Faster onboarding\n", "  outcome: Faster onboarding\n  people:\n"
                        "    - {name: Ana Ruiz, role: champion}\n    - {name: Bo Li, role: economic_buyer}\n")
    text += ("milestones:\n  kickoff: {owner: {buyer: Bo Li}}\n  discovery_call: {owner: {buyer: economic_buyer}}\n"
             "  trial: {owner: {buyer: Nobody Here}}\n")
    plan = plan_from_brief(text, tmp_path=tmp_path)
    assert plan.milestone("kickoff").owners.buyer.name == "Bo Li"
    assert plan.milestone("discovery_call").owners.buyer.name == "Bo Li"
    assert plan.milestone("trial").owners.buyer.name == "Nobody Here"
    assert any("Nobody Here" in w for w in plan.warnings)


def test_a_plan_too_long_to_read_is_flagged(tmp_path: Path) -> None:
    from mapgen.testing import plan_from_brief

    added = "".join(f"  - {{id: extra_{i}, name: Extra {i}, workstream: evaluation, duration: 1d}}\n"
                    for i in range(25))
    plan = plan_from_brief(BASE + "add:\n" + added, tmp_path=tmp_path)
    assert any("customer-facing steps" in w for w in plan.warnings)
    assert not any("customer-facing steps" in w for w in plan_from_brief(BASE, tmp_path=tmp_path).warnings)

"""Rep tooling: ``mapgen new`` writes a starter brief, ``mapgen schema brief`` describes every brief."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML
from ruamel.yaml.constructor import SafeConstructor

from mapgen.brief_schema import SHIPPED, brief_schema, schema_text
from tests.test_briefs import BAD

ROOT = Path(__file__).resolve().parents[1]

# Bad briefs of tests/test_briefs.py the schema cannot reject: they need YAML parsing, the template or
# the holiday data (mapgen check finds them).
NOT_IN_SCHEMA = {
    "yaml syntax": "not YAML: there is nothing to validate",
    "duplicate key": "a YAML problem (editors flag it themselves)",
    "unknown milestone": "milestone ids belong to the template",
    "add duplicate id": "milestone ids belong to the template",
    "unknown segment": "template names are on the template search path",
    "unknown country": "the holiday data says which countries exist",
    "bad closed range": "a period that ends before it starts compares two dates",
}


def as_json(value):  # type: ignore[no-untyped-def]
    """What an editor's YAML language server sees: dates are text."""
    if isinstance(value, dict):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


class _DatesAsText(SafeConstructor):
    """YAML 1.2, as editors read it: 2026-02-30 is text, not a broken timestamp."""


_DatesAsText.add_constructor("tag:yaml.org,2002:timestamp", SafeConstructor.construct_yaml_str)


def load(text: str):  # type: ignore[no-untyped-def]
    yaml = YAML(typ="safe", pure=True)
    yaml.Constructor = _DatesAsText
    return as_json(yaml.load(text))


def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(brief_schema(), format_checker=jsonschema.FormatChecker())


def test_the_shipped_brief_schema_is_current() -> None:
    assert SHIPPED.read_text(encoding="utf-8") == schema_text(), "run: python -m mapgen.brief_schema"
    jsonschema.Draft202012Validator.check_schema(brief_schema())


def test_mapgen_schema_brief_prints_the_shipped_file(mapgen_cli) -> None:
    result = mapgen_cli("schema", "brief")
    assert result.code == 0
    assert json.loads(result.out) == json.loads(SHIPPED.read_text(encoding="utf-8"))


@pytest.mark.parametrize("brief", sorted((ROOT / "examples").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_example_brief_validates(brief: Path) -> None:
    validator().validate(load(brief.read_text(encoding="utf-8")))


@pytest.mark.parametrize("name, text", [(b[0], b[1]) for b in BAD], ids=[b[0] for b in BAD])
def test_each_bad_brief_is_rejected_by_the_schema(name: str, text: str) -> None:
    if name in NOT_IN_SCHEMA:
        pytest.skip(NOT_IN_SCHEMA[name])
    assert list(validator().iter_errors(load(text))), f"the schema accepts the bad brief '{name}'"


def test_the_exceptions_are_bad_briefs_that_exist() -> None:
    assert set(NOT_IN_SCHEMA) <= {b[0] for b in BAD}


@pytest.mark.parametrize("text", [
    "deal: {name: X}\nbuyer: {company: Y}\ndates: {go_live: 2027-01-04}\n",
    "deal: {name: X, amount: 0}\nbuyer: {company: Y, country: de-by}\ndates: {signature: 2027-01-04}\n"
    "calendar: {closed: [2026-12-24, \"2026-12-28..2026-12-31\"], weekend: [Fri, saturday]}\n"
    "milestones: {kickoff: {duration: 2w}, trial: {duration: 3}}\ncheck_in: every Thursday at 9:30\n"
    "placement: late\n",
    "deal: {name: 2026}\nbuyer: {company: Y, people: [{name: A, role: Economic Buyer}]}\n"
    "dates: {signature: 2027-01-04}\ncalendar: {country: none}\nplacement: {after_signature: late}\n",
])
def test_what_the_validators_accept_the_schema_accepts(text: str, tmp_path: Path, mapgen_cli) -> None:
    validator().validate(load(text))
    (tmp_path / "b.yaml").write_text(text, encoding="utf-8")
    assert mapgen_cli("check", tmp_path / "b.yaml", "--today", "2026-11-02").code == 0


# -- mapgen new ---------------------------------------------------------------------------------

@pytest.mark.parametrize("template", ["enterprise", "smb"])
def test_new_writes_a_valid_starter_with_every_step_and_role(template: str, tmp_path: Path, mapgen_cli) -> None:
    from mapgen.catalog import default_catalog

    brief = tmp_path / "deal.yaml"
    result = mapgen_cli("new", brief, "--template", template, "--today", "2026-11-02")
    assert result.code == 0, result.err
    text = brief.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=")
    schema_ref = text.splitlines()[0].split("$schema=", 1)[1]
    target = Path(schema_ref) if Path(schema_ref).is_absolute() else brief.parent / schema_ref
    assert target.resolve() == SHIPPED.resolve()
    t = default_catalog().load(template)
    for step in t.steps:
        assert f"#   {step.id}: {{}}" in text
    for rule in t.rules:
        assert rule.when in text
        for step in rule.add:
            assert f"#   {step.id}: {{}}" in text
    for s in t.steps:
        assert f"role: {s.buyer_role}}}" in text and f"role: {s.seller_role}}}" in text
    validator().validate(load(text))
    check = mapgen_cli("check", brief)
    assert check.code == 0, check.err
    assert f"template {template}" in check.out + check.err


def test_new_refuses_to_overwrite_without_force(tmp_path: Path, mapgen_cli) -> None:
    brief = tmp_path / "deal.yaml"
    brief.write_text("mine\n", encoding="utf-8")
    result = mapgen_cli("new", brief)
    assert result.code == 2 and "already exists" in result.err
    assert brief.read_text(encoding="utf-8") == "mine\n"
    assert mapgen_cli("new", brief, "--force").code == 0
    assert "deal:" in brief.read_text(encoding="utf-8")


def test_new_names_an_unknown_template(tmp_path: Path, mapgen_cli) -> None:
    result = mapgen_cli("new", tmp_path / "deal.yaml", "--template", "enterprize")
    assert result.code == 1 and "did you mean enterprise" in result.err
    assert not (tmp_path / "deal.yaml").exists()


def test_a_filled_starter_generates_every_format(tmp_path: Path, mapgen_cli) -> None:
    from mapgen.plugins import formats

    brief = tmp_path / "acme.yaml"
    assert mapgen_cli("new", brief, "--template", "enterprise", "--today", "2026-11-02").code == 0
    text = brief.read_text(encoding="utf-8")
    names = iter(["Ana Ruiz", "Ben Ode", "Cy Park", "Di Lam", "Ed Moss", "Flo Iqbal", "Gus Tan", "Hal Wu",
                  "Ivy Orr", "Jo Ek", "Kai Po", "Lu Ma", "Mo Ng"])
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("# - {name: , title: , role:"):
            line = line.replace("# - {name: ,", f"- {{name: {next(names)},", 1)
        elif stripped == "[]":
            continue
        lines.append(line)
    text = "\n".join(lines) + "\n"
    text = text.replace("name: New deal ", "name: Acme platform ").replace("company: Buyer company", "company: Acme")
    text = text.replace("  # outcome: ", "  outcome: ").replace("  # country: US ", "  country: DE ")
    text = text.replace("#   security_review: {}", "  security_review: {status: in_progress, started: 2026-10-26}")
    text = text.replace("milestones: {}", "milestones:")
    brief.write_text(text, encoding="utf-8")
    check = mapgen_cli("check", brief)
    assert check.code == 0, check.err
    assert "warning" not in check.err, check.err
    out = tmp_path / "out"
    result = mapgen_cli("generate", brief, "-o", out, "-f", ",".join(r.name for r in formats()))
    assert result.code == 0, result.err
    written = sorted(p.suffix for p in out.rglob("acme.*"))
    assert len(written) == len(list(formats())), written


# -- docs/template-reference.md -----------------------------------------------------------------

def test_the_template_reference_is_current() -> None:
    from mapgen.docs_reference import DOC, reference

    assert DOC.read_text(encoding="utf-8") == reference(), "run: python -m mapgen.docs_reference"


def test_the_template_reference_lists_every_step_and_role() -> None:
    from mapgen.docs_reference import DOC
    from mapgen.catalog import default_catalog

    text = DOC.read_text(encoding="utf-8")
    catalog = default_catalog()
    for name in ("enterprise", "smb"):
        t = catalog.load(name)
        assert f"## `{name}`" in text
        for step in list(t.steps) + [s for rule in t.rules for s in rule.add]:
            assert f"`{step.id}`" in text
            assert f"`{step.buyer_role}`" in text and f"`{step.seller_role}`" in text
        for role in t.roles:
            assert f"| `{role}` |" in text


# -- did-you-mean on countries, regions and roles -----------------------------------------------

BRIEF = """\
deal: {{name: X}}
buyer:
  company: Y
  {buyer}
dates: {{signature: 2027-01-04, today: 2026-11-02}}
"""


@pytest.mark.parametrize("buyer, expected", [
    ("country: Germany", "buyer.country: 'Germany' is not a country code such as US or US-CA (ISO 3166) "
                         "(did you mean DE?)"),
    ("country: DE-Bavaria", "(did you mean DE-BY?)"),
    ("country: DE\n  region: Bavaria", "buyer.region: unknown key (a region is part of the country code: "
                                       "country: DE-BY)"),
    ("region: Bayern", "country: DE-BY"),
    ("country: US\n  state: California", "country: US-CA"),
    ("country: DE-BX", "no holiday calendar for subdivision 'BX' of DE"),
])
def test_place_names_point_to_the_code(buyer: str, expected: str, tmp_path: Path, mapgen_cli) -> None:
    (tmp_path / "b.yaml").write_text(BRIEF.format(buyer=buyer), encoding="utf-8")
    result = mapgen_cli("check", tmp_path / "b.yaml")
    assert result.code == 1
    assert any(expected in e for e in result.errors), result.err


def test_looking_up_a_region_loads_only_that_country() -> None:
    import subprocess
    import sys

    code = ("import sys; from mapgen.places import code_for; assert code_for('Bayern', 'DE') == 'DE-BY'; "
            "print(sorted(m for m in sys.modules if m.startswith('holidays.countries.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['holidays.countries.germany']"


@pytest.mark.parametrize("role, suggestion", [("ciso", "security"), ("champoin", "champion"),
                                              ("Econmic Buyer", "economic_buyer")])
def test_an_unknown_role_in_a_brief_is_an_error_with_a_suggestion(role: str, suggestion: str, tmp_path: Path,
                                                                  mapgen_cli) -> None:
    text = BRIEF.format(buyer=f"people:\n    - {{name: A, role: {role}}}\n    - {{name: B, role: legal}}")
    (tmp_path / "b.yaml").write_text(text, encoding="utf-8")
    result = mapgen_cli("check", tmp_path / "b.yaml")
    assert result.code == 1
    assert len(result.errors) == 1, result.err
    assert ":5: error: buyer.people[0].role: unknown role" in result.errors[0]
    assert f"(did you mean {suggestion}?)" in result.errors[0]
    assert "the roles of template 'smb'" in result.errors[0]


def test_a_role_of_another_template_is_accepted(tmp_path: Path, mapgen_cli) -> None:
    """legal is not an smb role, but a deal that moves from enterprise to smb keeps its counsel."""
    text = BRIEF.format(buyer="people:\n    - {name: B, role: legal}")
    (tmp_path / "b.yaml").write_text(text, encoding="utf-8")
    assert mapgen_cli("check", tmp_path / "b.yaml").code == 0


def _child_template(root: Path, body: str, name: str = "mine") -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "template.yaml").write_text(f"name: {name}\nextends: smb\n{body}", encoding="utf-8")
    return folder


def test_an_unknown_role_in_a_template_is_an_error_with_a_suggestion(tmp_path: Path, mapgen_cli) -> None:
    folder = _child_template(tmp_path, "add:\n  - {id: extra, name: Extra, workstream: purchase, duration: 2d,\n"
                                       "     before: [signature], owner: {buyer: champ, seller: account_executive}}\n")
    result = mapgen_cli("template", "check", folder)
    assert result.code == 1
    assert any(":4: error: extra: owner.buyer: unknown role 'champ' (did you mean champion?)" in e
               for e in result.errors), result.err


def test_a_declared_role_in_a_template_is_accepted(tmp_path: Path, mapgen_cli) -> None:
    folder = _child_template(tmp_path, "roles: {ops_lead: Operations lead}\n"
                                       "add:\n  - {id: extra, name: Extra, workstream: purchase, duration: 2d,\n"
                                       "     before: [signature], owner: {buyer: ops_lead, seller: account_executive}}\n")
    result = mapgen_cli("template", "check", folder)
    assert result.code == 0, result.err


# -- template check: conditions against sample deals --------------------------------------------

def test_template_check_names_the_sample_deal_a_condition_breaks(tmp_path: Path, mapgen_cli) -> None:
    folder = _child_template(tmp_path, 'name_unused: 1\n'.replace("name_unused: 1\n", "")
                             + 'select:\n  when: "deal.amount >= 50000 and deal.amount < 100000"\n'
                             + 'rules:\n  - when: "deal.ammount > 5"\n    warn: typo\n'
                             + '  - when: "byer.country_code in EU"\n    warn: typo\n'
                             + '  - when: "dates.go_live - dates.signature"\n    warn: no go-live\n')
    result = mapgen_cli("template", "check", folder)
    assert result.code == 1
    errors = result.errors
    assert len(errors) == 4, result.err  # every problem of the file in one run
    assert any(":4: error:" in e and "for the sample deal 'no amount'" in e
               and "guard it: deal.amount is not none" in e for e in errors), errors
    assert any(":6: error:" in e and "(did you mean deal.amount?)" in e for e in errors), errors
    assert any(":8: error:" in e and "(did you mean buyer?)" in e for e in errors), errors
    assert any(":10: error:" in e and "for the sample deal 'go-live only'" in e for e in errors), errors


def test_a_guarded_condition_passes_every_sample_deal(tmp_path: Path, mapgen_cli) -> None:
    folder = _child_template(tmp_path, 'select:\n  when: "deal.amount is not none and 50000 <= deal.amount < 100000"\n')
    result = mapgen_cli("template", "check", folder)
    assert result.code == 0, result.err


@pytest.mark.parametrize("name", ["enterprise", "smb"])
def test_the_shipped_templates_pass_every_sample_deal(name: str, mapgen_cli) -> None:
    from mapgen.template import shipped_templates

    assert mapgen_cli("template", "check", shipped_templates() / name).code == 0


# -- template show / template new ---------------------------------------------------------------

def test_template_show_lists_steps_roles_rules(mapgen_cli) -> None:
    from mapgen.catalog import default_catalog

    result = mapgen_cli("template", "show", "enterprise")
    assert result.code == 0, result.err
    t = default_catalog().load("enterprise")
    for step in t.steps:
        assert f"    {step.id} " in result.out
    for role, name in t.roles.items():
        assert role in result.out and name in result.out
    assert "when deal.amount is not none and deal.amount >= 500000: sets legal_review: duration=4w" in result.out
    assert "Differs from" not in result.out


def test_template_new_then_show_what_differs(tmp_path: Path, mapgen_cli) -> None:
    result = mapgen_cli("template", "new", "midmarket", "--extends", "enterprise", "--dir", tmp_path)
    assert result.code == 0, result.err
    path = tmp_path / "midmarket" / "template.yaml"
    text = path.read_text(encoding="utf-8")
    assert "extends: enterprise" in text and "#   security_review: {duration: 3w}" in text
    assert mapgen_cli("template", "check", path.parent).code == 0
    shown = mapgen_cli("template", "show", "midmarket", "--template-path", tmp_path)
    assert "Differs from enterprise:\n  nothing (yet)" in shown.out
    text = text.replace("milestones: {}", "milestones:\n  legal_review: {duration: 2w, owner: {seller: account_executive}}")
    text += ("add:\n  - {id: pilot, name: Pilot, workstream: technical_validation, duration: 2w, after: [success_criteria],"
             " owner: {buyer: technical_evaluator, seller: solutions_engineer}}\nremove: [vendor_onboarding]\n")
    path.write_text(text, encoding="utf-8")
    assert mapgen_cli("template", "check", path.parent).code == 0
    shown = mapgen_cli("template", "show", "midmarket", "--template-path", tmp_path)
    assert shown.code == 0, shown.err
    assert "  + step pilot (technical_validation, 2w): Pilot" in shown.out
    assert "  - step vendor_onboarding:" in shown.out
    assert "  ~ step legal_review: duration 3w -> 2w; seller_role legal -> account_executive" in shown.out
    again = mapgen_cli("template", "new", "midmarket", "--extends", "enterprise", "--dir", tmp_path)
    assert again.code == 2 and "already exists" in again.err


def test_template_new_refuses_a_bad_name_or_parent(tmp_path: Path, mapgen_cli) -> None:
    assert mapgen_cli("template", "new", "Mid Market", "--extends", "smb", "--dir", tmp_path).code == 2
    result = mapgen_cli("template", "new", "mid", "--extends", "enterprize", "--dir", tmp_path)
    assert result.code == 1 and "did you mean enterprise" in result.err


# -- --quiet, and every problem in one run -------------------------------------------------------

def test_quiet_hides_warnings_on_plan_and_check(tmp_path: Path, mapgen_cli) -> None:
    brief = tmp_path / "deal.yaml"
    assert mapgen_cli("new", brief, "--today", "2026-11-02").code == 0
    loud = mapgen_cli("check", brief)
    assert loud.code == 0 and ": warning: " in loud.err
    quiet = mapgen_cli("check", "-q", brief)
    assert quiet.code == 0 and quiet.err == "" and quiet.out == ""
    plan = mapgen_cli("plan", "--quiet", brief)
    assert plan.code == 0 and ": warning: " not in plan.err and "signature" in plan.out
    gen = mapgen_cli("generate", "-q", brief, "-o", tmp_path / "out", "-f", "md")
    assert gen.code == 0 and ": warning: " not in gen.err


def test_quiet_still_prints_errors(tmp_path: Path, mapgen_cli) -> None:
    (tmp_path / "b.yaml").write_text(BRIEF.format(buyer="country: Germany"), encoding="utf-8")
    result = mapgen_cli("check", "-q", tmp_path / "b.yaml")
    assert result.code == 1 and len(result.errors) == 1


def test_every_problem_of_a_brief_in_one_run(tmp_path: Path, mapgen_cli) -> None:
    text = BRIEF.format(buyer="people:\n    - {name: A, role: ciso}") + (
        "milestones:\n  secuirty_check: {duration: 2w}\n  trial: {status: done, done: 2026-12-01}\n")
    (tmp_path / "b.yaml").write_text(text, encoding="utf-8")
    result = mapgen_cli("check", tmp_path / "b.yaml")
    assert result.code == 1
    assert len(result.errors) == 3, result.err
    assert any("unknown role 'ciso'" in e for e in result.errors)
    assert any("secuirty_check" in e for e in result.errors)
    assert any("trial.done: 2026-12-01 is after today" in e for e in result.errors)


def test_every_problem_of_a_child_template_in_one_run(tmp_path: Path, mapgen_cli) -> None:
    folder = _child_template(tmp_path, "milestones:\n  triall: {duration: 2w}\nremove: [setpu]\n"
                                       "rules:\n  - when: \"deal.amount > 1\"\n    warn: x\n"
                                       "add:\n  - {id: x, name: X, workstream: purchase, duration: 1d, after: [nope],\n"
                                       "     owner: {buyer: champ, seller: account_executive}}\n")
    result = mapgen_cli("template", "check", folder)
    assert result.code == 1
    messages = "\n".join(result.errors)
    for expected in ("triall", "setpu", "no amount", "unknown milestone 'nope'", "unknown role 'champ'"):
        assert expected in messages, messages


def test_generate_warns_about_the_deck_problems_check_reports(tmp_path: Path, mapgen_cli) -> None:
    from pptx import Presentation

    folder = _child_template(tmp_path / "tpl", "", name="square")
    Presentation().save(str(folder / "deck.pptx"))  # python-pptx's default: 4:3
    check = mapgen_cli("template", "check", folder)
    assert check.code == 1 and any("not 16:9" in e for e in check.errors)
    result = mapgen_cli("generate", ROOT / "examples" / "bloom-smb.yaml", "-o", tmp_path / "out", "-f", "pptx,md",
                        "--template-path", tmp_path / "tpl", "--template", "square")
    assert result.code == 0, result.err
    warnings = [line for line in result.err.splitlines() if ": warning: " in line and "16:9" in line]
    assert len(warnings) == 1 and str(folder / "deck.pptx") in warnings[0], result.err
    strict = mapgen_cli("generate", ROOT / "examples" / "bloom-smb.yaml", "-o", tmp_path / "out2", "-f", "pptx",
                        "--template-path", tmp_path / "tpl", "--template", "square", "--strict")
    assert strict.code == 1

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
    from mapgen.template import default_catalog

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
    from mapgen.template import default_catalog

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

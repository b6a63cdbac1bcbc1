"""The published JSON Schema of the plan: every plan mapgen writes validates against it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from mapgen.builtin.json_format import plan_json
from mapgen.plan import Plan
from mapgen.testing import make_plan

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "mapgen" / "schemas" / "plan.schema.json").read_text(encoding="utf-8"))


def validate(data: dict) -> None:
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(data)


def test_the_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_mapgen_schema_plan_prints_the_shipped_file(mapgen_cli) -> None:
    result = mapgen_cli("schema", "plan")
    assert result.code == 0
    assert json.loads(result.out) == SCHEMA


@pytest.mark.parametrize("brief", sorted((ROOT / "examples").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_example_validates(brief: Path, mapgen_cli) -> None:
    result = mapgen_cli("plan", brief, "--json")
    assert result.code == 0, result.err
    validate(json.loads(result.out))


@pytest.mark.parametrize("plan", [make_plan(), make_plan(late=True), make_plan(hostile=True),
                                  make_plan(40, long_names=True), make_plan(5, span_days=300)],
                         ids=["typical", "late", "hostile", "long", "year"])
def test_generated_plans_validate(plan: Plan) -> None:
    validate(json.loads(plan_json(plan)))


def test_a_wrong_plan_does_not_validate() -> None:
    data = json.loads(plan_json(make_plan()))
    data["milestones"][0]["state"] = "nearly_done"
    with pytest.raises(jsonschema.ValidationError):
        validate(data)


def test_the_json_is_strict() -> None:
    text = plan_json(make_plan(hostile=True))
    json.loads(text, parse_constant=lambda name: pytest.fail(f"non-standard JSON constant {name}"))

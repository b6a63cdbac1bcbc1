"""The JSON Schema of the brief (``mapgen schema brief``), generated from the validation models.

The models' field types carry their own schema (mapgen/validation.py, mapgen/brief.py: a
duration is ``3``, ``3d`` or ``2w``, a date is text, a placement a word or a mapping); this
module adds what the models check in code: a non-negative amount, a currency code, a target
date, a done step's date. What needs the template or the holiday data (milestone ids, the
segment, a country's subdivisions) is left to ``mapgen check``.

The shipped copy is mapgen/schemas/brief.schema.json; regenerate it with
``python -m mapgen.brief_schema`` (a test fails when it is stale).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

SCHEMA_ID = "https://mapgen.dev/schemas/brief.schema.json"
SHIPPED = Path(__file__).resolve().parent / "schemas" / "brief.schema.json"

_DONE_NEEDS_DATE = {"if": {"required": ["status"], "properties": {"status": {"const": "done"}}},
                    "then": {"required": ["done"]}}


def brief_schema() -> dict[str, Any]:
    from mapgen.brief import Brief

    schema = Brief.model_json_schema()
    defs = schema["$defs"]
    deal = defs["Deal"]["properties"]
    deal["amount"] = {"anyOf": [{"type": "number", "minimum": 0}, {"type": "null"}], "default": None,
                      "title": "Amount", "description": "a number >= 0; selects the template and feeds its rules"}
    deal["currency"].update({"pattern": "^[A-Z]{3}$", "description": "ISO 4217 code"})
    defs["Dates"]["anyOf"] = [{"required": ["signature"]}, {"required": ["go_live"]}]
    defs["Dates"]["description"] = "a target signature date, a go-live date, or both"
    defs["MilestoneFacts"].update(_DONE_NEEDS_DATE)
    defs["AddedStep"].update(_DONE_NEEDS_DATE)
    defs["Calendar"]["properties"]["country"].pop("default", None)  # "inherit" is internal: absent means the buyer's
    milestones = schema["properties"]["milestones"]
    milestones["propertyNames"] = {"pattern": "^[a-z][a-z0-9_]*$"}
    milestones["description"] = "facts about the template's steps, keyed by step id (mapgen new lists them)"
    schema["required"] = sorted(set(schema.get("required", [])) | {"dates"})
    out: dict[str, Any] = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
                           "title": "mapgen deal brief",
                           "description": "A deal brief for mapgen (docs/briefs.md). Checked here: keys, types and "
                                          "formats; `mapgen check` also checks milestone ids, the segment and the "
                                          "country against the template and the holiday calendars."}
    out.update({k: v for k, v in schema.items() if k != "title"})
    return out


def schema_text() -> str:
    return json.dumps(brief_schema(), indent=1, ensure_ascii=False) + "\n"


def main() -> None:
    """Write the shipped copy (or print it with ``-``)."""
    if sys.argv[1:] == ["-"]:
        sys.stdout.write(schema_text())
        return
    SHIPPED.write_text(schema_text(), encoding="utf-8")
    print(SHIPPED)


if __name__ == "__main__":
    main()

"""Built-in plugin: the plan as JSON (schema 2, docs/plan-json.md), for machines."""

from __future__ import annotations

from typing import TYPE_CHECKING


from mapgen.formats import OutputFormat, RenderContext
from mapgen.hookspecs import hookimpl

if TYPE_CHECKING:  # only annotations: `mapgen --help` loads plugins without the plan model
    from mapgen.plan import Plan


class JsonFormat(OutputFormat):
    name = "json"
    suffix = ".json"
    description = "The plan as JSON (schema 2), for scripts and CI"
    default = True  # docs/briefs.md: the default formats are the document formats
    full_plan = True  # the plan's full record: internal steps included, marked "internal": true

    def render(self, plan: Plan, context: RenderContext) -> bytes:
        return plan_json(plan).encode("utf-8")


def plan_json(plan: Plan) -> str:
    """The plan JSON (``Plan.to_json``: the core writes it, so ``mapgen plan --json`` needs no format)."""
    return plan.to_json()


@hookimpl
def register_formats(registry) -> None:  # type: ignore[no-untyped-def]
    registry.add(JsonFormat)

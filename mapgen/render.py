"""Rendering plans to files: each format in isolation, every file written atomically."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Callable, Sequence

from mapgen.errors import MapgenError, Problem
from mapgen.formats import FormatRegistry, RenderContext
from mapgen.plan import Audience, Plan
from mapgen.template import Template

Report = Callable[[str, "str | None", Any], None]


def context_for(template: Template, format_name: str, audience: Audience = "buyer") -> RenderContext:
    return RenderContext(template_dirs=template.folders,
                         options=MappingProxyType(dict(template.formats.get(format_name, {}))),
                         audience=audience)


def render_formats(plan: Plan, template: Template, names: Sequence[str], registry: FormatRegistry,
                   audience: Audience = "buyer") -> tuple[dict[str, bytes], list[Problem]]:
    """Render each format on its own: one failing plugin never stops the others. Each format gets
    the plan filtered for ``audience`` (the JSON, ``full_plan``, the whole plan)."""
    outputs: dict[str, bytes] = {}
    problems: list[Problem] = []
    reader = plan.for_reader(audience)
    for name in names:
        item = registry[name]
        try:
            given = plan if getattr(item.format, "full_plan", False) else reader
            outputs[name] = item.format.render(given, context_for(template, name, audience))
        except MapgenError as exc:
            problems.extend(exc.problems)
        except Exception as exc:  # noqa: BLE001 - a plugin's bug is reported with its name
            problems.append(Problem(f"plugin {item.plugin}: format {name} failed: {type(exc).__name__}: {exc}",
                                    plan.source))
        else:
            if not isinstance(outputs[name], (bytes, bytearray)):
                del outputs[name]
                problems.append(Problem(f"plugin {item.plugin}: format {name} returned "
                                        f"{type(outputs.get(name)).__name__}, not bytes", plan.source))
    return outputs, problems

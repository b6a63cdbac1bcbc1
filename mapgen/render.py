"""Rendering plans to files: each format in isolation, every file written atomically."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Sequence

from mapgen.errors import MapgenError, Problem
from mapgen.formats import FormatRegistry, RenderContext
from mapgen.plan import Plan
from mapgen.template import Catalog, Template

Report = Callable[[str, "str | None", Any], None]


def context_for(template: Template, format_name: str, include_internal: bool = False) -> RenderContext:
    return RenderContext(template_dirs=template.folders,
                         options=MappingProxyType(dict(template.formats.get(format_name, {}))),
                         include_internal=include_internal)


def render_formats(plan: Plan, template: Template, names: Sequence[str], registry: FormatRegistry,
                   include_internal: bool = False) -> tuple[dict[str, bytes], list[Problem]]:
    """Render each format on its own: one failing plugin never stops the others."""
    outputs: dict[str, bytes] = {}
    problems: list[Problem] = []
    for name in names:
        item = registry[name]
        try:
            outputs[name] = item.format.render(plan, context_for(template, name, include_internal))
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


def generate_all(paths: Sequence[Path], out: Path, names: Sequence[str], registry: FormatRegistry, *,
                 catalog: Catalog, template: str | None, today: dt.date | None, include_internal: bool,
                 report: Report) -> bool:
    """Generate every brief; returns False when anything failed (and was reported)."""
    from mapgen.brief import load_brief
    from mapgen.output import write_atomic
    from mapgen.pipeline import draft, plan_from_draft

    ok = True
    seen: dict[str, Path] = {}
    for path in paths:
        if path.stem in seen:
            report("error", None, MapgenError(f"two briefs would write the same files '{path.stem}.*' "
                                              f"(also {seen[path.stem]})", str(path)))
            ok = False
            continue
        seen[path.stem] = path
        try:
            d = draft(load_brief(path), today=today, template=template, catalog=catalog)
            plan = plan_from_draft(d)
        except MapgenError as exc:
            report("error", str(path), exc)
            ok = False
            continue
        report("warning", str(path), plan.warnings)
        outputs, problems = render_formats(plan, d.template, names, registry, include_internal)
        if problems:
            report("error", str(path), MapgenError(problems))
            ok = False
        for name, data in outputs.items():
            target = out / f"{path.stem}{registry[name].format.suffix}"
            try:
                write_atomic(target, bytes(data))
            except OSError as exc:
                report("error", str(path), MapgenError(f"cannot write {target}: {exc.strerror}", str(target)))
                ok = False
                continue
            report("wrote", str(path), target)
    return ok

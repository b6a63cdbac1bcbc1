"""``mapgen check``: validate briefs and templates without writing anything."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Sequence

from mapgen.errors import MapgenError, Problem
from mapgen.formats import FormatRegistry
from mapgen.render import Report, context_for
from mapgen.catalog import Catalog, load_template
from mapgen.template import TEMPLATE_FILE


def check_paths(paths: Sequence[Path], catalog: Catalog, registry: FormatRegistry, today: dt.date | None,
                report: Report) -> bool:
    ok = True
    for path in paths:
        if path.is_dir() and (path / TEMPLATE_FILE).is_file():
            ok &= check_template(path, catalog, registry, report)
        elif path.is_file() and path.name == TEMPLATE_FILE:
            ok &= check_template(path.parent, catalog, registry, report)
        elif path.is_dir():
            from mapgen.batch import _walk

            briefs = _walk(path, set())  # recursively, as generate finds them
            subfolders = sorted(p for p in path.iterdir() if (p / TEMPLATE_FILE).is_file())
            if not briefs and not subfolders:
                report("error", None, MapgenError("no briefs (.yaml) or templates in this folder", str(path)))
                ok = False
            for brief in briefs:
                ok &= check_brief(brief, catalog, today, report)
            for folder in subfolders:
                ok &= check_template(folder, catalog, registry, report)
        elif path.is_file():
            ok &= check_brief(path, catalog, today, report)
        else:
            report("error", None, MapgenError("no such file or folder", str(path)))
            ok = False
    return ok


def check_brief(path: Path, catalog: Catalog, today: dt.date | None, report: Report) -> bool:
    from mapgen.pipeline import plan_brief

    try:
        plan = plan_brief(path, today=today, catalog=catalog).plan
    except MapgenError as exc:
        report("error", str(path), exc)
        return False
    report("warning", str(path), plan.warnings)
    state = "on track" if plan.feasible else f"target cannot be met (earliest signature {plan.signature.earliest})"
    shown = sum(1 for m in plan.milestones if not m.internal)  # the steps the buyer sees
    report("wrote", str(path), f"{path}: ok: template {plan.template}, {shown} steps, {state}")
    return True


def check_template(folder: Path, catalog: Catalog, registry: FormatRegistry, report: Report) -> bool:
    try:
        template = load_template(folder, catalog)
    except MapgenError as exc:
        report("error", str(folder), exc)
        return False
    from mapgen.catalog import condition_problems

    problems: list[Problem] = [p for p in condition_problems(template) if p.file == template.file]
    for item in registry:
        try:
            problems.extend(item.format.check_template(context_for(template, item.name)))
        except Exception as exc:  # noqa: BLE001
            problems.append(Problem(f"plugin {item.plugin}: format {item.name}: template check failed: {exc}",
                                    str(folder)))
    if problems:
        report("error", str(folder), MapgenError(problems))
        return False
    report("wrote", str(folder), f"{folder}: ok: template {template.name}, {len(template.steps)} steps")
    return True

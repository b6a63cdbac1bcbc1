"""``mapgen template show`` and ``mapgen template new``: a template resolved, and a starter child template."""

from __future__ import annotations

import json
from pathlib import Path

from mapgen.catalog import Catalog
from mapgen.template import Template, read_template_file
from mapgen.step import Step

_COMPARED = ("name", "workstream", "duration", "after", "before", "buyer_role", "seller_role", "gate", "criteria",
             "description", "internal", "resources")


def days(duration: int) -> str:
    if duration and duration % 5 == 0:
        return f"{duration // 5}w"
    return f"{duration}d"


def parent_of(template: Template, catalog: Catalog) -> Template | None:
    """The template ``template`` extends (resolved), or None."""
    raw, _ = read_template_file(template.folders[0])
    if not raw.extends:
        return None
    folder = catalog.folder_of(raw.extends, exclude=template.folders[0].resolve())
    from mapgen.catalog import load_template

    return load_template(folder, catalog) if folder is not None else None


def _step_line(step: Step) -> str:
    deps = ", ".join(step.after) + "".join(f"; before {b}" for b in step.before)
    parts = [f"{step.id:<24} {days(step.duration):>4}  {step.buyer_role} / {step.seller_role}"]
    if deps:
        parts.append(f"after {deps}")
    if step.gate:
        parts.append(f"gate: {step.gate}")
    if step.internal:
        parts.append("internal")
    needs = f"\n    {'':<24}       needs {step.resources}" if step.resources else ""
    return "    " + "  ".join(parts) + f"\n    {'':<24}       {step.name}" + needs


def _changes(old: Step, new: Step) -> list[str]:
    out = []
    for name in _COMPARED:
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            shown = {"duration": days}.get(name, lambda v: ", ".join(v) if isinstance(v, tuple) else str(v))
            out.append(f"{name} {shown(before)} -> {shown(after)}")
    return out


def show(template: Template, catalog: Catalog) -> str:
    lines = [f"{template.name}: {template.description}", f"  file: {template.file}"]
    parent = parent_of(template, catalog)
    if parent is not None:
        lines.append(f"  extends: {parent.name} ({parent.file})")
    lines.append(f"  selected: {'when ' + template.select_when if template.select_when else 'only when asked for'}"
                 + (f" (priority {template.select_priority})" if template.select_priority else ""))
    if template.check_in:
        lines.append(f"  check-in: {template.check_in}")
    from mapgen.roles import template_roles
    from mapgen.starter import roles_by_side

    buyer, seller, _ = roles_by_side(template)
    lines += ["", "Roles:"]
    steps = list(template.steps) + [s for rule in template.rules for s in rule.add]
    for role in sorted(template_roles(template), key=lambda r: (r not in buyer, r not in seller, r)):
        sides = " and ".join(side for side, roles in (("buyer", buyer), ("seller", seller)) if role in roles) or "unused"
        owned = sum(1 for s in steps if role in (s.buyer_role, s.seller_role))
        lines.append(f"  {role:<24} {template.roles.get(role, '(not declared)'):<28} {sides}, {owned} steps")
    lines += ["", "Steps (id, duration, buyer / seller owner, dependencies):"]
    for ws_id, ws_name in template.workstreams:
        lines.append(f"  {ws_name} ({ws_id})")
        lines += [_step_line(s) for s in template.steps if s.workstream == ws_id]
    if template.rules:
        lines += ["", "Rules:"]
        for rule in template.rules:
            does = [f"adds {s.id} ({days(s.duration)}, {s.workstream})" for s in rule.add]
            does += [f"skips {k}" for k in rule.skip]
            does += [f"sets {k}: " + ", ".join(f"{f}={days(v) if f == 'duration' else v}"
                                               for f, v in c.model_dump(exclude_none=True).items())
                     for k, c in rule.set.items()]
            does += [f"warns: {rule.warn}"] if rule.warn else []
            lines.append(f"  when {rule.when}: {'; '.join(does) or 'nothing'}")
    if parent is not None:
        lines += ["", f"Differs from {parent.name}:"]
        lines += _diff(parent, template) or ["  nothing (yet)"]
    return "\n".join(lines) + "\n"


def _diff(parent: Template, child: Template) -> list[str]:
    out = []
    old = {s.id: s for s in parent.steps}
    new = {s.id: s for s in child.steps}
    out += [f"  + step {s.id} ({s.workstream}, {days(s.duration)}): {s.name}" for s in child.steps if s.id not in old]
    out += [f"  - step {s.id}: {s.name}" for s in parent.steps if s.id not in new]
    for step_id, step in new.items():
        if step_id in old and (changes := _changes(old[step_id], step)):
            out.append(f"  ~ step {step_id}: {'; '.join(changes)}")
    parent_ws = dict(parent.workstreams)
    out += [f"  + workstream {w} ({n})" for w, n in child.workstreams if w not in parent_ws]
    out += [f"  + role {r}: {n}" for r, n in child.roles.items() if r not in parent.roles]
    out += [f"  ~ role {r}: {parent.roles[r]} -> {n}" for r, n in child.roles.items()
            if r in parent.roles and parent.roles[r] != n]
    out += [f"  + rule when {r.when}" for r in child.rules[len(parent.rules):]]
    if child.select_when != parent.select_when or child.select_priority != parent.select_priority:
        out.append(f"  ~ selected when {parent.select_when} -> {child.select_when}")
    if child.check_in != parent.check_in:
        out.append(f"  ~ check-in {parent.check_in} -> {child.check_in}")
    return out


def child_template(name: str, parent: Template) -> str:
    """A starter template that extends ``parent``: valid as written, every inherited step as a comment."""
    out = [
        f"# A template extending '{parent.name}' (docs/templates.md). Check it: mapgen template check FOLDER",
        f"# Use it: mapgen generate deal.yaml --template-path PARENT_OF_FOLDER --template {name}",
        f"#     or: deal.segment: {name} in a brief. See it resolved: mapgen template show {name} --template-path ...",
        f"name: {name}",
        f"extends: {parent.name}",
        f"description: {json.dumps(parent.description, ensure_ascii=False)}",
        "",
        "# When the template is chosen for a brief without deal.segment (guard missing values: a deal may have",
        "# no amount). The highest priority among matching templates wins.",
        "# select:",
        "#   when: \"deal.amount is not none and deal.amount >= 50000\"",
        f"#   priority: {parent.select_priority + 1}",
        "",
        "# Changes to inherited steps, by id: name, duration, after, before, owner: {buyer: ROLE, seller: ROLE},",
        "# gate, criteria, description, internal.",
        "milestones: {}",
    ]
    for ws_id, ws_name in parent.workstreams:
        out.append(f"#   --- {ws_name} (workstream {ws_id})")
        for s in (s for s in parent.steps if s.workstream == ws_id):
            out.append(f"#   {s.id}: {{duration: {days(s.duration)}}}{'':<{max(1, 22 - len(s.id))}}# {s.name} "
                       f"({s.buyer_role} / {s.seller_role})")
    first_ws = parent.workstreams[0][0] if parent.workstreams else "main"
    out += [
        "",
        "# New steps in inherited workstreams (" + ", ".join(w for w, _ in parent.workstreams) + "):",
        "# add:",
        f"#   - {{id: new_step, name: A new step, workstream: {first_ws}, duration: 3d, before: [signature],",
        "#      owner: {buyer: champion, seller: account_executive}}",
        "",
        "# Inherited steps to drop (their neighbours stay in order):",
        "# remove: [step_id]",
        "",
        "# Conditional changes, added to the parent's (conditions run in a sandbox; see docs/templates.md):",
        "# rules:",
        "#   - when: \"buyer.country_code in EU\"",
        "#     set:",
        "#       legal_review: {duration: 4w}",
        "",
        "# Roles (id: the name documents show); inherited: " + ", ".join(parent.roles) + ".",
        "# roles:",
        "#   operations_lead: Operations lead",
        "",
    ]
    return "\n".join(out)


def write_child(folder: Path, name: str, parent: Template) -> Path:
    from mapgen.output import write_atomic

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "template.yaml"
    write_atomic(path, child_template(name, parent).encode("utf-8"))
    return path

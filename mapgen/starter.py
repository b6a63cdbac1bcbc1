"""``mapgen new``: a commented starter brief for a template, valid as written.

Everything the template offers is in the file as a comment: each step id (with its name,
duration and owners), each role, the workstreams an added step can join, the rules and
the options of every section. A rep uncomments and fills in; ``mapgen check`` passes at
every stage.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from mapgen.template import Template


def schema_reference(brief: Path) -> str:
    """Where the brief's editor finds the schema: relative when the brief and the schema share a
    project folder, else the installed file's absolute path."""
    from mapgen.brief_schema import SHIPPED

    schema = SHIPPED.resolve()
    folder = brief.resolve().parent
    try:
        common = Path(os.path.commonpath([schema, folder]))
    except ValueError:  # different drives
        return schema.as_posix()
    if common != Path(common.anchor) and common in (Path.cwd().resolve(), *Path.cwd().resolve().parents) \
            and len(common.parts) > 2:
        return Path(os.path.relpath(schema, folder)).as_posix()
    return schema.as_posix()


def roles_by_side(template: Template) -> tuple[list[str], list[str], list[str]]:
    """The template's buyer roles and seller roles, in the order its steps use them (rules' steps too),
    and the roles it declares that no step uses."""
    steps = list(template.steps) + [s for rule in template.rules for s in rule.add]
    buyer = list(dict.fromkeys(s.buyer_role for s in steps))
    seller = list(dict.fromkeys(s.seller_role for s in steps))
    unused = [r for r in template.roles if r not in buyer and r not in seller]
    return buyer, seller, unused


def _person(role: str, names: dict[str, str]) -> str:
    entry = f"- {{name: , title: , role: {role}}}"
    return f"    # {entry:<46}# {names.get(role, role)}"


def _days(duration: int) -> str:
    if duration and duration % 5 == 0:
        return f"{duration // 5}w"
    return f"{duration}d"


def starter_brief(template: Template, schema: str, today: dt.date) -> str:
    """The starter brief's text."""
    role_name = dict(template.roles)
    buyer_roles, seller_roles, unused = roles_by_side(template)
    signature = today + dt.timedelta(weeks=10 if len(template.steps) > 12 else 5)
    go_live = signature + dt.timedelta(weeks=6)
    out: list[str] = [
        f"# yaml-language-server: $schema={schema}",
        f"# A deal brief for mapgen (docs/briefs.md), template '{template.name}': {template.description}".rstrip(),
        "# Valid as written: fill in the values, uncomment what applies, delete the rest.",
        "# Then: mapgen check THIS_FILE; mapgen plan THIS_FILE; mapgen generate THIS_FILE",
        "",
        "deal:",
        "  name: New deal                      # required: the project, in the buyer's words",
        "  # amount: 250000                    # a number; feeds the template's rules",
        "  # currency: USD                     # ISO 4217, default USD",
        f"  segment: {template.name:<28}# the template (else chosen by amount)",
        "buyer:",
        "  company: Buyer company              # required",
        "  # country: US                       # ISO 3166, optionally with a subdivision (DE-BY, US-CA): holidays",
        "  # outcome: The business outcome the plan serves, in the buyer's words",
        "  people:                             # one person per role; a role nobody holds is 'to be named'",
    ]
    out += [_person(role, role_name) for role in buyer_roles]
    out += ["    []"]
    out += ["seller:", "  company: Seller company", "  people:"]
    out += [_person(role, role_name) for role in seller_roles]
    out += ["    []"]
    if unused:
        out.append(f"  # other roles of this template: {', '.join(unused)}")
    out += [
        "dates:",
        f"  today: {today.isoformat()}                 # the plan's 'as of' date (remove it to use the system date)",
        f"  signature: {signature.isoformat()}             # target signature date; a go-live date, or both",
        f"  # go_live: {go_live.isoformat()}",
        "# calendar:",
        "#   country: US                       # default: buyer.country; none for weekends only",
        "#   closed: [\"2026-12-24..2027-01-01\"] # shutdown periods, inclusive",
        "#   weekend: [saturday, sunday]",
        "",
        "# What you know about the template's steps, by step id. For each: duration (3d, 2w), status",
        "# (not_started | in_progress | done | blocked), done, started, due and start (a pinned date),",
        "# owner: {buyer: NAME_OR_ROLE, seller: NAME_OR_ROLE}, note, name, skip: true, and what the step needs",
        "# from each side, replacing the template's side by side: resources: {buyer: [\"IT lead, 2 days\",",
        "# {access: SSO test tenant}, {budget: Year-one budget}], seller: [...]}.",
        "milestones: {}",
    ]
    workstreams = dict(template.workstreams)
    for ws_id, ws_name in template.workstreams:
        out.append(f"#   --- {ws_name} (workstream {ws_id})")
        for step in (s for s in template.steps if s.workstream == ws_id):
            flags = "; internal" if step.internal else ""
            out.append(f"#   {step.id}: {{}}{'':<{max(1, 26 - len(step.id))}}# {step.name} ({_days(step.duration)}; "
                       f"{step.buyer_role} / {step.seller_role}{flags})")
    for rule in template.rules:
        for step in rule.add:
            out.append(f"#   {step.id}: {{}}{'':<{max(1, 26 - len(step.id))}}# {step.name} (only when "
                       f"{rule.when}; {_days(step.duration)}; {step.buyer_role} / {step.seller_role})")
    if template.rules:
        out += ["", "# The template's rules, evaluated against this brief:"]
        for rule in template.rules:
            does = ([f"adds {', '.join(s.id for s in rule.add)}"] if rule.add else []) + \
                   ([f"skips {', '.join(rule.skip)}"] if rule.skip else []) + \
                   ([f"changes {', '.join(rule.set)}"] if rule.set else []) + (["warns"] if rule.warn else [])
            out.append(f"#   when {rule.when}: {'; '.join(does) or 'nothing'}")
    out += [
        "",
        "# Steps of this deal only: id, name, workstream, duration, after, before, owner, status, done,",
        "# started, due, start, note, description, gate, criteria, internal, resources. Workstreams: "
        + ", ".join(workstreams) + ".",
        "# add:",
        f"#   - {{id: extra_step, name: An extra step, workstream: {next(iter(workstreams), 'main')}, duration: 3d, "
        "before: [signature]}",
        "",
        "# risks:",
        "#   - {risk: What could slow the deal down, owner: A person's name, mitigation: What we do about it}",
        f"# check_in: {template.check_in or 'monday 10:00'}            # the weekly check-in (default: the template's)",
        "# placement: {before_signature: late, after_signature: early}   # or early | late (docs/scheduling.md)",
        "",
        "# Your MEDDPICC notes: only in `--audience internal` outputs, never in the buyer's (docs/meddpicc.md).",
        "# qualification:",
        "#   metrics: [The number the buyer wants to move, from what to what]",
        "#   decision_criteria: [How they will choose: technical, business, commercial]",
        "#   competition: [Who else they are talking to, or the status quo]",
        "#   compelling_event: What happens if they do nothing by the target date",
        "",
    ]
    return "\n".join(out)

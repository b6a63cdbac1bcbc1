"""Segment templates (docs/templates.md): a folder with template.yaml and optional format assets.

This module is the template as data: the file format, the resolved record, and the merge of a
child's ``extends`` overrides into its parent. A template file is validated on its own, so every
problem points at its own file and line. Finding templates on the search path, loading them with
their parents and checking them as a whole is ``catalog.py``'s job; this module imports nothing above it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from pydantic import ConfigDict, Field, ValidationError

from mapgen.errors import Problem, TemplateError, did_you_mean
from mapgen.step import Resources, Source, Step, patch
from mapgen.validation import Duration, Id, Model, Placement, ResourcesIn, Role, TemplateName, Text, problems_from
from mapgen.yamlio import Lines, load_yaml

TEMPLATE_FILE = "template.yaml"


# -- the file format -----------------------------------------------------------------------------

class TemplateModel(Model):
    """A part of the template file format. Its validators are built when a file is first validated:
    a run whose templates all come from the cache (mapgen/cache.py) never builds them."""

    model_config = ConfigDict(defer_build=True)


class OwnerRoles(TemplateModel):
    buyer: Role
    seller: Role


class StepIn(TemplateModel):
    id: Id
    name: Text
    duration: Duration
    after: tuple[Id, ...] = ()
    before: tuple[Id, ...] = ()
    owner: OwnerRoles
    gate: Text | None = None
    criteria: tuple[Text, ...] = ()
    description: Text | None = None
    internal: bool = False
    resources: ResourcesIn | None = None  # what the step needs from each side (docs/templates.md, "Resources")


class AddStepIn(StepIn):
    workstream: Id


class OwnerRolesPatch(TemplateModel):
    buyer: Role | None = None
    seller: Role | None = None


class StepPatch(TemplateModel):
    """Changes to an existing step (a child template's ``milestones``, a rule's ``set``)."""

    name: Text | None = None
    duration: Duration | None = None
    after: tuple[Id, ...] | None = None
    before: tuple[Id, ...] | None = None
    owner: OwnerRolesPatch | None = None
    gate: Text | None = None
    criteria: tuple[Text, ...] | None = None
    description: Text | None = None
    internal: bool | None = None
    resources: ResourcesIn | None = None  # a side given replaces the inherited one; a side left out is kept


class WorkstreamIn(TemplateModel):
    id: Id
    name: Text
    milestones: tuple[StepIn, ...] = ()


class RuleIn(TemplateModel):
    when: str
    add: tuple[AddStepIn, ...] = ()
    skip: tuple[Id, ...] = ()
    set: dict[Id, StepPatch] = {}
    warn: Text | None = None


class SelectIn(TemplateModel):
    when: str | None = None
    priority: int = 0


class TemplateFile(TemplateModel):
    name: TemplateName
    description: Text = ""
    extends: str | None = None
    select: SelectIn | None = None
    workstreams: tuple[WorkstreamIn, ...] = ()
    milestones: dict[Id, StepPatch] = {}  # with extends: changes to inherited steps
    add: tuple[AddStepIn, ...] = ()  # with extends: new steps in inherited workstreams
    remove: tuple[Id, ...] = ()  # with extends: inherited steps to drop
    rules: tuple[RuleIn, ...] = ()
    check_in: str | None = None
    roles: dict[Id, Text] = {}
    text: dict[str, Any] = {}
    formats: dict[str, dict[str, Any]] = {}
    placement: Placement | None = None  # docs/scheduling.md: where open steps sit between earliest and latest
    at_risk_slack: int | None = Field(default=None, ge=0, le=250)  # working days of slack below which a step is at risk


# -- the resolved template -----------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    when: str
    source: Source
    add: tuple[Step, ...] = ()
    skip: tuple[str, ...] = ()
    set: Mapping[str, StepPatch] = field(default_factory=lambda: MappingProxyType({}))
    warn: str | None = None


@dataclass(frozen=True)
class Template:
    name: str
    description: str
    folders: tuple[Path, ...]  # own folder first, then the folders of what it extends
    workstreams: tuple[tuple[str, str], ...]  # (id, name) in order
    steps: tuple[Step, ...]
    rules: tuple[Rule, ...] = ()
    select_when: str | None = None
    select_priority: int = 0
    select_source: Source | None = None
    check_in: str | None = None
    roles: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    text: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    formats: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: MappingProxyType({}))
    placement: Mapping[str, str] | None = None
    at_risk_slack: int | None = None

    @property
    def file(self) -> str:
        return str(self.folders[0] / TEMPLATE_FILE)

    def step_ids(self) -> list[str]:
        return [s.id for s in self.steps]


def _to_step(raw: StepIn, workstream: str, lines: Lines, path: tuple[Any, ...]) -> Step:
    return Step(
        id=raw.id, name=raw.name, workstream=workstream, duration=raw.duration, after=raw.after,
        before=raw.before, buyer_role=raw.owner.buyer, seller_role=raw.owner.seller,
        source=Source(lines.file, lines.line(path)), gate=raw.gate, criteria=raw.criteria,
        description=raw.description, internal=raw.internal,
        resources=raw.resources.apply(Resources()) if raw.resources else Resources())


def patch_step(step: Step, change: StepPatch) -> Step:
    """A step with a template patch's given fields applied (a child's ``milestones``, a rule's ``set``)."""
    owner = change.owner
    return patch(step, name=change.name, duration=change.duration, after=change.after, before=change.before,
                 gate=change.gate, criteria=change.criteria, description=change.description,
                 internal=change.internal, role_buyer=owner.buyer if owner else None,
                 role_seller=owner.seller if owner else None,
                 resources=change.resources.apply(step.resources) if change.resources else None)


# -- reading -------------------------------------------------------------------------------------

def shipped_templates() -> Path:
    """The shipped templates: inside the package when installed, beside it in a source checkout."""
    package = Path(__file__).resolve().parent
    installed = package / "_shipped_templates"
    return installed if installed.is_dir() else package.parent / "templates"


def read_template_file(folder: Path) -> tuple[TemplateFile, Lines]:
    path = folder / TEMPLATE_FILE
    if not path.is_file():
        raise TemplateError(f"no {TEMPLATE_FILE} in template folder {folder}", str(folder))
    data, lines = load_yaml(path, cached=True)  # every command reads every template
    if not isinstance(data, dict):
        raise TemplateError("a template is a mapping with name, workstreams, rules...", lines.file, 1)
    try:
        return TemplateFile.model_validate(data), lines
    except ValidationError as exc:
        raise TemplateError(problems_from(exc, lines, TemplateFile)) from None


def _rules(raw: TemplateFile, lines: Lines) -> tuple[Rule, ...]:
    rules = []
    for i, rule in enumerate(raw.rules):
        added = tuple(_to_step(step, step.workstream, lines, ("rules", i, "add", j)) for j, step in enumerate(rule.add))
        rules.append(Rule(rule.when, Source(lines.file, lines.line(("rules", i, "when"))), added, rule.skip,
                          MappingProxyType(dict(rule.set)), rule.warn))
    return tuple(rules)


def standalone(raw: TemplateFile, lines: Lines, folder: Path) -> Template:
    problems = [lines.problem((key,), f"{key}: only a template that extends another can use it")
                for key in ("milestones", "add", "remove") if getattr(raw, key)]
    if problems:
        raise TemplateError(problems)
    steps = tuple(
        _to_step(step, ws.id, lines, ("workstreams", i, "milestones", j))
        for i, ws in enumerate(raw.workstreams) for j, step in enumerate(ws.milestones))
    return Template(
        name=raw.name, description=raw.description, folders=(folder,),
        workstreams=tuple((ws.id, ws.name) for ws in raw.workstreams), steps=steps, rules=_rules(raw, lines),
        select_when=raw.select.when if raw.select else None,
        select_priority=raw.select.priority if raw.select else 0,
        select_source=Source(lines.file, lines.line(("select", "when"))) if raw.select else None,
        check_in=raw.check_in, roles=MappingProxyType(dict(raw.roles)), text=MappingProxyType(dict(raw.text)),
        formats=MappingProxyType({k: MappingProxyType(dict(v)) for k, v in raw.formats.items()}),
        placement=MappingProxyType(raw.placement) if raw.placement else None, at_risk_slack=raw.at_risk_slack)


def extend(parent: Template, raw: TemplateFile, lines: Lines, folder: Path) -> tuple[Template, list[Problem]]:
    """The parent with the child's workstreams, patches, additions, removals and rules applied, and the
    problems found on the way (a patch or removal of a step that does not exist is left out)."""
    problems: list[Problem] = []
    workstreams = list(parent.workstreams)
    steps = list(parent.steps)
    for i, ws in enumerate(raw.workstreams):
        own = [_to_step(step, ws.id, lines, ("workstreams", i, "milestones", j)) for j, step in enumerate(ws.milestones)]
        ids = [w for w, _ in workstreams]
        if ws.id in ids:  # a workstream with a parent's id replaces it whole
            workstreams[ids.index(ws.id)] = (ws.id, ws.name)
            steps = [s for s in steps if s.workstream != ws.id]
        else:
            workstreams.append((ws.id, ws.name))
        steps.extend(own)
    by_id = {s.id: n for n, s in enumerate(steps)}
    for key, change in raw.milestones.items():
        if key not in by_id:
            problems.append(lines.problem(("milestones", key), f"milestones.{key}: no such milestone in template "
                                          f"'{parent.name}'{did_you_mean(key, by_id)}"))
            continue
        steps[by_id[key]] = patch_step(steps[by_id[key]], change)
    for j, step in enumerate(raw.add):
        steps.append(_to_step(step, step.workstream, lines, ("add", j)))
    for j, key in enumerate(raw.remove):
        if key not in by_id:
            problems.append(lines.problem(("remove", j), f"remove: no such milestone '{key}'{did_you_mean(key, by_id)}"))
    for key in raw.remove:
        steps = _remove_bridged(steps, key)
    formats = {k: dict(v) for k, v in parent.formats.items()}
    for key, value in raw.formats.items():
        formats[key] = {**formats.get(key, {}), **value}
    return Template(
        name=raw.name, description=raw.description or parent.description, folders=(folder,) + parent.folders,
        workstreams=tuple(workstreams), steps=tuple(steps), rules=parent.rules + _rules(raw, lines),
        select_when=raw.select.when if raw.select else parent.select_when,
        select_priority=raw.select.priority if raw.select else parent.select_priority,
        select_source=Source(lines.file, lines.line(("select", "when"))) if raw.select else parent.select_source,
        check_in=raw.check_in or parent.check_in,
        roles=MappingProxyType({**parent.roles, **raw.roles}),
        text=MappingProxyType(_deep_merge(dict(parent.text), raw.text)),
        formats=MappingProxyType({k: MappingProxyType(v) for k, v in formats.items()}),
        placement=MappingProxyType(raw.placement) if raw.placement else parent.placement,
        at_risk_slack=raw.at_risk_slack if raw.at_risk_slack is not None else parent.at_risk_slack), problems


def _remove_bridged(steps: list[Step], key: str) -> list[Step]:
    """Drop a step and keep its neighbours in order: its successors now follow its predecessors."""
    gone = next((s for s in steps if s.id == key), None)
    if gone is None:
        return steps
    preds = list(gone.after) + [s.id for s in steps if key in s.before]
    succs = set(gone.before) | {s.id for s in steps if key in s.after}
    out = []
    for step in steps:
        if step.id == key:
            continue
        after = [a for a in step.after if a != key]
        if step.id in succs:
            after += [p for p in preds if p not in after and p != step.id]
        out.append(replace(step, after=tuple(after), before=tuple(b for b in step.before if b != key)))
    return out


def _deep_merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _deep_merge(dict(out[key]), value)
        else:
            out[key] = value
    return out

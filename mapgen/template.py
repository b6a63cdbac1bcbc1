"""Segment templates (docs/templates.md): a folder with template.yaml and optional format assets.

A template file is validated on its own, so every problem points at its own file and
line; ``extends`` then merges the resolved parent with the child's overrides.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from pydantic import Field, ValidationError

from mapgen.errors import MapgenError, Problem, TemplateError, did_you_mean
from mapgen.step import Resources, Source, Step, patch
from mapgen.validation import Duration, Id, Model, Placement, ResourcesIn, Role, TemplateName, Text, problems_from
from mapgen.yamlio import Lines, load_yaml

TEMPLATE_FILE = "template.yaml"


# -- the file format -----------------------------------------------------------------------------

class OwnerRoles(Model):
    buyer: Role
    seller: Role


class StepIn(Model):
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
    resources: ResourcesIn | None = None  # what the step needs from each side (docs/templates.md#resources)


class AddStepIn(StepIn):
    workstream: Id


class OwnerRolesPatch(Model):
    buyer: Role | None = None
    seller: Role | None = None


class StepPatch(Model):
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


class WorkstreamIn(Model):
    id: Id
    name: Text
    milestones: tuple[StepIn, ...] = ()


class RuleIn(Model):
    when: str
    add: tuple[AddStepIn, ...] = ()
    skip: tuple[Id, ...] = ()
    set: dict[Id, StepPatch] = {}
    warn: Text | None = None


class SelectIn(Model):
    when: str | None = None
    priority: int = 0


class TemplateFile(Model):
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


# -- loading -------------------------------------------------------------------------------------

def read_template_file(folder: Path) -> tuple[TemplateFile, Lines]:
    path = folder / TEMPLATE_FILE
    if not path.is_file():
        raise TemplateError(f"no {TEMPLATE_FILE} in template folder {folder}", str(folder))
    data, lines = load_yaml(path)
    if not isinstance(data, dict):
        raise TemplateError("a template is a mapping with name, workstreams, rules...", lines.file, 1)
    try:
        return TemplateFile.model_validate(data), lines
    except ValidationError as exc:
        raise TemplateError(problems_from(exc, lines, TemplateFile)) from None


def load_template(folder: Path, catalog: "Catalog | None" = None, _seen: tuple[Path, ...] = ()) -> Template:
    """Load a template folder, resolving ``extends`` through ``catalog``, and validate it."""
    folder = folder.resolve()
    cached = catalog.loaded.get(folder) if catalog is not None else None
    if cached is not None:
        return cached  # loaded (and validated) once per catalog: a batch reuses it for every brief
    if folder in _seen:
        chain = " -> ".join(str(p.name) for p in _seen + (folder,))
        raise TemplateError(f"templates extend each other in a cycle: {chain}", str(folder / TEMPLATE_FILE))
    raw, lines = read_template_file(folder)
    if raw.extends:
        if catalog is None:
            raise TemplateError(f"extends '{raw.extends}' but no template catalog is available", lines.file,
                                lines.line(("extends",)))
        parent_folder = catalog.folder_of(raw.extends, exclude=folder)
        if parent_folder is None:
            raise TemplateError(f"extends: no template named '{raw.extends}'"
                                f"{did_you_mean(raw.extends, catalog.names())}", lines.file, lines.line(("extends",)))
        parent = load_template(parent_folder, catalog, _seen + (folder,))
        template, problems = _extend(parent, raw, lines, folder)
    else:
        template, problems = _standalone(raw, lines, folder), []
    try:  # every problem of the file in one run: the child's own ones and the resolved template's
        validate_template(template)
    except TemplateError as exc:
        problems += [p for p in exc.problems if p not in problems]
    if problems:  # broken anyway: also name the sample deals its conditions break, as template check does
        problems += [p for p in condition_problems(template) if p not in problems and p.file == template.file]
        raise TemplateError(problems)
    if catalog is not None:
        catalog.loaded[folder] = template
    return template


def _rules(raw: TemplateFile, lines: Lines) -> tuple[Rule, ...]:
    rules = []
    for i, rule in enumerate(raw.rules):
        added = tuple(_to_step(step, step.workstream, lines, ("rules", i, "add", j)) for j, step in enumerate(rule.add))
        rules.append(Rule(rule.when, Source(lines.file, lines.line(("rules", i, "when"))), added, rule.skip,
                          MappingProxyType(dict(rule.set)), rule.warn))
    return tuple(rules)


def _standalone(raw: TemplateFile, lines: Lines, folder: Path) -> Template:
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


def _extend(parent: Template, raw: TemplateFile, lines: Lines, folder: Path) -> tuple[Template, list[Problem]]:
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


# -- validation ----------------------------------------------------------------------------------

def validate_template(template: Template) -> None:
    """Ids unique, references known, one signature, expressions that compile, no cycle."""
    from mapgen.scheduler import find_cycle

    problems: list[Problem] = []
    workstream_ids = {w for w, _ in template.workstreams}
    rule_added = [s for rule in template.rules for s in rule.add]
    known = {s.id for s in template.steps} | {s.id for s in rule_added}
    seen: dict[str, Step] = {}
    for step in template.steps:
        if step.id in seen:
            problems.append(step.source.problem(f"milestone id '{step.id}' is used twice "
                                                f"(first at line {seen[step.id].source.line})"))
        seen[step.id] = step
    for step in list(template.steps) + rule_added:
        if step.workstream not in workstream_ids:
            problems.append(step.source.problem(
                f"{step.id}: no such workstream '{step.workstream}'{did_you_mean(step.workstream, workstream_ids)}"))
        for ref in step.after + step.before:
            if ref not in known:
                problems.append(step.source.problem(
                    f"{step.id}: depends on unknown milestone '{ref}'{did_you_mean(ref, known)}"))
    from mapgen.roles import template_role_problems

    problems.extend(template_role_problems(template))
    signature = [s for s in template.steps if s.id == "signature"]
    if len(signature) != 1:
        problems.append(Problem("a template needs exactly one milestone with id 'signature'", template.file,
                                _key_line(template, "workstreams")))
    elif signature[0].internal:
        problems.append(signature[0].source.problem("signature cannot be internal"))
    problems += condition_problems(template, every_sample=False)
    for rule in template.rules:
        for ref in list(rule.skip) + list(rule.set):
            if ref not in known:
                problems.append(rule.source.problem(f"rule refers to unknown milestone '{ref}'{did_you_mean(ref, known)}"))
        if "signature" in rule.skip:
            problems.append(rule.source.problem("a rule cannot skip signature"))
    if template.check_in:
        from mapgen.brief import parse_check_in

        try:
            parse_check_in(template.check_in)
        except ValueError as exc:
            problems.append(Problem(f"check_in: {exc}", template.file, _key_line(template, "check_in")))
    if not problems:
        after = {s.id: set(s.after) for s in template.steps}
        for s in template.steps:
            for target in s.before:
                after.setdefault(target, set()).add(s.id)
        cycle = find_cycle({k: sorted(v) for k, v in after.items()})
        if cycle:
            step = seen.get(cycle[0])
            problems.append(Problem(f"dependency cycle: {' -> '.join(cycle)}", template.file,
                                    step.source.line if step else _key_line(template, "workstreams")))
    if problems:
        raise TemplateError(problems)


def condition_problems(template: Template, every_sample: bool = True) -> list[Problem]:
    """Conditions that do not compile, or fail for a sample deal: names the brief does not provide (with a
    did-you-mean), sandbox violations and, with ``every_sample`` (``mapgen check`` of a template), the
    sample deal a condition breaks (``deal.amount >= 50000`` and the deal with no amount). Loading a
    template tries the typical deal only, so a brief with an amount still works with such a template."""
    from mapgen.expressions import compile_condition, evaluate
    from mapgen.steps import sample_contexts

    problems: list[Problem] = []
    expressions = [(rule.when, rule.source) for rule in template.rules]
    if template.select_when and template.select_source:
        expressions.append((template.select_when, template.select_source))
    samples = sample_contexts() if every_sample else sample_contexts()[:1]
    for expression, source in expressions:
        try:
            compile_condition(expression)
        except MapgenError as exc:
            problems.append(source.problem(exc.problems[0].message))
            continue
        for sample_name, sample, guard in samples:
            try:
                evaluate(expression, sample)
            except MapgenError as exc:
                message = exc.problems[0].message
                if sample_name != "typical":
                    message += f" for the sample deal '{sample_name}'" + (f" (guard it: {guard})" if guard else "")
                problems.append(source.problem(message))
                break
    return problems


def _key_line(template: Template, key: str) -> int:
    """The line of a top-level key in the template's own file (1 when it is not there): problems
    about the template as a whole still point somewhere."""
    try:
        text = Path(template.file).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return 1
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith(f"{key}:"):
            return number
    return 1


# -- finding templates ---------------------------------------------------------------------------

class Catalog:
    """Templates by name from a list of folders, earlier folders first."""

    def __init__(self, roots: list[Path]) -> None:
        self.roots = [r for r in roots]
        #: Templates loaded through this catalog, by resolved folder: read and validated once.
        self.loaded: dict[Path, Template] = {}
        self._folders: list[Path] | None = None

    def folders(self) -> list[Path]:
        """Every template folder, first occurrence of a name wins (found once per catalog)."""
        if self._folders is None:
            self._folders = self._find_folders()
        return list(self._folders)

    def _find_folders(self) -> list[Path]:
        found: dict[str, Path] = {}
        for root in self.roots:
            if not root.is_dir():
                continue
            for candidate in sorted(root.iterdir()):
                if (candidate / TEMPLATE_FILE).is_file() and candidate.name not in found:
                    found[candidate.name] = candidate
        return list(found.values())

    def names(self) -> list[str]:
        return [f.name for f in self.folders()]

    def folder_of(self, name: str, exclude: Path | None = None) -> Path | None:
        """The folder of the template called ``name``: a plain name, looked up on the search path only."""
        if not name or name in (".", "..") or any(sep in name for sep in ("/", "\\", "\0", ":")):
            return None
        for root in self.roots:
            candidate = root / name
            if (candidate / TEMPLATE_FILE).is_file() and (exclude is None or candidate.resolve() != exclude):
                return candidate
        return None

    def load(self, name_or_path: str) -> Template:
        """A template by name, or by a path to its folder or its template.yaml."""
        path = Path(name_or_path)
        if path.name == TEMPLATE_FILE and path.is_file():
            return load_template(path.parent, self)
        if (path / TEMPLATE_FILE).is_file() and (path.is_absolute() or "/" in name_or_path or name_or_path == "."):
            return load_template(path, self)
        folder = self.folder_of(name_or_path)
        if folder is None:
            if (path / TEMPLATE_FILE).is_file():
                return load_template(path, self)
            raise MapgenError(f"no template named '{name_or_path}'{did_you_mean(name_or_path, self.names())}"
                              f" (known: {', '.join(self.names()) or 'none'})")
        return load_template(folder, self)

    def all(self) -> list[Template]:
        return [load_template(folder, self) for folder in self.folders()]

    def all_valid(self, problems: list[Problem]) -> list[Template]:
        """Every template that loads; the others' problems are added to ``problems``."""
        out = []
        for folder in self.folders():
            try:
                out.append(load_template(folder, self))
            except MapgenError as exc:
                problems.extend(exc.problems)
        return out


def default_catalog(extra: list[Path] | None = None) -> Catalog:
    """``--template-path`` folders, then MAPGEN_TEMPLATE_PATH, then plugin folders (shipped ones last)."""
    import os

    roots = list(extra or [])
    env = os.environ.get("MAPGEN_TEMPLATE_PATH")
    if env:
        roots.extend(Path(p) for p in env.split(os.pathsep) if p)
    from mapgen.plugins import call_hook, run_problems

    for plugin, folders in call_hook("template_dirs", skip_failing=run_problems):
        try:
            roots.extend(Path(p) for p in (folders or ()))
        except TypeError as exc:  # not a list of paths
            run_problems.append(f"plugin {plugin}: template_dirs returned {type(folders).__name__}: {exc}")
    return Catalog(roots)

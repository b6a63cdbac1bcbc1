"""Finding, loading and checking templates: the search path, ``extends`` resolved through it, and the
checks of a template as a whole (ids, references, roles, conditions tried on sample deals, cycles).

It sits above ``template.py`` (the template as data), the steps and the scheduler it borrows from, so
data flows one way: nothing below imports this module.
"""

from __future__ import annotations

from pathlib import Path

from mapgen import cache
from mapgen.errors import MapgenError, Problem, TemplateError, did_you_mean
from mapgen.step import Step
from mapgen.template import TEMPLATE_FILE, Template, extend, read_template_file, standalone
from mapgen.yamlio import load_yaml


def load_template(folder: Path, catalog: "Catalog | None" = None, _seen: tuple[Path, ...] = ()) -> Template:
    """Load a template folder, resolving ``extends`` through ``catalog``, and validate it."""
    folder = folder.resolve()
    cached = catalog.loaded.get(folder) if catalog is not None else None
    if cached is not None:
        return cached  # loaded (and validated) once per catalog: a batch reuses it for every brief
    if folder in _seen:
        chain = " -> ".join(str(p.name) for p in _seen + (folder,))
        raise TemplateError(f"templates extend each other in a cycle: {chain}", str(folder / TEMPLATE_FILE))
    stored = _stored_as(folder, catalog)
    if stored is not None:
        hit = cache.get(stored, record=True)
        if isinstance(hit, Template):
            if catalog is not None:
                catalog.loaded[folder] = hit
            return hit
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
        template, problems = extend(parent, raw, lines, folder)
    else:
        template, problems = standalone(raw, lines, folder), []
    try:  # every problem of the file in one run: the child's own ones and the resolved template's
        validate_template(template)
    except TemplateError as exc:
        problems += [p for p in exc.problems if p not in problems]
    if problems:  # broken anyway: also name the sample deals its conditions break, as template check does
        problems += [p for p in condition_problems(template) if p not in problems and p.file == template.file]
        raise TemplateError(problems)
    if catalog is not None:
        catalog.loaded[folder] = template
    if stored is not None:
        cache.put(stored, template, record=True)
    return template


def _stored_as(folder: Path, catalog: "Catalog | None") -> str | None:
    """The cache entry of the loaded template in ``folder``: keyed on its file and each parent's, with
    their folders (``extends`` resolves through the search path, so a parent found elsewhere is another
    template), the shipped templates (their roles count as declared), and the code and libraries that
    build and check it. None when the cache is off or the chain cannot be followed (a broken file:
    loading it reports why)."""
    if cache.cache_dir() is None:
        return None
    import jinja2
    import pydantic

    from mapgen.template import shipped_templates
    from mapgen.yamlio import parser_stamp

    parts: list[str | bytes] = [cache.code_stamp(), parser_stamp(), pydantic.VERSION, jinja2.__version__]
    try:
        parts += [path.read_bytes() for path in sorted(shipped_templates().glob(f"*/{TEMPLATE_FILE}"))]
    except OSError:
        return None
    current, seen = folder, set()
    while current not in seen:
        seen.add(current)
        path = current / TEMPLATE_FILE
        try:
            parts += [str(current), path.read_bytes()]
            data, _ = load_yaml(path, cached=True)
        except (OSError, MapgenError):
            return None
        parent = data.get("extends") if isinstance(data, dict) else None
        if parent is None:
            return cache.key("template", *parts)
        found = catalog.folder_of(parent, exclude=current) if catalog is not None and isinstance(parent, str) else None
        if found is None:
            return None
        current = found.resolve()
    return None  # a cycle: loading reports it



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

"""The ``mapgen`` command line (the README's command table; docs/ for each command's details).

Errors are printed here, once, as ``FILE:LINE: error: MESSAGE``; exit 1 for invalid
input or a failed render, 2 for usage. Heavy modules are imported inside commands so
``mapgen --help`` stays fast and loads no rendering library.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import click

from mapgen import __version__

EXAMPLE = """\b
Examples:
  mapgen generate examples/acme-enterprise.yaml            # every document format into out/
  mapgen generate briefs/ -o plans -f md,json --today 2026-11-02
  mapgen plan examples/acme-enterprise.yaml                # the schedule in the terminal
  mapgen check briefs/ templates/enterprise                # validate, write nothing
"""


class Failed(Exception):
    """Problems were already printed; exit 1."""


class DateParam(click.ParamType):
    name = "DATE"

    def convert(self, value: Any, param: Any, ctx: Any) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fail(f"'{value}' is not a date (YYYY-MM-DD)", param, ctx)


def _print_problems(exc: Exception) -> None:
    from mapgen.errors import MapgenError

    if isinstance(exc, MapgenError):
        for problem in exc.problems:
            click.echo(str(problem), err=True)
    else:
        click.echo(f"mapgen: error: {type(exc).__name__}: {exc}", err=True)


def _warn(source: str | None, messages: Iterable[str]) -> None:
    for message in messages:
        click.echo(f"{source or 'mapgen'}: warning: {message}", err=True)


def template_path_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--template-path", "template_path", multiple=True, type=click.Path(file_okay=False),
                        help="A folder of template folders, searched before the installed ones (repeatable).")(func)


def audience_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--audience buyer|internal`` (docs/briefs.md, "Who a plan is for"), with ``--include-internal``
    kept as a hidden alias of ``--audience internal``; the command receives ``audience``."""

    @functools.wraps(func)
    def wrapper(*args: Any, include_internal: bool = False, **kwargs: Any) -> Any:
        if include_internal:
            if kwargs.get("audience") == "buyer" and _given("audience"):
                raise click.UsageError("--include-internal is --audience internal: it cannot be combined "
                                       "with --audience buyer")
            kwargs["audience"] = "internal"
        return func(*args, **kwargs)

    wrapper = click.option("--include-internal", is_flag=True, hidden=True,
                           help="Same as --audience internal.")(wrapper)
    return click.option("--audience", type=click.Choice(["buyer", "internal"]), default="buyer", show_default=True,
                        help="Who the plan is for. 'internal' is the seller's own view: the template's internal "
                             "steps and the MEDDPICC review; never send it to the buyer.")(wrapper)


def _given(param: str) -> bool:
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return False
    from click.core import ParameterSource

    return ctx.get_parameter_source(param) not in (ParameterSource.DEFAULT, None)


def _catalog(template_path: Sequence[str]):  # type: ignore[no-untyped-def]
    from mapgen.catalog import default_catalog

    return default_catalog([Path(p) for p in template_path])


def _must_exist(paths: Sequence[str], hint: str) -> None:
    """A missing file or folder is a usage error (exit 2) in every command."""
    for raw in paths:
        if not os.path.exists(raw):
            raise click.BadParameter(f"{raw}: no such file or folder", param_hint=hint)


class MapgenGroup(click.Group):
    """Adds plugin commands lazily, so a broken plugin cannot break ``--help``."""

    _plugins_loaded = False

    def _load_plugin_commands(self) -> None:
        if self._plugins_loaded:
            return
        self._plugins_loaded = True
        from mapgen.plugins import call_hook, run_problems

        for _ in call_hook("register_commands", skip_failing=run_problems, cli=self):  # a failure names the plugin
            pass

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_plugin_commands()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        if command is None:
            self._load_plugin_commands()
            command = super().get_command(ctx, name)
        return command


@click.group(cls=MapgenGroup, epilog=EXAMPLE, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mapgen")
def cli() -> None:
    """Turn a deal brief into a mutual action plan: a dated, jointly owned plan from today
    through signature to go-live, as a deck, a document, a workbook, Markdown and JSON."""


@cli.command(epilog="""\b
Examples:
  mapgen generate examples/acme-enterprise.yaml             # every document format into out/
  mapgen generate briefs/ -o plans -f md,json --today 2026-11-02
  mapgen generate briefs/ -o plans --check                  # exit 1 when an output is stale or missing
  mapgen generate briefs/ -o plans --shard 2/4 -j 2         # the second quarter of the briefs, 2 processes
  mapgen generate deal.yaml --template-path ~/our-templates --template acme-enterprise
""")
@click.argument("briefs", nargs=-1, required=True, metavar="BRIEF_OR_DIR...")
@click.option("-o", "--out", "out", default="out", show_default=True, type=click.Path(file_okay=False),
              help="Folder the plans are written to: OUT/<folder>/<brief name>.<ext>, mirroring the briefs' folders.")
@click.option("-f", "--formats", "formats_", default=None, metavar="md,docx,...",
              help="Comma-separated formats (see `mapgen formats`). Default: every document format.")
@click.option("--template", default=None, metavar="NAME_OR_PATH", help="Use this template instead of selecting one.")
@click.option("--today", type=DateParam(), default=None, help="The plan's 'as of' date (default: the brief's "
              "dates.today, else SOURCE_DATE_EPOCH, else the system date).")
@audience_option
@template_path_option
@click.option("-j", "--jobs", "jobs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Build N briefs at a time, in separate processes (default: the usable cores).")
@click.option("--check", "check_only", is_flag=True,
              help="Write nothing; list outputs that are stale or missing and exit 1 if there are any.")
@click.option("--prune", is_flag=True, help="Remove outputs mapgen wrote (per OUT's manifest) for briefs that are gone.")
@click.option("--shard", default=None, metavar="K/N", help="Only the K-th of N stable parts of the briefs (CI matrices).")
@click.option("--force", is_flag=True, help="Render every brief, even those whose outputs are up to date.")
@click.option("--strict", is_flag=True, help="Warnings fail the run (exit 1).")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors, stale outputs and the summary line.")
@click.option("--report", "report_file", default=None, type=click.Path(dir_okay=False), metavar="FILE",
              help="Write a JSON report: per brief its status, outputs, warnings, errors and timings.")
@click.option("--baseline", default=None, type=click.Path(exists=True, dir_okay=False), metavar="OLD",
              help="An earlier plan JSON (or brief) to compare with: adds a 'What changed since DATE' section "
                   "and marks moved steps (docs/keeping-current.md).")
def generate(briefs: Sequence[str], out: str, formats_: str | None, template: str | None, today: dt.date | None,
             audience: str, template_path: Sequence[str], jobs: int | None, check_only: bool,
             prune: bool, shard: str | None, force: bool, strict: bool, quiet: bool, report_file: str | None,
             baseline: str | None) -> None:
    """Write the plan for each brief in every chosen format.

    Folders are searched recursively and mirrored under OUT. A brief that fails validation
    writes nothing and the others are still built; a format that fails to render is reported
    and the other formats are still written. Files are replaced atomically, only when their
    bytes change; briefs whose inputs and outputs did not change since the last run (per
    OUT/.mapgen-manifest.json) are skipped without rendering. A summary line closes the run.
    """
    from mapgen import batch

    out_path = Path(out)
    if out_path.exists() and not out_path.is_dir():
        raise click.BadParameter(f"{out}: not a folder", param_hint="'-o'")
    try:
        found = batch.find_briefs(briefs, skip=[out_path])
        part = batch.parse_shard(shard) if shard else None
    except batch.BatchUsageError as exc:
        raise click.UsageError(str(exc)) from None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--shard'") from None
    selected = [j for j in found if batch.shard_of(j, part[1]) == part[0]] if part else found
    registry = _registry()
    chosen = _chosen_formats(registry, formats_)
    settings = batch.Settings(out=out_path, formats=tuple(chosen), template=template, today=today,
                              audience=audience, template_path=tuple(template_path),
                              check=check_only, baseline=baseline)
    if baseline:  # a bad baseline is one error, before any brief is built
        batch.baseline_plan(settings, _catalog(template_path))
    printer = _BatchPrinter(len(selected), quiet, check_only)
    try:
        summary = batch.run(settings, selected, workers=jobs or batch.default_jobs(), force=force,
                            prune_gone=found if prune else None, strict=strict, on_result=printer.result,
                            on_progress=printer.progress)
    finally:
        printer.close()
    for path in summary.pruned:
        printer.echo(f"{path}: {'would be pruned' if check_only else 'pruned'}", err=False, always=check_only)
    if report_file:
        import json

        from mapgen.output import write_atomic

        data = json.dumps(summary.report(), indent=1, ensure_ascii=False) + "\n"
        write_atomic(Path(report_file), data.encode("utf-8"))
    click.echo(click.style(summary.line(), fg=None if summary.ok else "red"), err=True)
    if not summary.ok:
        raise Failed()


class _BatchPrinter:
    """Per-brief lines in the briefs' order, a progress bar on a terminal (tqdm), nothing else when quiet."""

    def __init__(self, total: int, quiet: bool, check: bool) -> None:
        self.quiet, self.check = quiet, check
        self.bar = None
        if not quiet and total > 1 and sys.stderr.isatty() and os.environ.get("TERM") != "dumb":
            import tqdm as tqdm_module
            from tqdm import tqdm

            tqdm_module.tqdm.monitor_interval = 0  # no monitor thread: worker processes are forked
            self.bar = tqdm(total=total, unit="brief", file=sys.stderr, leave=False, dynamic_ncols=True,
                            disable=None)

    def echo(self, message: str, err: bool, always: bool = False) -> None:
        if self.quiet and not always:
            return
        if self.bar is not None:
            self.bar.clear()
        click.echo(message, err=err)
        if self.bar is not None:
            self.bar.refresh()

    def result(self, r: Any) -> None:
        for error in r.errors:
            self.echo(error, err=True, always=True)
        for message in r.warnings:
            self.echo(f"{r.brief}: warning: {message}", err=True)
        for output in r.outputs:
            if output["status"] == "written":
                self.echo(output["path"], err=False)
            elif output["status"] in ("stale", "missing"):
                self.echo(f"{output['path']}: {output['status']}", err=False, always=True)

    def progress(self, done: int) -> None:
        if self.bar is not None:
            self.bar.n = done
            self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _report(kind: str, source: str | None, payload: Any) -> None:
    if kind == "error":
        _print_problems(payload)
    elif kind == "warning":
        _warn(source, payload)
    elif kind == "wrote":
        click.echo(str(payload))


def _quiet_report(kind: str, source: str | None, payload: Any) -> None:
    if kind == "error":
        _print_problems(payload)


def _registry():  # type: ignore[no-untyped-def]
    from mapgen.plugins import formats

    return formats()  # a plugin that failed is left out, and reported when the command ends


def _chosen_formats(registry: Any, formats_: str | None) -> list[str]:
    from mapgen.errors import did_you_mean

    if not formats_:
        return [r.name for r in registry if r.format.default]
    names = [part.strip().lstrip(".") for part in formats_.split(",") if part.strip()]
    for name in names:
        if name not in registry:
            raise click.BadParameter(f"unknown format '{name}'{did_you_mean(name, registry.names())}; "
                                     f"available: {', '.join(registry.names())}", param_hint="'-f'")
    return list(dict.fromkeys(names))


@cli.command(epilog="""\b
Examples:
  mapgen plan examples/globex-late.yaml                     # target beside forecast, and why
  mapgen plan deal.yaml --json | jq '.signature'            # the plan JSON (docs/plan-json.md)
""")
@click.argument("brief", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the plan JSON (schema 2, docs/plan-json.md).")
@click.option("--template", default=None, metavar="NAME_OR_PATH", help="Use this template instead of selecting one.")
@click.option("--today", type=DateParam(), default=None, help="The plan's 'as of' date.")
@audience_option
@template_path_option
@click.option("-q", "--quiet", is_flag=True, help="Do not print warnings.")
def plan(brief: str, as_json: bool, template: str | None, today: dt.date | None, audience: str,
         template_path: Sequence[str], quiet: bool) -> None:
    """Show the schedule: target beside forecast and the steps that decide it, then every step's
    planned dates, owners, what it waits for, state and slack (docs/scheduling.md)."""
    from mapgen.pipeline import build_plan

    result = build_plan(Path(brief), today=today, template=template, catalog=_catalog(template_path),
                        display=brief)
    if as_json:  # the JSON is the plan's full record, like `generate -f json`
        click.echo(result.to_json(), nl=False)
        return
    from mapgen.terminal import plan_table

    columns = os.environ.get("COLUMNS", "").strip()  # COLUMNS=abc or 99999...: ignored
    width = int(columns) if columns.isdigit() and len(columns) <= 4 and 20 <= int(columns) <= 1000 else None
    click.echo(plan_table(result.for_reader(audience), width=width))  # type: ignore[arg-type]
    if not quiet:
        _warn(brief, result.warnings)


@cli.command("diff", epilog="""\b
Examples:
  mapgen diff last-week.json examples/acme-week-three.yaml  # what moved since last week's plan
  mapgen diff old.json new.json --md | pbcopy               # for an email
  mapgen diff old.json new.json --json | jq '.signature'    # for scripts (docs/keeping-current.md)
""")
@click.argument("old", type=click.Path(exists=True, dir_okay=False))
@click.argument("new", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON (docs/keeping-current.md).")
@click.option("--md", "as_md", is_flag=True, help="Print the changes as Markdown (GFM), to paste into an email.")
@click.option("--template", default=None, metavar="NAME_OR_PATH", help="Plan a brief side with this template.")
@click.option("--today", type=DateParam(), default=None,
              help="The 'as of' date of a brief side (default: its dates.today, like `mapgen plan`).")
@audience_option
@template_path_option
def diff_command(old: str, new: str, as_json: bool, as_md: bool, template: str | None, today: dt.date | None,
                 audience: str, template_path: Sequence[str]) -> None:
    """Show what changed from OLD to NEW: steps moved (in working days), state changes, steps
    added, removed or renamed, owners changed, and the effect on the forecast signature and
    go-live with the steps that explain it.

    Each side is a plan JSON (`mapgen generate -f json`, `mapgen plan --json`) or a brief,
    planned on the fly. Steps are matched by id; working days follow NEW's calendar.
    """
    if as_json and as_md:
        raise click.UsageError("--json and --md cannot be combined")
    from mapgen.changes import compare, load_side

    catalog = _catalog(template_path)
    plans = [load_side(Path(p), today=today, template=template, catalog=catalog, display=p) for p in (old, new)]
    changes = compare(*(p.for_reader(audience) for p in plans))  # type: ignore[arg-type]
    if as_json:
        import json

        click.echo(json.dumps(changes.to_dict(), indent=2, ensure_ascii=False))
        return
    from mapgen import slip

    if as_md:
        click.echo(slip.markdown(changes), nl=False)
        return
    from mapgen.markup import plain

    columns = os.environ.get("COLUMNS", "").strip()
    width = int(columns) if columns.isdigit() and len(columns) <= 4 and 20 <= int(columns) <= 1000 else None
    click.echo(slip.terminal(changes, heading=f"{plain(plans[1].title)}   {old} → {new}", width=width))


@cli.command(epilog="""\b
Examples:
  mapgen check briefs/                                      # every brief in a folder
  mapgen check templates/enterprise my-templates/           # templates, and their format assets
""")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--today", type=DateParam(), default=None, help="The 'as of' date to check briefs against.")
@template_path_option
@click.option("-q", "--quiet", is_flag=True, help="Print only errors: no warnings, no 'ok' lines.")
def check(paths: Sequence[str], today: dt.date | None, template_path: Sequence[str], quiet: bool) -> None:
    """Validate briefs and templates (files or folders); write nothing.

    A folder holding template.yaml is checked as a template (with its format assets, such
    as plan.docx); any other folder as a folder of briefs.
    """
    from mapgen.checking import check_paths

    _must_exist(paths, "PATH")
    if not check_paths([Path(p) for p in paths], _catalog(template_path), _registry(), today,
                       _quiet_report if quiet else _report):
        raise Failed()


@cli.command(epilog="""\b
Examples:
  mapgen sync out/acme.xlsx briefs/acme.yaml --dry-run      # what the buyer changed, nothing written
  mapgen sync out/acme.xlsx briefs/acme.yaml                # statuses, started/done dates and notes into the brief
""")
@click.argument("tracker", type=click.Path(dir_okay=False), metavar="TRACKER.xlsx")
@click.argument("brief", type=click.Path(exists=True, dir_okay=False), metavar="BRIEF.yaml")
@click.option("--dry-run", is_flag=True, help="Show the changes; write nothing.")
@click.option("--today", type=DateParam(), default=None, help="The 'as of' date a done date cannot be after "
              "(default: the brief's dates.today, else SOURCE_DATE_EPOCH, else the system date).")
@click.option("--template", default=None, metavar="NAME_OR_PATH", help="Use this template instead of selecting one.")
@template_path_option
def sync(tracker: str, brief: str, dry_run: bool, today: dt.date | None, template: str | None,
         template_path: Sequence[str]) -> None:
    """Read the buyer's edits in the Excel tracker back into the brief: each step's status, started
    and done dates and notes (docs/workbook.md). Comments and layout of the brief are kept; one line
    per change is printed. A bad edit is an error at its cell and the brief is left untouched."""
    from mapgen.output import write_atomic
    from mapgen.sync import sync as sync_tracker

    _must_exist([tracker], "TRACKER.xlsx")
    result = sync_tracker(Path(tracker), Path(brief), today=today, tracker_display=tracker, brief_display=brief,
                          template=template, catalog=_catalog(template_path))
    _warn(tracker, result.warnings)
    for change in result.changes:
        click.echo(f"{brief}: {change}")
    if not result.changes:
        click.echo(f"{brief}: no changes")
    elif dry_run:
        click.echo(f"{brief}: not written (--dry-run): {len(result.changes)} change(s)")
    else:
        write_atomic(Path(brief), result.new_text.encode("utf-8"))


@cli.command("schema", epilog="""\b
Examples:
  mapgen schema plan > plan.schema.json                     # validate plan JSON in your own pipeline
  mapgen schema brief > brief.schema.json                   # completion and checks in your editor
""")
@click.argument("kind", type=click.Choice(["plan", "brief"]))
def schema_command(kind: str) -> None:
    """Print the JSON Schema of the plan JSON or of the brief (also shipped as mapgen/schemas/KIND.schema.json;
    for editors, see docs/briefs.md)."""
    from importlib.resources import files

    click.echo(files("mapgen").joinpath("schemas", f"{kind}.schema.json").read_text(encoding="utf-8"), nl=False)


@cli.command("new", epilog="""\b
Examples:
  mapgen new briefs/acme.yaml --template enterprise         # every step id and role, as comments
  mapgen new deal.yaml                                      # the smb template
""")
@click.argument("brief", type=click.Path(dir_okay=False))
@click.option("--template", "template", default="smb", show_default=True, metavar="NAME_OR_PATH",
              help="The template whose steps, roles and options the brief lists.")
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
@click.option("--today", type=DateParam(), default=None, help="The brief's 'as of' date (default: the system date).")
@template_path_option
def new_command(brief: str, template: str, force: bool, today: dt.date | None, template_path: Sequence[str]) -> None:
    """Write a starter brief: valid as written, with every step id, role and option of the template
    as comments, and the schema line editors use (docs/briefs.md)."""
    from mapgen.output import write_atomic
    from mapgen.starter import schema_reference, starter_brief

    path = Path(brief)
    if path.exists() and not force:
        raise click.BadParameter(f"{brief}: already exists (--force replaces it)", param_hint="BRIEF")
    if not path.parent.is_dir():
        raise click.BadParameter(f"{path.parent}: no such folder", param_hint="BRIEF")
    loaded = _catalog(template_path).load(template)
    write_atomic(path, starter_brief(loaded, schema_reference(path), today or dt.date.today()).encode("utf-8"))
    click.echo(str(path))


@cli.group("template")
def template_group() -> None:
    """Work with templates (folders holding template.yaml and format assets)."""


@template_group.command("check", epilog="""\b
Example:
  mapgen template check templates/acme-enterprise          # template.yaml, plan.docx, deck.pptx, plan.md.j2
""")
@click.argument("folders", nargs=-1, required=True, metavar="TEMPLATE_DIR...")
@template_path_option
def template_check(folders: Sequence[str], template_path: Sequence[str]) -> None:
    """Validate templates and their format assets (a Word template's variables, the deck's layouts)."""
    from mapgen.checking import check_paths

    _must_exist(folders, "TEMPLATE_DIR")
    for folder in folders:
        if not (Path(folder) / "template.yaml").is_file():
            raise click.BadParameter(f"{folder}: not a template folder (no template.yaml)", param_hint="TEMPLATE_DIR")
    if not check_paths([Path(p) for p in folders], _catalog(template_path), _registry(), None, _report):
        raise Failed()


@template_group.command("show", epilog="""\b
Examples:
  mapgen template show enterprise                           # steps, durations, owners, rules
  mapgen template show midmarket --template-path my-templates   # and what it changes in its parent
""")
@click.argument("name", metavar="NAME_OR_PATH")
@template_path_option
def template_show(name: str, template_path: Sequence[str]) -> None:
    """Show a template resolved: its roles, steps with durations, owners and dependencies, its rules and,
    for a template that extends another, what differs from the parent."""
    from mapgen.template_tools import show

    catalog = _catalog(template_path)
    click.echo(show(catalog.load(name), catalog), nl=False)


@template_group.command("new", epilog="""\b
Example:
  mapgen template new midmarket --extends enterprise --dir my-templates
  mapgen template show midmarket --template-path my-templates
""")
@click.argument("name")
@click.option("--extends", "parent", required=True, metavar="PARENT", help="The template to start from.")
@click.option("--dir", "directory", default=".", show_default=True, type=click.Path(file_okay=False),
              help="The folder of templates to create NAME/template.yaml in (a --template-path folder).")
@click.option("--force", is_flag=True, help="Replace NAME/template.yaml if it exists.")
@template_path_option
def template_new(name: str, parent: str, directory: str, force: bool, template_path: Sequence[str]) -> None:
    """Write a starter template that extends PARENT: valid as written, with the parent's steps, roles and
    the ways to change them as comments."""
    from mapgen.template_tools import write_child
    from mapgen.validation import _template_name

    try:
        _template_name(name)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="NAME") from None
    folder = Path(directory) / name
    if (folder / "template.yaml").exists() and not force:
        raise click.BadParameter(f"{folder / 'template.yaml'}: already exists (--force replaces it)", param_hint="NAME")
    catalog = _catalog(tuple(template_path) + (directory,))
    loaded_parent = catalog.load(parent)
    click.echo(str(write_child(folder, name, loaded_parent)))


@cli.command(epilog="""\b
Example:
  mapgen templates --template-path ~/our-templates          # shipped, plugin and your own templates
""")
@template_path_option
def templates(template_path: Sequence[str]) -> None:
    """List the templates found and when each is selected."""
    catalog = _catalog(template_path)
    for folder in catalog.folders():
        from mapgen.errors import MapgenError
        from mapgen.catalog import load_template

        try:
            t = load_template(folder, catalog)
        except MapgenError as exc:
            click.echo(f"{folder.name}: invalid ({exc.problems[0]})")
            continue
        when = f"when {t.select_when}" + (f" (priority {t.select_priority})" if t.select_priority else "") \
            if t.select_when else "only when asked for (deal.segment or --template)"
        steps = sum(1 for s in t.steps if not s.internal)
        click.echo(f"{t.name}: {t.description}")
        click.echo(f"    selected {when}; {steps} customer-facing steps; {folder}")


@cli.command("formats", epilog="""\b
Example:
  mapgen formats                                            # then: mapgen generate deal.yaml -f pptx,ics
""")
def formats_command() -> None:
    """List the output formats and the plugin that provides each."""
    registry = _registry()
    for item in registry:
        fmt = item.format
        flag = "" if fmt.default else " (only with -f)"
        click.echo(f"{fmt.name:<6} {fmt.suffix:<7} {item.plugin:<28} {fmt.description}{flag}")


@cli.command("plugins", epilog="""\b
Example:
  MAPGEN_LOAD_PLUGINS=mapgen-ics mapgen plugins             # load only this external plugin
""")
def plugins_command() -> None:
    """List the loaded plugins and the hooks each implements."""
    from mapgen.plugins import LOAD_PLUGINS_ENV, get_plugin_manager

    pm = get_plugin_manager()
    for info in pm.info():
        origin = "built-in" if info.builtin else (f"{info.distribution} {info.version}" if info.distribution else "")
        click.echo(f"{info.name} ({origin}): {', '.join(info.hooks) or 'no hooks'}")
    if os.environ.get(LOAD_PLUGINS_ENV) is not None:
        click.echo(f"({LOAD_PLUGINS_ENV}={os.environ[LOAD_PLUGINS_ENV]!r} limits the external plugins loaded)")
    from mapgen.plugins import formats, problems
    from mapgen.catalog import default_catalog

    formats()
    default_catalog()  # runs every template_dirs hook
    if problems():  # the one command whose job is the plugins: a failing one fails it
        raise Failed()


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: one line per problem, no traceback (MAPGEN_DEBUG=1 shows it)."""
    from mapgen import plugins
    from mapgen.errors import MapgenError

    plugins.run_problems.clear()
    try:
        # NO_COLOR (https://no-color.org): any non-empty value turns colour off, even on a terminal.
        color = False if os.environ.get("NO_COLOR") else None
        try:
            cli.main(args=list(argv) if argv is not None else None, prog_name="mapgen", standalone_mode=False,
                     color=color)
        finally:
            for message in plugins.problems():  # a broken plugin: one line each, the rest of mapgen works
                click.echo(f"mapgen: error: {message}", err=True)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except Failed:
        sys.exit(1)
    except MapgenError as exc:
        _print_problems(exc)
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - the CLI edge: never a traceback for users
        if os.environ.get("MAPGEN_DEBUG"):
            raise
        click.echo(f"mapgen: error: internal error: {type(exc).__name__}: {exc} (MAPGEN_DEBUG=1 shows details)",
                   err=True)
        sys.exit(1)
    sys.exit(0)

"""Batch builds (docs/ci.md): many briefs, in parallel, incrementally, or only checked.

``mapgen generate DIR`` finds every brief under DIR (recursively) and writes its outputs to the
same relative folder under OUT. Each brief builds on its own: a bad one fails alone. A manifest
(``OUT/.mapgen-manifest.json``) records, per brief, a fingerprint of everything that decides its
outputs and the outputs' hashes, so a rerun skips briefs whose inputs and outputs did not change
without loading or rendering them, ``--check`` tells stale outputs apart from fresh ones, and
``--prune`` removes only files mapgen wrote for briefs that are gone.

This module imports nothing heavy: the render libraries load only in the processes that render.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterable, Sequence

MANIFEST = ".mapgen-manifest.json"
MANIFEST_VERSION = 1
BRIEF_SUFFIXES = (".yaml", ".yml")


class BatchUsageError(ValueError):
    """A usage problem found while collecting briefs (no such file, a folder without briefs)."""


# -- finding briefs ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Job:
    """One brief to build: where it is, and where its outputs go relative to OUT."""

    brief: Path
    rel: PurePosixPath  # the brief's path relative to the folder it was found in ("emea/acme.yaml")

    @property
    def key(self) -> str:
        """The manifest key and the outputs' relative stem: "emea/acme"."""
        return str(self.rel.with_suffix(""))

    def target(self, out: Path, suffix: str) -> Path:
        return out.joinpath(*self.rel.parent.parts, self.rel.stem + suffix)


def find_briefs(paths: Sequence[str | Path], skip: Iterable[Path] = ()) -> list[Job]:
    """Briefs from files and folders; folders are walked recursively in a stable order.

    Hidden files and folders, template folders (holding template.yaml) and the ``skip`` folders
    (the output folder) are left out. A missing path is a usage error.
    """
    skipped = {_real(p) for p in skip}
    jobs: list[Job] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = [Job(p, PurePosixPath(p.relative_to(path).as_posix())) for p in _walk(path, skipped)]
            if not found:
                raise BatchUsageError(f"{raw}: no .yaml briefs in this folder")
            jobs.extend(found)
        elif path.is_file():
            jobs.append(Job(path, PurePosixPath(path.name)))
        else:
            raise BatchUsageError(f"{raw}: no such file or folder")
    return jobs


def _walk(root: Path, skipped: set[str]) -> list[Path]:
    found = []
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__"
                         and not (here / d / "template.yaml").is_file() and _real(here / d) not in skipped)
        found.extend(here / name for name in sorted(files)
                     if name.endswith(BRIEF_SUFFIXES) and not name.startswith(".") and name != "template.yaml")
    return found


def _real(path: Path) -> str:
    return os.path.realpath(path)


def shard_of(job: Job, count: int) -> int:
    """The shard (1..count) a brief belongs to: a hash of its relative path, the same on every machine."""
    digest = hashlib.sha256(job.key.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def parse_shard(text: str) -> tuple[int, int]:
    """``K/N`` with 1 <= K <= N."""
    try:
        k_text, n_text = text.split("/")
        k, n = int(k_text), int(n_text)
    except ValueError:
        raise ValueError(f"'{text}' is not K/N (for example 2/4)") from None
    if n < 1 or not 1 <= k <= n:
        raise ValueError(f"'{text}': K must be between 1 and N")
    return k, n


def default_jobs() -> int:
    """The cores this process may use (its affinity, not the machine's count)."""
    count = getattr(os, "process_cpu_count", None)
    if count is not None:
        return max(1, count() or 1)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


# -- settings and what decides the output ----------------------------------------------------------

@dataclass(frozen=True)
class Settings:
    """Everything besides the brief that decides the outputs (picklable: sent to worker processes)."""

    out: Path
    formats: tuple[str, ...]
    template: str | None = None
    today: dt.date | None = None
    audience: str = "buyer"
    template_path: tuple[str, ...] = ()
    check: bool = False
    #: A plan JSON or brief to compare with (``--baseline``): its bytes are part of the up-to-date key.
    baseline: str | None = None


def default_today(settings: Settings) -> dt.date:
    """The 'as of' date of a brief without ``dates.today``: --today, SOURCE_DATE_EPOCH, the system date."""
    from mapgen.pipeline import resolve_today

    return resolve_today(settings.today, None)


def environment_key(settings: Settings) -> str:
    """A hash of everything except the brief and the date that decides the outputs.

    mapgen's version and its package files (code and format assets), the plugins' versions, every
    template folder that can be selected, the formats and the options.
    """
    import mapgen
    from mapgen.plugins import get_plugin_manager
    from mapgen.catalog import default_catalog

    h = hashlib.sha256()

    def add(*parts: object) -> None:
        for part in parts:
            data = part if isinstance(part, bytes) else str(part).encode("utf-8", "surrogateescape")
            h.update(len(data).to_bytes(8, "big"))
            h.update(data)

    add("mapgen", mapgen.__version__, MANIFEST_VERSION)
    for info in get_plugin_manager().info():
        add("plugin", info.name, info.distribution or "", info.version or "")
    add("formats", *settings.formats)
    add("options", settings.template or "", settings.audience)
    if settings.baseline:
        try:
            add("baseline", Path(settings.baseline).read_bytes())
        except OSError:
            add("baseline", "unreadable")
    _hash_tree(add, Path(mapgen.__file__).parent)
    catalog = default_catalog([Path(p) for p in settings.template_path])
    roots = list(catalog.roots)
    if settings.template and Path(settings.template).exists():
        roots.append(Path(settings.template).parent if Path(settings.template).is_file() else Path(settings.template))
    for root in roots:
        add("root", root)
        _hash_tree(add, root)
    return h.hexdigest()


def _hash_tree(add: Callable[..., None], root: Path) -> None:
    if not root.is_dir():
        return
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
        for name in sorted(files):
            if name.startswith(".") or name.endswith((".pyc", ".pyo")):
                continue
            path = Path(folder) / name
            try:
                add(path.relative_to(root).as_posix(), path.read_bytes())
            except OSError:
                add(path.relative_to(root).as_posix(), "unreadable")


def today_token(settings: Settings, brief_has_today: bool, fallback: dt.date) -> str:
    """How the plan's date was decided: the option, the brief's own date (so its bytes), or the default."""
    if settings.today is not None:
        return f"option:{settings.today.isoformat()}"
    if brief_has_today:
        return "brief"
    return f"default:{fallback.isoformat()}"


# -- the manifest --------------------------------------------------------------------------------

def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str | None:
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


class Manifest:
    """``OUT/.mapgen-manifest.json``: per brief key, its fingerprint and the outputs written for it.

    Holds no timestamps, so the same build gives the same manifest on any machine.
    """

    def __init__(self, out: Path) -> None:
        self.path = out / MANIFEST
        self.entries: dict[str, dict[str, Any]] = {}
        self.existed = False
        self.original = b""
        try:
            self.original = self.path.read_bytes()
            data = json.loads(self.original)
            self.existed = True
            if isinstance(data, dict) and data.get("version") == MANIFEST_VERSION:
                self.entries = {k: v for k, v in data.get("briefs", {}).items() if isinstance(v, dict)}
        except (OSError, ValueError):
            pass

    def dumps(self) -> bytes:
        data = {"version": MANIFEST_VERSION, "generator": "mapgen",
                "briefs": {key: self.entries[key] for key in sorted(self.entries)}}
        return (json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")

    def save(self) -> None:
        from mapgen.output import write_atomic

        if not self.entries and not self.existed:
            return
        write_atomic(self.path, self.dumps())

    def up_to_date(self, job: Job, brief_sha: str, env: str, settings: Settings, fallback: dt.date,
                   out: Path) -> dict[str, Any] | None:
        """The entry when the brief's outputs are current: same inputs, and every output as written."""
        entry = self.entries.get(job.key)
        if not entry or entry.get("brief_sha256") != brief_sha or entry.get("env") != env:
            return None
        if entry.get("formats") != list(settings.formats):
            return None
        token = entry.get("today")
        if token != "brief" or settings.today is not None:
            if token != today_token(settings, False, fallback):
                return None
        for output in entry.get("outputs", {}).values():
            path = out / output["path"]
            try:
                if path.stat().st_size != output["size"]:
                    return None
            except OSError:
                return None
            if file_sha256(path) != output["sha256"]:
                return None
        return entry


# -- building one brief (in a worker process or in this one) -------------------------------------

_STATE: dict[Settings, Any] = {}


def _state(settings: Settings) -> tuple[Any, Any]:
    """The format registry and the template catalog: built once per process and reused for every brief."""
    if settings not in _STATE:
        from mapgen.plugins import formats
        from mapgen.catalog import default_catalog

        _STATE[settings] = (formats(), default_catalog([Path(p) for p in settings.template_path]))
    return _STATE[settings]


@dataclass
class Result:
    """What happened to one brief; ``status`` is written, unchanged, failed (or, checking, fresh/stale/missing)."""

    brief: str
    key: str
    status: str = "written"
    outputs: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    entry: dict[str, Any] | None = None  # the new manifest entry (after a complete build)

    def report(self) -> dict[str, Any]:
        return {"brief": self.brief, "status": self.status, "outputs": self.outputs, "warnings": self.warnings,
                "errors": self.errors, "timings": {k: round(v, 6) for k, v in self.timings.items()}}


_BASELINES: dict[tuple[str, str | None, str], Any] = {}


def baseline_plan(settings: Settings, catalog: Any) -> Any:
    """The ``--baseline`` plan, read once per process: a plan JSON, or a brief planned as of its own
    ``dates.today`` (``--today`` is the new plan's date) with ``--template`` when given."""
    from mapgen.changes import load_side

    try:
        digest = sha256(Path(str(settings.baseline)).read_bytes())
    except OSError:
        digest = ""
    key = (str(settings.baseline), settings.template, digest)  # an edited baseline is read again
    if key not in _BASELINES:
        _BASELINES[key] = load_side(Path(str(settings.baseline)), template=settings.template, catalog=catalog)
    return _BASELINES[key]


_ASSET_WARNINGS: dict[tuple[Any, ...], list[str]] = {}


def asset_warnings(template: Any, name: str, registry: Any) -> list[str]:
    """What ``mapgen check`` reports about the template's asset for format ``name`` (a 4:3 deck...), as
    warnings of the briefs rendered with it: once per template and format per process."""
    from mapgen.render import context_for

    key = (template.folders, name)
    if key not in _ASSET_WARNINGS:
        try:
            problems = registry[name].format.check_template(context_for(template, name))
        except Exception as exc:  # noqa: BLE001 - the render itself already worked
            problems = [f"format {name}: template check failed: {exc}"]
        _ASSET_WARNINGS[key] = [f"{getattr(p, 'message', p)}" + (f" ({p.file})" if getattr(p, "file", None) else "")
                                for p in problems]
    return _ASSET_WARNINGS[key]


def build_one(settings: Settings, job: Job, brief_sha: str, env: str, fallback: dt.date) -> Result:
    """Load, plan, render and write (or, checking, compare) one brief. Never raises for a bad brief."""
    from mapgen.errors import MapgenError
    from mapgen.output import write_atomic
    from mapgen.pipeline import plan_brief
    from mapgen.render import render_formats

    started = time.perf_counter()
    result = Result(str(job.brief), job.key)
    registry, catalog = _state(settings)
    try:
        planned = plan_brief(job.brief, today=settings.today, template=settings.template, catalog=catalog)
        plan = planned.plan
        if settings.baseline:
            from dataclasses import replace

            from mapgen.changes import compare

            plan = replace(plan, changes=compare(baseline_plan(settings, catalog).for_reader(settings.audience),
                                                 plan.for_reader(settings.audience)))
    except MapgenError as exc:
        result.status = "failed"
        result.errors = [str(p) for p in exc.problems]
        result.timings["total"] = time.perf_counter() - started
        return result
    except Exception as exc:  # noqa: BLE001 - one brief's crash must not stop the batch
        result.status = "failed"
        result.errors = [f"{job.brief}: error: internal error: {type(exc).__name__}: {exc}"]
        result.timings["total"] = time.perf_counter() - started
        return result
    result.warnings = list(plan.warnings)
    result.timings["plan"] = time.perf_counter() - started
    outputs: dict[str, dict[str, Any]] = {}
    changed = False
    for name in settings.formats:
        t0 = time.perf_counter()
        rendered, problems = render_formats(plan, planned.template, [name], registry, settings.audience)  # type: ignore[arg-type]
        result.timings[name] = time.perf_counter() - t0
        if problems:
            result.errors.extend(str(p) for p in problems)
            continue
        result.warnings.extend(w for w in asset_warnings(planned.template, name, registry) if w not in result.warnings)
        data = bytes(rendered[name])
        # The seller's internal view never takes the buyer's file name: NAME.internal.md beside NAME.md.
        infix = ".internal" if settings.audience == "internal" else ""
        target = job.target(settings.out, infix + registry[name].format.suffix)
        rel = target.relative_to(settings.out).as_posix()
        record = {"format": name, "path": str(target)}
        if settings.check:
            try:
                current = target.read_bytes()
            except OSError:
                record["status"] = "missing"
            else:
                record["status"] = "fresh" if current == data else "stale"
        else:
            try:
                written = write_atomic(target, data)
            except OSError as exc:
                result.errors.append(f"{target}: error: cannot write: {exc.strerror or exc}")
                continue
            record["status"] = "written" if written else "unchanged"
        changed |= record["status"] != ("fresh" if settings.check else "unchanged")
        result.outputs.append(record)
        outputs[name] = {"path": rel, "sha256": sha256(data), "size": len(data)}
    result.timings["total"] = time.perf_counter() - started
    if result.errors:
        result.status = "failed"
    elif settings.check:
        states = {o["status"] for o in result.outputs}
        result.status = "missing" if "missing" in states else "stale" if "stale" in states else "fresh"
    else:
        result.status = "written" if changed else "unchanged"
    if not result.errors:
        result.entry = {"brief": str(job.brief), "brief_sha256": brief_sha, "env": env,
                        "formats": list(settings.formats),
                        "today": today_token(settings, planned.loaded.brief.dates.today is not None, fallback),
                        "outputs": outputs, "warnings": result.warnings}
    return result


def _build_packed(args: tuple[Settings, Job, str, str, dt.date]) -> Result:
    return build_one(*args)


# -- the whole run -------------------------------------------------------------------------------

@dataclass
class Summary:
    results: list[Result]
    pruned: list[str]
    check: bool
    strict: bool

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def warnings(self) -> int:
        return sum(len(r.warnings) for r in self.results)

    @property
    def ok(self) -> bool:
        if self.count("failed"):
            return False
        if self.check and (self.count("stale") or self.count("missing")):
            return False
        return not (self.strict and self.warnings)

    def line(self) -> str:
        n = len(self.results)
        head = f"{n} brief{'s' if n != 1 else ''}: "
        if self.check:
            body = (f"{self.count('fresh')} up to date, {self.count('stale')} stale, {self.count('missing')} missing, "
                    f"{self.count('failed')} failed")
        else:
            body = f"{self.count('written')} written, {self.count('unchanged')} unchanged, {self.count('failed')} failed"
        w = self.warnings
        tail = f"; {w} warning{'s' if w != 1 else ''}"
        if self.pruned:
            tail += f"; {len(self.pruned)} pruned"
        if self.strict and w and not self.count("failed"):
            tail += " (--strict: warnings fail the run)"
        return head + body + tail

    def report(self) -> dict[str, Any]:
        counts = {s: self.count(s) for s in (("fresh", "stale", "missing", "failed") if self.check
                                              else ("written", "unchanged", "failed"))}
        return {"version": 1, "mode": "check" if self.check else "generate", "ok": self.ok,
                "summary": {"briefs": len(self.results), **counts, "warnings": self.warnings,
                            "pruned": len(self.pruned)},
                "briefs": [r.report() for r in self.results], "pruned": self.pruned}


def run(settings: Settings, jobs: Sequence[Job], *, workers: int = 1, force: bool = False,
        prune_gone: Sequence[Job] | None = None, strict: bool = False,
        on_result: Callable[[Result], None] = lambda r: None,
        on_progress: Callable[[int], None] = lambda n: None) -> Summary:
    """Build (or check) ``jobs``; ``on_result`` sees every result in the order of ``jobs``.

    ``prune_gone``: every brief that exists (all shards), to prune the outputs of the others.
    """
    out = settings.out
    manifest = Manifest(out)
    env = environment_key(settings)
    fallback = default_today(settings)
    results: list[Result | None] = [None] * len(jobs)
    seen: dict[str, Job] = {}
    pending: list[tuple[int, tuple[Settings, Job, str, str, dt.date]]] = []
    for index, job in enumerate(jobs):
        if job.key in seen:
            results[index] = Result(str(job.brief), job.key, "failed", errors=[
                f"{job.brief}: error: two briefs would write the same files '{job.key}.*' "
                f"(also {seen[job.key].brief})"])
            continue
        seen[job.key] = job
        try:
            brief_sha = sha256(job.brief.read_bytes())
        except OSError as exc:
            results[index] = Result(str(job.brief), job.key, "failed",
                                    errors=[f"{job.brief}: error: cannot read: {exc.strerror or exc}"])
            continue
        entry = None if force else manifest.up_to_date(job, brief_sha, env, settings, fallback, out)
        if entry is not None:
            results[index] = Result(str(job.brief), job.key, "fresh" if settings.check else "unchanged",
                                    outputs=[{"format": name, "path": str(out / o["path"]),
                                              "status": "fresh" if settings.check else "unchanged"}
                                             for name, o in entry["outputs"].items()],
                                    warnings=list(entry.get("warnings", [])))
            continue
        pending.append((index, (settings, job, brief_sha, env, fallback)))

    done = 0
    next_to_report = 0

    def flush() -> None:
        nonlocal next_to_report
        while next_to_report < len(results) and results[next_to_report] is not None:
            on_result(results[next_to_report])  # type: ignore[arg-type]
            next_to_report += 1

    for r in results:
        if r is not None:
            done += 1
    on_progress(done)
    flush()
    if workers > 1 and len(pending) > 1:
        import concurrent.futures as cf
        import multiprocessing

        method = "fork" if "fork" in multiprocessing.get_all_start_methods() and os.name == "posix" \
            and os.uname().sysname == "Linux" else None
        context = multiprocessing.get_context(method)
        with cf.ProcessPoolExecutor(max_workers=min(workers, len(pending)), mp_context=context) as pool:
            futures = {pool.submit(_build_packed, args): index for index, args in pending}
            for future in cf.as_completed(futures):
                index = futures[future]
                try:
                    results[index] = future.result()
                except Exception as exc:  # noqa: BLE001 - a worker died (killed, out of memory)
                    job = jobs[index]
                    results[index] = Result(str(job.brief), job.key, "failed", errors=[
                        f"{job.brief}: error: internal error: {type(exc).__name__}: {exc}"])
                done += 1
                on_progress(done)
                flush()
    else:
        for index, args in pending:
            results[index] = _build_packed(args)
            done += 1
            on_progress(done)
            flush()
    final = [r for r in results if r is not None]

    pruned: list[str] = []
    if not settings.check:
        for r in final:
            if r.entry is not None:
                manifest.entries[r.key] = r.entry
        if prune_gone is not None:
            pruned = prune(manifest, out, {j.key for j in prune_gone})
        manifest.save()
    elif prune_gone is not None:
        pruned = [str(out / o["path"]) for key, e in manifest.entries.items() if _gone(key, e, prune_gone)
                  for o in e.get("outputs", {}).values() if (out / o["path"]).exists()]
    return Summary(final, pruned, settings.check, strict)


def _gone(key: str, entry: dict[str, Any], existing: Iterable[Job]) -> bool:
    return key not in {j.key for j in existing} and not Path(entry.get("brief", "")).is_file()


def prune(manifest: Manifest, out: Path, existing: set[str]) -> list[str]:
    """Remove outputs recorded for briefs that are gone: only files whose bytes are still what mapgen wrote."""
    removed: list[str] = []
    for key in sorted(manifest.entries):
        entry = manifest.entries[key]
        if key in existing or Path(entry.get("brief", "")).is_file():
            continue
        kept = {}
        for name, output in entry.get("outputs", {}).items():
            path = out / output["path"]
            if not path.exists():
                continue
            if file_sha256(path) != output["sha256"]:
                kept[name] = output  # changed by someone else since: not ours to delete
                continue
            path.unlink()
            removed.append(str(path))
            _remove_empty_parents(path.parent, out)
        if kept:
            entry["outputs"] = kept
            entry["brief_sha256"] = None
        else:
            del manifest.entries[key]
    return removed


def _remove_empty_parents(folder: Path, stop: Path) -> None:
    stop = stop.resolve()
    while folder.resolve() != stop and stop in folder.resolve().parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent

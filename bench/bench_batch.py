"""A folder of varied briefs built by `mapgen generate`, beside a script calling the bare libraries.

Run: python bench/bench_batch.py [--briefs 1000] [--skip-bare] [--commands-only]

- mapgen: `mapgen generate BRIEFS -o OUT` in every default format with -j1 and -j2 (wall and CPU of
  the whole process tree, start-up included; the two outputs are compared byte for byte), then the
  no-op rebuild (the same command again: nothing changed).
- bare libraries: one process that, per brief, parses the YAML (ruamel) and builds the same deck
  (python-pptx), Word document (docxtpl) and workbook (openpyxl) directly from plain data read off
  mapgen's own outputs beforehand (not timed), plus the Markdown (Jinja2) and JSON (json); its CPU
  counts interpreter start-up and imports, and only the library calls after that.
- the single commands: `mapgen check BRIEF` and `mapgen --help` beside
  `python -c "import click, pluggy, jinja2"` (median of 15); `mapgen check BRIEF` both as it runs again
  (templates and holidays in the cache, docs/ci.md#the-cache) and without the cache (a first run).

Every run uses a cache folder of its own (MAPGEN_CACHE_DIR), empty at the start: the builds start cold.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from briefs import write_briefs  # noqa: E402


#: Python as a user runs it: compiled modules cached in __pycache__ (some machines set PYTHONDONTWRITEBYTECODE,
#: which makes every start compile mapgen's sources again, while the libraries' were compiled at install).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(command: list[str], cwd: Path | None = None,
          env: dict[str, str] | None = None) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall seconds, CPU seconds (user + system of the process and its children), the result."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env={**ENV, **(env or {})})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, result


def median_of(command: list[str], runs: int = 15, env: dict[str, str] | None = None) -> tuple[float, float]:
    timed(command, env=env)  # a first run writes the compiled modules (and the cache), as a user's first run does
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu, result = timed(command, env=env)
        assert result.returncode == 0, result.stderr
        walls.append(wall)
        cpus.append(cpu)
    return statistics.median(walls), statistics.median(cpus)


def same_files(a: Path, b: Path) -> bool:
    names = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    return names == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file()) and all(
        (a / n).read_bytes() == (b / n).read_bytes() for n in names)


# -- the bare-library script (run in its own process with --bare) -------------------------------------

MD = """# {{ p.title }}
{% for m in p.milestones %}| {{ m.number }} | {{ m.name }} | {{ m.due }} | {{ m.owners.buyer.name }} |
{% endfor %}"""


def bare(briefs: Path, out: Path) -> None:
    """Per brief: YAML, then the five formats with the bare libraries; prints its CPU seconds as JSON."""
    start_cpu = time.process_time()
    import io  # noqa: F401

    import jinja2
    from ruamel.yaml import YAML

    import bench_docx
    import bench_pptx
    import bench_xlsx
    from mapgen.pipeline import build_plan

    library_cpu = time.process_time() - start_cpu  # imports (mapgen's own modules are imported too: a bit generous)
    env = jinja2.Environment(autoescape=False)
    md = env.from_string(MD)
    yaml = YAML(typ="rt")
    for path in sorted(briefs.rglob("*.yaml")):
        rel = path.relative_to(briefs).with_suffix("")
        plan = build_plan(path)  # not timed: only what the outputs hold is needed
        slides = bench_pptx.describe((out / rel.with_suffix(".pptx")).read_bytes())
        sheets = bench_xlsx.describe((out / rel.with_suffix(".xlsx")).read_bytes())
        plan_dict = json.loads((out / rel.with_suffix(".json")).read_bytes())
        t0 = time.process_time()
        yaml.load(path.read_text(encoding="utf-8"))
        bench_pptx.direct(slides)
        bench_docx.direct(plan)
        bench_xlsx.direct(sheets)
        md.render(p=plan_dict)
        json.dumps(plan_dict, indent=2, ensure_ascii=False)
        library_cpu += time.process_time() - t0
    print(json.dumps({"cpu": library_cpu}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--briefs", type=int, default=200)
    parser.add_argument("--skip-bare", action="store_true")
    parser.add_argument("--commands-only", action="store_true", help="only the single-command timings")
    parser.add_argument("--bare", nargs=2, metavar=("BRIEFS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare:
        import warnings

        warnings.simplefilter("ignore")
        bare(Path(args.bare[0]), Path(args.bare[1]))
        return
    python = sys.executable
    mapgen = [python, "-m", "mapgen"]
    with tempfile.TemporaryDirectory(prefix="mapgen-bench-") as tmp:
        work = Path(tmp)
        ENV["MAPGEN_CACHE_DIR"] = str(work / "cache")
        write_briefs(work / "briefs", 1 if args.commands_only else args.briefs)
        if not args.commands_only:
            build(work, args.briefs, python, mapgen, args.skip_bare)
        brief = next((work / "briefs").rglob("*.yaml"))
        cw, cc = median_of(mapgen + ["check", str(brief)])
        nw, nc = median_of(mapgen + ["check", str(brief)], env={"MAPGEN_NO_CACHE": "1"})
        hw, hc = median_of([shutil.which("mapgen") or python, "--help"] if shutil.which("mapgen")
                           else mapgen + ["--help"])
        bw, bc = median_of([python, "-c", "import click, pluggy, jinja2"])
        print(f"mapgen check BRIEF: {cw * 1000:.0f} ms wall, {cc * 1000:.0f} ms CPU (target < 250 ms); "
              f"without the cache (a first run): {nw * 1000:.0f} ms wall, {nc * 1000:.0f} ms CPU")
        print(f"mapgen --help: {hw * 1000:.0f} ms wall, {hc * 1000:.0f} ms CPU; import click, pluggy, jinja2: "
              f"{bw * 1000:.0f} ms wall, {bc * 1000:.0f} ms CPU; ratio {hw / bw:.2f} wall, {hc / bc:.2f} CPU "
              f"(target <= 1.3)")


def build(work: Path, n: int, python: str, mapgen: list[str], skip_bare: bool) -> None:
    rows = []
    w1, c1, r1 = timed(mapgen + ["generate", "briefs", "-o", "j1", "-j", "1", "-q"], cwd=work)
    assert r1.returncode == 0, r1.stderr
    rows.append(("mapgen -j1", w1, c1))
    w2, c2, r2 = timed(mapgen + ["generate", "briefs", "-o", "j2", "-j", "2", "-q"], cwd=work)
    assert r2.returncode == 0, r2.stderr
    rows.append(("mapgen -j2", w2, c2))
    identical = same_files(work / "j1", work / "j2")
    w0, c0, r0 = timed(mapgen + ["generate", "briefs", "-o", "j1", "-q"], cwd=work)
    assert r0.returncode == 0 and " 0 written" in r0.stderr, r0.stderr
    rows.append(("no-op rebuild", w0, c0))
    if not skip_bare:
        wb, cb_total, rb = timed([python, str(Path(__file__).resolve()), "--bare", "briefs", "j1"], cwd=work)
        assert rb.returncode == 0, rb.stderr
        rows.append(("bare libraries", None, json.loads(rb.stdout.splitlines()[-1])["cpu"]))
    print(f"{n} briefs, every default format (pptx, docx, xlsx, md, json); {len(os.sched_getaffinity(0))} cores")
    print(f"{'':<16} {'wall s':>8} {'CPU s':>8} {'ms/brief':>9}")
    for name, wall, cpu in rows:
        print(f"{name:<16} {'' if wall is None else f'{wall:8.2f}':>8} {cpu:>8.2f} {cpu / n * 1000:>9.1f}")
    print(f"-j2 speed-up {w1 / w2:.2f}x (target >= 1.7); -j2 files byte-identical to -j1: {identical}")
    print(f"no-op rebuild {w0:.2f} s wall for {n} briefs (target < 2 s for 1,000)")
    if not skip_bare:
        print(f"full build CPU / bare libraries CPU: {c1 / rows[-1][2]:.2f} (target <= 1.3)")


if __name__ == "__main__":
    main()

"""Big plans through every format: time and peak memory at 500, 2,000 and 5,000 steps.

Run: python bench/bench_size.py [--sizes 500,2000,5000] [--formats md,json,...]

Each (size, format) runs in a fresh Python process, so its peak memory is its own: the process
builds the plan with ``mapgen.testing.make_plan(n, span_days=365)`` (the real pipeline on a
generated template and brief: nine workstreams, the steps one after the other, signature and
go-live; the 5,000-step plan runs late by years, which is what a stress plan is for), then
renders the one format once. "plan s" is building the plan (the same in every row of a size),
"render s" the format's ``render(plan)``, "total s" both; "peak MB" is the process's maximum
resident set (``ru_maxrss``: the interpreter, the imports, the plan and the render together).
"µs/step" is render time per step: flat across sizes means linear growth. One run each.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZES = (500, 2000, 5000)
FORMATS = ("md", "json", "html", "docx", "xlsx", "pptx", "ics")
TARGET_S = 20.0
TARGET_MB = 300.0


def child(steps: int, name: str) -> None:
    import resource
    import warnings

    sys.path.insert(0, str(ROOT))
    warnings.simplefilter("ignore")
    from mapgen.formats import RenderContext
    from mapgen.plugins import formats
    from mapgen.testing import make_plan

    fmt = formats()[name].format
    start = time.perf_counter()
    plan = make_plan(steps, span_days=365)
    planned = time.perf_counter()
    data = fmt.render(plan if fmt.full_plan else plan.for_reader("buyer"), RenderContext())  # as generate does
    done = time.perf_counter()
    extra = {}
    if name == "pptx":
        import io

        from pptx import Presentation

        extra["slides"] = len(Presentation(io.BytesIO(data)).slides)
    print(json.dumps({"plan": planned - start, "render": done - planned, "bytes": len(data),
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, **extra}))


def run(steps: int, name: str) -> dict:
    result = subprocess.run([sys.executable, __file__, "--child", str(steps), name], capture_output=True, text=True,
                            cwd=ROOT)
    if result.returncode:
        raise SystemExit(f"{steps} steps, {name}: {result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--child", nargs=2, metavar=("STEPS", "FORMAT"))
    args = parser.parse_args()
    if args.child:
        child(int(args.child[0]), args.child[1])
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    names = args.formats.split(",")
    results: dict[tuple[int, str], dict] = {}
    print(f"{'steps':>6} {'format':>6} {'plan s':>7} {'render s':>9} {'total s':>8} {'peak MB':>8} "
          f"{'µs/step':>8} {'out KB':>8} {'slides':>6}")
    for steps in sizes:
        for name in names:
            r = results[steps, name] = run(steps, name)
            print(f"{steps:>6} {name:>6} {r['plan']:>7.2f} {r['render']:>9.2f} {r['plan'] + r['render']:>8.2f} "
                  f"{r['peak_mb']:>8.0f} {r['render'] / steps * 1e6:>8.0f} {r['bytes'] / 1e3:>8.0f} "
                  f"{r.get('slides', ''):>6}", flush=True)
    first, last = sizes[0], sizes[-1]
    print(f"growth {first} -> {last} steps (x{last / first:.0f} steps), render time:")
    for name in names:
        ratio = results[last, name]["render"] / max(results[first, name]["render"], 1e-9)
        print(f"  {name:>5}: x{ratio:.1f}")
    big = [results[last, n] for n in names]
    print(f"{last} steps: slowest format {max(r['plan'] + r['render'] for r in big):.1f} s (target < {TARGET_S:.0f}), "
          f"highest peak {max(r['peak_mb'] for r in big):.0f} MB (target < {TARGET_MB:.0f})"
          + (f", deck {results[last, 'pptx']['slides']} slides (target < 40)" if "pptx" in names else ""))


if __name__ == "__main__":
    main()

"""How long the backward scheduler takes, and how that grows with the plan.

Run: python bench/bench_schedule.py

Synthetic plans of 500 to 5,000 steps: a layered DAG where each step depends on up to
three steps of the previous layer, everything before signature, a post-signature tail to
go-live, on a real holiday calendar (US-CA) with a closed period. Times the scheduler
alone (``mapgen.scheduler.schedule``: both passes, slack, critical chain), best of 5.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mapgen.calendar import BusinessCalendar  # noqa: E402
from mapgen.scheduler import schedule  # noqa: E402
from mapgen.step import Step  # noqa: E402

SIZES = (500, 1000, 2000, 5000)
TODAY = dt.date(2026, 11, 2)


def synthetic(n: int, seed: int = 7) -> list[Step]:
    rng = random.Random(seed)
    before, after = int(n * 0.7), n - int(n * 0.7)
    width = max(4, int(before ** 0.5))
    tasks: list[Step] = []
    previous: list[str] = []
    layer: list[str] = []
    for i in range(before - 1):
        ident = f"s{i}"
        preds = tuple(sorted(rng.sample(previous, min(len(previous), rng.randint(1, 3))))) if previous else ()
        tasks.append(Step(ident, ident, "main", rng.choice((0, 1, 2, 3, 5, 10)), after=preds))
        layer.append(ident)
        if len(layer) == width:
            previous, layer = layer, []
    tasks.append(Step("signature", "Signature", "main", 0, after=tuple(previous + layer)))
    chain = "signature"
    for j in range(after - 1):
        ident = f"p{j}"
        tasks.append(Step(ident, ident, "main", rng.choice((1, 2, 5)), after=(chain,)))
        if j % 3 == 0:
            chain = ident
    tasks.append(Step("go_live", "Go-live", "main", 0, after=(chain,)))
    return tasks


def time_one(tasks: list[Step], repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        calendar = BusinessCalendar("US-CA", closed=[(dt.date(2026, 12, 24), dt.date(2027, 1, 1))])
        start = time.perf_counter()
        result = schedule(tasks, calendar, TODAY, dt.date(2031, 12, 19), None)
        best = min(best, time.perf_counter() - start)
        assert len(result.steps) == len(tasks)
    return best


def main() -> None:
    print(f"{'steps':>6} {'edges':>7} {'seconds':>9} {'µs/step':>8}")
    rows = []
    for n in SIZES:
        tasks = synthetic(n)
        edges = sum(len(t.after) for t in tasks)
        seconds = time_one(tasks)
        rows.append((n, seconds))
        print(f"{n:>6} {edges:>7} {seconds:>9.4f} {seconds / n * 1e6:>8.1f}")
    (n0, t0), (n1, t1) = rows[0], rows[-1]
    print(f"growth {n0} -> {n1} steps: x{t1 / t0:.1f} time for x{n1 / n0:.0f} steps (linear would be x{n1 / n0:.0f})")


if __name__ == "__main__":
    main()

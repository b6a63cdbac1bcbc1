"""The ``mapgen`` executable (and ``python -m mapgen``): tune the process for one command, then run it.

Kept apart from mapgen/cli.py so the tuning happens before anything heavy is imported, and only in a
process that is the command, never in a program or test that calls ``mapgen.cli.main`` itself.
"""

from __future__ import annotations

import atexit
import gc

#: Allocations between young-generation collections while a command runs (CPython's default is 700).
COMMAND_GC_THRESHOLD = 20_000


def main() -> None:
    """Start-up builds tens of thousands of long-lived objects (pydantic's validators, Jinja2's and
    click's tables) and almost no garbage cycles, yet the default thresholds scanned them again and
    again; at exit the interpreter's last collections walk them all once more. Rarer collections,
    and what is alive frozen at exit, take about 25 ms off ``mapgen check`` (bench/README.md).
    Memory is still freed by reference counting, as always."""
    gc.set_threshold(COMMAND_GC_THRESHOLD, *gc.get_threshold()[1:])
    atexit.register(gc.freeze)
    from mapgen.cli import main as run

    run()

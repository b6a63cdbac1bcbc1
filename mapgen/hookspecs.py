"""The hooks a mapgen plugin can implement. Every hook here is documented in docs/plugins.md."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from pluggy import HookimplMarker, HookspecMarker

if TYPE_CHECKING:
    import click

    from mapgen.brief import Brief
    from mapgen.facts import DealFacts
    from mapgen.formats import FormatRegistry
    from mapgen.plan import Plan
    from mapgen.step import Step

hookspec = HookspecMarker("mapgen")
hookimpl = HookimplMarker("mapgen")


@hookspec
def register_formats(registry: FormatRegistry) -> None:
    """Add output formats: call ``registry.add(MyFormat)`` for each.

    A format name already taken by another plugin is an error naming both plugins.
    """


@hookspec
def template_dirs() -> Iterable[Path] | None:
    """Return folders that hold template folders (``<dir>/<name>/template.yaml``).

    They are searched after ``--template-path`` folders and before the shipped templates,
    so a company plugin can ship its own segments or override a shipped one.
    """


@hookspec
def adjust_steps(steps: tuple[Step, ...], deal: DealFacts, brief: Brief) -> tuple[Step, ...] | None:
    """Change the steps before they are scheduled; return the new tuple, or None to keep them.

    ``deal`` (mapgen.facts.DealFacts) is what to read: amount, template, targets, country, the roles
    each side has filled. ``brief`` is the validated brief model itself, kept for plugins written
    before ``deal`` existed; its shape follows the YAML and may change. Declare only the arguments
    you use.

    Runs after the template's rules and the brief's ``milestones``/``add`` are applied,
    so a company rule (an extra approval before signature, a longer security review)
    is scheduled like any template step. Plugins run in turn, each seeing the previous result.
    """


@hookspec
def adjust_plan(plan: Plan) -> Plan | None:
    """Change the scheduled plan before rendering; return a new Plan, or None to keep it.

    The plan is immutable: use ``dataclasses.replace``. Dates are already computed here;
    to add or move steps use ``adjust_steps``.
    """


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add commands to the ``mapgen`` command line: decorate functions with ``@cli.command()``."""

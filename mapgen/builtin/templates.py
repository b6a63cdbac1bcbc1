"""Built-in plugin: contributes the shipped templates folder through ``template_dirs``."""

from __future__ import annotations

from pathlib import Path

from mapgen.hookspecs import hookimpl


def shipped_templates() -> Path:
    """The shipped templates: inside the package when installed, beside it in a source checkout."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "_shipped_templates"
    return installed if installed.is_dir() else package.parent / "templates"


@hookimpl
def template_dirs() -> list[Path]:
    return [shipped_templates()]

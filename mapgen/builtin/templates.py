"""Built-in plugin: contributes the shipped templates folder through ``template_dirs``."""

from __future__ import annotations

from pathlib import Path

from mapgen.hookspecs import hookimpl


@hookimpl
def template_dirs() -> list[Path]:
    from mapgen.template import shipped_templates  # the core knows where they are: roles are read from them

    return [shipped_templates()]

"""Loading plugins: the built-in ones from DEFAULT_PLUGINS, the rest from entry points.

Both go through the same hooks; the core knows no output format of its own.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from typing import TYPE_CHECKING, Any, Callable, Iterator

import pluggy

from mapgen import hookspecs
from mapgen.errors import MapgenError

if TYPE_CHECKING:
    from mapgen.formats import FormatRegistry

ENTRY_POINT_GROUP = "mapgen"
#: Comma-separated names of external plugins to load (entry-point or distribution names).
#: Unset: load every installed plugin. Empty: load none. Built-in plugins always load.
LOAD_PLUGINS_ENV = "MAPGEN_LOAD_PLUGINS"

DEFAULT_PLUGINS: tuple[str, ...] = (
    "mapgen.builtin.templates",
    "mapgen.builtin.markdown",
    "mapgen.builtin.json_format",
    "mapgen.builtin.pptx_deck",
    "mapgen.builtin.docx_document",
    "mapgen.builtin.xlsx_workbook",
)


@dataclass(frozen=True)
class PluginInfo:
    name: str
    hooks: tuple[str, ...]
    distribution: str | None = None
    version: str | None = None
    builtin: bool = False


class PluginManager(pluggy.PluginManager):
    """pluggy's manager plus what mapgen needs to report a plugin's failure by name."""

    def __init__(self) -> None:
        super().__init__("mapgen")
        self.add_hookspecs(hookspecs)
        self.load_errors: list[str] = []
        self._dists: dict[str, tuple[str, str]] = {}
        self._builtin: set[str] = set()

    def register_builtin(self, module_name: str) -> None:
        self.register(importlib.import_module(module_name), name=module_name)
        self._builtin.add(module_name)

    def load_entry_points(self, allowed: set[str] | None) -> None:
        for ep in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            dist = ep.dist.name if ep.dist else None
            if allowed is not None and ep.name not in allowed and (dist not in allowed):
                continue
            if self.get_plugin(ep.name) is not None:
                continue
            try:
                self.register(ep.load(), name=ep.name)
            except Exception as exc:  # a broken plugin must not take mapgen down
                self.load_errors.append(f"plugin {ep.name}: failed to load: {type(exc).__name__}: {exc}")
                continue
            if ep.dist is not None:
                self._dists[ep.name] = (ep.dist.name, ep.dist.version)

    def implementations(self, hook: str) -> Iterator[tuple[str, Callable[..., Any]]]:
        """(plugin name, function) for a hook in registration order: built-ins, then external plugins by name."""
        for impl in getattr(self.hook, hook).get_hookimpls():
            yield impl.plugin_name, impl.function

    def info(self) -> list[PluginInfo]:
        out = []
        for name, plugin in sorted(self.list_name_plugin(), key=lambda item: (item[0] not in self._builtin, item[0])):
            hooks = tuple(sorted(h.name for h in self.get_hookcallers(plugin) or ()))
            dist, version = self._dists.get(name, (None, None))
            out.append(PluginInfo(name, hooks, dist, version, name in self._builtin))
        return out


def allowed_plugins() -> set[str] | None:
    raw = os.environ.get(LOAD_PLUGINS_ENV)
    if raw is None:
        return None
    return {part.strip() for part in raw.split(",") if part.strip()}


@lru_cache(maxsize=1)
def get_plugin_manager() -> PluginManager:
    """The process-wide manager (cached: plugins load once)."""
    pm = PluginManager()
    for module_name in DEFAULT_PLUGINS:
        pm.register_builtin(module_name)
    pm.load_entry_points(allowed_plugins())
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise MapgenError(f"plugin {exc.plugin_name}: {exc}") from exc
    return pm


def reset() -> None:
    """Forget loaded plugins (tests that install or uninstall plugins call this)."""
    get_plugin_manager.cache_clear()
    formats.cache_clear()


@lru_cache(maxsize=1)
def formats() -> FormatRegistry:
    """Every registered output format. Registration errors name the plugin."""
    from mapgen.formats import FormatRegistry

    registry = FormatRegistry()
    for plugin, function in get_plugin_manager().implementations("register_formats"):
        registry.current_plugin = plugin
        try:
            function(registry=registry)
        except MapgenError:
            raise
        except Exception as exc:
            raise MapgenError(f"plugin {plugin}: register_formats failed: {type(exc).__name__}: {exc}") from exc
    return registry


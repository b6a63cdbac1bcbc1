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
from mapgen.errors import MapgenError, Problem

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
    "mapgen.builtin.html_page",
    "mapgen.builtin.email_format",
    "mapgen.builtin.preview_command",
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
        self._dists: dict[str, Any] = {}  # plugin name -> its distribution, read by info()
        self._builtin: set[str] = set()

    def register_builtin(self, module_name: str) -> None:
        self.register(importlib.import_module(module_name), name=module_name)
        self._builtin.add(module_name)

    def load_entry_points(self, allowed: set[str] | None) -> None:
        """Load each installed plugin on its own: one that fails is reported by name and left out."""
        for ep in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            # A distribution's name and version parse its METADATA (the email package): read only when needed.
            if allowed is not None and ep.name not in allowed and ((ep.dist.name if ep.dist else None) not in allowed):
                continue
            if self.get_plugin(ep.name) is not None:
                continue
            try:
                plugin = ep.load()
            except Exception as exc:  # a broken plugin must not take mapgen down
                self.report(f"plugin {ep.name}: failed to load: {type(exc).__name__}: {exc}")
                continue
            if not self.register_checked(plugin, ep.name):
                continue
            if ep.dist is not None:
                self._dists[ep.name] = ep.dist

    def register_checked(self, plugin: Any, name: str) -> bool:
        """Register ``plugin`` if every hook it implements exists with matching arguments."""
        try:
            self.register(plugin, name=name)
        except pluggy.PluginValidationError as exc:  # arguments the hook does not offer
            self._forget(name)
            self.report(f"plugin {name}: {exc}; the plugin is not loaded")
            return False
        except ValueError as exc:  # the same object or name registered twice
            self.report(f"plugin {name}: {exc}; the plugin is not loaded")
            return False
        unknown = sorted(caller.name for caller in self.get_hookcallers(plugin) or () if not caller.has_spec())
        if unknown:
            from mapgen.errors import did_you_mean

            self._forget(name)
            known = [n for n in dir(hookspecs) if hasattr(getattr(hookspecs, n), "mapgen_spec")]
            self.report(f"plugin {name}: unknown hook '{unknown[0]}'{did_you_mean(unknown[0], known)}; "
                        "the plugin is not loaded")
            return False
        return True

    def _forget(self, name: str) -> None:
        if self.get_plugin(name) is not None:
            self.unregister(name=name)

    def report(self, message: str) -> None:
        if message not in self.load_errors:
            self.load_errors.append(message)

    def implementations(self, hook: str) -> Iterator[tuple[str, Callable[..., Any]]]:
        """(plugin name, function) for a hook in registration order: built-ins, then external plugins by name."""
        for impl in getattr(self.hook, hook).get_hookimpls():
            yield impl.plugin_name, _given_only(impl)

    def info(self) -> list[PluginInfo]:
        out = []
        for name, plugin in sorted(self.list_name_plugin(), key=lambda item: (item[0] not in self._builtin, item[0])):
            hooks = tuple(sorted(h.name for h in self.get_hookcallers(plugin) or ()))
            found = self._dists.get(name)
            dist, version = (found.name, found.version) if found is not None else (None, None)
            out.append(PluginInfo(name, hooks, dist, version, name in self._builtin))
        return out


def _given_only(impl: Any) -> Callable[..., Any]:
    """The plugin's function, called with only the arguments it declares (as pluggy calls hooks):
    a hook can gain an argument without breaking the plugins written before it."""
    names = set(impl.argnames) | set(getattr(impl, "kwargnames", ()))
    function = impl.function

    def call(**kwargs: Any) -> Any:
        return function(**{k: v for k, v in kwargs.items() if k in names})

    return call


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
    return pm


#: Problems of plugins met while running (a hook that raised and was skipped), printed once by the CLI.
run_problems: list[str] = []


def call_plugin(plugin: str, hook: str, function: Callable[..., Any], kwargs: dict[str, Any],
                file: str | None = None) -> Any:
    """Call one plugin's implementation of ``hook``: the one place a plugin's crash becomes a
    MapgenError naming the plugin (``plugin NAME: HOOK failed: ...``), located at ``file``."""
    try:
        return function(**kwargs)
    except MapgenError as exc:
        if any(p.message.startswith("plugin ") or p.file for p in exc.problems):
            raise
        raise MapgenError([Problem(f"plugin {plugin}: {p.message}", file, p.line) for p in exc.problems]) from exc
    except Exception as exc:  # noqa: BLE001 - a plugin's bug, reported with its name
        raise MapgenError(f"plugin {plugin}: {hook} failed: {type(exc).__name__}: {exc}", file) from exc


def call_hook(hook: str, *, skip_failing: list[str] | None = None, before: Callable[[str], None] | None = None,
              file: str | None = None, **kwargs: Any) -> Iterator[tuple[str, Any]]:
    """Call ``hook`` on every plugin in turn, yielding (plugin name, result).

    With ``skip_failing`` (a list), a plugin that fails has its message added there and the
    others still run: for hooks that only add things (template folders, commands, formats).
    Without, the failure is raised. ``before(name)`` runs before each plugin is called.
    """
    for plugin, function in get_plugin_manager().implementations(hook):
        if before is not None:
            before(plugin)
        try:
            result = call_plugin(plugin, hook, function, kwargs, file)
        except MapgenError as exc:
            if skip_failing is None:
                raise
            for problem in exc.problems:
                if problem.message not in skip_failing:
                    skip_failing.append(problem.message)
            continue
        yield plugin, result


def chain_hook(hook: str, argument: str, value: Any, file: str | None, **extra: Any) -> Any:
    """Pass ``value`` through each plugin's ``hook`` in turn (a result of None keeps it)."""
    for plugin, function in get_plugin_manager().implementations(hook):
        changed = call_plugin(plugin, hook, function, {argument: value, **extra}, file)
        if changed is not None:
            value = changed
    return value


def problems() -> list[str]:
    """Every plugin problem so far (loading, format registration, hooks skipped), each once."""
    found = list(get_plugin_manager().load_errors) if get_plugin_manager.cache_info().currsize else []
    if formats.cache_info().currsize:
        found += formats().problems
    return list(dict.fromkeys(found + run_problems))


def reset() -> None:
    """Forget loaded plugins (tests that install or uninstall plugins call this)."""
    get_plugin_manager.cache_clear()
    formats.cache_clear()


@lru_cache(maxsize=1)
def formats() -> FormatRegistry:
    """Every registered output format. Registration errors name the plugin."""
    from mapgen.formats import FormatRegistry

    registry = FormatRegistry()

    def before(plugin: str) -> None:
        registry.current_plugin = plugin

    for _ in call_hook("register_formats", skip_failing=registry.problems, before=before, registry=registry):
        pass
    return registry


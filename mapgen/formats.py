"""Output formats: one class per format, registered through the ``register_formats`` hook.

Modelled on Sphinx builders: a format has a ``name``, a file ``suffix`` and a
``render`` that turns a Plan into bytes. The core writes the bytes (atomically);
a format never touches the file system for its output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Iterator, Mapping

from mapgen.errors import MapgenError, Problem

if TYPE_CHECKING:  # only annotations: `mapgen --help` loads plugins without the plan model
    from mapgen.plan import Plan


@dataclass(frozen=True)
class RenderContext:
    """What a format may know besides the plan: the template's assets and options, and who the
    plan is for (``buyer`` or ``internal``, docs/plugins.md). The plan a format receives is already
    filtered for that reader; ``audience`` only tells a format whether to add seller-only sections."""

    template_dirs: tuple[Path, ...] = ()
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    audience: str = "buyer"

    def asset(self, filename: str) -> Path | None:
        """The template's own copy of ``filename`` (child templates before the ones they extend)."""
        for folder in self.template_dirs:
            candidate = folder / filename
            if candidate.is_file():
                return candidate
        return None


class OutputFormat:
    """Base class for an output format. Subclasses set the class attributes and ``render``."""

    name: ClassVar[str]
    suffix: ClassVar[str]
    description: ClassVar[str] = ""
    #: File names a template folder may ship to restyle this format (e.g. ``plan.docx``).
    assets: ClassVar[tuple[str, ...]] = ()
    #: Whether ``mapgen generate`` writes this format when no ``-f`` is given.
    default: ClassVar[bool] = True
    #: Machine formats that must carry the whole plan (the JSON) set this: they receive every step,
    #: internal ones marked, whatever the audience. Every other format receives the plan filtered
    #: for its reader (``Plan.for_reader``).
    full_plan: ClassVar[bool] = False

    def render(self, plan: Plan, context: RenderContext) -> bytes:
        raise NotImplementedError

    def check_template(self, context: RenderContext) -> list[Problem]:
        """Problems with a template's assets for this format (``mapgen check``). None by default."""
        return []


@dataclass(frozen=True)
class RegisteredFormat:
    format: OutputFormat
    plugin: str

    @property
    def name(self) -> str:
        return self.format.name


class FormatRegistry:
    """The formats plugins registered. A second format with a taken name is an error."""

    def __init__(self) -> None:
        self._formats: dict[str, RegisteredFormat] = {}
        self.current_plugin = "?"
        self.problems: list[str] = []  # formats left out, each naming its plugin

    def add(self, fmt: OutputFormat | type[OutputFormat]) -> None:
        instance = fmt() if isinstance(fmt, type) else fmt
        for attr in ("name", "suffix"):
            if not getattr(instance, attr, None):
                raise MapgenError(f"plugin {self.current_plugin}: output format {type(instance).__name__} has no {attr}")
        name = instance.name
        if name in self._formats:  # the first keeps it; the plugin's other formats still register
            other = self._formats[name].plugin
            self.problems.append(f"plugin {self.current_plugin}: output format '{name}' is registered twice: by "
                                 f"plugin {other} and by plugin {self.current_plugin} (ignored)")
            return
        self._formats[name] = RegisteredFormat(instance, self.current_plugin)

    def __getitem__(self, name: str) -> RegisteredFormat:
        return self._formats[name]

    def __contains__(self, name: object) -> bool:
        return name in self._formats

    def __iter__(self) -> Iterator[RegisteredFormat]:
        return iter(sorted(self._formats.values(), key=lambda r: r.name))

    def __len__(self) -> int:
        return len(self._formats)

    def names(self) -> list[str]:
        return sorted(self._formats)

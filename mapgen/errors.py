"""Errors that carry where they come from, printed once at the CLI edge."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable


@dataclass(frozen=True)
class Problem:
    """One located problem: printed as ``FILE:LINE: error: MESSAGE``."""

    message: str
    file: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = self.file or "mapgen"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: error: {self.message}"


class MapgenError(Exception):
    """Invalid input or a failed render. Holds one or more located problems."""

    def __init__(self, problems: Iterable[Problem] | str, file: str | Path | None = None,
                 line: int | None = None) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems, str(file) if file is not None else None, line)]
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class BriefError(MapgenError):
    """The deal brief is invalid."""


class TemplateError(MapgenError):
    """A template is invalid."""


class ScheduleError(MapgenError):
    """The plan cannot be scheduled (a dependency cycle, no target date)."""

    def __init__(self, problems: Iterable[Problem] | str, file: str | Path | None = None,
                 line: int | None = None, steps: tuple[str, ...] = ()) -> None:
        super().__init__(problems, file, line)
        self.steps = steps  # the step ids involved, so the caller can point at where they were written


class RenderError(MapgenError):
    """An output format failed to render."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ``(did you mean x?)`` suffix, or an empty string."""
    import difflib

    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {match[0]}?)" if match else ""

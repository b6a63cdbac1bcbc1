"""YAML loading that remembers where every value came from.

Values come back as plain Python (dict, list, str, int, float, bool, None); dates stay
strings so that an impossible date is reported by validation, with its line, rather
than by the YAML parser with none. ``Lines`` maps a value's path to its 1-based line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from mapgen.errors import MapgenError, Problem

PathKey = tuple[Any, ...]


class Lines:
    """1-based line numbers by path; a path not recorded falls back to its nearest parent."""

    def __init__(self, file: str) -> None:
        self.file = file
        self._lines: dict[PathKey, int] = {}

    def set(self, path: PathKey, line: int) -> None:
        self._lines.setdefault(path, line)

    def line(self, path: Iterable[Any]) -> int | None:
        key = tuple(path)
        while key:
            if key in self._lines:
                return self._lines[key]
            key = key[:-1]
        return self._lines.get((), None)

    def problem(self, path: Iterable[Any], message: str) -> Problem:
        return Problem(message, self.file, self.line(path))

    def error(self, path: Iterable[Any], message: str) -> MapgenError:
        return MapgenError([self.problem(path, message)])


def _yaml():  # type: ignore[no-untyped-def]
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import RoundTripConstructor

    class Constructor(RoundTripConstructor):
        """Round-trip constructor (keeps line info) that leaves timestamps as text."""

    def timestamp_as_text(self: RoundTripConstructor, node: Any) -> str:
        return str(self.construct_scalar(node))

    Constructor.add_constructor("tag:yaml.org,2002:timestamp", timestamp_as_text)
    yaml = YAML(typ="rt")
    yaml.Constructor = Constructor
    yaml.allow_duplicate_keys = False
    return yaml


def load_yaml(path: Path, text: str | None = None, display: str | None = None) -> tuple[Any, Lines]:
    """Parse a YAML file into plain data plus line numbers. Syntax errors carry their line."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    name = display or str(path)
    if text is None:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise MapgenError("no such file", name) from None
        except UnicodeDecodeError as exc:
            raise MapgenError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", name) from None
        except OSError as exc:
            raise MapgenError(f"cannot read: {exc.strerror}", name) from None
    try:
        raw = _yaml().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise MapgenError(f"invalid YAML: {message}", name, line) from None
    except YAMLError as exc:
        raise MapgenError(f"invalid YAML: {exc}", name) from None
    lines = Lines(name)
    lines.set((), 1)
    return _plain(raw, (), lines), lines


def _plain(node: Any, path: PathKey, lines: Lines) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(node, CommentedMap):
        out = {}
        for key, value in node.items():
            try:
                line, _ = node.lc.key(key)
                lines.set(path + (key,), line + 1)
            except (KeyError, TypeError):
                pass
            out[key if isinstance(key, (str, int, float, bool)) or key is None else str(key)] = _plain(
                value, path + (key,), lines)
        return out
    if isinstance(node, CommentedSeq):
        items = []
        for index, value in enumerate(node):
            try:
                line, _ = node.lc.item(index)
                lines.set(path + (index,), line + 1)
            except (KeyError, TypeError, IndexError):
                pass
            items.append(_plain(value, path + (index,), lines))
        return items
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return node

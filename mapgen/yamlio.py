"""YAML loading that remembers where every value came from.

Values come back as plain Python (dict, list, str, int, float, bool, None); dates stay
strings so that an impossible date is reported by validation, with its line, rather
than by the YAML parser with none. ``Lines`` maps a value's path to its 1-based line.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any, Iterable

from mapgen.errors import MapgenError, Problem

PathKey = tuple[Any, ...]


class Lines:
    """1-based line numbers by path; a path not recorded falls back to its nearest parent."""

    def __init__(self, file: str, table: dict[PathKey, int] | None = None) -> None:
        self.file = file
        self._lines: dict[PathKey, int] = dict(table or {})

    def table(self) -> dict[PathKey, int]:
        """Every recorded path and its line (what the parse cache stores)."""
        return dict(self._lines)

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
    from ruamel.yaml.constructor import ConstructorError, RoundTripConstructor
    from ruamel.yaml.error import YAMLError

    class Constructor(RoundTripConstructor):
        """Round-trip constructor (keeps line info) that leaves timestamps as text.

        A value its tag cannot hold (``!!int x``, a 4,301-digit integer, ``!!bool maybe``) is an
        error at the value's line, not a crash.
        """

        def construct_object(self, node: Any, deep: bool = False) -> Any:
            try:
                return super().construct_object(node, deep=deep)
            except YAMLError:
                raise
            except (ValueError, TypeError, KeyError, OverflowError, ArithmeticError) as exc:
                raise ConstructorError(None, None, f"{_tag_name(node)} value {_short(node.value)} is not valid "
                                       f"({_reason(exc)})", node.start_mark) from None

    def timestamp_as_text(self: RoundTripConstructor, node: Any) -> str:
        return str(self.construct_scalar(node))

    Constructor.add_constructor("tag:yaml.org,2002:timestamp", timestamp_as_text)

    yaml = YAML(typ="rt")
    yaml.Constructor = Constructor
    yaml.allow_duplicate_keys = False
    # ruamel's composer (recursive) counts every node, scalars too: MAX_DEPTH collections hold their
    # values one level further down. Checked as it composes, so a deep file costs no second parse.
    yaml.max_depth = MAX_DEPTH + 1
    return yaml


#: Characters a YAML stream cannot hold (C0/C1 controls but tab and line ends, surrogates, U+FFFE/U+FFFF).
#: They are dropped when a file is read, as docs/briefs.md says, rather than rejected.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
#: Deepest nesting of mappings and lists a brief or template may use (real ones use 5).
MAX_DEPTH = 50
#: Most values a file may expand to once aliases are resolved (a real brief has a few hundred):
#: a "billion laughs" file of 1 KB stops here, at the alias that crosses the limit.
MAX_VALUES = 100_000


def load_yaml(path: Path, text: str | None = None, display: str | None = None,
              cached: bool = False) -> tuple[Any, Lines]:
    """Parse a YAML file into plain data plus line numbers. Every error carries its line.

    ``cached`` keeps the parse in the on-disk cache (mapgen/cache.py): for templates, which every
    command reads. Only files that parse are stored, so every error is still found and located.
    """
    name = display or str(path)
    if text is None:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise MapgenError("no such file", name) from None
        except OSError as exc:
            raise MapgenError(f"cannot read: {exc.strerror}", name) from None
        if cached:
            from mapgen import cache

            def parsed() -> tuple[Any, dict[PathKey, int]]:
                value, lines = _parse(data, name)
                return value, lines.table()

            value, table = cache.remember(cache.key("yaml", parser_stamp(), data), parsed)
            return value, Lines(name, table)
        return _parse(data, name)
    return _parse_text(text, name)


@functools.cache
def parser_stamp() -> str:
    """What decides how bytes parse, for the parse cache: this module's own file (an edited checkout
    must not reuse old parses) and ruamel.yaml's version."""
    from importlib.metadata import PackageNotFoundError, version

    source = Path(__file__).stat()
    try:
        ruamel = version("ruamel.yaml")
    except PackageNotFoundError:  # pragma: no cover - a vendored copy
        ruamel = "unknown"
    return f"{ruamel}|{source.st_size}|{source.st_mtime_ns}"


def _parse(data: bytes, name: str) -> tuple[Any, Lines]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise MapgenError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", name, line) from None
    return _parse_text(text, name)


def _parse_text(text: str, name: str) -> tuple[Any, Lines]:
    from ruamel.yaml.composer import MaxDepthExceededError
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    text = _UNPRINTABLE.sub("", text)
    try:
        raw = _yaml().load(text)
    except MaxDepthExceededError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark is not None else None
        raise MapgenError(f"invalid YAML: nested more than {MAX_DEPTH} levels deep", name, line) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise MapgenError(f"invalid YAML: {message}", name, line) from None
    except (YAMLError, AssertionError, ValueError, RecursionError) as exc:  # e.g. %YAML 1.3: ruamel asserts
        raise MapgenError(f"invalid YAML: {exc}", name, _directive_line(text)) from None
    lines = Lines(name)
    lines.set((), 1)
    return _Plain(lines).convert(raw, ()), lines


def _directive_line(text: str) -> int:
    """The line of the first ``%`` directive (what a document-level error is about), else 1."""
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("%"):
            return number
        if line.startswith("---"):
            break
    return 1


class _Plain:
    """Converts ruamel's round-trip objects to plain data, recording each value's line."""

    def __init__(self, lines: Lines) -> None:
        self.lines = lines
        self.values = 0

    def _count(self, path: PathKey) -> None:
        self.values += 1
        if self.values > MAX_VALUES:
            raise self.lines.error(path[:2], f"more than {MAX_VALUES:,} values once aliases are expanded "
                                         "(a YAML alias bomb?)")

    def convert(self, node: Any, path: PathKey) -> Any:
        from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar

        self._count(path)
        lines = self.lines
        if isinstance(node, CommentedMap):
            out = {}
            for key, value in node.items():
                try:
                    line, _ = node.lc.key(key)
                    lines.set(path + (key,), line + 1)
                except (KeyError, TypeError):
                    pass
                plain_key = key if isinstance(key, (str, int, float, bool)) or key is None else str(key)
                if isinstance(plain_key, str):
                    plain_key = _UNPRINTABLE.sub("", plain_key)
                out[plain_key] = self.convert(value, path + (key,))
            return out
        if isinstance(node, CommentedSeq):
            items = []
            for index, value in enumerate(node):
                try:
                    line, _ = node.lc.item(index)
                    lines.set(path + (index,), line + 1)
                except (KeyError, TypeError, IndexError):
                    pass
                items.append(self.convert(value, path + (index,)))
            return items
        if isinstance(node, bool) or node is None:
            return node
        if isinstance(node, int):
            return int(node)
        if isinstance(node, float):
            return float(node)
        if isinstance(node, str):
            return _UNPRINTABLE.sub("", str(node))  # "\udc80" written as an escape
        if isinstance(node, TaggedScalar):
            raise lines.error(path, f"unsupported YAML tag {node.tag}")
        if isinstance(node, (set, bytes)) or hasattr(node, "items") or isinstance(node, (list, tuple)):
            raise lines.error(path, f"unsupported YAML value ({type(node).__name__}): use plain mappings, "
                                    "lists and scalars")
        return node


def _tag_name(node: Any) -> str:
    tag = str(getattr(node, "tag", "") or "")
    return "!!" + tag.rsplit(":", 1)[-1] if tag.startswith("tag:yaml.org,2002:") else (tag or "a")


def _short(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else "value"
    return text if len(text) <= 40 else f"{text[:20]}...{text[-10:]} ({len(value)} characters)"


def _reason(exc: Exception) -> str:
    text = str(exc)
    return text if len(text) <= 80 else text[:77] + "..."

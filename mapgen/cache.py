"""An on-disk cache of what is slow to compute and decided by its inputs alone.

It holds three things, each under a key made of its input and of everything that decides the
result:

- parsed template files (mapgen/yamlio.py): every command reads every template on the search path
  (a brief's template is chosen by their ``select`` rules), and ruamel.yaml is pure Python:
  parsing the two shipped templates was a fifth of ``mapgen check``'s time.
- loaded templates (mapgen/catalog.py): the record built from a template file and its parents,
  once it has passed every check, so the next run neither validates it again nor builds the
  validators of the template file format.
- public holidays by country and years (mapgen/calendar.py): importing ``holidays`` and one
  country's rules costs more than scheduling a plan.

Plain data is stored with ``marshal``, records with ``pickle``. Only what succeeded is stored, so
every error is still found, and located, by the code that finds it. A missing, unreadable or
damaged entry is a miss, never an error; a cache that cannot be written is skipped. docs/ci.md ("The cache") tells users
where it lives and how to turn it off.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sys
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, TypeVar

T = TypeVar("T")

#: Relocates the cache (CI caches can point it at a cached folder).
CACHE_DIR_ENV = "MAPGEN_CACHE_DIR"
#: Any non-empty value turns the cache off: nothing is read or written.
NO_CACHE_ENV = "MAPGEN_NO_CACHE"
#: Bumped when the stored layout changes.
FORMAT = 2
#: Entries kept: a template author's edits each leave some, the oldest go first.
MAX_ENTRIES = 300

_PLAIN, _RECORD = ".marshal", ".pickle"


def cache_dir() -> Path | None:
    """Where entries are kept, or None when the cache is off."""
    if os.environ.get(NO_CACHE_ENV):
        return None
    configured = os.environ.get(CACHE_DIR_ENV)
    if configured:
        return Path(configured)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("mapgen", appauthor=False))


def key(kind: str, *parts: str | bytes) -> str:
    """The entry name for ``kind`` computed from ``parts``: the input itself and everything else that
    decides the result (a library's version, the code that computes it)."""
    digest = hashlib.sha256(f"{FORMAT}|{kind}|{sys.version_info[:2]}".encode())
    for part in parts:
        digest.update(b"\0" + (part if isinstance(part, bytes) else part.encode("utf-8", "surrogatepass")))
    return f"{kind}-{digest.hexdigest()[:40]}"


@functools.cache
def code_stamp() -> str:
    """mapgen's own modules, by name, size and modification time: an edited checkout, or another
    version installed, never reads what older code stored."""
    from mapgen import __version__

    package = Path(__file__).resolve().parent
    stamps = [__version__]
    for entry in sorted(os.scandir(package), key=lambda e: e.name):
        if entry.name.endswith(".py"):
            info = entry.stat()
            stamps.append(f"{entry.name}:{info.st_size}:{info.st_mtime_ns}")
    return "|".join(stamps)


def get(name: str, *, record: bool = False) -> Any | None:
    """The stored value, or None (missing, unreadable or damaged entries are misses, never errors)."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        data = (folder / (name + (_RECORD if record else _PLAIN))).read_bytes()
    except OSError:
        return None
    try:
        if record:
            import pickle

            return pickle.loads(data)
        import marshal

        return marshal.loads(data)
    except Exception:  # noqa: BLE001 - a damaged or foreign entry (any exception unpickling can raise)
        return None


def remember(name: str, compute: Callable[[], T]) -> T:
    """``compute()``, or what an earlier run stored under ``name`` (None and empty values included)."""
    hit = get(name)
    if isinstance(hit, tuple) and len(hit) == 1:
        return hit[0]  # type: ignore[no-any-return]
    value = compute()
    put(name, (value,))
    return value


def put(name: str, value: Any, *, record: bool = False) -> None:
    """Store ``value`` atomically: plain data, or with ``record`` a tree of mapgen's records. Any
    failure (a read-only home, a full disk, a value that cannot be stored) is ignored."""
    folder = cache_dir()
    if folder is None:
        return
    try:
        data = _pickled(value) if record else _marshalled(value)
    except Exception:  # noqa: BLE001 - not storable: nothing to gain from a cache then
        return
    import tempfile

    suffix = _RECORD if record else _PLAIN
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # records are pickles: only their owner writes them
        fd, temp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=suffix)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temp, folder / (name + suffix))
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        _prune(folder)
    except OSError:
        return


def _marshalled(value: Any) -> bytes:
    import marshal

    return marshal.dumps(value)


def _pickled(value: Any) -> bytes:
    import io
    import pickle

    class Pickler(pickle.Pickler):
        def reducer_override(self, obj: Any) -> Any:
            if type(obj) is MappingProxyType:  # records hold read-only mappings, which pickle refuses
                return _read_only, (dict(obj),)
            return NotImplemented

    out = io.BytesIO()
    Pickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return out.getvalue()


def _read_only(mapping: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(mapping)


def _prune(folder: Path) -> None:
    entries = [p for p in folder.iterdir() if p.suffix in (_PLAIN, _RECORD) and not p.name.startswith(".tmp-")]
    if len(entries) <= MAX_ENTRIES:
        return
    by_age = sorted(entries, key=lambda p: p.stat().st_mtime_ns)
    for old in by_age[: len(entries) - MAX_ENTRIES]:
        old.unlink(missing_ok=True)

"""Writing outputs: atomic writes that keep the umask and a replaced file's mode, and leave unchanged files alone."""

from __future__ import annotations

import errno
import os
import secrets
import time
from pathlib import Path

#: Temporary files are ``.<target name>.<pid>.<random>.mapgen-tmp`` beside their target.
TEMP_SUFFIX = ".mapgen-tmp"
#: A temporary file older than this is stale even when its pid is alive again (a reused pid).
STALE_AFTER_S = 3600.0


def write_atomic(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half.

    Returns False, leaving the file (and its mtime) alone, when it already holds exactly ``data``.
    A new file gets the mode the umask gives (0644 under 022, 0600 under 077); a replaced
    file keeps its mode. The bytes go to a temporary file in the same folder, are flushed to
    disk (fsync), then renamed over the target; temporary files a killed run left behind for the
    same target are removed first. (The folder is not fsynced: after a power cut the rename may
    be lost, leaving the old file whole, which is all atomicity promises.)
    """
    path = Path(path)
    try:
        current = path.stat()
    except FileNotFoundError:
        current = None
    if current is not None and current.st_size == len(data) and _same_bytes(path, data):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(path)
    tmp = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}{TEMP_SUFFIX}"
    # 0o666 through the umask, as any program creating a file; O_EXCL: never follow or reuse a name.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            if current is not None and hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), current.st_mode & 0o7777)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return True


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(len(data) + 1) == data
    except OSError:
        return False


def remove_stale_temps(path: Path) -> list[Path]:
    """Remove the temporary files of ``path`` that a killed writer left (its process is gone, or it is old)."""
    removed = []
    prefix = f".{path.name}."
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        name = entry.name
        if not (name.startswith(prefix) and name.endswith(TEMP_SUFFIX)):
            continue
        pid_text = name[len(prefix):-len(TEMP_SUFFIX)].split(".")[0]
        if not pid_text.isdigit():
            continue
        try:
            old = now - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER_S
        except OSError:
            continue
        if int(pid_text) == os.getpid() or (not old and _alive(int(pid_text))):
            continue
        try:
            os.unlink(entry.path)
            removed.append(Path(entry.path))
        except OSError:
            pass
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError as exc:
        return exc.errno == errno.EPERM
    return True

"""Writing outputs: atomic file writes and byte-identical Office zips."""

from __future__ import annotations

import datetime as dt
import errno
import io
import os
import re
import secrets
import time
import zipfile
from pathlib import Path

# The earliest date a zip entry can hold; every entry gets it so output never depends on the clock.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_CORE_DATE = re.compile(rb"(<dcterms:(?:created|modified)\b[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")
_NESTED_OFFICE = (".xlsx", ".docx", ".pptx", ".xlsm")

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


def set_core_properties(core, plan) -> None:  # type: ignore[no-untyped-def]
    """Title, subject and author from the plan, dates from its ``today`` (python-pptx and python-docx alike).

    Set here, unescaped and cleaned, rather than through a template engine that would escape them twice.
    """
    from mapgen.markup import clean, plain

    stamp = dt.datetime.combine(plan.today, dt.time(0, 0))
    core.title = clean(plain(plan.title))[:255]
    core.subject = clean(f"Mutual action plan: {plain(plan.deal.name)}")[:255]
    core.author = clean(plain(plan.seller.company))[:255]
    core.last_modified_by = "mapgen"
    core.keywords = "mutual action plan"
    core.comments = ""
    core.revision = 1
    core.created = core.modified = core.last_printed = stamp


def normalize_office_zip(data: bytes, today: dt.date) -> bytes:
    """Make an OOXML package byte-identical for identical content.

    Fixes every entry's timestamp and attributes, keeps the member order (with
    ``[Content_Types].xml`` first), sets ``docProps/core.xml`` created/modified to
    ``today``, and does the same for Office packages embedded inside (chart workbooks).
    """
    stamp = f"{today.isoformat()}T00:00:00Z".encode()
    source = zipfile.ZipFile(io.BytesIO(data))
    names = source.namelist()
    names.sort(key=lambda n: n != "[Content_Types].xml")  # stable: only moves that one first
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            content = source.read(name)
            if name == "docProps/core.xml":
                content = _CORE_DATE.sub(rb"\g<1>" + stamp + rb"\g<2>", content)
            elif name.lower().endswith(_NESTED_OFFICE):
                content = normalize_office_zip(content, today)
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0o600 << 16
            # Level 1: the files are small, and recompressing is the cost of byte-identical output.
            target.writestr(info, content, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
    return buffer.getvalue()

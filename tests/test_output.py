"""Atomic writes: modes from the umask, kept modes, unchanged files untouched, no temp files left."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from mapgen.output import TEMP_SUFFIX, write_atomic


@pytest.fixture
def umask():
    old = os.umask(0o022)
    try:
        yield os.umask
    finally:
        os.umask(old)


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_new_file_gets_the_umask_mode(tmp_path, umask, mask, expected):
    umask(mask)
    target = tmp_path / "sub" / "plan.md"
    assert write_atomic(target, b"hello") is True
    assert target.read_bytes() == b"hello"
    assert mode(target) == expected


@pytest.mark.parametrize("kept", [0o644, 0o600, 0o640, 0o664])
def test_replaced_file_keeps_its_mode(tmp_path, umask, kept):
    umask(0o077)
    target = tmp_path / "plan.md"
    target.write_bytes(b"old")
    target.chmod(kept)
    assert write_atomic(target, b"new content") is True
    assert target.read_bytes() == b"new content"
    assert mode(target) == kept


def test_unchanged_bytes_are_not_rewritten(tmp_path):
    target = tmp_path / "plan.md"
    write_atomic(target, b"same")
    os.utime(target, ns=(1_000_000_000, 1_000_000_000))
    inode = target.stat().st_ino
    assert write_atomic(target, b"same") is False
    assert target.stat().st_mtime_ns == 1_000_000_000
    assert target.stat().st_ino == inode
    assert write_atomic(target, b"samf") is True  # same size, other bytes
    assert target.read_bytes() == b"samf"


def test_no_temp_file_is_left(tmp_path):
    for n in range(3):
        write_atomic(tmp_path / "a.md", f"v{n}".encode())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md"]


def test_temp_files_of_a_killed_writer_go_on_the_next_write(tmp_path):
    # A process killed between creating its temporary file and the rename leaves one behind.
    code = ("import os, sys; open(sys.argv[1], 'wb').write(b'partial'); os._exit(0)")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    stale = tmp_path / f".a.md.{pid}.deadbeef{TEMP_SUFFIX}"
    subprocess.run([sys.executable, "-c", code, str(stale)], check=True)
    other = tmp_path / f".b.md.{pid}.deadbeef{TEMP_SUFFIX}"  # another target's: not ours to remove
    other.write_bytes(b"x")
    assert write_atomic(tmp_path / "a.md", b"full") is True
    assert sorted(p.name for p in tmp_path.iterdir()) == [other.name, "a.md"]


def test_live_writers_temp_file_is_kept(tmp_path):
    live = tmp_path / f".a.md.{os.getppid()}.cafe{TEMP_SUFFIX}"
    live.write_bytes(b"being written")
    write_atomic(tmp_path / "a.md", b"full")
    assert live.exists()


def test_kill_9_mid_write_leaves_nothing_after_the_next_run(tmp_path):
    script = (
        "import os, sys, mapgen.output as o\n"
        "real = os.replace\n"
        "def die(*a): os.kill(os.getpid(), 9)\n"
        "o.os.replace = die\n"
        "o.write_atomic(__import__('pathlib').Path(sys.argv[1]), b'x' * 100000)\n")
    target = tmp_path / "deck.pptx"
    target.write_bytes(b"old deck")
    result = subprocess.run([sys.executable, "-c", script, str(target)])
    assert result.returncode == -9
    assert target.read_bytes() == b"old deck"  # readers never saw half a file
    assert any(p.name.endswith(TEMP_SUFFIX) for p in tmp_path.iterdir())
    write_atomic(target, b"new deck")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.pptx"]


def test_office_zip_is_the_same_whatever_the_clock():
    import datetime as dt
    import io
    import zipfile

    from mapgen.officezip import ZIP_EPOCH, normalize_office_zip

    def package(when):  # type: ignore[no-untyped-def]
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as z:
            z.writestr(zipfile.ZipInfo("docProps/core.xml", date_time=when),
                       f"<dcterms:created>{when[0]}-01-01T10:00:00Z</dcterms:created>")
            z.writestr(zipfile.ZipInfo("[Content_Types].xml", date_time=when), "<Types/>")
        return buffer.getvalue()

    today = dt.date(2026, 11, 2)
    first = normalize_office_zip(package((2024, 5, 6, 7, 8, 10)), today)
    assert first == normalize_office_zip(package((2025, 1, 2, 3, 4, 6)), today)
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert z.namelist()[0] == "[Content_Types].xml"
        assert {i.date_time for i in z.infolist()} == {ZIP_EPOCH}
        assert z.read("docProps/core.xml") == b"<dcterms:created>2026-11-02T00:00:00Z</dcterms:created>"

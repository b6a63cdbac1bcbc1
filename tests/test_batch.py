"""Batch builds (docs/ci.md): folders, parallel builds, incremental runs, --check, --prune, --shard."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from mapgen.batch import MANIFEST, Job, find_briefs, parse_shard, shard_of

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def tree(root: Path) -> Path:
    """briefs/ with nested folders: the three examples, twice over, at several depths."""
    briefs = root / "briefs"
    for rel, example in [("acme.yaml", "acme-enterprise"), ("emea/de/globex.yaml", "globex-late"),
                         ("emea/bloom.yml", "bloom-smb"), ("us/west/acme-west.yaml", "acme-enterprise")]:
        target = briefs / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(EXAMPLES / f"{example}.yaml", target)
    (briefs / "README.txt").write_text("not a brief")
    (briefs / ".hidden").mkdir()
    (briefs / ".hidden" / "skip.yaml").write_text("not: a brief")
    return briefs


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != MANIFEST}


def summary(result) -> str:  # type: ignore[no-untyped-def]
    return [line for line in result.err.splitlines() if " brief" in line and ": " in line and "warning" in line][-1]


def test_folders_are_walked_recursively_and_mirrored(tmp_path: Path, mapgen_cli) -> None:
    briefs, out = tree(tmp_path), tmp_path / "out"
    result = mapgen_cli("generate", briefs, "-o", out, "-f", "md,json", "-j", "1")
    assert result.code == 0, result.err
    assert sorted(files(out)) == ["acme.json", "acme.md", "emea/bloom.json", "emea/bloom.md",
                                  "emea/de/globex.json", "emea/de/globex.md",
                                  "us/west/acme-west.json", "us/west/acme-west.md"]
    assert (out / MANIFEST).is_file()
    assert summary(result).startswith("4 briefs: 4 written, 0 unchanged, 0 failed; ")


def test_check_command_walks_folders_too(tmp_path: Path, mapgen_cli) -> None:
    result = mapgen_cli("check", tree(tmp_path))
    assert result.code == 0, result.err
    assert result.out.count(": ok: ") == 4


@pytest.mark.slow
def test_parallel_output_is_byte_identical_to_sequential(tmp_path: Path, mapgen_cli) -> None:
    briefs = tree(tmp_path)
    assert mapgen_cli("generate", briefs, "-o", tmp_path / "j1", "-j", "1").code == 0
    parallel = mapgen_cli("generate", briefs, "-o", tmp_path / "j3", "-j", "3")
    assert parallel.code == 0, parallel.err
    one, three = files(tmp_path / "j1"), files(tmp_path / "j3")
    assert sorted(one) == sorted(three) and len(one) == 20
    for name in one:
        assert one[name] == three[name], name
    assert (tmp_path / "j1" / MANIFEST).read_bytes() == (tmp_path / "j3" / MANIFEST).read_bytes()


def test_a_rerun_skips_unchanged_briefs_and_keeps_mtimes(tmp_path: Path, mapgen_cli) -> None:
    briefs, out = tree(tmp_path), tmp_path / "out"
    assert mapgen_cli("generate", briefs, "-o", out, "-f", "md,json").code == 0
    for path in out.rglob("*.md"):
        os.utime(path, ns=(10**9, 10**9))
    again = mapgen_cli("generate", briefs, "-o", out, "-f", "md,json")
    assert again.code == 0 and again.out == ""
    assert summary(again).startswith("4 briefs: 0 written, 4 unchanged, 0 failed")
    assert all(p.stat().st_mtime_ns == 10**9 for p in out.rglob("*.md"))
    # a change to one brief rebuilds that one only; a changed option rebuilds all
    globex = briefs / "emea/de/globex.yaml"
    globex.write_text(globex.read_text().replace("Globex", "Globex Group", 1))
    changed = mapgen_cli("generate", briefs, "-o", out, "-f", "md,json")
    assert summary(changed).startswith("4 briefs: 1 written, 3 unchanged")
    assert str(out / "emea/de/globex.md") in changed.out
    dated = mapgen_cli("generate", briefs, "-o", out, "-f", "md,json", "--today", "2026-11-04")
    assert summary(dated).startswith("4 briefs: 4 written, 0 unchanged")
    # an output edited by hand is rebuilt; --force renders everything but rewrites nothing unchanged
    (out / "acme.md").write_text("edited")
    assert summary(mapgen_cli("generate", briefs, "-o", out, "-f", "md,json", "--today", "2026-11-04")).startswith(
        "4 briefs: 1 written, 3 unchanged")
    forced = mapgen_cli("generate", briefs, "-o", out, "-f", "md,json", "--today", "2026-11-04", "--force")
    assert summary(forced).startswith("4 briefs: 0 written, 4 unchanged")


def test_the_default_today_is_part_of_the_fingerprint(tmp_path: Path, mapgen_cli, monkeypatch) -> None:
    brief = tmp_path / "deal.yaml"
    brief.write_text((EXAMPLES / "acme-enterprise.yaml").read_text().replace("  today: 2026-11-02\n", ""))
    out = tmp_path / "out"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")  # 2026-11-18
    assert summary(mapgen_cli("generate", brief, "-o", out, "-f", "json")).startswith("1 brief: 1 written")
    assert summary(mapgen_cli("generate", brief, "-o", out, "-f", "json")).startswith("1 brief: 0 written, 1 unchanged")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795100000")  # the next day
    assert summary(mapgen_cli("generate", brief, "-o", out, "-f", "json")).startswith("1 brief: 1 written")


def test_check_exit_codes_fresh_stale_missing(tmp_path: Path, mapgen_cli) -> None:
    briefs, out = tree(tmp_path), tmp_path / "out"
    missing = mapgen_cli("generate", briefs, "-o", out, "-f", "md,json", "--check")
    assert missing.code == 1 and not out.exists()
    assert f"{out / 'acme.md'}: missing" in missing.out
    assert mapgen_cli("generate", briefs, "-o", out, "-f", "md,json").code == 0
    fresh = mapgen_cli("generate", briefs, "-o", out, "-f", "md,json", "--check")
    assert fresh.code == 0, fresh.out + fresh.err
    assert summary(fresh).startswith("4 briefs: 4 up to date, 0 stale, 0 missing, 0 failed")
    # without the manifest (outputs committed alone), --check renders in memory and compares
    (out / MANIFEST).unlink()
    assert mapgen_cli("generate", briefs, "-o", out, "-f", "md,json", "--check").code == 0
    assert not (out / MANIFEST).exists()
    before = files(out)
    bloom = briefs / "emea/bloom.yml"
    bloom.write_text(bloom.read_text().replace("Bloom", "Blossom"))
    stale = mapgen_cli("generate", briefs, "-o", out, "-f", "md,json", "--check")
    assert stale.code == 1
    assert f"{out / 'emea/bloom.md'}: stale" in stale.out and "acme.md" not in stale.out
    assert summary(stale).startswith("4 briefs: 3 up to date, 1 stale, 0 missing, 0 failed")
    assert files(out) == before  # --check writes nothing
    (out / "acme.json").unlink()
    both = mapgen_cli("generate", briefs, "-o", out, "-f", "md,json", "--check")
    assert both.code == 1 and f"{out / 'acme.json'}: missing" in both.out


def test_prune_removes_only_its_own_outputs_of_gone_briefs(tmp_path: Path, mapgen_cli) -> None:
    briefs, out = tree(tmp_path), tmp_path / "out"
    assert mapgen_cli("generate", briefs, "-o", out, "-f", "md,json").code == 0
    (out / "notes.txt").write_text("mine")
    (out / "us" / "west" / "keep.md").write_text("someone else's file")
    (out / "emea" / "de" / "globex.json").write_text("edited by hand")  # no longer what mapgen wrote
    (briefs / "us/west/acme-west.yaml").unlink()
    (briefs / "emea/de/globex.yaml").unlink()
    dry = mapgen_cli("generate", briefs, "-o", out, "-f", "md,json", "--prune", "--check")
    assert dry.code == 0 and f"{out / 'us/west/acme-west.md'}: would be pruned" in dry.out
    assert (out / "us/west/acme-west.md").exists()
    # without --prune, outputs of gone briefs stay
    assert mapgen_cli("generate", briefs, "-o", out, "-f", "md,json").code == 0
    assert (out / "us/west/acme-west.md").exists()
    result = mapgen_cli("generate", briefs, "-o", out, "-f", "md,json", "--prune")
    assert result.code == 0, result.err
    assert sorted(files(out)) == ["acme.json", "acme.md", "emea/bloom.json", "emea/bloom.md",
                                  "emea/de/globex.json", "notes.txt", "us/west/keep.md"]
    assert "; 3 pruned" in summary(result)
    manifest = json.loads((out / MANIFEST).read_text())["briefs"]
    assert "us/west/acme-west" not in manifest and list(manifest["emea/de/globex"]["outputs"]) == ["json"]


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o077, 0o600)])
def test_outputs_follow_the_umask(tmp_path: Path, mask: int, expected: int) -> None:
    out = tmp_path / "out"
    code = f"import os, sys; os.umask({mask:#o}); from mapgen.cli import main; main(sys.argv[1:])"
    result = subprocess.run([sys.executable, "-c", code, "generate", str(EXAMPLES / "bloom-smb.yaml"), "-o", str(out),
                             "-f", "md,json,xlsx"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in out.iterdir()}
    assert modes == dict.fromkeys(["bloom-smb.md", "bloom-smb.json", "bloom-smb.xlsx", MANIFEST], expected)


def test_a_replaced_output_keeps_its_mode(tmp_path: Path, mapgen_cli) -> None:
    out = tmp_path / "out"
    assert mapgen_cli("generate", EXAMPLES / "bloom-smb.yaml", "-o", out, "-f", "md").code == 0
    (out / "bloom-smb.md").chmod(0o640)
    (out / "bloom-smb.md").write_text("old")
    assert mapgen_cli("generate", EXAMPLES / "bloom-smb.yaml", "-o", out, "-f", "md").code == 0
    assert (out / "bloom-smb.md").read_text() != "old"
    assert stat.S_IMODE((out / "bloom-smb.md").stat().st_mode) == 0o640


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_bad_brief_fails_alone_and_is_counted(tmp_path: Path, mapgen_cli, jobs: str) -> None:
    briefs, out = tree(tmp_path), tmp_path / "out"
    (briefs / "emea" / "broken.yaml").write_text("deal: {name: X}\nbuyer: [\n")
    report = tmp_path / "report.json"
    result = mapgen_cli("generate", briefs, "-o", out, "-f", "md", "-j", jobs, "--report", report)
    assert result.code == 1
    assert sorted(files(out)) == ["acme.md", "emea/bloom.md", "emea/de/globex.md", "us/west/acme-west.md"]
    assert result.errors and all(str(briefs / "emea" / "broken.yaml") in e for e in result.errors)
    assert summary(result).startswith("5 briefs: 4 written, 0 unchanged, 1 failed; ")
    data = json.loads(report.read_text())
    assert data["summary"] == {"briefs": 5, "written": 4, "unchanged": 0, "failed": 1,
                               "warnings": data["summary"]["warnings"], "pruned": 0}
    by_brief = {Path(b["brief"]).name: b for b in data["briefs"]}
    assert by_brief["broken.yaml"]["status"] == "failed" and by_brief["broken.yaml"]["errors"]
    assert by_brief["acme.yaml"]["outputs"] == [{"format": "md", "path": str(out / "acme.md"), "status": "written"}]
    assert set(by_brief["acme.yaml"]["timings"]) >= {"plan", "md", "total"}
    assert data["briefs"][0]["brief"] == str(briefs / "acme.yaml")  # the order briefs were found in


def test_quiet_strict_and_warnings(tmp_path: Path, mapgen_cli) -> None:
    briefs, out = tree(tmp_path), tmp_path / "out"
    quiet = mapgen_cli("generate", briefs, "-o", out, "-f", "md", "-q")
    assert quiet.code == 0 and quiet.out == ""
    assert quiet.err.strip().splitlines() == [summary(quiet)]
    assert "; 0 warnings" not in summary(quiet)  # globex-late has a warning
    strict = mapgen_cli("generate", briefs, "-o", out, "-f", "md", "--strict")
    assert strict.code == 1 and "warning" in strict.err  # replayed from the manifest: no render needed
    assert mapgen_cli("generate", briefs / "acme.yaml", "-o", out, "-f", "md", "--strict").code == 0


def test_shards_partition_the_briefs(tmp_path: Path, mapgen_cli) -> None:
    jobs = [Job(Path(f"b{n}.yaml"), Path(f"d{n % 7}/b{n}.yaml")) for n in range(500)]  # type: ignore[arg-type]
    for count in (1, 2, 3, 8):
        parts = [[j for j in jobs if shard_of(j, count) == k] for k in range(1, count + 1)]
        assert sorted(j.key for part in parts for j in part) == sorted(j.key for j in jobs)
        assert all(len(part) > 500 / count * 0.7 for part in parts)  # roughly even
    briefs = tree(tmp_path)
    built: list[str] = []
    for k in (1, 2, 3):
        out = tmp_path / f"shard{k}"
        assert mapgen_cli("generate", briefs, "-o", out, "-f", "json", "--shard", f"{k}/3").code == 0
        built.extend(files(out)) if out.exists() else None
    assert sorted(built) == sorted(f"{j.key}.json" for j in find_briefs([briefs]))
    assert parse_shard("2/4") == (2, 4)
    for bad in ("0/3", "4/3", "x", "1/0"):
        assert mapgen_cli("generate", briefs, "--shard", bad).code == 2


def test_missing_paths_are_usage_errors_everywhere(tmp_path: Path, mapgen_cli) -> None:
    nope = tmp_path / "nope.yaml"
    for args in (("generate", nope), ("check", nope), ("plan", nope), ("template", "check", tmp_path / "nope")):
        result = mapgen_cli(*args)
        assert result.code == 2, (args, result)
        assert "nope" in result.err


def test_two_briefs_writing_the_same_files_fail_alone(tmp_path: Path, mapgen_cli) -> None:
    briefs = tmp_path / "briefs"
    briefs.mkdir()
    shutil.copyfile(EXAMPLES / "bloom-smb.yaml", briefs / "deal.yaml")
    shutil.copyfile(EXAMPLES / "bloom-smb.yaml", briefs / "deal.yml")
    result = mapgen_cli("generate", briefs, "-o", tmp_path / "out", "-f", "md")
    assert result.code == 1 and "same files" in result.err
    assert summary(result).startswith("2 briefs: 1 written, 0 unchanged, 1 failed")


def test_no_color(tmp_path: Path) -> None:
    # As on a terminal: colour unless turned off.
    code = ("import click, sys; from mapgen.cli import main;"
            "click.utils.should_strip_ansi = lambda stream=None, color=None: color is False; main(sys.argv[1:])")
    env = {**os.environ, "COLUMNS": "120"}
    colored = subprocess.run([sys.executable, "-c", code, "plan", str(EXAMPLES / "globex-late.yaml")],
                             capture_output=True, text=True, env=env)
    assert "\x1b[" in colored.stdout
    plain = subprocess.run([sys.executable, "-c", code, "plan", str(EXAMPLES / "globex-late.yaml")],
                           capture_output=True, text=True, env={**env, "NO_COLOR": "1"})
    assert plain.returncode == 0 and "\x1b[" not in plain.stdout and "CANNOT BE MET" in plain.stdout


@pytest.mark.slow
def test_a_progress_bar_on_a_terminal_only(tmp_path: Path) -> None:
    import pty

    briefs = tree(tmp_path)
    command = [sys.executable, "-m", "mapgen", "generate", str(briefs), "-o", str(tmp_path / "out"), "-f", "json"]
    piped = subprocess.run(command, capture_output=True, text=True)
    assert piped.returncode == 0 and "\r" not in piped.stderr and "brief/s" not in piped.stderr
    import fcntl
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal has a width
    process = subprocess.Popen(command + ["--force"], stdout=subprocess.DEVNULL, stderr=follower,
                               env={**os.environ, "TERM": "xterm"})
    os.close(follower)
    seen = b""
    while True:  # read as it runs: a full terminal would block the writer
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the other side is closed
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert process.wait() == 0
    assert b"brief/s" in seen and b"4 briefs: " in seen, seen  # tqdm's rate, then the summary

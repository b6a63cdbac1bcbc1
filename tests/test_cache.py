"""The on-disk cache (mapgen/cache.py): what it gives back is what the work itself gives, it never
hides an error, a template edit or a damaged entry, and it can be moved or turned off."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mapgen import cache
from mapgen.catalog import Catalog, default_catalog
from mapgen.template import shipped_templates

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_DIR_ENV, str(folder))
    monkeypatch.delenv(cache.NO_CACHE_ENV, raising=False)
    return folder


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mapgen", *args], capture_output=True, text=True,
                          env={**os.environ, **env}, cwd=ROOT)


def entries(folder: Path) -> list[str]:
    return sorted(p.name.split("-")[0] for p in folder.iterdir()) if folder.is_dir() else []


def test_a_second_run_reads_templates_and_holidays_from_the_cache(cache_dir: Path) -> None:
    """The first run stores; the second imports neither ruamel's parser for the templates nor ``holidays``."""
    env = {cache.CACHE_DIR_ENV: str(cache_dir)}
    first = run("check", "examples/acme-enterprise.yaml", env=env)
    assert first.returncode == 0, first.stderr
    assert {"template", "yaml", "holidays", "weekend", "countries", "subdivisions"} <= set(entries(cache_dir))
    assert cache_dir.stat().st_mode & 0o777 == 0o700
    code = ("import sys; from mapgen.cli import main\n"
            "try: main(['check', 'examples/acme-enterprise.yaml'])\n"
            "except SystemExit as e: code = e.code\n"
            "print(sorted({m.split('.')[0] for m in sys.modules if m.startswith(('holidays', 'dateutil'))}), code)")
    second = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                            env={**os.environ, **env})
    assert second.stdout.splitlines()[0] == first.stdout.splitlines()[0]
    assert second.stdout.splitlines()[-1] == "[] 0", second.stdout + second.stderr


@pytest.mark.parametrize("brief", EXAMPLES, ids=lambda p: p.stem)
def test_outputs_are_the_same_bytes_with_and_without_the_cache(brief: Path, tmp_path: Path) -> None:
    cached = {cache.CACHE_DIR_ENV: str(tmp_path / "cache")}
    outputs = {}
    for label, env in (("off", {cache.NO_CACHE_ENV: "1"}), ("cold", cached), ("warm", cached)):
        out = tmp_path / label
        result = run("generate", str(brief), "-o", str(out), "-f", "md,json,ics", "-q", env=env)
        assert result.returncode == 0, result.stderr
        outputs[label] = {p.name: p.read_bytes() for p in sorted(out.iterdir()) if not p.name.startswith(".")}
    assert outputs["off"] == outputs["cold"] == outputs["warm"]
    assert json.loads(outputs["warm"][brief.stem + ".json"])["calendar"]["holidays"]  # the holidays did arrive


def test_a_cached_template_is_the_template_loaded_afresh(cache_dir: Path, tmp_path: Path) -> None:
    child = tmp_path / "templates" / "partner"
    child.mkdir(parents=True)
    (child / "template.yaml").write_text(textwrap.dedent("""\
        name: partner
        extends: enterprise
        check_in: tuesday 10:00
        milestones:
          security_review: {duration: 12d}
        """), encoding="utf-8")
    roots = [tmp_path / "templates", shipped_templates()]
    fresh = [t for t in Catalog(roots).all()]
    assert cache_dir.is_dir()
    stored = [t for t in Catalog(roots).all()]  # a new catalog: nothing in memory, everything from disk
    assert stored == fresh
    assert [t.name for t in stored] == ["partner", "enterprise", "smb"]
    assert entries(cache_dir).count("template") == 3


def test_editing_a_parent_template_is_seen_by_its_child(cache_dir: Path, tmp_path: Path) -> None:
    root = tmp_path / "templates"
    parent, child = root / "base", root / "child"
    parent.mkdir(parents=True)
    child.mkdir()
    base = textwrap.dedent("""\
        name: base
        workstreams:
          - id: deal
            name: Deal
            milestones:
              - {id: signature, name: Signature, duration: 1d, owner: {buyer: economic_buyer, seller: account_executive}}
        """)
    (parent / "template.yaml").write_text(base, encoding="utf-8")
    (child / "template.yaml").write_text("name: child\nextends: base\n", encoding="utf-8")
    assert Catalog([root]).load("child").steps[0].duration == 1
    (parent / "template.yaml").write_text(base.replace("duration: 1d", "duration: 4d"), encoding="utf-8")
    assert Catalog([root]).load("child").steps[0].duration == 4


def test_errors_are_never_cached(cache_dir: Path, tmp_path: Path) -> None:
    """A broken template reports the same located problem on every run, and a fixed one loads."""
    folder = tmp_path / "broken"
    folder.mkdir()
    text = textwrap.dedent("""\
        name: broken
        workstreams:
          - id: deal
            name: Deal
            milestones:
              - {id: signature, name: Signature, duration: 1d, owner: {buyer: economic_buyer, seller: account_executive}}
              - {id: kickoff, name: Kickoff, duration: 1d, after: [sigature], owner: {buyer: champion, seller: account_executive}}
        """)
    (folder / "template.yaml").write_text(text, encoding="utf-8")
    env = {cache.CACHE_DIR_ENV: str(cache_dir)}
    first, second = (run("check", str(folder), env=env) for _ in range(2))
    assert first.returncode == second.returncode == 1
    assert first.stderr == second.stderr
    assert f"{folder / 'template.yaml'}:7: error: kickoff: depends on unknown milestone 'sigature'" in first.stderr
    assert "template" not in entries(cache_dir) and "yaml" in entries(cache_dir)  # the parse is kept, not the verdict
    (folder / "template.yaml").write_text(text.replace("sigature", "signature"), encoding="utf-8")
    assert run("check", str(folder), env=env).returncode == 0
    assert "template" in entries(cache_dir)


def test_a_damaged_entry_is_a_miss_and_is_written_again(cache_dir: Path) -> None:
    Catalog([shipped_templates()]).all()
    for path in cache_dir.iterdir():
        path.write_bytes(b"\x00garbage")
    assert [t.name for t in Catalog([shipped_templates()]).all()] == ["enterprise", "smb"]
    assert all(p.read_bytes() != b"\x00garbage" for p in cache_dir.iterdir())


def test_the_cache_can_be_turned_off_or_be_unwritable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.NO_CACHE_ENV, "1")
    monkeypatch.setenv(cache.CACHE_DIR_ENV, str(tmp_path / "off"))
    assert cache.cache_dir() is None
    assert [t.name for t in default_catalog().all()] == ["enterprise", "smb"]
    assert not (tmp_path / "off").exists()
    monkeypatch.delenv(cache.NO_CACHE_ENV)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(cache.CACHE_DIR_ENV, str(blocker / "cache"))  # cannot be created, even by root
    assert [t.name for t in default_catalog().all()] == ["enterprise", "smb"]


def test_the_default_location_is_the_users_cache_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(cache.CACHE_DIR_ENV, raising=False)
    monkeypatch.delenv(cache.NO_CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert cache.cache_dir() == tmp_path / "xdg" / "mapgen"
    else:  # macOS and Windows have their own places (platformdirs)
        assert cache.cache_dir() is not None and cache.cache_dir().name in ("mapgen", "Cache")


def test_old_entries_are_pruned(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MAX_ENTRIES", 5)
    for n in range(12):
        cache.put(cache.key("test", str(n)), [n])
    assert len(list(cache_dir.iterdir())) == 5
    assert cache.get(cache.key("test", "11")) == [11]


def test_holidays_from_the_cache_are_the_holidays_package_s(cache_dir: Path) -> None:
    import datetime as dt

    import holidays

    from mapgen.calendar import country_weekend, public_holidays

    for _ in range(2):  # computed, then read back
        assert public_holidays("DE", "BY", 2026, 2027) == dict(
            holidays.country_holidays("DE", subdiv="BY", years=range(2026, 2028), language="en_US"))
        assert country_weekend("AE", None) == sorted(holidays.country_holidays("AE").weekend)
    assert public_holidays("US", None, 2026, 2026)[dt.date(2026, 11, 26)] == "Thanksgiving Day"

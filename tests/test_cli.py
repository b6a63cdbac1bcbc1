"""The command line as users and CI scripts drive it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ACME = ROOT / "examples" / "acme-enterprise.yaml"
GLOBEX = ROOT / "examples" / "globex-late.yaml"


def run(*args: object, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """A real ``mapgen`` process (for what in-process runs cannot show: imports, exit codes)."""
    return subprocess.run([sys.executable, "-m", "mapgen", *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, cwd=ROOT, timeout=120)


def outputs(folder: Path) -> list[str]:
    """The plans in an output folder, without mapgen's manifest."""
    return sorted(p.name for p in folder.iterdir() if p.name != ".mapgen-manifest.json")


def test_generate_writes_markdown_and_json(tmp_path: Path, mapgen_cli) -> None:
    result = mapgen_cli("generate", ACME, "-o", tmp_path, "-f", "md,json")
    assert result.code == 0, result.err
    assert outputs(tmp_path) == ["acme-enterprise.json", "acme-enterprise.md"]  # and the manifest
    data = json.loads((tmp_path / "acme-enterprise.json").read_text(encoding="utf-8"))
    assert data["template"] == "enterprise" and data["schema"] == 2
    assert str(tmp_path / "acme-enterprise.md") in result.out


def test_default_formats_include_markdown_and_json(tmp_path: Path, mapgen_cli) -> None:
    assert mapgen_cli("generate", ACME, "-o", tmp_path).code == 0
    names = {p.suffix for p in tmp_path.iterdir()}
    assert {".md", ".json"} <= names


def test_a_folder_of_briefs(tmp_path: Path, mapgen_cli) -> None:
    result = mapgen_cli("generate", ROOT / "examples", "-o", tmp_path, "-f", "md")
    assert result.code == 0, result.err
    assert sorted(Path(p).stem for p in outputs(tmp_path)) == sorted(p.stem for p in (ROOT / "examples").glob("*.yaml"))


@pytest.mark.slow
def test_two_runs_are_byte_identical(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    assert run("generate", ROOT / "examples", "-o", first).returncode == 0
    assert run("generate", ROOT / "examples", "-o", second, env={"TZ": "Asia/Kolkata", "LANG": "de_DE.UTF-8",
                                                                "PYTHONHASHSEED": "123"}).returncode == 0
    files = sorted(p.name for p in first.iterdir())
    assert files == sorted(p.name for p in second.iterdir()) and files
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_today_resolution(tmp_path: Path, mapgen_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    brief = tmp_path / "deal.yaml"
    brief.write_text(ACME.read_text(encoding="utf-8").replace("  today: 2026-11-02\n", ""), encoding="utf-8")

    def today(*args: str) -> str:
        result = mapgen_cli("plan", brief, "--json", *args)
        assert result.code == 0, result.err
        return json.loads(result.out)["today"]

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")  # 2026-11-18
    assert today() == "2026-11-18"
    assert today("--today", "2026-11-10") == "2026-11-10"
    assert mapgen_cli("plan", ACME, "--json").out.count('"today": "2026-11-02"') == 1  # the brief's own date
    assert json.loads(mapgen_cli("plan", ACME, "--json", "--today", "2026-11-05").out)["today"] == "2026-11-05"


def test_failed_render_leaves_no_partial_file_and_keeps_old_outputs(tmp_path: Path, mapgen_cli) -> None:
    out = tmp_path / "out"
    assert mapgen_cli("generate", ACME, "-o", out, "-f", "md,json").code == 0
    old = (out / "acme-enterprise.md").read_bytes()
    tpl = tmp_path / "tpl" / "broken"
    tpl.mkdir(parents=True)
    (tpl / "template.yaml").write_text("name: broken\nextends: enterprise\n", encoding="utf-8")
    (tpl / "plan.md.j2").write_text("{{ 1 / 0 }}", encoding="utf-8")
    result = mapgen_cli("generate", ACME, "-o", out, "-f", "md,json", "--template-path", tmp_path / "tpl",
                        "--template", "broken", "--today", "2026-11-09")
    assert result.code == 1
    assert (out / "acme-enterprise.md").read_bytes() == old
    assert json.loads((out / "acme-enterprise.json").read_text())["today"] == "2026-11-09"
    assert outputs(out) == ["acme-enterprise.json", "acme-enterprise.md"]


def test_unwritable_output_is_a_located_error(tmp_path: Path, mapgen_cli) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = mapgen_cli("generate", ACME, "-o", blocker / "sub", "-f", "md")
    assert result.code in (1, 2)
    assert "Traceback" not in result.err and result.err.strip()


def test_exit_codes_and_messages() -> None:
    ok = run("check", ACME)
    assert ok.returncode == 0
    usage = run("generate")
    assert usage.returncode == 2 and "Usage" in usage.stderr
    unknown_format = run("generate", ACME, "-f", "docz")
    assert unknown_format.returncode == 2 and "docz" in unknown_format.stderr
    bad_date = run("plan", ACME, "--today", "2026-13-01")
    assert bad_date.returncode == 2
    unknown_command = run("generat")
    assert unknown_command.returncode == 2


def test_help_shows_an_example_and_loads_no_rendering_library() -> None:
    code = ("import sys; from mapgen.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('pptx', 'docx', 'docxtpl', 'openpyxl', 'PIL', 'lxml', 'holidays', 'jinja2',"
            " 'pydantic', 'ruamel') if m in sys.modules]\n"
            "print('HEAVY', heavy)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert "HEAVY []" in result.stdout, result.stdout + result.stderr
    assert "mapgen generate" in result.stdout
    for command in ("generate", "plan", "check", "templates", "formats"):
        assert command in result.stdout
        sub = run(command, "--help")
        assert sub.returncode == 0 and "Example" in sub.stdout, command


def test_plan_shows_target_forecast_drivers_and_states(mapgen_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "140")
    result = mapgen_cli("plan", GLOBEX)
    assert result.code == 0
    assert "CANNOT BE MET" in result.out and "forecast" in result.out and "target 2026-12-18" in result.out
    assert "why: " in result.out and "working days after the target" in result.out
    rows = [line for line in result.out.splitlines() if line[:4].strip().isdigit()]
    assert any(line.rstrip().endswith("C") for line in rows)
    assert any(" late " in line for line in rows) and any(" done " in line for line in rows)
    assert "risks found in the plan:" in result.out


def test_formats_templates_plugins_listings(mapgen_cli) -> None:
    formats = mapgen_cli("formats")
    assert formats.code == 0
    assert "md" in formats.out and "json" in formats.out and "mapgen.builtin.markdown" in formats.out
    plugins = mapgen_cli("plugins")
    assert plugins.code == 0 and "register_formats" in plugins.out
    assert mapgen_cli("templates").code == 0


def test_check_validates_a_folder_without_writing(tmp_path: Path, mapgen_cli, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = mapgen_cli("check", ROOT / "examples", ROOT / "templates")
    assert result.code == 0, result.err
    assert list(tmp_path.iterdir()) == []


def test_committed_example_plans_are_current(tmp_path: Path, mapgen_cli) -> None:
    """docs/examples holds what `mapgen generate examples -f md,json -o docs/examples` writes today."""
    assert mapgen_cli("generate", ROOT / "examples", "-f", "md,json", "-o", tmp_path).code == 0
    for path in sorted(tmp_path / name for name in outputs(tmp_path)):
        committed = ROOT / "docs" / "examples" / path.name
        assert committed.exists() and committed.read_bytes() == path.read_bytes(), (
            f"{committed} is stale: run mapgen generate examples -f md,json -o docs/examples")


def test_plan_json_of_the_examples_matches_the_committed_files(mapgen_cli) -> None:
    for brief in sorted((ROOT / "examples").glob("*.yaml")):
        result = mapgen_cli("plan", brief, "--json")
        assert result.code == 0, result.err
        committed = ROOT / "docs" / "examples" / f"{brief.stem}.json"
        assert json.loads(result.out) == json.loads(committed.read_text(encoding="utf-8")), brief.name

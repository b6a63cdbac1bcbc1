"""The plugin system from the outside: the guide's examples, failures, listings, installing and uninstalling."""

from __future__ import annotations

import inspect
import json
import os
import re
import subprocess
import sys
import types
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from mapgen import hookspecs

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "plugins.md"
EXAMPLE = ROOT / "examples" / "acme-enterprise.yaml"
ICS_PLUGIN = ROOT / "plugins" / "mapgen-ics"


def hook_names() -> list[str]:
    return sorted(name for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
                  if hasattr(fn, "mapgen_spec"))


def guide_files() -> dict[str, str]:
    """The files of the guide's minimal plugin: a ``<!-- file: PATH -->`` line, then a fenced block."""
    text = GUIDE.read_text(encoding="utf-8")
    return {m.group(1): m.group(2) for m in
            re.finditer(r"<!-- file: (\S+) -->\n```\w*\n(.*?)```", text, re.DOTALL)}


def hook_example(hook: str) -> str:
    """The Python example under a hook's heading in the guide."""
    text = GUIDE.read_text(encoding="utf-8")
    section = text.split(f"### `{hook}(", 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    return re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)


def example_module(hook: str, tmp_path: Path) -> types.ModuleType:
    module = types.ModuleType(f"guide_{hook}")
    module.__file__ = str(tmp_path / f"guide_{hook}.py")
    exec("from mapgen.hookspecs import hookimpl\n", module.__dict__)
    exec(compile(guide_files()["mapgen-csv/mapgen_csv.py"], "mapgen_csv.py", "exec"), module.__dict__)
    for name in [n for n, v in vars(module).items() if getattr(v, "mapgen_impl", None)]:
        delattr(module, name)  # keep only the hook this section shows
    exec(compile(hook_example(hook), f"docs/plugins.md ({hook})", "exec"), module.__dict__)
    return module


# -- the hook surface is documented --------------------------------------------------------------


def test_every_hook_is_documented_with_its_signature_and_an_example():
    text = GUIDE.read_text(encoding="utf-8")
    assert hook_names() == ["adjust_plan", "adjust_steps", "register_commands", "register_formats", "template_dirs"]
    for name in hook_names():
        params = list(inspect.signature(getattr(hookspecs, name)).parameters)
        heading = re.search(rf"^### `{name}\((.*?)\)", text, re.MULTILINE)
        assert heading, f"docs/plugins.md has no section for hook {name}"
        documented = re.findall(r"(?:^|,\s*)(\w+):", heading.group(1))
        assert documented == params, f"docs/plugins.md gives {name} the parameters {documented}, not {params}"
        assert f"def {name}(" in hook_example(name), f"the {name} section has no example"
        assert getattr(hookspecs, name).__doc__, f"hook {name} has no docstring"


def test_every_fixture_for_plugin_authors_is_documented():
    import mapgen.testing as testing

    text = GUIDE.read_text(encoding="utf-8")
    fixtures = [n for n, v in vars(testing).items() if hasattr(v, "_fixture_function_marker") or
                type(v).__name__ == "FixtureFunctionDefinition"]
    assert fixtures
    for name in fixtures + ["make_plan", "HOSTILE_STRINGS", "plan_from_brief"]:
        assert f"`{name}" in text, f"fixture {name} is not in docs/plugins.md"


# -- the guide's minimal plugin, copied out as written ---------------------------------------------


def _pip_install(target: Path, project: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
                             str(project)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_the_guides_minimal_plugin_works_as_written(tmp_path):
    files = guide_files()
    assert set(files) == {"mapgen-csv/pyproject.toml", "mapgen-csv/mapgen_csv.py"}
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content, encoding="utf-8")
    site = tmp_path / "site"
    _pip_install(site, tmp_path / "mapgen-csv")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(ROOT)])}
    env.pop(LOAD := "MAPGEN_LOAD_PLUGINS", None)

    def mapgen(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "mapgen", *args], capture_output=True, text=True, env=env,
                              cwd=tmp_path, timeout=120)

    listed = mapgen("formats")
    assert re.search(r"^csv\s+\.csv\s+csv\s+One row per step", listed.stdout, re.MULTILINE), listed.stdout
    assert "csv (mapgen-csv 0.1.0): register_formats" in mapgen("plugins").stdout
    run = mapgen("generate", str(EXAMPLE), "-f", "csv,md", "-o", "out")
    assert run.returncode == 0, run.stderr
    rows = (tmp_path / "out" / "acme-enterprise.csv").read_text(encoding="utf-8").splitlines()
    plan = json.loads(mapgen("plan", str(EXAMPLE), "--json").stdout)
    visible = [m for m in plan["milestones"] if not m["internal"]]
    assert len(rows) == len(visible) + 1
    assert rows[0] == "step,workstream,buyer owner,seller owner,due,status"
    assert (tmp_path / "out" / "acme-enterprise.md").is_file()
    env[LOAD] = ""
    assert "csv" not in mapgen("formats").stdout


# -- each hook's example from the guide does what the guide says ----------------------------------------


def test_guide_register_formats_example(register_plugin, mapgen_cli, tmp_path):
    register_plugin(example_module("register_formats", tmp_path), "guide-csv")
    result = mapgen_cli("generate", EXAMPLE, "-f", "csv", "-o", tmp_path)
    assert result.code == 0, result.err
    assert (tmp_path / "acme-enterprise.csv").read_text(encoding="utf-8").startswith("step,workstream")


def test_guide_template_dirs_example(register_plugin, mapgen_cli, tmp_path):
    folder = tmp_path / "templates" / "acme-segment"
    folder.mkdir(parents=True)
    shipped = (ROOT / "templates" / "smb" / "template.yaml").read_text(encoding="utf-8")
    (folder / "template.yaml").write_text(re.sub(r"(?m)^name: smb$", "name: acme-segment", shipped), "utf-8")
    register_plugin(example_module("template_dirs", tmp_path), "guide-templates")
    result = mapgen_cli("templates")
    assert "acme-segment" in result.out, result.out + result.err


def test_guide_adjust_steps_example(register_plugin, mapgen_cli, tmp_path):
    register_plugin(example_module("adjust_steps", tmp_path), "guide-approval")
    brief = tmp_path / "big.yaml"
    brief.write_text(EXAMPLE.read_text(encoding="utf-8").replace("amount: 250000", "amount: 1500000"), "utf-8")
    assert "amount: 1500000" in brief.read_text(encoding="utf-8")
    plan = json.loads(mapgen_cli("plan", brief, "--json").out)
    steps = {m["id"]: m for m in plan["milestones"]}
    assert steps["cfo_approval"]["due"] < steps["signature"]["start"] or steps["signature"]["duration"] == 0
    assert "cfo_approval" in steps["signature"]["after"]
    small = json.loads(mapgen_cli("plan", EXAMPLE, "--json").out)
    assert "cfo_approval" not in {m["id"] for m in small["milestones"]}


def test_adjust_steps_plugins_get_only_the_arguments_they_declare(register_plugin, mapgen_cli):
    from mapgen.hookspecs import hookimpl

    seen = {}

    class Old:  # written before `deal` existed: still works
        @hookimpl
        def adjust_steps(self, steps, brief):
            seen["old"] = brief.deal.amount

    class New:
        @hookimpl
        def adjust_steps(self, steps, deal):
            seen["new"] = deal

    register_plugin(Old(), "old-style")
    register_plugin(New(), "new-style")
    assert mapgen_cli("plan", EXAMPLE, "--json").code == 0
    deal = seen["new"]
    assert seen["old"] == 250000 and deal.amount == 250000 and isinstance(deal.amount, int)
    assert (deal.template, deal.buyer_country, str(deal.signature)) == ("enterprise", "US", "2026-12-18")
    assert {"economic_buyer", "champion"} <= deal.buyer_roles and "account_executive" in deal.seller_roles


def test_guide_adjust_plan_example(register_plugin, mapgen_cli, tmp_path):
    register_plugin(example_module("adjust_plan", tmp_path), "guide-policy")
    result = mapgen_cli("generate", EXAMPLE, "-f", "json", "-o", tmp_path)
    assert "warning: pricing changes need deal desk approval" in result.err
    plan = json.loads((tmp_path / "acme-enterprise.json").read_text(encoding="utf-8"))
    assert "pricing changes need deal desk approval" in plan["warnings"]


def test_guide_register_commands_example(register_plugin, mapgen_cli, tmp_path):
    register_plugin(example_module("register_commands", tmp_path), "guide-crm")
    assert "crm-sync" in mapgen_cli("--help").out
    result = mapgen_cli("crm-sync", "--help")
    assert result.code == 0 and "Push the plan's dates to our CRM." in result.out


# -- failures are reported with the plugin's name ------------------------------------------------------


class Exploding:
    """A third-party format with a bug."""

    @staticmethod
    @hookspecs.hookimpl
    def register_formats(registry):
        from mapgen.formats import OutputFormat

        class Boom(OutputFormat):
            name, suffix, description = "boom", ".boom", "Always fails"

            def render(self, plan, context):
                raise ValueError("no such column 'due'")

        registry.add(Boom)


def test_a_failing_plugin_names_itself_and_spares_the_other_formats(register_plugin, mapgen_cli, tmp_path):
    register_plugin(Exploding(), "mapgen-boom")
    result = mapgen_cli("generate", EXAMPLE, "-f", "md,boom,json", "-o", tmp_path)
    assert result.code == 1
    assert result.errors == [f"{EXAMPLE}: error: plugin mapgen-boom: format boom failed: "
                             "ValueError: no such column 'due'"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["acme-enterprise.json", "acme-enterprise.md"]


def test_a_failing_adjust_plan_is_located_and_named(register_plugin, mapgen_cli, tmp_path):
    class Broken:
        @staticmethod
        @hookspecs.hookimpl
        def adjust_plan(plan):
            raise RuntimeError("CRM unreachable")

    register_plugin(Broken(), "mapgen-crm")
    result = mapgen_cli("generate", EXAMPLE, "-o", tmp_path)
    assert result.code == 1
    assert result.errors == [f"{EXAMPLE}: error: plugin mapgen-crm: adjust_plan failed: RuntimeError: CRM unreachable"]
    assert not list(tmp_path.iterdir())


def test_a_duplicate_format_name_names_both_plugins(register_plugin, mapgen_cli):
    class Copycat:
        @staticmethod
        @hookspecs.hookimpl
        def register_formats(registry):
            from mapgen.builtin.markdown import MarkdownFormat

            registry.add(type("MyMarkdown", (MarkdownFormat,), {}))

    register_plugin(Copycat(), "mapgen-copycat")
    result = mapgen_cli("formats")
    assert result.code == 0  # the first registration keeps the name; every format still works
    assert result.errors == ["mapgen: error: plugin mapgen-copycat: output format 'md' is registered twice: by "
                             "plugin mapgen.builtin.markdown and by plugin mapgen-copycat (ignored)"]
    assert re.search(r"^md\s+\.md\s+mapgen\.builtin\.markdown\s", result.out, re.MULTILINE)
    assert mapgen_cli("plugins").code == 1


def test_a_misspelled_hook_fails_loudly(register_plugin):
    from mapgen.hookspecs import hookimpl

    class Typo:
        @staticmethod
        @hookimpl
        def register_format(registry):  # missing "s"
            pass

    with pytest.raises(Exception, match="register_format"):
        register_plugin(Typo(), "mapgen-typo")


def test_plugins_lists_each_plugin_and_its_hooks(register_plugin, mapgen_cli):
    register_plugin(Exploding(), "mapgen-boom")
    lines = mapgen_cli("plugins").out.splitlines()
    assert "mapgen.builtin.markdown (built-in): register_formats" in lines
    assert "mapgen.builtin.templates (built-in): template_dirs" in lines
    assert any(line.startswith("mapgen-boom (") and line.endswith(": register_formats") for line in lines)


# -- installed plugins: MAPGEN_LOAD_PLUGINS, a fresh install and uninstall -----------------------------


def _ics_installed() -> bool:
    if any(ep.name == "ics" for ep in entry_points(group="mapgen")):
        return True
    if os.environ.get("CI"):
        pytest.fail("plugins/mapgen-ics must be installed under CI (the README's test command installs it)")
    pytest.skip("plugins/mapgen-ics is not installed")


@pytest.mark.parametrize("value, expected", [(None, True), ("", False), ("mapgen-ics", True), ("ics", True),
                                             ("mapgen-csv", False)])
def test_mapgen_load_plugins_limits_external_plugins(value, expected):
    _ics_installed()
    env = {k: v for k, v in os.environ.items() if k != "MAPGEN_LOAD_PLUGINS"}
    if value is not None:
        env["MAPGEN_LOAD_PLUGINS"] = value
    out = subprocess.run([sys.executable, "-m", "mapgen", "formats"], capture_output=True, text=True, env=env,
                         timeout=60).stdout
    assert ("ics " in out) is expected
    assert "md " in out and "json " in out  # built-in formats always load


@pytest.mark.slow
def test_installing_and_uninstalling_mapgen_ics_in_a_fresh_venv(tmp_path):
    """As a user would: a new virtual environment, mapgen, then the plugin, then without it."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    pip = [str(bin_dir / "python"), "-m", "pip", "--disable-pip-version-check", "--quiet"]
    env = {k: v for k, v in os.environ.items() if k not in ("MAPGEN_LOAD_PLUGINS", "PYTHONPATH")}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(list(args), capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
        assert result.returncode == 0, result.stdout + result.stderr
        return result

    run(*pip, "install", str(ROOT), str(ICS_PLUGIN))
    mapgen = str(bin_dir / "mapgen")
    assert re.search(r"^ics\s+\.ics\s+ics\s", run(mapgen, "formats").stdout, re.MULTILINE)
    run(mapgen, "generate", str(EXAMPLE), "-f", "ics", "-o", "out")
    check = ("from icalendar import Calendar; import sys; c = Calendar.from_ical(open(sys.argv[1], 'rb').read()); "
             "print(sum(1 for e in c.walk('VEVENT') if 'RRULE' not in e), sum(1 for e in c.walk('VEVENT') if 'RRULE' in e))")
    events, recurring = run(str(bin_dir / "python"), "-c", check, "out/acme-enterprise.ics").stdout.split()
    plan = json.loads(run(mapgen, "plan", str(EXAMPLE), "--json").stdout)
    assert int(events) == sum(1 for m in plan["milestones"] if not m["internal"])
    assert recurring == "1"
    run(*pip, "uninstall", "--yes", "mapgen-ics")
    assert "ics" not in run(mapgen, "formats").stdout
    gone = subprocess.run([mapgen, "generate", str(EXAMPLE), "-f", "ics"], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=120)
    assert gone.returncode == 2 and "unknown format 'ics'" in gone.stderr

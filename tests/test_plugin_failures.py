"""Broken plugins installed as real distributions (pip, entry points, importlib.metadata): each is
reported in one line naming it, and every other command and format keeps working (issue 13)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "acme-enterprise.yaml"

pytestmark = pytest.mark.slow

#: name -> module source; each becomes the distribution mapgen-NAME with entry point NAME.
BROKEN = {
    "typo": '''
        from mapgen.hookspecs import hookimpl

        @hookimpl
        def register_format(registry):  # misspelled: the hook is register_formats
            raise AssertionError("never called")
    ''',
    "crash": '''
        raise RuntimeError("no licence key found")
    ''',
    "copycat": '''
        from mapgen.builtin.markdown import MarkdownFormat
        from mapgen.formats import OutputFormat
        from mapgen.hookspecs import hookimpl

        class Copy(MarkdownFormat):
            pass

        class Tsv(OutputFormat):
            name, suffix, description, default = "tsv", ".tsv", "Steps as tab-separated values", False

            def render(self, plan, context):
                return "".join(f"{m.id}\\t{m.due}\\n" for m in plan.milestones).encode()

        @hookimpl
        def register_formats(registry):
            registry.add(Copy)  # "md" is taken: ignored, reported
            registry.add(Tsv)   # still registered
    ''',
    "baddirs": '''
        from mapgen.hookspecs import hookimpl

        @hookimpl
        def template_dirs():
            raise OSError("share //templates is not mounted")
    ''',
}

EXPECTED = {
    "typo": "mapgen: error: plugin typo: unknown hook 'register_format' (did you mean register_formats?); "
            "the plugin is not loaded",
    "crash": "mapgen: error: plugin crash: failed to load: RuntimeError: no licence key found",
    "copycat": "mapgen: error: plugin copycat: output format 'md' is registered twice: by plugin "
               "mapgen.builtin.markdown and by plugin copycat (ignored)",
    "baddirs": "mapgen: error: plugin baddirs: template_dirs failed: OSError: share //templates is not mounted",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The four broken plugins built and pip-installed into one folder, as a user would install them."""
    root = tmp_path_factory.mktemp("broken-plugins")
    projects = []
    for name, source in BROKEN.items():
        project = root / f"mapgen-{name}"
        project.mkdir()
        (project / "pyproject.toml").write_text(textwrap.dedent(f"""\
            [build-system]
            requires = ["setuptools>=61"]
            build-backend = "setuptools.build_meta"

            [project]
            name = "mapgen-{name}"
            version = "0.1.0"

            [project.entry-points.mapgen]
            {name} = "mapgen_{name}"

            [tool.setuptools]
            py-modules = ["mapgen_{name}"]
            """), encoding="utf-8")
        (project / f"mapgen_{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")
        projects.append(str(project))
    target = root / "site"
    result = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                             "--disable-pip-version-check", "--target", str(target), *projects],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(list(target.glob("mapgen_*.dist-info"))) == len(BROKEN)
    return target


def run(site: Path, cwd: Path, *args: str, only: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "MAPGEN_LOAD_PLUGINS"}
    env["PYTHONPATH"] = os.pathsep.join([str(site), str(ROOT)])
    if only is not None:
        env["MAPGEN_LOAD_PLUGINS"] = only
    return subprocess.run([sys.executable, "-m", "mapgen", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=300)


def errors(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    return [line for line in result.stderr.splitlines() if ": error: " in line]


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_each_broken_plugin_is_one_line_naming_it(site, tmp_path, name):
    command = ("templates",) if name == "baddirs" else ("formats",)
    result = run(site, tmp_path, *command, only=name)
    assert result.returncode == 0, result.stderr
    assert errors(result) == [EXPECTED[name]]
    listing = run(site, tmp_path, "plugins", only=name)
    assert listing.returncode == 1  # the command whose job is plugins says so
    assert errors(listing) == [EXPECTED[name]]


def test_with_all_four_installed_every_command_and_format_still_works(site, tmp_path):
    formats = run(site, tmp_path, "formats")
    assert formats.returncode == 0, formats.stderr
    assert sorted(errors(formats)) == sorted(EXPECTED[n] for n in ("typo", "crash", "copycat"))
    listed = {line.split()[0]: line for line in formats.stdout.splitlines()}
    assert {"md", "json", "docx", "pptx", "xlsx", "tsv"} <= set(listed)
    assert "mapgen.builtin.markdown" in listed["md"]

    generate = run(site, tmp_path, "generate", str(EXAMPLE), "-f", "md,json,pptx,tsv", "-o", "out")
    assert generate.returncode == 0, generate.stderr
    assert sorted(errors(generate)) == sorted(EXPECTED.values())
    for suffix in ("md", "json", "pptx", "tsv"):
        assert (tmp_path / "out" / f"acme-enterprise.{suffix}").stat().st_size > 0

    plan = run(site, tmp_path, "plan", str(EXAMPLE), "--json")
    assert plan.returncode == 0, plan.stderr
    assert json.loads(plan.stdout)["template"] == "enterprise"
    assert sorted(errors(plan)) == sorted(EXPECTED[n] for n in ("typo", "crash", "baddirs"))

    templates = run(site, tmp_path, "templates")
    assert templates.returncode == 0 and re.search(r"^enterprise: ", templates.stdout, re.MULTILINE)

    check = run(site, tmp_path, "check", str(EXAMPLE))
    assert check.returncode == 0, check.stderr
    assert run(site, tmp_path, "--help").returncode == 0
    assert run(site, tmp_path, "plugins").returncode == 1

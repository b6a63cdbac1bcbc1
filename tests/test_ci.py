"""CI runs what the README tells a developer to run, on a machine it prepares the same way every time."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("libreoffice-impress", "libreoffice-writer", "libreoffice-calc", "poppler-utils",
            "fonts-dejavu-core", "fonts-liberation2", "fonts-crosextra-carlito", "chromium")


def readme_test_command() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("To run the tests:", 1)[1]
    return re.search(r"```sh\n(.*?)\n```", section, re.DOTALL).group(1).strip()


def commands(script: str) -> list[str]:
    """The script's commands, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n\s*", " ", script)
    return [line.strip() for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_ci_runs_exactly_the_readme_test_command():
    script = commands((ROOT / ".ci" / "run").read_text(encoding="utf-8"))
    assert script[-1] == readme_test_command()
    assert sum(line == readme_test_command() for line in script) == 1


def test_ci_installs_every_package_on_every_run():
    script = commands((ROOT / ".ci" / "run").read_text(encoding="utf-8"))
    update = next(i for i, line in enumerate(script) if line.startswith("apt-get update"))
    install = next(i for i, line in enumerate(script) if line.startswith("apt-get install"))
    assert update < install < len(script) - 1
    assert not any(line.startswith(("if ", "[", "command -v", "which")) or " && apt-get" in line or
                   " || apt-get" in line for line in script[:install + 1]), "the install must not be conditional"
    installed = script[install].split()
    assert "-y" in installed
    for package in PACKAGES:
        assert package in installed, package
        assert package in (ROOT / "README.md").read_text(encoding="utf-8"), f"README does not name {package}"
    assert "set -euo pipefail" in script

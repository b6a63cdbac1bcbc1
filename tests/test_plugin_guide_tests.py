"""The plugin guide's example tests, copied into a file of their own and run by pytest as a plugin author would."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "plugins.md"
pytestmark = pytest.mark.slow  # runs pytest in a subprocess on the copied snippet


def guide_test_snippet() -> str:
    """The Python block of the guide's "Testing a plugin" section, exactly as printed."""
    section = GUIDE.read_text(encoding="utf-8").split("\n## Testing a plugin", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)


def test_the_guides_plugin_tests_pass_when_copied(tmp_path):
    if importlib.util.find_spec("mapgen_ics") is None:  # the README's test command installs it
        if os.environ.get("CI"):
            pytest.fail("mapgen-ics is not installed: pip install -e plugins/mapgen-ics")
        pytest.skip("mapgen-ics is not installed")
    snippet = guide_test_snippet()
    assert "def test_generate(" in snippet and "def test_one_event_per_step(" in snippet
    (tmp_path / "test_my_plugin.py").write_text(snippet, encoding="utf-8")
    # A fresh pytest in an empty folder: only what installing mapgen provides (its pytest11 plugin).
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "MAPGEN_"))}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_my_plugin.py"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300, env=environment)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout

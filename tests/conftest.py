import atexit
import os
import shutil
import tempfile
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from tests import slow

# mapgen.testing is a pytest plugin (entry point "pytest11" in pyproject.toml), so plugin authors get its
# fixtures just by installing mapgen. Running from a source tree that is not installed, load it here.
if not any(ep.value == "mapgen.testing" for ep in entry_points(group="pytest11")):
    pytest_plugins = ("mapgen.testing",)


# The on-disk cache (mapgen/cache.py) lives in a folder of this run's, never in the user's cache; the
# suite goes through it as users do (misses first, then hits). Subprocesses inherit it.
if "MAPGEN_CACHE_DIR" not in os.environ:
    os.environ["MAPGEN_CACHE_DIR"] = _CACHE = tempfile.mkdtemp(prefix="mapgen-test-cache-")
    atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    slow.current = item  # before its fixtures are set up: a fixture starting LibreOffice counts too


@pytest.fixture(scope="session")
def acme_outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """examples/acme-enterprise.yaml built once by the real command line in every format a reader opens."""
    from mapgen.cli import main

    out = tmp_path_factory.mktemp("acme")
    brief = Path(__file__).resolve().parents[1] / "examples" / "acme-enterprise.yaml"
    with pytest.raises(SystemExit) as exit_info:
        main(["generate", str(brief), "-f", "md,html,docx,xlsx,pptx,email", "-o", str(out), "-q"])
    assert exit_info.value.code == 0
    return out

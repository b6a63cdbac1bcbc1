"""The ``slow`` marker, kept honest: starting LibreOffice or Chromium from a test not marked slow fails it.

``pytest -m "not slow"`` is the fast suite a developer runs while working; CI runs everything. A test
that needs a real reader (LibreOffice, Chromium), a fresh virtualenv, a git repository or a long
property-based run carries ``@pytest.mark.slow`` (or ``pytestmark = pytest.mark.slow`` for a module).
"""

from __future__ import annotations

import pytest

#: The test being set up or run (conftest.py sets it).
current: pytest.Item | None = None


def require(what: str) -> None:
    """Fail the running test when it is not marked slow but starts ``what``."""
    item = current
    if item is not None and item.get_closest_marker("slow") is None:
        pytest.fail(f"{item.nodeid} starts {what}: mark it @pytest.mark.slow so that "
                    f"`pytest -m \"not slow\"` stays fast", pytrace=False)

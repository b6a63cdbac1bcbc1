"""What keeps batch builds fast stays in place: one country module, templates loaded once, linear shape ids."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from briefs import brief_text  # noqa: E402


def test_a_calendar_imports_only_its_country_module(tmp_path: Path) -> None:
    brief = tmp_path / "deal.yaml"
    brief.write_text(brief_text(3).replace("country: ", "country: DE-BY #"), encoding="utf-8")
    code = ("import sys; from mapgen.cli import main\n"
            "try: main(['check', sys.argv[1]])\n"
            "except SystemExit as e: code = e.code\n"
            "print(sorted(m for m in sys.modules if m.startswith('holidays.countries.')), code)")
    result = subprocess.run([sys.executable, "-c", code, str(brief)], capture_output=True, text=True,
                            env={**os.environ, "MAPGEN_NO_CACHE": "1"})  # what a first run imports
    assert result.stdout.strip().splitlines()[-1] == "['holidays.countries.germany'] 0", result.stdout + result.stderr


def test_unknown_countries_and_subdivisions_are_still_reported() -> None:
    from mapgen.brief import unsupported_country

    assert unsupported_country("DE-BY") is None and unsupported_country("UK") is None
    assert "no holiday calendar for country 'QQ'" in unsupported_country("QQ")
    assert "subdivision 'BX' of DE" in unsupported_country("DE-BX")


def test_templates_are_loaded_once_per_catalog() -> None:
    from mapgen.catalog import default_catalog

    catalog = default_catalog()
    first = catalog.all()
    assert [id(t) for t in catalog.all()] == [id(t) for t in first]
    assert catalog.load("enterprise") is next(t for t in first if t.name == "enterprise")


def test_shape_ids_without_the_quadratic_search_are_the_same(tmp_path: Path, monkeypatch) -> None:
    """python-pptx's turbo add gives the ids its slide-wide search would: the deck is byte-identical."""
    from mapgen.builtin.pptx_deck import canvas
    from mapgen.testing import plan_from_brief
    from mapgen.plugins import formats
    from mapgen.render import context_for
    from mapgen.catalog import default_catalog

    plan = plan_from_brief(brief_text(11, 60), tmp_path=tmp_path)
    template = default_catalog().load(plan.template)
    fmt = formats()["pptx"].format
    fast = fmt.render(plan, context_for(template, "pptx"))
    monkeypatch.setattr(canvas, "_shapes", lambda slide: slide.shapes)
    assert fmt.render(plan, context_for(template, "pptx")) == fast

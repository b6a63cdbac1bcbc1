"""Test support for mapgen and its plugins (loaded as a pytest plugin: ``mapgen.testing``).

``make_plan`` builds a realistic Plan of any shape (many steps, long names, hostile text, a
late plan) through the real pipeline, from a generated template and brief, so a format
plugin is tested on plans mapgen really produces. ``plan_from_brief`` runs the real pipeline on brief text.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest

from mapgen.plan import Plan

#: Strings that break naive renderers. Each must come out of every format exactly.
HOSTILE_STRINGS: tuple[str, ...] = (
    "R&D <script>alert('x')</script> \"quoted\" 'single'",
    "Émile Zoë Ünal — naïve café ☕ 🚀👩🏽‍💻",
    "مرحبا بالعالم שלום עולם",
    "=SUM(A1:A9) looks like a formula",
    "pipes | in | cells and {{ jinja }} {% tags %}",
    "line one\nline two",
    "中文名字 日本語 한국어",
)

_WORKSTREAMS = (
    ("business_case", "Business case"),
    ("technical_validation", "Technical validation"),
    ("security", "Security"),
    ("legal", "Legal"),
    ("procurement", "Procurement"),
    ("executive_approval", "Executive approval"),
    ("signature", "Signature"),
    ("onboarding", "Kickoff and implementation"),
    ("launch", "Go-live and value"),
)


def make_plan(steps: int = 14, *, today: dt.date = dt.date(2026, 11, 2), late: bool = False,
              long_names: bool = False, hostile: bool = False, internal: int = 1,
              span_days: int | None = None) -> Plan:
    """A plan of ``steps`` steps (at least 3), signature and go-live included, built by the real
    pipeline from a generated template and brief, so it is a plan mapgen can really produce.

    ``late`` makes the target signature impossible (the first step done, the second in progress);
    ``long_names`` gives every step a 150-character name and a 2,000-character note;
    ``hostile`` puts HOSTILE_STRINGS into names, notes, people and risks;
    ``span_days`` stretches the plan over about that many calendar days.
    """
    return _make_plan(max(3, steps), today, late, long_names, hostile, internal, span_days)


@functools.lru_cache(maxsize=64)
def _make_plan(steps: int, today: dt.date, late: bool, long_names: bool, hostile: bool, internal: int,
               span_days: int | None) -> Plan:
    import json
    import tempfile

    from mapgen.pipeline import build_plan

    before = max(1, (steps * 2) // 3)
    after = steps - before
    span = span_days or max(21, steps * 6)
    gap = max(1, (span * 5 // 7) // max(1, steps))
    buyer_roles = ["champion", "economic_buyer", "legal", "security"]
    seller_roles = ["account_executive", "solutions_engineer"]
    buyer_people: list[dict[str, Any]] = [
        {"name": "John Rivera", "title": "VP Operations", "role": "champion"},
        {"name": "Dana Cho", "title": "CFO", "role": "economic_buyer"},
        {"name": "Mary Lee", "title": "Counsel", "role": "legal"},
        {"name": "Sam Patel", "title": "CISO", "role": "security"},
    ]
    seller_people: list[dict[str, Any]] = [
        {"name": "Sarah Kim", "title": "Account Executive", "role": "account_executive"},
        {"name": "Leo Park", "title": "Solutions Engineer", "role": "solutions_engineer"},
    ]
    if hostile:
        buyer_people.append({"name": HOSTILE_STRINGS[0], "title": HOSTILE_STRINGS[2], "role": "procurement"})
        seller_people.append({"name": HOSTILE_STRINGS[1], "title": "VP Sales", "role": "executive_sponsor"})
        buyer_roles.append("procurement")
        seller_roles.append("executive_sponsor")

    workstreams: dict[str, list[dict[str, Any]]] = {ws: [] for ws, _ in _WORKSTREAMS}
    milestones: dict[str, dict[str, Any]] = {}
    previous: str | None = None
    for i in range(steps):
        is_before = i < before
        if i == before - 1:
            sid, ws_index, name = "signature", 6, "Contract signed"
        elif i == steps - 1 and after:
            sid, ws_index, name = "go_live", 8, "Project launch: warehouse live"
        else:
            sid = f"step_{i + 1:04d}"
            ws_index = min(5, i * 6 // max(1, before)) if is_before else 7
            name = f"Step {i + 1}: {'**agree** the ' if i % 3 == 0 else ''}{_WORKSTREAMS[ws_index][1].lower()} milestone"
        if long_names:
            name = (name + " — " + "with a deliberately long description of the deliverable " * 4)[:150]
        if hostile and sid.startswith("step_"):
            name = HOSTILE_STRINGS[i % len(HOSTILE_STRINGS)]
        ws_id = _WORKSTREAMS[ws_index][0]
        step: dict[str, Any] = {
            "id": sid, "name": name, "duration": 0 if sid in ("signature", "go_live") else max(1, min(gap, 10)),
            "owner": {"buyer": buyer_roles[i % len(buyer_roles)],
                      "seller": "implementation_lead" if i % 5 == 4 else seller_roles[i % len(seller_roles)]},
            "description": f"Deliverable for step {i + 1}.",
        }
        if previous:
            step["after"] = [previous]
        if ws_id == "security":
            step["gate"] = "Security review call"
        if ws_id == "technical_validation":
            step["criteria"] = ["Ships 10,000 orders/day", "*p95* latency under 2 s"]
        if i == 2 and internal > 0 and sid.startswith("step_"):
            step["internal"] = True
        workstreams[ws_id].append(step)
        facts: dict[str, Any] = {}
        if long_names:
            facts["note"] = ("A very long note. " * 120)[:2000]
        elif hostile:
            facts["note"] = HOSTILE_STRINGS[(i + 3) % len(HOSTILE_STRINGS)]
        elif i % 4 == 1:
            facts["note"] = "Questionnaire sent; see [the portal](https://example.com/portal?a=1&b=2)"
        if i == 0 and sid.startswith("step_"):
            facts.update(status="done", done=(today - dt.timedelta(days=4)).isoformat())
        elif i == 1 and sid.startswith("step_"):
            facts.update(status="in_progress", started=(today - dt.timedelta(days=1)).isoformat())
        if facts:
            milestones[sid] = facts
        previous = sid
    template = {
        "name": "enterprise", "description": "Generated for tests",
        "roles": {"implementation_lead": "Implementation lead"},
        "workstreams": [{"id": ws, "name": ws_name, "milestones": workstreams[ws]}
                        for ws, ws_name in _WORKSTREAMS if workstreams[ws]],
        "check_in": "monday 10:00",
    }
    working_before = before * gap
    signature = today + dt.timedelta(days=(working_before // (3 if late else 1)) * 7 // 5 + 3)
    go_live = signature + dt.timedelta(days=(after * gap) * 7 // 5 + 14)
    risks = [
        {"risk": "Legal review could run long if **outside counsel** is needed", "owner": "Mary Lee",
         "mitigation": "Send redlines in week 1"},
        {"risk": "Security queue is six weeks", "owner": "Sam Patel", "mitigation": "Submit the questionnaire first"},
    ]
    if hostile:
        risks.append({"risk": HOSTILE_STRINGS[4], "owner": HOSTILE_STRINGS[1], "mitigation": HOSTILE_STRINGS[3]})
    outcome = "Onboard a new warehouse in **one week** instead of six, live before peak season."
    if hostile:
        outcome = HOSTILE_STRINGS[0] + " " + HOSTILE_STRINGS[1]
    brief = {
        "deal": {"name": HOSTILE_STRINGS[0] if hostile else "Acme warehouse platform", "amount": 250000},
        "buyer": {"company": HOSTILE_STRINGS[6] if hostile else "Acme Corp", "country": "US", "outcome": outcome,
                  "people": buyer_people},
        "seller": {"company": "Northwind", "people": seller_people},
        "dates": {"today": today.isoformat(), "signature": signature.isoformat()}
        | ({"go_live": go_live.isoformat()} if after else {}),
        "milestones": milestones,
        "risks": risks,
    }
    folder = Path(tempfile.mkdtemp(prefix="mapgen-make-plan-"))
    (folder / "template").mkdir()
    # JSON is YAML: exact strings, whatever they hold.
    (folder / "template" / "template.yaml").write_text(json.dumps(template, indent=1, ensure_ascii=False), encoding="utf-8")
    (folder / "sample.yaml").write_text(json.dumps(brief, indent=1, ensure_ascii=False), encoding="utf-8")
    return build_plan(folder / "sample.yaml", template=str(folder / "template"), display="sample.yaml")


def plan_from_brief(brief_text: str, *, today: dt.date | None = None, tmp_path: Path | None = None,
                    template: str | None = None) -> Plan:
    """Run the real pipeline (brief -> template -> schedule -> plan) on YAML text."""
    import tempfile

    from mapgen.pipeline import build_plan

    folder = tmp_path or Path(tempfile.mkdtemp(prefix="mapgen-test-"))
    path = folder / "brief.yaml"
    path.write_text(brief_text, encoding="utf-8")
    return build_plan(path, today=today, template=template)


@pytest.fixture
def sample_plan() -> Plan:
    """A typical 14-step enterprise plan, feasible."""
    return make_plan()


@pytest.fixture
def late_plan() -> Plan:
    """A plan whose target signature date cannot be met."""
    return make_plan(late=True)


@pytest.fixture
def hostile_plan() -> Plan:
    """A plan whose text fields hold HOSTILE_STRINGS."""
    return make_plan(hostile=True)


@pytest.fixture
def render():  # type: ignore[no-untyped-def]
    """``render(format_name, plan, audience="buyer", **options) -> bytes`` through the registered format,
    given the plan filtered for ``audience`` as ``mapgen generate`` gives it."""
    from mapgen.formats import RenderContext
    from mapgen.plugins import formats

    def _render(name: str, plan: Plan, *, template_dirs: tuple[Path, ...] = (), audience: str = "buyer",
                **options: Any) -> bytes:
        registered = formats()[name]
        context = RenderContext(template_dirs=template_dirs, options=options, audience=audience)
        given = plan if registered.format.full_plan else plan.for_reader(audience)  # type: ignore[arg-type]
        return registered.format.render(given, context)

    return _render


@pytest.fixture
def register_plugin():  # type: ignore[no-untyped-def]
    """``register_plugin(plugin, name=None)``: load a plugin (module, class or object) for one test.

    Its hooks are checked against mapgen's hookspecs (a misspelled hook fails), its formats and
    commands become available, and everything is unloaded after the test.
    """
    from mapgen import plugins
    from mapgen.cli import cli

    pm = plugins.get_plugin_manager()
    commands_before = set(cli.commands)
    added: list[str] = []

    def _register(plugin: Any, name: str | None = None) -> Any:
        name = name or getattr(plugin, "__name__", None) or type(plugin).__name__
        pm.register(plugin, name=name)
        added.append(name)
        pm.check_pending()
        plugins.formats.cache_clear()
        cli._plugins_loaded = False  # type: ignore[attr-defined]
        return plugin

    yield _register
    for name in added:
        pm.unregister(name=name)
    for command in set(cli.commands) - commands_before:
        del cli.commands[command]
    plugins.formats.cache_clear()
    cli._plugins_loaded = False  # type: ignore[attr-defined]


def iter_formats() -> Iterator[str]:
    from mapgen.plugins import formats

    return iter(formats().names())


@dataclass(frozen=True)
class CliResult:
    """What a user sees from one ``mapgen`` run: exit code, stdout, stderr."""

    code: int
    out: str
    err: str

    @property
    def errors(self) -> list[str]:
        return [line for line in self.err.splitlines() if ": error: " in line]


@pytest.fixture
def mapgen_cli(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """``mapgen_cli(*args) -> CliResult``: run the real command line in-process."""
    from mapgen.cli import main

    def _run(*args: object) -> CliResult:
        capsys.readouterr()
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return _run

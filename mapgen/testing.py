"""Test support for mapgen and its plugins (loaded as a pytest plugin: ``mapgen.testing``).

``make_plan`` builds a realistic Plan directly, without a brief or the scheduler, so a
format plugin can be tested on any shape of plan: many steps, long names, hostile text,
a late plan. ``plan_from_brief`` runs the real pipeline on brief text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterator

import pytest

from mapgen.plan import (CalendarInfo, CheckIn, Deal, KeyDate, Milestone, Owner, Owners, Party, Person, Plan,
                         Risk, Workstream)

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


def _weekdays_back(end: dt.date, count: int) -> dt.date:
    day = end
    while count > 0:
        day -= dt.timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def _weekdays_forward(start: dt.date, count: int) -> dt.date:
    day = start
    while count > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def make_plan(steps: int = 14, *, today: dt.date = dt.date(2026, 11, 2), late: bool = False,
              long_names: bool = False, hostile: bool = False, internal: int = 1,
              span_days: int | None = None) -> Plan:
    """A plan of ``steps`` steps (at least 3), signature and go-live included.

    ``late`` puts the first steps' dates before ``today`` and makes the plan infeasible;
    ``long_names`` gives every step a 150-character name and a 2,000-character note;
    ``hostile`` puts HOSTILE_STRINGS into names, notes, people and risks;
    ``span_days`` stretches the plan over about that many calendar days.
    """
    steps = max(3, steps)
    before = max(1, (steps * 2) // 3)
    after = steps - before
    span = span_days or max(21, steps * 6)
    gap = max(1, (span * 5 // 7) // max(1, steps))
    signature_date = _weekdays_forward(today, (before * gap) - (8 * gap if late else 0) + 1)
    buyer_people = (
        Person("John Rivera", "buyer", "champion", "VP Operations"),
        Person("Dana Cho", "buyer", "economic_buyer", "CFO"),
        Person("Mary Lee", "buyer", "legal", "Counsel"),
        Person("Sam Patel", "buyer", "security", "CISO"),
    )
    seller_people = (
        Person("Sarah Kim", "seller", "account_executive", "Account Executive"),
        Person("Leo Park", "seller", "solutions_engineer", "Solutions Engineer"),
    )
    if hostile:
        buyer_people = buyer_people + (Person(HOSTILE_STRINGS[0], "buyer", "procurement", HOSTILE_STRINGS[2]),)
        seller_people = seller_people + (Person(HOSTILE_STRINGS[1], "seller", "executive_sponsor", "VP Sales"),)

    milestones: list[Milestone] = []
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
        if is_before:
            due = _weekdays_back(signature_date, (before - 1 - i) * gap)
        else:
            due = _weekdays_forward(signature_date, (i - before + 1) * gap)
        duration = 0 if sid == "signature" else max(1, min(gap, 10))
        start = _weekdays_back(due, max(0, duration - 1))
        shift = 8 * gap if late else 0
        earliest_start = max(today, _weekdays_forward(start, shift)) if late else max(today, start)
        earliest_due = _weekdays_forward(earliest_start, max(0, duration - 1))
        status = "done" if (late and i == 0) else ("in_progress" if i == 1 else "not_started")
        is_late = late and status != "done" and (due < today or (status == "not_started" and start < today))
        ws_id, ws_name = _WORKSTREAMS[ws_index]
        note: str | None = None
        if long_names:
            note = ("A very long note. " * 120)[:2000]
        elif hostile:
            note = HOSTILE_STRINGS[(i + 3) % len(HOSTILE_STRINGS)]
        elif i % 4 == 1:
            note = "Questionnaire sent; see [the portal](https://example.com/portal?a=1&b=2)"
        milestones.append(Milestone(
            id=sid, number=i + 1, name=name, workstream=ws_id, workstream_name=ws_name,
            phase="before_signature" if is_before else "after_signature", duration=duration,
            after=(previous,) if previous else (), start=start, due=due,
            earliest_start=earliest_start, earliest_due=earliest_due,
            slack=-(8 * gap) if late else 0, critical=(i % 2 == 0) or sid in ("signature", "go_live"),
            late=is_late, status=status, done=due if status == "done" else None,
            owners=Owners(Owner(buyer_people[i % len(buyer_people)].name, buyer_people[i % len(buyer_people)].role),
                          Owner("Solutions engineer (to be named)", "solutions_engineer", named=False)
                          if i % 5 == 4 else Owner(seller_people[0].name, "account_executive")),
            internal=(i == 2 and internal > 0),
            gate="Security review call" if ws_id == "security" else None,
            note=note,
            description=f"Deliverable for step {i + 1}.",
            criteria=("Ships 10,000 orders/day", "*p95* latency under 2 s") if ws_id == "technical_validation" else (),
        ))
        previous = sid
    milestones.sort(key=lambda m: (m.due, m.start, m.number))
    milestones = [replace(m, number=n) for n, m in enumerate(milestones, 1)]
    by_id = {m.id: m for m in milestones}
    signature = by_id["signature"]
    go_live = by_id.get("go_live")
    workstreams = tuple(
        Workstream(ws_id, ws_name, tuple(m.id for m in milestones if m.workstream == ws_id))
        for ws_id, ws_name in _WORKSTREAMS if any(m.workstream == ws_id for m in milestones))
    risks = (
        Risk("Legal review could run long if **outside counsel** is needed", "Mary Lee", "Send redlines in week 1"),
        Risk("Security queue is six weeks", "Sam Patel", "Submit the questionnaire first"),
    )
    if hostile:
        risks += (Risk(HOSTILE_STRINGS[4], HOSTILE_STRINGS[1], HOSTILE_STRINGS[3]),)
    outcome = "Onboard a new warehouse in **one week** instead of six, live before peak season."
    if hostile:
        outcome = HOSTILE_STRINGS[0] + " " + HOSTILE_STRINGS[1]
    next_monday = today + dt.timedelta(days=(7 - today.weekday()) or 7)
    return Plan(
        deal=Deal(HOSTILE_STRINGS[0] if hostile else "Acme warehouse platform", 250000, "USD"),
        template="enterprise",
        buyer=Party(HOSTILE_STRINGS[6] if hostile else "Acme Corp", buyer_people, outcome, "US"),
        seller=Party("Northwind", seller_people),
        today=today,
        signature=KeyDate(signature.due, signature.earliest_due, signature.earliest_due <= signature.due),
        go_live=KeyDate(go_live.due, go_live.earliest_due, go_live.earliest_due <= go_live.due) if go_live else None,
        milestones=tuple(milestones),
        workstreams=workstreams,
        risks=risks,
        check_in=CheckIn(0, dt.time(10, 0), "monday 10:00"),
        next_check_in=dt.datetime.combine(next_monday, dt.time(10, 0)),
        warnings=("no seller person has role 'solutions_engineer'",),
        calendar=CalendarInfo("US", None),
        source="sample.yaml",
    )


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
    """``render(format_name, plan, **options) -> bytes`` through the registered format."""
    from mapgen.formats import RenderContext
    from mapgen.plugins import formats

    def _render(name: str, plan: Plan, *, template_dirs: tuple[Path, ...] = (), include_internal: bool = False,
                **options: Any) -> bytes:
        registered = formats()[name]
        context = RenderContext(template_dirs=template_dirs, options=options, include_internal=include_internal)
        return registered.format.render(plan, context)

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

"""brief -> template -> steps -> schedule -> Plan: the one-way flow every command uses."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, replace
from types import MappingProxyType
from pathlib import Path
from typing import Any, Sequence

from mapgen.brief import LoadedBrief, check_done_dates, load_brief, parse_check_in
from mapgen.calendar import BusinessCalendar, holidays_version, weekly_occurrence
from mapgen.errors import MapgenError, Problem, did_you_mean
from mapgen.expressions import evaluate
from mapgen.facts import deal_facts, whole_amount
from mapgen.plan import (DEFAULT_PLACEMENT, CalendarInfo, CheckIn, Deal, Milestone, Owner, Owners, Party, Person, Plan,
                         Qualification, Risk, Workstream, role_label)
from mapgen.risks import derived_risks
from mapgen.scheduler import DEFAULT_AT_RISK_SLACK, schedule
from mapgen.step import Step
from mapgen.steps import apply_brief, apply_rules, condition_context, resolve_dependencies
from mapgen.catalog import Catalog, default_catalog, load_template
from mapgen.template import Template


#: Field data: plans with 11 to 15 customer-facing steps do best, past about 30 none are read.
LONGEST_READ_PLAN = 30


def resolve_today(cli_today: dt.date | None, loaded: LoadedBrief | None) -> dt.date:
    """``--today``, then the brief's ``dates.today``, then SOURCE_DATE_EPOCH, then the system date."""
    if cli_today is not None:
        return cli_today
    if loaded is not None and loaded.brief.dates.today is not None:
        return loaded.brief.dates.today
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date()
        except (ValueError, OverflowError, OSError):
            raise MapgenError(f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix timestamp") from None
    return dt.date.today()


def select_template(loaded: LoadedBrief, catalog: Catalog, explicit: str | None, today: dt.date) -> Template:
    """``--template`` wins, then ``deal.segment``, then the templates' own selection rules."""
    if explicit:
        return catalog.load(explicit)
    segment = loaded.brief.deal.segment
    if segment:
        if catalog.folder_of(segment) is None:
            raise MapgenError([loaded.lines.problem(("deal", "segment"), f"deal.segment: no template named "
                                                    f"'{segment}'{did_you_mean(segment, catalog.names())}")])
        return load_template(catalog.folder_of(segment), catalog)  # a name on the search path, never a folder
    context = condition_context(loaded.brief, today)
    matches: list[Template] = []
    broken: list[Problem] = []  # a broken template only matters to a deal no other template takes
    for template in catalog.all_valid(broken):
        if template.select_when is None:
            continue
        try:
            if evaluate(template.select_when, context):
                matches.append(template)
        except MapgenError as exc:
            source = template.select_source
            broken.append(Problem(exc.problems[0].message, source.file if source else template.file,
                                  source.line if source else None))
    if not matches:
        raise MapgenError(broken + [loaded.lines.problem(("deal",), "no template's selection rule matches this "
                                                         "deal; set deal.segment")])
    matches.sort(key=lambda t: (-t.select_priority, t.name))
    return matches[0]


@dataclass(frozen=True)
class Draft:
    """Everything decided before scheduling (what ``mapgen check`` validates)."""

    loaded: LoadedBrief
    template: Template
    today: dt.date
    steps: tuple[Step, ...]
    warnings: tuple[str, ...]


def draft(loaded: LoadedBrief, *, today: dt.date | None = None, template: str | None = None,
          catalog: Catalog | None = None) -> Draft:
    from mapgen.roles import brief_role_problems

    day = resolve_today(today, loaded)
    problems: list[Problem] = []  # every problem of the brief in one run
    try:
        check_done_dates(loaded, day)
    except MapgenError as exc:
        problems += exc.problems
    catalog = catalog or default_catalog()
    try:
        chosen = select_template(loaded, catalog, template, day)
    except MapgenError as exc:
        raise MapgenError(problems + list(exc.problems)) from None
    problems += brief_role_problems(loaded, chosen, catalog)
    steps, warnings = apply_rules(chosen, condition_context(loaded.brief, day))
    try:
        steps, brief_warnings = apply_brief(steps, chosen, loaded)
    except MapgenError as exc:
        problems += exc.problems
    if problems:
        raise MapgenError(problems)
    result = tuple(_through_plugins("adjust_steps", "steps", tuple(steps), loaded.file,
                                    deal=deal_facts(loaded.brief, chosen.name, day), brief=loaded.brief))
    if loaded.brief.dates.go_live and not any(s.id == "go_live" and not s.skip for s in result):
        raise MapgenError([loaded.lines.problem(("dates", "go_live"), f"dates.go_live: template '{chosen.name}' "
                                                "has no go_live step for this deal")])
    return Draft(loaded, chosen, day, result, tuple(warnings + brief_warnings))


@dataclass(frozen=True)
class Planned:
    """A brief planned: the brief as read, the template it used (formats read their assets from it), the Plan."""

    loaded: LoadedBrief
    template: Template
    plan: Plan


def plan_brief(path: Path | str, *, today: dt.date | None = None, template: str | None = None,
               catalog: Catalog | None = None, display: str | None = None) -> Planned:
    """The one way every command turns a brief file into a Plan: load -> draft -> schedule."""
    loaded = load_brief(Path(path), display=display)
    d = draft(loaded, today=today, template=template, catalog=catalog)
    return Planned(loaded, d.template, plan_from_draft(d))


def build_plan(path: Path | str, *, today: dt.date | None = None, template: str | None = None,
               catalog: Catalog | None = None, display: str | None = None) -> Plan:
    """Load a brief and turn it into a scheduled Plan."""
    return plan_brief(path, today=today, template=template, catalog=catalog, display=display).plan


def plan_from_draft(d: Draft) -> Plan:
    loaded, brief = d.loaded, d.loaded.brief
    placement = dict(brief.placement or d.template.placement or DEFAULT_PLACEMENT)
    try:
        steps = resolve_dependencies(d.steps)
        calendar = BusinessCalendar(brief.calendar_country, brief.calendar.closed, brief.calendar.weekend)
        result = schedule(steps, calendar, d.today, brief.dates.signature, brief.dates.go_live,
                          placement=placement,  # type: ignore[arg-type]
                          at_risk_slack=d.template.at_risk_slack if d.template.at_risk_slack is not None
                          else DEFAULT_AT_RISK_SLACK)
    except MapgenError as exc:
        line = _line_of_steps(loaded, getattr(exc, "steps", ())) or loaded.lines.line(getattr(exc, "where", ()))
        raise MapgenError([Problem(p.message, p.file or loaded.file, p.line or line) for p in exc.problems]) from None

    buyer_people = tuple(Person(p.name, "buyer", p.role, p.title, p.email) for p in brief.buyer.people)
    seller_people = tuple(Person(p.name, "seller", p.role, p.title, p.email) for p in brief.seller.people)
    warnings = list(d.warnings) + list(result.warnings)
    owners = _Owners(buyer_people, seller_people, d.template)
    workstream_names = dict(d.template.workstreams)
    order = {s.id: n for n, s in enumerate(steps)}
    milestones = []
    for s in steps:
        when = result.steps[s.id]
        milestones.append(Milestone(
            id=s.id, number=0, name=s.name, workstream=s.workstream,
            workstream_name=workstream_names.get(s.workstream, role_label(s.workstream)), phase=when.phase,
            duration=s.duration, after=s.after, start=when.start, due=when.due,
            earliest_start=when.earliest_start, earliest_due=when.earliest_due,
            latest_start=when.latest_start, latest_due=when.latest_due,
            actual_start=when.actual_start, actual_done=when.actual_done, pinned=when.pinned,
            slack=when.slack, critical=when.critical, state=when.state, status=s.status,
            owners=Owners(NO_BUYER_OWNER if s.internal and not s.buyer_owner else
                          owners.resolve("buyer", s.buyer_role, s.buyer_owner, s.name),
                          owners.resolve("seller", s.seller_role, s.seller_owner, s.name)),
            internal=s.internal, gate=s.gate, note=s.note, description=s.description, criteria=s.criteria,
            resources=s.resources))
    # Customer-facing steps are numbered first, so the numbers a buyer sees run 1..n without gaps.
    milestones.sort(key=lambda m: (m.internal, m.due, m.start, order[m.id]))
    milestones = [replace(m, number=n) for n, m in enumerate(milestones, 1)]
    milestones.sort(key=lambda m: (m.due, m.start, order[m.id]))
    warnings.extend(owners.warnings())
    facing = sum(1 for m in milestones if not m.internal)
    if facing > LONGEST_READ_PLAN:
        warnings.append(f"the plan has {facing} customer-facing steps: past about {LONGEST_READ_PLAN} a plan stops "
                        f"being read; consider merging steps or marking some internal")

    check_in_text = brief.check_in or d.template.check_in
    check_in = next_check_in = moved = None
    if check_in_text:
        weekday, time, text = parse_check_in(check_in_text)
        check_in = CheckIn(weekday, time, text)
        next_check_in, moved_from, reason = weekly_occurrence(calendar, weekday, time, d.today)
        if moved_from is not None:
            moved = (moved_from, reason or "not a working day")
    first, last = result.span()
    first = min(first, d.today)
    last = max(last, next_check_in.date() if next_check_in else last)
    plan = Plan(
        deal=Deal(brief.deal.name, whole_amount(brief.deal.amount), brief.deal.currency),
        template=d.template.name,
        buyer=Party(brief.buyer.company, buyer_people, brief.buyer.outcome, brief.buyer.country),
        seller=Party(brief.seller.company, seller_people),
        today=d.today, signature=result.signature, go_live=result.go_live,
        milestones=tuple(milestones),
        workstreams=tuple(Workstream(w, name, tuple(m.id for m in milestones if m.workstream == w))
                          for w, name in d.template.workstreams),
        risks=tuple(Risk(r.risk, r.owner, r.mitigation) for r in brief.risks),
        check_in=check_in, next_check_in=next_check_in, check_in_moved=moved,
        warnings=tuple(dict.fromkeys(warnings)),
        calendar=CalendarInfo(calendar.country, calendar.subdivision, calendar.closed,
                              tuple(sorted(calendar.weekend)),
                              MappingProxyType(calendar.holidays_between(first, last)),
                              holidays_version() if calendar.country else None),
        source=loaded.file, texts=d.template.text, placement=MappingProxyType(placement),
        qualification=_qualification(brief.qualification))
    plan = replace(plan, risks=plan.risks + derived_risks(plan, result.conflicts))
    return adjust_plan(plan)


def _line_of_steps(loaded: LoadedBrief, steps: Sequence[str]) -> int | None:
    """Where the brief adds or changes one of ``steps``: what a user edits to fix a cycle."""
    for index, added in enumerate(loaded.brief.add):
        if added.id in steps:
            return loaded.lines.line(("add", index))
    for key in loaded.brief.milestones:
        if key in steps:
            return loaded.lines.line(("milestones", key))
    return None


def adjust_plan(plan: Plan) -> Plan:
    return _through_plugins("adjust_plan", "plan", plan, plan.source)


def _through_plugins(hook: str, argument: str, value: Any, file: str | None, **extra: Any) -> Any:
    """Pass ``value`` through each plugin's ``hook`` in turn; a plugin's crash is reported with its name."""
    from mapgen.plugins import chain_hook

    return chain_hook(hook, argument, value, file, **extra)


def _qualification(given: Any) -> Qualification | None:
    if given is None:
        return None
    return Qualification(tuple(given.metrics), tuple(given.decision_criteria), tuple(given.competition),
                         given.compelling_event)


#: The buyer's side of a step the seller does on its own (``internal: true``): nobody at the buyer owns it,
#: whatever role the template names, unless the brief names someone.
NO_BUYER_OWNER = Owner("—", None)


class _Owners:
    """Owners by role; roles no one holds show as '<Role> (to be named)' and are reported once."""

    def __init__(self, buyer: Sequence[Person], seller: Sequence[Person], template: Template) -> None:
        self.people = {"buyer": buyer, "seller": seller}
        self.labels = template.roles
        self.roles = set(template.roles) | {r for s in template.steps for r in (s.buyer_role, s.seller_role)}
        self.missing: dict[tuple[str, str], list[str]] = {}
        self.strangers: list[str] = []

    def resolve(self, side: str, role: str, override: str | None, step_name: str) -> Owner:
        people = self.people[side]
        if override:
            for person in people:
                if person.role == override:
                    return Owner(person.name, person.role)
            holder = next((p for p in people if p.name == override), None)
            if holder is not None:
                return Owner(holder.name, holder.role)
            as_role = override.strip().lower().replace(" ", "_").replace("-", "_")
            if as_role in self.roles:
                role = as_role
            else:
                self.strangers.append(f"{side} owner '{override}' of {step_name} is not among {side}.people")
                return Owner(override, None)
        for person in people:
            if person.role == role:
                return Owner(person.name, role)
        self.missing.setdefault((side, role), []).append(step_name)
        return Owner(f"{self.labels.get(role, role_label(role))} (to be named)", role, named=False)

    def warnings(self) -> list[str]:
        from mapgen.markup import plain

        out = []
        for (side, role), steps in self.missing.items():
            label = self.labels.get(role, role_label(role))
            shown = ", ".join(plain(s) for s in steps[:3]) + (f" and {len(steps) - 3} more" if len(steps) > 3 else "")
            out.append(f"no {side} person has role '{role}': {label} (to be named) owns {shown}")
        return out + self.strangers

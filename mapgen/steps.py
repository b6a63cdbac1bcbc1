"""The steps of one deal: the template's, changed by its rules and by the brief.

Flow: template steps -> rules (add, skip, set) -> brief (milestones, add) -> plugins'
``adjust_steps`` -> skipped steps removed with their dependencies bridged -> scheduler.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any, Iterable, Mapping

from mapgen.brief import Brief, LoadedBrief, OwnerNames
from mapgen.errors import MapgenError, Problem, did_you_mean
from mapgen.expressions import EU, evaluate
from mapgen.step import Resources, Step, patch
from mapgen.template import Template, patch_step


def condition_context(brief: Brief, today: dt.date) -> dict[str, Any]:
    """What a template condition can read about the deal."""
    country = brief.buyer.country or ""
    return {
        "deal": {"name": brief.deal.name, "amount": brief.deal.amount, "currency": brief.deal.currency,
                 "segment": brief.deal.segment},
        "buyer": {"company": brief.buyer.company, "country": country or None,
                  "country_code": country.split("-")[0] or None,
                  "subdivision": country.partition("-")[2] or None,
                  "roles": sorted({p.role for p in brief.buyer.people if p.role}),
                  "people": len(brief.buyer.people)},
        "seller": {"company": brief.seller.company,
                   "roles": sorted({p.role for p in brief.seller.people if p.role}),
                   "people": len(brief.seller.people)},
        "dates": {"today": today, "signature": brief.dates.signature, "go_live": brief.dates.go_live},
        "EU": EU,
    }


def _sample(**changes: Any) -> dict[str, Any]:
    today = dt.date(2026, 11, 2)
    data: dict[str, Any] = {
        "deal": {"name": "Sample", "amount": 250000, "currency": "USD", "segment": None},
        "buyer": {"company": "Buyer", "country": "DE-BY", "outcome": "Sample outcome",
                  "people": [{"name": "A", "role": "champion"}]},
        "seller": {"company": "Seller", "people": [{"name": "B", "role": "account_executive"}]},
        "dates": {"today": today.isoformat(), "signature": "2026-12-18", "go_live": "2027-03-01"},
    }
    for key, value in changes.items():
        section, _, field_name = key.partition("__")
        if value is _DROP:
            data[section].pop(field_name, None)
        else:
            data[section][field_name] = value
    return condition_context(Brief.model_validate(data), today)


_DROP = object()


def sample_context() -> dict[str, Any]:
    """A plausible deal, to try a template's conditions when there is no brief (``mapgen check``)."""
    return _sample()


def sample_contexts() -> list[tuple[str, dict[str, Any], str]]:
    """The deals ``template check`` tries every condition against: a condition must work for each of them
    (``deal.amount >= 50000`` breaks the deal with no amount)."""
    return [
        ("typical", _sample(), ""),
        ("no amount", _sample(deal__amount=None), "deal.amount is not none and ..."),
        ("amount zero", _sample(deal__amount=0), ""),
        ("huge deal", _sample(deal__amount=250_000_000, deal__currency="EUR"), ""),
        ("EU buyer", _sample(buyer__country="FR"), ""),
        ("no country", _sample(buyer__country=None), "buyer.country is not none and ..."),
        ("go-live only", _sample(dates__signature=_DROP), "dates.signature is not none and ..."),
        ("signature only", _sample(dates__go_live=_DROP), "dates.go_live is not none and ..."),
        ("nobody named", _sample(buyer__people=[], seller__people=[], seller__company=""), ""),
        ("with a segment", _sample(deal__segment="enterprise"), ""),
    ]


def apply_rules(template: Template, context: Mapping[str, Any]) -> tuple[list[Step], list[str]]:
    """The template's steps after every rule whose condition holds."""
    steps: dict[str, Step] = {s.id: s for s in template.steps}
    skipped: set[str] = set()
    warnings: list[str] = []
    for rule in template.rules:
        try:
            holds = evaluate(rule.when, context)
        except MapgenError as exc:
            raise MapgenError([rule.source.problem(exc.problems[0].message)]) from None
        if not holds:
            continue
        for added in rule.add:
            steps[added.id] = added
            skipped.discard(added.id)
        skipped.update(rule.skip)
        for key, change in rule.set.items():
            if key in steps:
                steps[key] = patch_step(steps[key], change)
        if rule.warn:
            warnings.append(rule.warn)
    return [s for key, s in steps.items() if key not in skipped], warnings


def apply_brief(steps: list[Step], template: Template, loaded: LoadedBrief) -> tuple[list[Step], list[str]]:
    """The brief's facts about template steps, and its own added steps."""
    brief, lines = loaded.brief, loaded.lines
    problems: list[Problem] = []
    warnings: list[str] = []
    by_id = {s.id: n for n, s in enumerate(steps)}
    known = set(template.step_ids()) | {s.id for rule in template.rules for s in rule.add}
    for key, facts in brief.milestones.items():
        if key not in by_id:
            if key in known:
                warnings.append(f"milestones.{key}: template '{template.name}' leaves this step out for this deal")
            else:
                problems.append(lines.problem(("milestones", key),
                                              f"milestones.{key}: no such milestone in template '{template.name}'"
                                              f"{did_you_mean(key, by_id)}"))
            continue
        if key == "signature" and facts.skip:
            problems.append(lines.problem(("milestones", key, "skip"), "milestones.signature: cannot be skipped"))
            continue
        steps[by_id[key]] = patch(steps[by_id[key]], skip=facts.skip or None,
                                  **_facts(facts, steps[by_id[key]].resources))
    workstreams = {w for w, _ in template.workstreams}
    added_ids = {s.id for s in brief.add}
    for index, add in enumerate(brief.add):
        where = ("add", index)
        if add.id in by_id or add.id in {s.id for s in brief.add[:index]}:
            problems.append(lines.problem(where + ("id",), f"add[{index}].id: '{add.id}' is already a step"))
            continue
        if add.workstream not in workstreams:
            problems.append(lines.problem(where + ("workstream",), f"add[{index}].workstream: no workstream "
                                          f"'{add.workstream}' in template '{template.name}'"
                                          f"{did_you_mean(add.workstream, workstreams)}"))
        for field_name in ("after", "before"):
            for ref in getattr(add, field_name):
                if ref not in by_id and ref not in added_ids:
                    problems.append(lines.problem(where + (field_name,),
                                                  f"add[{index}].{field_name}: no such milestone '{ref}'"
                                                  f"{did_you_mean(ref, list(by_id) + list(added_ids))}"))
        steps.append(patch(Step(id=add.id, name=add.name, workstream=add.workstream, duration=add.duration,
                                after=add.after, before=add.before, gate=add.gate, criteria=add.criteria,
                                description=add.description, internal=add.internal), **_facts(add)))
    if problems:
        raise MapgenError(problems)
    return steps, warnings


def _facts(facts: Any, current: Resources = Resources()) -> dict[str, Any]:
    """What a brief says about a step (``milestones.ID`` or an ``add:`` entry), as a patch; ``current`` are
    the step's resources so far (a side the brief gives replaces the template's, a side left out is kept)."""
    owner: OwnerNames | None = facts.owner
    return {"duration": facts.duration, "status": facts.status, "done": facts.done, "started": facts.started,
            "pin_due": facts.due, "pin_start": facts.start, "note": facts.note, "name": facts.name,
            "resources": facts.resources.apply(current) if facts.resources else None,
            "owner_buyer": owner.buyer if owner else None, "owner_seller": owner.seller if owner else None}


def resolve_dependencies(steps: Iterable[Step]) -> list[Step]:
    """Drop skipped steps, bridge their dependencies, and fold ``before`` into ``after``."""
    step_list = list(steps)
    after: dict[str, list[str]] = {s.id: list(s.after) for s in step_list}
    for step in step_list:
        for target in step.before:
            if target in after:
                after[target].append(step.id)
            else:
                raise MapgenError(f"{step.id}: 'before' names unknown step '{target}'")
    for step in step_list:
        for ref in step.after:
            if ref not in after:
                raise MapgenError(f"{step.id}: 'after' names unknown step '{ref}'")
    skipped = {s.id for s in step_list if s.skip}
    memo: dict[str, list[str]] = {}

    def live_preds(node: str, trail: tuple[str, ...] = ()) -> list[str]:
        if node in memo:
            return memo[node]
        if node in trail:
            return []  # a cycle: the scheduler reports it
        out: list[str] = []
        for pred in after[node]:
            if pred in skipped:
                out.extend(live_preds(pred, trail + (node,)))
            else:
                out.append(pred)
        memo[node] = list(dict.fromkeys(out))
        return memo[node]

    return [replace(s, after=tuple(live_preds(s.id)), before=()) for s in step_list if s.id not in skipped]

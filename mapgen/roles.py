"""Role ids: which a template knows, and unknown ones in briefs and templates as errors with suggestions.

A role is known when a template declares it in ``roles:`` or a step is owned by it, in the
template itself or in any shipped template (the shipped role list: ``champion``, ``legal``,
``security``...). A brief may name any known role of the templates on the search path, so a
deal that moves from ``enterprise`` to ``smb`` keeps its legal counsel.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Iterable

from mapgen.errors import Problem, did_you_mean

if TYPE_CHECKING:
    from mapgen.brief import LoadedBrief
    from mapgen.catalog import Catalog
    from mapgen.template import Template


def template_roles(template: "Template") -> set[str]:
    """The roles a template declares or has a step owned by (rules' steps and changes included)."""
    roles = set(template.roles)
    steps = list(template.steps) + [s for rule in template.rules for s in rule.add]
    roles.update(r for s in steps for r in (s.buyer_role, s.seller_role))
    for rule in template.rules:
        for change in rule.set.values():
            if change.owner is not None:
                roles.update(r for r in (change.owner.buyer, change.owner.seller) if r)
    return roles


@lru_cache(maxsize=1)
def shipped_roles() -> frozenset[str]:
    """Every role the shipped templates declare in ``roles:``, read from their files (not validated again)."""
    from mapgen.errors import MapgenError
    from mapgen.template import read_template_file, shipped_templates

    root = shipped_templates()
    roles: set[str] = set()
    for folder in sorted(root.iterdir()) if root.is_dir() else ():
        try:
            raw, _ = read_template_file(folder)
        except MapgenError:
            continue
        roles.update(raw.roles)
    return frozenset(roles)


#: What people call a role, by title: ``role: ciso`` most likely means ``security``.
_BY_TITLE = {
    "ciso": "security", "cso": "security", "infosec": "security", "security_officer": "security",
    "counsel": "legal", "lawyer": "legal", "general_counsel": "legal", "attorney": "legal",
    "cfo": "economic_buyer", "ceo": "economic_buyer", "decision_maker": "economic_buyer", "budget_owner": "economic_buyer",
    "purchasing": "procurement", "sourcing": "procurement", "cto": "technical_evaluator", "cio": "technical_evaluator",
    "architect": "technical_evaluator", "it": "technical_evaluator", "ae": "account_executive", "sales": "account_executive",
    "se": "solutions_engineer", "presales": "solutions_engineer", "csm": "customer_success",
    "sponsor": "executive_sponsor", "users": "end_users", "end_user": "end_users",
}


def suggest_role(role: str, known: set[str] | frozenset[str]) -> str:
    """`` (did you mean security?)`` for ``ciso`` or ``securty``."""
    meant = _BY_TITLE.get(role)
    if meant in known:
        return f" (did you mean {meant}?)"
    return did_you_mean(role, known)


def _listed(roles: Iterable[str]) -> str:
    return ", ".join(sorted(roles))


def brief_role_problems(loaded: "LoadedBrief", template: "Template", catalog: "Catalog | None") -> list[Problem]:
    """People whose role no template knows: ``buyer.people[2].role: unknown role 'ciso' (did you mean ...)``."""
    own = template_roles(template)
    known = set(own)
    people = [p for side in ("buyer", "seller") for p in getattr(loaded.brief, side).people]
    if any(p.role is not None and p.role not in known for p in people):  # read more only when needed
        known |= shipped_roles()
    if catalog is not None and any(p.role is not None and p.role not in known for p in people):
        for other in catalog.all_valid([]):  # only when needed: a batch of ordinary briefs loads nothing more
            known |= template_roles(other)
    problems = []
    for side in ("buyer", "seller"):
        for index, person in enumerate(getattr(loaded.brief, side).people):
            if person.role is None or person.role in known:
                continue
            where = (side, "people", index, "role")
            problems.append(loaded.lines.problem(where, f"{side}.people[{index}].role: unknown role '{person.role}'"
                                                        f"{suggest_role(person.role, known)}; the roles of template "
                                                        f"'{template.name}': {_listed(own)}"))
    return problems


def template_role_problems(template: "Template") -> list[Problem]:
    """Step owners naming a role the template does not declare in ``roles:`` and no shipped template knows."""
    known = set(template.roles)
    if not template_roles(template) <= known:  # the shipped templates' roles are read (two files) only when needed
        known |= shipped_roles()
    problems = []
    steps = list(template.steps) + [s for rule in template.rules for s in rule.add]
    for step in steps:
        for side, role in (("buyer", step.buyer_role), ("seller", step.seller_role)):
            if role not in known and step.source is not None:
                problems.append(step.source.problem(
                    f"{step.id}: owner.{side}: unknown role '{role}'{suggest_role(role, known)} (declare it under "
                    f"roles: with the name documents show)"))
    for rule in template.rules:
        for key, change in rule.set.items():
            if change.owner is None:
                continue
            for side, role in (("buyer", change.owner.buyer), ("seller", change.owner.seller)):
                if role and role not in known:
                    problems.append(rule.source.problem(
                        f"rule sets {key}.owner.{side} to unknown role '{role}'{suggest_role(role, known)}"))
    return problems

"""What a plugin may read about a deal before its steps are scheduled (the ``adjust_steps`` hook).

A small, stable record instead of the brief's validation model, whose shape follows the YAML and
may change between versions (docs/plugins.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class DealFacts:
    """The deal as the brief gives it: the targets as written, the roles each side has filled."""

    name: str
    amount: float | int | None
    currency: str
    template: str
    today: dt.date
    signature: dt.date | None
    go_live: dt.date | None
    buyer_company: str
    buyer_country: str | None  # ISO 3166, with a subdivision when given: "US", "DE-BY"
    seller_company: str
    buyer_roles: frozenset[str]
    seller_roles: frozenset[str]


def whole_amount(value: float | None) -> float | int | None:
    """A deal amount as the brief means it: ``250000``, not ``250000.0`` (validation reads numbers as floats)."""
    if value is not None and float(value).is_integer():
        return int(value)
    return value


def deal_facts(brief, template: str, today: dt.date) -> DealFacts:  # type: ignore[no-untyped-def]
    """The facts of a validated brief (mapgen.brief.Brief)."""
    return DealFacts(
        name=brief.deal.name, amount=whole_amount(brief.deal.amount), currency=brief.deal.currency, template=template, today=today,
        signature=brief.dates.signature, go_live=brief.dates.go_live,
        buyer_company=brief.buyer.company, buyer_country=brief.buyer.country,
        seller_company=brief.seller.company,
        buyer_roles=frozenset(p.role for p in brief.buyer.people if p.role),
        seller_roles=frozenset(p.role for p in brief.seller.people if p.role))

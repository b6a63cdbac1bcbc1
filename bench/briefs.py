"""Varied briefs for benchmarks and tests: deterministic from a seed, every template, country and size."""

from __future__ import annotations

import random
from pathlib import Path

COUNTRIES = ["US", "US-CA", "DE", "DE-BY", "FR", "GB", "NL", "JP", "BR", "IN", "AU", "CA", "ES", "IT", "SE"]
COMPANIES = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Wonka", "Tyrell", "Cyberdyne",
             "Soylent", "Aperture", "Vandelay", "Bluth", "Dunder", "Pied Piper", "Massive", "Oscorp"]
PEOPLE = ["Ana Lima", "John Rivera", "Dana Cho", "Sam Patel", "Mary Lee", "Lena Vogel", "Kenji Sato", "Priya Nair",
          "Tom Berg", "Eva Novak", "Luis Ortega", "Mia Jensen"]
ENTERPRISE_WORKSTREAMS = ["business_case", "technical_validation", "security", "legal", "procurement",
                          "implementation", "launch"]


def brief_text(seed: int, extra_steps: int | None = None) -> str:
    """One brief; ``extra_steps`` adds that many steps of this deal (a long plan)."""
    rng = random.Random(seed)
    company = f"{rng.choice(COMPANIES)} {seed}"
    enterprise = extra_steps is not None or rng.random() < 0.7
    amount = rng.randrange(120_000, 2_000_000, 5_000) if enterprise else rng.randrange(5_000, 90_000, 1_000)
    country = rng.choice(COUNTRIES)
    month, day = rng.randrange(1, 13), rng.randrange(1, 28)
    today = f"2026-{month:02d}-{day:02d}"
    sig_year = 2027 if month > 9 else 2026
    sig_month = (month + rng.randrange(2, 4) - 1) % 12 + 1
    signature = f"{sig_year + (1 if sig_month < month and sig_year == 2026 else 0)}-{sig_month:02d}-{rng.randrange(1, 28):02d}"
    people = rng.sample(PEOPLE, 4)
    lines = [
        f"deal: {{name: {company} platform, amount: {amount}, currency: {rng.choice(['USD', 'EUR', 'GBP'])}}}",
        "buyer:",
        f"  company: {company}",
        f"  country: {country}",
        f"  outcome: Cut onboarding from {rng.randrange(4, 9)} weeks to **{rng.randrange(1, 3)}**",
        "  people:",
        f"    - {{name: {people[0]}, title: VP Operations, role: champion}}",
        f"    - {{name: {people[1]}, title: CFO, role: economic_buyer}}",
        "seller:",
        "  company: Northwind",
        "  people:",
        f"    - {{name: {people[2]}, title: Account Executive, role: account_executive}}",
        f"    - {{name: {people[3]}, title: Solutions Engineer, role: solutions_engineer}}",
        f"dates: {{today: {today}, signature: {signature}}}",
        "risks:",
        f"  - {{risk: Legal review could run long, owner: {people[1]}, mitigation: Send redlines in week 1}}",
        f"check_in: {rng.choice(['monday', 'tuesday', 'thursday'])} 10:00",
    ]
    if extra_steps:
        lines.append("add:")
        for n in range(extra_steps):
            stream = ENTERPRISE_WORKSTREAMS[n % len(ENTERPRISE_WORKSTREAMS)]
            after = f", after: [x{n - len(ENTERPRISE_WORKSTREAMS)}]" if n >= len(ENTERPRISE_WORKSTREAMS) else ""
            lines.append(f"  - {{id: x{n}, name: Extra step {n} of {stream.replace('_', ' ')}, workstream: {stream}, "
                         f"duration: {1 + n % 3}d{after}}}")
    return "\n".join(lines) + "\n"


def write_briefs(folder: Path, count: int, seed: int = 0) -> list[Path]:
    """``count`` briefs in a few nested folders (regions), as a repository of briefs would hold them."""
    paths = []
    for n in range(count):
        region = ["amer", "emea", "apac", "emea/dach"][n % 4]
        path = folder / region / f"deal-{n:05d}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(brief_text(seed * 100_000 + n), encoding="utf-8")
        paths.append(path)
    return paths

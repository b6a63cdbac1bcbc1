"""Place names to ISO codes, for did-you-mean: "Germany" -> DE, "Bavaria" -> DE-BY, "California" -> US-CA.

Country names come from the ``holidays`` registry (no country module is imported); subdivision
names from the one country's own ``subdivisions_aliases`` (that module only, as the calendar
does), plus a few English names for regions ``holidays`` lists in their own language.
"""

from __future__ import annotations

import difflib
import re
import unicodedata

#: English names of regions that ``holidays`` names in the local language, and common country aliases.
_ENGLISH = {
    "bavaria": "DE-BY", "north rhine westphalia": "DE-NW", "lower saxony": "DE-NI", "hesse": "DE-HE",
    "saxony": "DE-SN", "saxony anhalt": "DE-ST", "thuringia": "DE-TH", "rhineland palatinate": "DE-RP",
    "mecklenburg western pomerania": "DE-MV", "baden wurttemberg": "DE-BW", "lower austria": "AT-3",
    "upper austria": "AT-4", "styria": "AT-6", "tyrol": "AT-7", "carinthia": "AT-2", "vienna": "AT-9",
    "catalonia": "ES-CT", "andalusia": "ES-AN", "basque country": "ES-PV", "madrid": "ES-MD",
    "usa": "US", "united states of america": "US", "america": "US", "uk": "GB", "britain": "GB",
    "great britain": "GB", "united kingdom": "GB", "england": "GB-ENG", "scotland": "GB-SCT",
    "wales": "GB-WLS", "northern ireland": "GB-NIR", "holland": "NL", "the netherlands": "NL",
    "deutschland": "DE", "espana": "ES", "czechia": "CZ", "south korea": "KR", "korea": "KR",
}


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _countries() -> dict[str, str]:
    """Normalised country names (and alpha-3 codes) -> alpha-2 code, from the holidays registry."""
    from holidays.registry import COUNTRIES

    out: dict[str, str] = {}
    for module, (class_name, code, *rest) in COUNTRIES.items():
        out[_norm(module)] = code
        out[_norm(re.sub(r"(?<=[a-z])(?=[A-Z])", " ", class_name))] = code
        for alias in rest:
            if isinstance(alias, str) and len(alias) == 3 and alias.isupper():
                out[alias.casefold()] = code
    return out


def _subdivisions(country: str) -> dict[str, str]:
    """Normalised subdivision names and codes of ``country`` -> full code (``DE-BY``)."""
    from mapgen.calendar import _light_countries_package, country_codes

    if country not in set(country_codes()):
        return {}
    import holidays

    _light_countries_package()
    entity = getattr(holidays, country)
    out = {_norm(code): f"{country}-{code}" for code in entity.subdivisions}
    out.update({_norm(name): f"{country}-{code}" for name, code in getattr(entity, "subdivisions_aliases", {}).items()})
    return out


def code_for(name: str, country: str | None = None) -> str | None:
    """The ISO code a place name most likely means, or None. ``country`` narrows a region's search."""
    if not isinstance(name, str) or not name.strip() or len(name) > 80:
        return None
    key = _norm(name)
    tables: list[dict[str, str]] = []
    if country:
        tables.append(_subdivisions(country.upper()))
    tables.append({k: v for k, v in _ENGLISH.items() if not country or v.startswith(country.upper())})
    tables.append(_countries())
    for table in tables:  # exact first, the closest spelling next
        if key in table:
            return table[key]
    for table in tables:
        match = difflib.get_close_matches(key, list(table), n=1, cutoff=0.8)
        if match:
            return table[match[0]]
    if not country:  # a region named without its country: the countries briefs name most (one module each)
        for likely in _LIKELY:
            table = _subdivisions(likely)
            if key in table:
                return table[key]
    return None


_LIKELY = ("US", "CA", "AU", "DE", "GB", "IN", "FR", "ES", "IT", "BR", "MX", "CH", "AT")

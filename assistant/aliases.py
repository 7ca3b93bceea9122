"""Other names news writing uses for a country: its capital ("Hanoi" for Vietnam,
"Washington" for the U.S.) or an abbreviation. Used when checking whether the passages
mention what a question names, so "Which chipmaker is Hanoi working with?" is not
refused because the article says "Vietnam"."""

from __future__ import annotations

from functools import cache

from assistant.lexical import terms

# One group per country, names separated by commas: every name stands for the others.
NAMES = """
vietnam, hanoi | malaysia, kuala lumpur, putrajaya | indonesia, jakarta | thailand, bangkok |
philippines, manila | cambodia, phnom penh | laos, vientiane | myanmar, burma, naypyidaw |
brunei, bandar seri begawan | japan, tokyo | china, beijing, prc | south korea, seoul |
north korea, pyongyang | taiwan, taipei | india, new delhi | pakistan, islamabad |
australia, canberra | u.s., us, usa, america, united states, washington | uk, britain, london |
france, paris | germany, berlin | russia, moscow, kremlin | eu, european union, brussels |
canada, ottawa | brazil, brasilia | italy, rome | spain, madrid
"""


@cache
def _groups() -> dict[str, list[tuple[tuple[str, ...], ...]]]:
    """term -> the groups (each a tuple of names, each name a tuple of terms) it appears in."""
    by_term: dict[str, list] = {}
    for line in NAMES.split("|"):
        group = tuple(tuple(terms(name)) for name in line.split(",") if name.strip())
        for name in group:
            for term in name:
                by_term.setdefault(term, []).append(group)
    return by_term


def named_otherwise(term: str, present: set[str]) -> bool:
    """True when ``term`` is part of a country's name and another name of that
    country appears whole (every word of it) among the ``present`` terms."""
    return any(
        term not in name and all(word in present for word in name)
        for group in _groups().get(term, [])
        for name in group
    )

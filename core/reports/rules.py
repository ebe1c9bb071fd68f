"""Reports' rules in words and counts: the activity headline, the new countries note,
small groups folded into "other"."""

from __future__ import annotations

from collections import Counter

from core.reports.model import MIN_GROUP, OTHER, RoundFigures


def activity_headline(f: RoundFigures) -> str:
    """Say how many pairs wrote in a typical week, and which weeks that median is of."""
    weeks = f.activity_weeks
    if weeks is None:
        return "no activity counted yet"
    first, last = weeks
    span = (
        f"the week of {first.isoformat()}"
        if first == last
        else f"the median of {len(f.activity)} weeks counted, weeks of "
        f"{first.isoformat()} to {last.isoformat()}"
    )
    return (
        f"{f.active_pairs} of {f.groups} pairs wrote in a typical week ({span}); "
        f"{f.pairs_that_wrote} wrote at least once"
    )


def new_countries_note(f: RoundFigures, min_group: int = MIN_GROUP) -> str:
    """Say how many countries are new, which are named, and why the others are not."""
    if not f.new_countries:
        return "no country new to the community"
    named = len(f.new_country_names)
    unnamed = f.new_countries - named
    text = f"{f.new_countries} new to the community"
    if named:
        text += f": {', '.join(f.new_country_names)}"
    if unnamed:
        text += (
            f"{'' if named else ':'} {'and ' if named else ''}{unnamed} "
            f"{'country' if unnamed == 1 else 'countries'} with fewer than {min_group} "
            f"participants, not named (small countries are counted under '{OTHER}' so "
            "nobody can be singled out)"
        )
    return text


def fold_small(counts: Counter[str], min_group: int = MIN_GROUP) -> tuple[tuple[str, int], ...]:
    """Return the counts largest first, folding those below *min_group* into OTHER."""
    kept = sorted(
        ((k, n) for k, n in counts.items() if n >= min_group), key=lambda kv: (-kv[1], kv[0])
    )
    other = sum(n for n in counts.values() if n < min_group)
    return (*kept, (OTHER, other)) if other else tuple(kept)

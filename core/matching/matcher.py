"""Pair applicants across countries: the rules of ../shared/specs/applicants-csv.md.

Hard rules, never broken: everyone in a group has a different separation value
(country by default), every two members share a language, nobody meets a previous
partner, and each person is in at most one group. Groups are pairs; at most ONE
group of three per matching (a decision of the project), formed exactly when it
places one more person than pairs alone can (matching_trio proves when that is);
everyone else left over is unplaced, with a reason.

Soft goals, in order: place everyone who can be placed (the number of pairs is a
maximum matching of the feasibility graph, found exactly), then meet wishes, then
shared interests, then overlapping working hours. The pair score mirrors that
order: 100 per member whose wish is met, 10 per shared interest (at most 5), plus
the hours of working day (09:00-17:00 local) the members have in common.

How (details in the helper modules):
1. matching_index turns candidates into bit masks, language classes (same
   languages) and types (same languages and separation): people of one type are
   interchangeable as far as the hard rules go, apart from past partners.
2. matching_candidates samples a few dozen promising partners per person (people
   meeting their wishes first, then random compatible ones; everyone, for people
   with few options) and matches them greedily, by score, scarcest people first.
3. matching_cardinality augments that matching to maximum cardinality with
   Edmonds' blossom algorithm on the implicit, class-compressed graph.
4. matching_improve exchanges partners among two or three pairs (or with an
   unplaced person) to meet more wishes without placing fewer people, then picks
   the group of three: the best-scoring left-over who fits a pair, or else
   matching_trio rearranges the pairs around a trio that places one more person,
   when (and only when) one exists.
5. Keeping that trio, the total score is raised without placing fewer: exactly,
   by a maximum-weight matching on each person's most promising pairs (matching_exact,
   up to 2,500 people), along alternating cycles and paths (matching_cycles, up
   to 5,000) or by two-pair exchanges (matching_swaps, bigger pools).

On realistic pools this meets as many wishes as an exact maximum-weight matching
(within a fraction of a percentage point; see benchmarks/bench_matching.py) in a
small fraction of its time.

Runs are deterministic: the same candidates in the same order with the same seed
give the same matching; other seeds may give other, equally good, ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from functools import cache
from itertools import combinations

import numpy as np

from core.matching.candidates import candidate_edges, greedy
from core.matching.cardinality import maximise
from core.matching.cycles import raise_score
from core.matching.explanations import Reason, listed
from core.matching.improve import choose_trio, improve
from core.matching.index import (
    INTEREST_POINTS,
    INTERESTS_COUNTED,
    WISH_POINTS,
    Index,
    average_common_hours,
    dates_for,
)
from core.matching.model import Candidate, MatchedGroup, Matching, Unplaced
from core.matching.trio import deep_trio
from core.messages import vocab

# --- rules and scores of one group ---------------------------------------------------


def _separation(c: Candidate) -> str:
    return c.separation or c.country


def _by_country(c: Candidate) -> bool:
    return c.separation in ("", c.country)


@cache
def _country_name(code: str) -> str:
    return vocab.country_name(code)


def _wish_met(person: Candidate, partner: Candidate) -> tuple[str, str] | None:
    """Return (kind, value) of the first of person's wishes that partner meets, or None."""
    w = person.wishes
    if partner.sector in w.sectors:
        return ("sector", partner.sector)
    if partner.career_stage in w.career_stages:
        return ("career", partner.career_stage)
    for tag in w.interests:
        if tag in partner.interests:
            return ("interest", tag)
    if partner.country in w.countries:
        return ("country", partner.country)
    return None


def is_satisfied(person: Candidate, partners: Sequence[Candidate]) -> bool:
    """Tell whether person has a wish and some partner meets at least one of them."""
    return bool(person.wishes) and any(_wish_met(person, p) is not None for p in partners)


def violations(members: Sequence[Candidate]) -> list[str]:
    """List the hard rules a proposed group breaks, in words; [] when it is valid."""
    problems = []
    if not 2 <= len(members) <= 3:
        problems.append(
            f"a group needs two members (three only to absorb an odd one out), not {len(members)}"
        )
    seen: set[str] = set()
    for c in members:
        if c.id in seen:
            problems.append(f"{c.id} appears more than once")
        seen.add(c.id)
    for a, b in combinations(members, 2):
        if a.id == b.id:
            continue
        if _separation(a) == _separation(b):
            if _by_country(a) and _by_country(b):
                problems.append(f"{a.id} and {b.id} are both from {_country_name(a.country)}")
            else:
                problems.append(
                    f"{a.id} and {b.id} are both from the same institution or region "
                    f"({_separation(a)})"
                )
        if not a.languages & b.languages:
            problems.append(
                f"{a.id} and {b.id} share no language ({a.id}: {', '.join(sorted(a.languages))}, "
                f"{b.id}: {', '.join(sorted(b.languages))})"
            )
        if b.id in a.previous_partners or a.id in b.previous_partners:
            problems.append(f"{a.id} and {b.id} were partners before")
    return problems


def group_score(
    members: Sequence[Candidate], *, on: date | None = None
) -> tuple[float, tuple[str, ...]]:
    """Score a group (higher is better) and give the reasons (encoded Reason codes)."""
    reasons: list[Reason] = []
    met = 0
    for person in members:
        if not person.wishes:
            continue
        for partner in members:
            if partner is not person and (what := _wish_met(person, partner)) is not None:
                met += 1
                reasons.append(Reason.of("wish", who=person.id, kind=what[0], value=what[1]))
                break
    counts: dict[str, int] = {}
    for person in members:
        for tag in person.interests:
            counts[tag] = counts.get(tag, 0) + 1
    shared = sorted(tag for tag, count in counts.items() if count >= 2)
    if shared:
        reasons.append(Reason.of("interests", tags=listed(shared)))
    common = sorted(frozenset.intersection(*(m.languages for m in members))) if members else []
    if common:
        reasons.append(Reason.of("languages", codes=listed(common)))
    elif members:
        reasons += [
            Reason.of(
                "pair_languages", a=a.id, b=b.id, codes=listed(sorted(a.languages & b.languages))
            )
            for a, b in combinations(members, 2)
        ]
    hours = average_common_hours([m.timezone for m in members], dates_for(on)) if members else 0
    if hours > 0:
        reasons.append(Reason.of("hours", value=f"{round(hours, 1):g}"))
    else:
        reasons.append(Reason.of("no_hours"))
    score = WISH_POINTS * met + INTEREST_POINTS * min(len(shared), INTERESTS_COUNTED) + hours
    return round(score, 2), tuple(r.encode() for r in reasons)


# --- the matching --------------------------------------------------------------------


def match(
    candidates: Sequence[Candidate],
    *,
    seed: int = 0,
    on: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Matching:
    """Group the candidates: a maximum number of pairs, then wishes, interests and hours."""
    steps = 6

    def tick(done: int) -> None:
        if progress is not None:
            progress(done, steps)

    index = Index(candidates, on=on)
    tick(1)
    rng = np.random.default_rng(seed)
    edges = candidate_edges(index, rng)
    tick(2)
    mate = greedy(index, edges, rng)
    tick(3)
    maximise(index, mate)
    tick(4)
    improve(index, edges, mate, rng)
    # The trio is chosen before the score is raised (which keeps it): raising first
    # may leave no left-over fitting a pair, and the deep search costs seconds then.
    trio, _ = choose_trio(index, mate)
    if trio is None:
        trio = deep_trio(index, mate)
    raise_score(index, edges, mate, rng, fixed=trio or ())
    _, could_join = choose_trio(index, mate)  # the left-overs may have changed
    tick(5)
    groups: list[tuple[int, ...]] = [(v, w) for v, w in enumerate(mate) if v < w]
    third = -1
    if trio is not None:
        third, a, b = trio
        groups = [g if g[0] != min(a, b) else tuple(sorted((a, b, third))) for g in groups]
    result = Matching(
        groups=tuple(_group(candidates, g, on) for g in groups),
        unplaced=tuple(
            Unplaced(candidates[v].id, *_why_unplaced(index, v, v in could_join, third))
            for v in range(index.n)
            if mate[v] < 0 and v != third
        ),
    )
    tick(6)
    return result


def _group(
    candidates: Sequence[Candidate], positions: tuple[int, ...], on: date | None
) -> MatchedGroup:
    members = [candidates[p] for p in positions]
    score, reasons = group_score(members, on=on)
    return MatchedGroup(tuple(m.id for m in members), score, reasons)


def _why_unplaced(index: Index, v: int, could_join: bool, third: int) -> tuple[str, str]:
    """Say in one sentence why v has no group (for organisers), and the reason's code."""
    person = index.people[v]
    elsewhere = "another country" if _by_country(person) else "another institution or region"
    by = "country" if _by_country(person) else "institution"
    if index.sep_size[index.sep_of[v]] == index.n:
        return f"no applicant from {elsewhere}", Reason.of("alone", by=by).encode()
    compatible = index.compatible_count(index.type_of[v])
    if not person.languages:
        return (
            "they gave no language they can hold a conversation in",
            Reason.of("no_language").encode(),
        )
    if not compatible:
        langs = ", ".join(sorted(person.languages))
        code = Reason.of("no_shared_language", by=by, codes=listed(sorted(person.languages)))
        return f"nobody in {elsewhere} shares a language with them ({langs})", code.encode()
    compatible -= sum(
        1 for p in index.prev[v] if index.types_meet(index.type_of[v], index.type_of[p])
    )
    if not compatible:
        return "everyone compatible was a previous partner", Reason.of("only_previous").encode()
    if compatible == 1:
        why = "the only compatible applicant was needed in another pair"
    else:
        why = f"all {compatible} compatible applicants were needed in other pairs"
    trio = could_join and third >= 0
    if trio:
        why += f" and the one group of three went to {index.people[third].id}"
    return why, Reason.of("needed_elsewhere", count=compatible, trio=int(trio)).encode()

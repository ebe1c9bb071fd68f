"""Reports' figures: one round's counts, its surveys, weekly activity and topic use, the
table by round, and the report itself (counts only, never names)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

MIN_GROUP = 5
OTHER = "other"
SURVEY_NOT_COLLECTED = "not collected yet"


@dataclass(frozen=True, slots=True)
class TopicUse:
    """How many pair posts of one topic (1-based) reached their pair spaces."""

    number: int
    title: str
    delivered: int


@dataclass(frozen=True, slots=True)
class WeekActivity:
    """How many pairs wrote anything in the week starting on *week* (a Monday, UTC)."""

    week: date
    active_pairs: int


@dataclass(frozen=True, slots=True)
class SurveyFigures:
    """Counts of one survey; no breakdown below MIN_GROUP responses."""

    kind: str  # mid | end
    invited: int
    responses: int
    response_rate: float | None
    satisfaction: float | None
    # ("1".."5", responses), empty when not broken down.
    satisfaction_counts: tuple[tuple[str, int], ...]
    closed: bool


@dataclass(frozen=True, slots=True)
class RoundFigures:
    """The counts of one round."""

    round: str
    state: str
    starts: date | None
    participants: int
    countries: int
    new_countries: int
    # Named only when at least MIN_GROUP participants come from the country.
    new_country_names: tuple[str, ...]
    # (country name, participants), largest first, small countries folded into OTHER.
    by_country: tuple[tuple[str, int], ...]
    groups: int
    trios: int
    unplaced: int
    waitlisted: int
    # Pairs that wrote in a typical week: the median (low) over the counted weeks.
    active_pairs: int
    activity: tuple[WeekActivity, ...]
    topics: tuple[TopicUse, ...]
    survey_response_rate: float | None = None
    satisfaction: float | None = None
    survey_note: str = SURVEY_NOT_COLLECTED
    surveys: tuple[SurveyFigures, ...] = ()
    pairs_that_wrote: int = 0  # in at least one counted week

    @property
    def activity_weeks(self) -> tuple[date, date] | None:
        """Return the first and last counted weeks (Mondays), if any was counted."""
        if not self.activity:
            return None
        return self.activity[0].week, self.activity[-1].week


@dataclass(frozen=True, slots=True)
class ByRound:
    """One line of the table of participants and countries by round."""

    round: str
    participants: int
    countries: int
    new_countries: int


@dataclass(frozen=True, slots=True)
class Report:
    """The report of one round (or of every round) of a community."""

    community: str
    title: str  # the round's name, or "all"
    rounds: tuple[RoundFigures, ...]
    by_round: tuple[ByRound, ...]
    min_group: int = MIN_GROUP

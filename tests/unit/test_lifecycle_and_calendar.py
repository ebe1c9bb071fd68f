"""Round states, calendar checks and the topic schedule."""

from datetime import UTC, datetime, timedelta

import pytest

from core.errors import Conflict, InvalidValue
from core.model import Round, RoundState
from core.rounds import lifecycle
from core.rounds.topics import DEFAULT_TOPICS, schedule

START = datetime(2027, 3, 1, 9, tzinfo=UTC)


def a_round(state: RoundState = RoundState.DRAFT, **kw) -> Round:  # type: ignore[no-untyped-def]
    fields = dict(
        id=1,
        community_id=1,
        name="2027A",
        state=state,
        applications_open_at=None,
        applications_close_at=None,
        starts_at=START,
        ends_at=None,
    )
    fields.update(kw)
    return Round(**fields)  # type: ignore[arg-type]


def test_the_happy_path_runs_through_every_state() -> None:
    """draft -> open -> closed -> matched -> running -> finished is allowed step by step."""
    r = a_round()
    for target in ["open", "closed", "matched", "running", "finished"]:
        r = lifecycle.transition(r, RoundState(target))
    assert r.state is RoundState.FINISHED


def test_a_closed_round_can_reopen() -> None:
    """Late applications: a closed round may open again before it is matched."""
    assert (
        lifecycle.transition(a_round(RoundState.CLOSED), RoundState.OPEN).state is RoundState.OPEN
    )


@pytest.mark.parametrize(
    ("state", "target", "hint"),
    [
        ("draft", "matched", "round open"),
        ("open", "running", "round close"),
        ("matched", "open", "round start"),
        ("finished", "running", "cannot change"),
        ("running", "running", "already"),
    ],
)
def test_impossible_transitions_say_why(state: str, target: str, hint: str) -> None:
    """Skipping or reversing a step is refused with the command to run instead."""
    with pytest.raises(Conflict) as caught:
        lifecycle.transition(a_round(RoundState(state)), RoundState(target))
    assert hint in str(caught.value)


def test_dates_out_of_order_are_refused() -> None:
    """Applications must close before the round starts, and it must start before it ends."""
    with pytest.raises(InvalidValue, match="before"):
        lifecycle.validate_dates(
            opens=START, closes=START - timedelta(days=1), starts=None, ends=None
        )
    with pytest.raises(InvalidValue, match="before"):
        lifecycle.validate_dates(opens=None, closes=None, starts=START, ends=START - timedelta(1))
    lifecycle.validate_dates(opens=None, closes=START, starts=START, ends=START + timedelta(1))


def test_topic_k_goes_out_at_start_plus_k_cadences() -> None:
    """Nine topics, the first at the start, then every cadence; the end follows the last."""
    r = a_round(topic_cadence_days=14)
    items = schedule(r, DEFAULT_TOPICS)
    assert len(items) == 9
    assert [i.at for i in items] == [START + timedelta(days=14 * k) for k in range(9)]
    assert lifecycle.default_end(START, 14) == items[-1].at + timedelta(days=14)


def test_no_calendar_without_a_start() -> None:
    """A round with no start date has no topic dates yet."""
    assert schedule(a_round(starts_at=None), DEFAULT_TOPICS) == []


def test_default_topics_are_nine_complete_library_topics() -> None:
    """Each default topic has a title, a prompt and two or three questions."""
    assert [t.position for t in DEFAULT_TOPICS] == list(range(1, 10))
    for t in DEFAULT_TOPICS:
        assert t.title and t.prompt and 2 <= len(t.questions) <= 3
    titles = " ".join(t.title.lower() for t in DEFAULT_TOPICS)
    for theme in ("spaces", "leadership", "advocacy", "professional development"):
        assert theme in titles

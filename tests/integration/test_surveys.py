"""Surveys on SQLite and PostgreSQL: the calendar (mid and end surveys, reminders, a round
finished early) and members' answers (organisers' edits, results, privacy and the command
line: test_surveys_organisers)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.errors import Conflict, NotFound
from core.ports import UnitOfWorkFactory
from core.surveys.model import SurveyInvalid
from core.surveys.rules import window
from tests.integration.survey_support import END, MID, PEOPLE, open_mid, running, survey_posts, who
from tests.support import Program

# -- the calendar ---------------------------------------------------------------------


async def test_the_mid_survey_opens_halfway_and_is_posted_once_to_every_pair(
    p: Program, uow_factory: UnitOfWorkFactory
) -> None:
    """Halfway through, each pair space gets one invitation with the survey's button."""
    run = await running(p, uow_factory)
    assert not survey_posts(run.platform)
    w = window(run.round, await run.surveys.show(run.community.id, "2027A", MID))
    assert w is not None and run.round.starts_at and run.round.ends_at
    assert w.opens - run.round.starts_at == timedelta(days=63)  # 9 topics x 14 days / 2
    assert w.closes - w.opens == timedelta(days=14)
    assert await run.automation.next_due(run.round.id) is not None

    run.p.clock.set(w.opens - timedelta(minutes=1))
    await run.advance()
    assert not survey_posts(run.platform)
    run.p.clock.set(w.opens)
    steps = await run.advance()
    assert "mid survey sent to 10 members" in steps
    posts = survey_posts(run.platform)
    assert len(posts) == 5 and len({where for where, _ in posts}) == 5
    sid = await run.survey_id(uow_factory, MID)
    assert {action for _, action in posts} == {f"survey:open:{sid}"}
    await run.advance()
    assert len(survey_posts(run.platform)) == 5  # never twice


async def test_the_end_survey_outlives_the_round_and_closes_with_a_summary(
    p: Program, uow_factory: UnitOfWorkFactory
) -> None:
    """The end survey opens a week before the end, reminds and closes after it."""
    run = await running(p, uow_factory)
    assert run.round.ends_at is not None
    run.p.clock.set(run.round.ends_at - timedelta(days=7))
    await run.advance()
    end = await run.survey_id(uow_factory, END)
    await run.surveys.answer(who("m0"), end, {"satisfaction": "5"})
    run.p.clock.set(run.round.ends_at)
    steps = await run.advance()
    assert "finished" in steps
    assert run.round.id in {r.id for r in await run.automation.live_rounds()}

    w = window(run.round, await run.surveys.show(run.community.id, "2027A", END))
    assert w is not None
    run.p.clock.set(w.reminds)
    steps = await run.advance()
    assert "end survey reminder to 9 members" in steps
    reminded = [where for where, action in survey_posts(run.platform) if where.startswith("dm:")]
    assert len(reminded) == 9 and "dm:m0" not in reminded

    run.p.clock.set(w.closes)
    steps = await run.advance()
    assert "end survey closed" in steps
    assert run.round.id not in {r.id for r in await run.automation.live_rounds()}
    alerts = [m for m in run.platform.alerts if "closed" in m.title]
    assert len(alerts) == 1 and "1 of 10" in alerts[0].body
    with pytest.raises(Conflict, match="closed"):
        await run.surveys.answer(who("m1"), end, {"satisfaction": "4"})


# -- answering ------------------------------------------------------------------------


async def test_a_member_answers_once_and_may_change_the_answers_until_it_closes(
    p: Program, uow_factory: UnitOfWorkFactory
) -> None:
    """The form is prefilled with earlier answers; answering again replaces them."""
    run = await running(p, uow_factory)
    sid = await run.survey_id(uow_factory, MID)
    with pytest.raises(Conflict, match="not open yet"):
        await run.surveys.form(who("m0"), sid)
    await open_mid(run)

    form = await run.surveys.form(who("m0"), sid)
    keys = [q.key for q in form.questions]
    assert keys == [
        "satisfaction",
        "frequency",
        "topics",
        "modes",
        "goals",
        "recommend",
        "comment",
    ]
    topics = next(q for q in form.questions if q.key == "topics")
    assert len(topics.options) == 10 and topics.options[0].label.startswith("1. ")
    assert [len(page) for page in form.pages()] == [5, 2]
    assert form.answers == {}

    first = await run.surveys.answer(
        who("m0"), sid, {"satisfaction": "4", "modes": ["chat", "video"], "comment": " Great "}
    )
    assert first.first and "saved" in first.text
    again = await run.surveys.answer(who("m0"), sid, {"satisfaction": "5", "goals": "partly"})
    assert not again.first
    form = await run.surveys.form(who("m0"), sid)
    assert form.answers == {
        "satisfaction": "5",
        "modes": ("chat", "video"),
        "comment": "Great",
        "goals": "partly",
    }
    async with uow_factory() as u:
        assert len(await u.surveys.responses(sid)) == 1


async def test_wrong_answers_are_refused_each_with_its_reason(
    p: Program, uow_factory: UnitOfWorkFactory
) -> None:
    """A value outside the choices, an overlong comment or an unknown question: nothing stored."""
    run = await running(p, uow_factory)
    await open_mid(run)
    sid = await run.surveys.show(run.community.id, "2027A", MID)
    with pytest.raises(SurveyInvalid) as caught:
        await run.surveys.answer(
            who("m1"),
            sid.id,
            {
                "satisfaction": "7",
                "modes": ["chat", "pigeon"],
                "comment": "x" * 1001,
                "shoe_size": "42",
                "topics": ["1", "none"],
            },
        )
    errors = caught.value.errors
    assert set(errors) == {"satisfaction", "modes", "comment", "shoe_size", "topics"}
    assert "pigeon" in errors["modes"] and "1000" in errors["comment"]
    with pytest.raises(SurveyInvalid, match="satisfaction"):
        await run.surveys.answer(who("m1"), sid.id, {"satisfaction": ""})
    async with uow_factory() as u:
        assert await u.surveys.responses(sid.id) == []


async def test_only_the_rounds_participants_may_answer(
    p: Program, uow_factory: UnitOfWorkFactory
) -> None:
    """Someone outside the round, or an unknown survey, is told so."""
    run = await running(p, uow_factory)
    await open_mid(run)
    sid = await run.survey_id(uow_factory, MID)
    with pytest.raises(NotFound, match="participants of round 2027A"):
        await run.surveys.form(who("stranger"), sid)
    with pytest.raises(NotFound, match="no longer exists"):
        await run.surveys.form(who("m0"), sid + 100)


async def test_a_french_member_gets_the_survey_in_french(
    p: Program, uow_factory: UnitOfWorkFactory
) -> None:
    """The member's choice at signup wins over the platform locale and the community."""
    run = await running(p, uow_factory, languages={ext: "fr" for ext, _ in PEOPLE})
    await open_mid(run)
    sid = await run.survey_id(uow_factory, MID)
    form = await run.surveys.form(who("m0"), sid, locale="es-ES")
    assert form.lang == "fr"
    assert form.questions[0].label != "How satisfied are you with the program so far?"
    assert "satisf" in form.questions[0].label.lower()
    space = next(iter(run.platform.spaces.values()))
    invitation = next(m for _, m in space.messages if m.buttons)
    assert "Answer the survey" not in invitation.buttons[0].label
    # Everyone chose French, so the pair spaces were written to in French from the start.
    _, intro = space.messages[0]
    assert "Welcome" not in intro.body and "Bienvenue" in intro.body


# -- a round finished early -----------------------------------------------------------


async def test_a_round_finished_early_sends_its_end_survey_by_direct_message(
    p: Program, uow_factory: UnitOfWorkFactory
) -> None:
    """Finished by hand: no check-in, and the end survey reaches each member privately."""
    run = await running(p, uow_factory)
    run.p.clock.advance(days=20)
    await run.p.rounds.finish(run.community.id, "2027A")
    steps = await run.advance()
    assert "end survey sent to 10 members" in steps
    assert not any("mid survey sent" in step for step in steps)
    sent = survey_posts(run.platform)
    assert len(sent) == 10 and all(where.startswith("dm:") for where, _ in sent)

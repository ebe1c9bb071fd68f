"""Surveys on SQLite and PostgreSQL: calendar, invitations, answers, reminders, results."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import pytest

from adapters.rehearsal.platform import RehearsalPlatform
from bots.reporting import chart_pngs
from core.delivery.outbox import ActionKind
from core.delivery.service import DeliveryService
from core.errors import Conflict, NotFound
from core.model import ApplicationStatus, Community, MemberRef, Platform, Round
from core.platform import message_from_dict
from core.ports import UnitOfWorkFactory
from core.privacy.service import PrivacyService
from core.reports.service import ReportService
from core.rounds.automation import RoundAutomation
from core.surveys.model import QuestionType, SurveyInvalid, SurveyKind
from core.surveys.rules import parse_survey_action, window
from core.surveys.service import SurveyService
from tests.support import Program, profile, program

LOCAL = Platform.LOCAL
A_APPROVED = ApplicationStatus.APPROVED
MID, END = SurveyKind.MID, SurveyKind.END
# Ten people in ten countries, all speaking English: five pairs.
PEOPLE = [
    ("m0", "FI"),
    ("m1", "BR"),
    ("m2", "NG"),
    ("m3", "AU"),
    ("m4", "CA"),
    ("m5", "JP"),
    ("m6", "MX"),
    ("m7", "IN"),
    ("m8", "KE"),
    ("m9", "NZ"),
]


def who(ext: str) -> MemberRef:
    return MemberRef(LOCAL, ext)


@dataclass
class Running:
    p: Program
    community: Community
    round: Round
    surveys: SurveyService
    automation: RoundAutomation
    delivery: DeliveryService
    platform: RehearsalPlatform

    async def advance(self) -> tuple[str, ...]:
        steps = (await self.automation.advance(self.round.id)).steps
        await self.delivery.run_due()
        return steps

    async def survey_id(self, uow: UnitOfWorkFactory, kind: SurveyKind) -> int:
        async with uow() as u:
            return (await u.surveys.ensure(self.round.id, kind)).id


@pytest.fixture
def p(uow_factory: UnitOfWorkFactory) -> Program:
    return program(uow_factory)


async def running(
    p: Program, uow: UnitOfWorkFactory, languages: dict[str, str] | None = None
) -> Running:
    """Publish and start a round of five pairs; *languages* are members' choices."""
    c = await p.communities.ensure(LOCAL, "surveys", "Survey Library Network")
    await p.communities.configure(c.id, country_cap=None)
    await p.rounds.create(c.id, "2027A", starts=p.clock.now() + timedelta(days=7))
    await p.rounds.open(c.id, "2027A")
    for ext, country in PEOPLE:
        await p.applications.submit(
            c, who(ext), profile(ext, country), language=(languages or {}).get(ext)
        )
    await p.applications.decide(c.id, "2027A", A_APPROVED, all_pending=True)
    await p.rounds.close(c.id, "2027A")
    await p.matches.publish(c, "2027A", seed=1)
    platform = RehearsalPlatform()
    delivery = DeliveryService(uow=uow, clock=p.clock, platforms={LOCAL: platform})
    surveys = SurveyService(uow=uow, clock=p.clock)
    automation = RoundAutomation(
        uow=uow, clock=p.clock, rounds=p.rounds, delivery=delivery, surveys=surveys
    )
    p.clock.advance(days=7)
    r = await p.rounds.start(c.id, "2027A")
    run = Running(p, c, r, surveys, automation, delivery, platform)
    await run.advance()
    return run


async def open_mid(run: Running) -> None:
    """Move the clock to the mid-round check-in and let the engine send it."""
    w = window(run.round, await run.surveys.show(run.community.id, "2027A", MID))
    assert w is not None
    run.p.clock.set(w.opens)
    await run.advance()


def survey_posts(platform: RehearsalPlatform) -> list[tuple[str, str]]:
    """Return (space or member, action id) of every survey button the platform got."""
    sent = [(sid, m) for sid, space in platform.spaces.items() for _, m in space.messages]
    sent += [(f"dm:{member}", m) for member, m in platform.direct]
    return [
        (where, b.action_id)
        for where, message in sent
        for b in message.buttons
        if parse_survey_action(b.action_id) is not None
    ]


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


# -- organisers -----------------------------------------------------------------------


async def test_organisers_reword_add_and_drop_questions_until_members_answer(
    p: Program, uow_factory: UnitOfWorkFactory
) -> None:
    """Edited wording is shown as written; kinds and options freeze at the first answer."""
    run = await running(p, uow_factory, languages={"m0": "fr"})
    cid = run.community.id
    await run.surveys.edit(cid, "2027A", MID, "comment", label="One thing to change?")
    await run.surveys.edit(cid, "2027A", MID, "recommend", remove=True)
    await run.surveys.add_question(
        cid, "2027A", MID, "mentor", QuestionType.CHOICE, "Mentor next round?", ["Yes", "No"]
    )
    await open_mid(run)
    sid = await run.survey_id(uow_factory, MID)
    form = await run.surveys.form(who("m0"), sid)
    labels = {q.key: q.label for q in form.questions}
    assert labels["comment"] == "One thing to change?"  # not translated: as written
    assert "recommend" not in labels and labels["mentor"] == "Mentor next round?"
    mentor = next(q for q in form.questions if q.key == "mentor")
    await run.surveys.answer(who("m0"), sid, {"mentor": mentor.options[0].key})
    with pytest.raises(Conflict, match="only the wording"):
        await run.surveys.edit(cid, "2027A", MID, "mentor", options=["Yes", "No", "Maybe"])
    await run.surveys.edit(cid, "2027A", MID, "mentor", label="Would you mentor?")
    with pytest.raises(NotFound, match="no question 'nope'"):
        await run.surveys.edit(cid, "2027A", MID, "nope", label="x")


async def test_results_are_counted_without_names_and_not_broken_down_below_five(
    p: Program, uow_factory: UnitOfWorkFactory
) -> None:
    """Four responses give totals only; five give counts, a mean and sorted comments."""
    run = await running(p, uow_factory)
    await open_mid(run)
    sid = await run.survey_id(uow_factory, MID)
    for n, score in enumerate(("5", "4", "4", "3")):
        await run.surveys.answer(who(f"m{n}"), sid, {"satisfaction": score, "comment": f"c{n}"})
    few = await run.surveys.results(run.community.id, "2027A", MID)
    assert (few.invited, few.responses, few.broken_down) == (10, 4, False)
    assert few.satisfaction is None and all(not q.comments for q in few.questions)

    await run.surveys.answer(who("m9"), sid, {"satisfaction": "2", "comment": "b"})
    found = await run.surveys.results(run.community.id, "2027A", MID)
    assert found.broken_down and found.response_rate == 0.5
    assert found.satisfaction == 3.6
    assert [n for _, n in found.distribution()] == [0, 1, 1, 2, 1]
    comments = next(q for q in found.questions if q.key == "comment").comments
    assert comments == ("b", "c0", "c1", "c2", "c3")

    report = await ReportService(uow=uow_factory).round_report(run.community.id, "2027A")
    figures = report.rounds[0]
    assert figures.survey_response_rate == 0.5 and figures.satisfaction == 3.6
    assert figures.surveys[0].satisfaction_counts == (
        ("1", 0),
        ("2", 1),
        ("3", 1),
        ("4", 2),
        ("5", 1),
    )
    charts = dict(chart_pngs(report))
    assert set(charts) == {"report-2027A-by-round.png", "report-2027A-satisfaction.png"}
    assert all(png.startswith(b"\x89PNG") for png in charts.values())


# -- privacy --------------------------------------------------------------------------


async def test_export_has_the_answers_and_forgetting_blanks_the_comment(
    p: Program, uow_factory: UnitOfWorkFactory
) -> None:
    """A member's export lists their answers; forgetting keeps choices, drops their words."""
    run = await running(p, uow_factory)
    await open_mid(run)
    sid = await run.survey_id(uow_factory, MID)
    await run.surveys.answer(who("m2"), sid, {"satisfaction": "4", "comment": "I am Ada"})
    privacy = PrivacyService(uow=uow_factory, clock=run.p.clock)
    exported = await privacy.export(run.community, who("m2"))
    assert exported["survey_responses"][0]["answers"]["comment"] == "I am Ada"
    await privacy.forget(run.community, who("m2"))
    async with uow_factory() as u:
        (response,) = await u.surveys.responses(sid)
    assert response.answers["satisfaction"] == "4" and response.answers["comment"] == ""


async def test_survey_invitations_and_reminders_carry_the_button_to_the_modal(
    p: Program, uow_factory: UnitOfWorkFactory
) -> None:
    """The outbox holds the invitation with its button, for every adapter to render."""
    run = await running(p, uow_factory)
    await open_mid(run)
    async with uow_factory() as u:
        posts = await u.outbox.list(
            run.community.id, round_id=run.round.id, kinds=[ActionKind.POST]
        )
    invitations = [a for a in posts if ":survey:mid" in a.key]
    assert len(invitations) == 5
    message = message_from_dict(invitations[0].payload["message"])
    assert message.buttons[0].label == "Answer the survey"


# -- the command line -----------------------------------------------------------------


def test_organisers_edit_and_read_surveys_from_the_command_line(cli) -> None:  # type: ignore[no-untyped-def]
    """`penpals survey` shows, edits and schedules; mistakes get one sentence and exit 2/1."""
    cli("round", "create", "2027A", "--starts", "2027-03-01")
    shown = cli("survey", "show", "2027A", "--kind", "end")
    assert "end survey: not sent yet" in shown.stdout and "satisfaction" in shown.stdout
    assert "closes 2027-07-19" in shown.stdout  # ends 2027-07-05, closes 14 days later
    edited = cli("survey", "edit", "2027A", "comment", "--label", "What should change?")
    assert "What should change?" in edited.stdout
    added = cli(
        "survey", "add", "2027A", "mentor", "--label", "Mentor next time?", "--options", "Yes;No"
    )
    assert "mentor" in added.stdout and "Yes; No" in added.stdout
    cli("survey", "edit", "2027A", "mentor", "--remove")
    bad = cli("survey", "add", "2027A", "Bad Key", "--label", "x", code=2)
    assert "lowercase letters" in bad.stderr
    one = cli("survey", "add", "2027A", "solo", "--label", "x", "--options", "only", code=2)
    assert "2 to 10 options" in one.stderr
    late = cli(
        "survey", "schedule", "2027A", "--opens", "2027-05-01", "--closes", "2027-04-01", code=2
    )
    assert "before it opens" in late.stderr
    cli("survey", "edit", "2027A", "nope", "--label", "x", code=1)
    results = cli("survey", "results", "2027A", "--json")
    data = json.loads(results.stdout)
    assert (data["invited"], data["responses"], data["broken_down"]) == (0, 0, False)


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

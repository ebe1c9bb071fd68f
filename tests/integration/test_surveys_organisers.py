"""Surveys from the organisers' side: questions reworded, added and dropped until members
answer, results counted without names, members' answers in exports and forgotten, and
`penpals survey` on the command line."""

from __future__ import annotations

import json

import pytest

from bots.reporting import chart_pngs
from core.delivery.outbox import ActionKind
from core.errors import Conflict, NotFound
from core.platform import message_from_dict
from core.ports import UnitOfWorkFactory
from core.privacy.service import PrivacyService
from core.reports.service import ReportService
from core.surveys.model import QuestionType
from tests.integration.survey_support import MID, open_mid, running, who
from tests.support import Program

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

"""`penpals survey ...`: a round's mid-round check-in and end-of-round survey.

Organisers see and edit the questions per round and survey, move the dates, and
read the results (counted without names). Kept apart from bots/cli.py, which
registers this sub-application.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from bots.cli_actor import current_actor
from bots.cli_common import fail, in_community, out, parse_when
from core.model import Community
from core.surveys.model import QuestionType, Survey, SurveyKind, SurveyResults, Window
from core.surveys.rules import window

if TYPE_CHECKING:
    from bots.bootstrap import Services

survey_app = typer.Typer(
    help="Surveys: the mid-round check-in and the end-of-round survey of a round.",
    no_args_is_help=True,
)

RoundArg = Annotated[str, typer.Argument(help="Round name")]
KindOpt = Annotated[
    SurveyKind, typer.Option("--kind", help="mid (the check-in) or end (the final survey)")
]


def _options(text: str | None) -> list[str] | None:
    return None if text is None else [part.strip() for part in text.split(";")]


def _print_survey(survey: Survey, w: Window | None) -> None:
    when = (
        f"opens {w.opens:%Y-%m-%d %H:%M}, reminder {w.reminds:%Y-%m-%d %H:%M}, "
        f"closes {w.closes:%Y-%m-%d %H:%M} (UTC)"
        if w
        else "no dates yet (the round has no start and end)"
    )
    state = (
        "closed"
        if survey.closed_at
        else f"sent to {survey.invited} members"
        if survey.sent_at
        else "not sent yet"
    )
    out.print(f"{survey.kind.value} survey: {state}; {when}.", markup=False)
    table = Table("key", "kind", "question", "options", "required")
    for q in survey.current_questions:
        options = "; ".join(o.label for o in q.options)
        if q.key == "topics" and not q.options:
            options = "the round's topics; None of them"
        table.add_row(q.key, q.type.value, q.label, options, "yes" if q.required else "")
    out.print(table)


async def _shown(s: Services, c: Community, name: str, kind: SurveyKind) -> None:
    survey = await s.surveys.show(c.id, name, kind)
    async with s.uow() as uow:
        round_ = await uow.rounds.get(survey.round_id)
    _print_survey(survey, window(round_, survey))


@survey_app.command("show")
def survey_show(name: RoundArg, kind: KindOpt = SurveyKind.MID) -> None:
    """Show a survey's questions, dates and progress."""
    in_community(lambda s, c: _shown(s, c, name, kind), read_only=True)


@survey_app.command("edit")
def survey_edit(
    name: RoundArg,
    key: Annotated[str, typer.Argument(help="The question's key (see `survey show`)")],
    kind: KindOpt = SurveyKind.MID,
    label: Annotated[str | None, typer.Option(help="New wording of the question")] = None,
    options: Annotated[
        str | None, typer.Option(help="New options, separated by ';' (choice questions)")
    ] = None,
    required: Annotated[
        bool | None, typer.Option("--required/--optional", help="Must members answer it?")
    ] = None,
    remove: Annotated[bool, typer.Option("--remove", help="Drop the question")] = False,
) -> None:
    """Reword, change or drop one question (options are fixed once someone answered)."""
    if not remove and label is None and options is None and required is None:
        raise fail("say what to change: --label, --options, --required/--optional or --remove", 2)

    async def work(s: Services, c: Community) -> None:
        await s.surveys.edit(
            c.id,
            name,
            kind,
            key,
            label=label,
            options=_options(options),
            required=required,
            remove=remove,
            actor=current_actor(),
        )
        await _shown(s, c, name, kind)

    in_community(work)


@survey_app.command("add")
def survey_add(
    name: RoundArg,
    key: Annotated[str, typer.Argument(help="A short key: lowercase letters, digits, _")],
    label: Annotated[str, typer.Option(help="The question, as members will read it")],
    kind: KindOpt = SurveyKind.MID,
    type_: Annotated[
        QuestionType, typer.Option("--type", help="scale (1-5), choice, multi or text")
    ] = QuestionType.CHOICE,
    options: Annotated[
        str | None, typer.Option(help="Options separated by ';' (choice and multi)")
    ] = None,
    required: Annotated[bool, typer.Option("--required", help="Members must answer it")] = False,
) -> None:
    """Add a question at the end of a survey."""

    async def work(s: Services, c: Community) -> None:
        await s.surveys.add_question(
            c.id,
            name,
            kind,
            key,
            type_,
            label,
            _options(options) or [],
            required=required,
            actor=current_actor(),
        )
        await _shown(s, c, name, kind)

    in_community(work)


@survey_app.command("reset")
def survey_reset(name: RoundArg, kind: KindOpt = SurveyKind.MID) -> None:
    """Go back to the default questions (only before anyone answered)."""

    async def work(s: Services, c: Community) -> None:
        await s.surveys.reset(c.id, name, kind, actor=current_actor())
        await _shown(s, c, name, kind)

    in_community(work)


@survey_app.command("schedule")
def survey_schedule(
    name: RoundArg,
    kind: KindOpt = SurveyKind.MID,
    opens: Annotated[str | None, typer.Option(help="When it opens (YYYY-MM-DD[THH:MM])")] = None,
    closes: Annotated[str | None, typer.Option(help="When it closes")] = None,
) -> None:
    """Move a survey's dates (the defaults follow the round's calendar)."""
    if opens is None and closes is None:
        raise fail("give --opens, --closes or both", 2)
    opens_at, closes_at = parse_when(opens, "--opens"), parse_when(closes, "--closes")

    async def work(s: Services, c: Community) -> None:
        await s.surveys.schedule(
            c.id, name, kind, opens=opens_at, closes=closes_at, actor=current_actor()
        )
        await _shown(s, c, name, kind)

    in_community(work)


def results_dict(r: SurveyResults) -> dict[str, Any]:
    return {
        "round": r.round,
        "survey": r.kind.value,
        "invited": r.invited,
        "responses": r.responses,
        "response_rate": r.response_rate,
        "closed": r.closed,
        "broken_down": r.broken_down,
        "questions": [
            {
                "key": q.key,
                "question": q.label,
                "answered": q.answered,
                **({"counts": dict(q.counts)} if q.counts else {}),
                **({"mean": q.mean} if q.mean is not None else {}),
                **({"comments": list(q.comments)} if q.comments else {}),
            }
            for q in r.questions
        ],
    }


@survey_app.command("results")
def survey_results(
    name: Annotated[str | None, typer.Argument(help="Round name (default: the latest)")] = None,
    kind: KindOpt = SurveyKind.MID,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Show a survey's results, counted without names (no breakdown below 5 responses)."""

    async def work(s: Services, c: Community) -> SurveyResults:
        return await s.surveys.results(c.id, name, kind)

    found = in_community(work, read_only=True)
    if as_json:
        sys.stdout.write(json.dumps(results_dict(found), ensure_ascii=False, indent=2) + "\n")
        return
    rate = f"{found.response_rate:.0%}" if found.response_rate is not None else "-"
    out.print(
        f"Round {found.round}, {found.kind.value} survey: {found.responses} responses of "
        f"{found.invited} invited ({rate}){', closed' if found.closed else ''}.",
        markup=False,
    )
    if not found.broken_down:
        out.print("Fewer than 5 responses: the answers are not broken down.", markup=False)
        return
    for q in found.questions:
        out.print(f"\n{q.label} ({q.answered} answered)", markup=False)
        if q.mean is not None:
            out.print(f"  mean {q.mean:.2f} out of 5", markup=False)
        for label, n in q.counts:
            out.print(f"  {n:>4}  {label}", markup=False)
        for text in q.comments:
            out.print(f"  - {text}", markup=False)

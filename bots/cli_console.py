"""`penpals` commands of the organisers' console (issue 13), kept next to the chat's.

`round edit` (dates and cadence), `round broadcast`, `community announce`, and a
round's own topics (`topics add/remove --round`; `topics list/edit --round --lang`
are in bots/cli.py). Each calls the same core service as the Discord and Slack
consoles, so the CLI keeps every command the chat has.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from bots.cli_actor import current_actor
from bots.cli_common import in_community, out, parse_when
from core.model import ApplicationStatus, Community

if TYPE_CHECKING:
    from bots.bootstrap import Services
    from core.delivery.broadcast import Sent
    from core.rounds.round_topics import RoundTopics


def register(round_app: typer.Typer, topics_app: typer.Typer, community_app: typer.Typer) -> None:
    """Add the console's commands to the `round`, `topics` and `community` groups."""
    round_app.command("edit")(round_edit)
    round_app.command("broadcast")(round_broadcast)
    community_app.command("announce")(community_announce)
    topics_app.command("add")(topics_add)
    topics_app.command("remove")(topics_remove)


def round_edit(
    name: Annotated[str, typer.Argument(help="Round name")],
    opens: Annotated[str | None, typer.Option(help="Applications open (YYYY-MM-DD)")] = None,
    closes: Annotated[str | None, typer.Option(help="Applications close")] = None,
    starts: Annotated[str | None, typer.Option(help="Pairs start")] = None,
    ends: Annotated[str | None, typer.Option(help="Round ends")] = None,
    cadence: Annotated[int | None, typer.Option(help="Days between topics")] = None,
) -> None:
    """Move a round's dates or cadence while that is safe (dates that passed stay)."""
    dates = {
        "opens": parse_when(opens, "--opens"),
        "closes": parse_when(closes, "--closes"),
        "starts": parse_when(starts, "--starts"),
        "ends": parse_when(ends, "--ends"),
    }

    async def work(s: Services, c: Community) -> None:
        done = await s.round_settings.reschedule(
            c.id, name, cadence_days=cadence, actor=current_actor(), **dates
        )
        if not done.changes:
            out.print(f"Round {done.round.name}: nothing changed.", markup=False)
        for change in done.changes:
            out.print(f"Round {done.round.name}: {change}", markup=False)

    in_community(work)


def round_broadcast(
    name: Annotated[str, typer.Argument(help="Round name")],
    text: Annotated[str, typer.Argument(help="What to say (as written)")],
    to: Annotated[str, typer.Option("--to", help="pairs (every pair space) or applicants (DMs)")],
    status: Annotated[
        list[ApplicationStatus] | None,
        typer.Option(
            help="Applicants: only these statuses (repeatable; default all but withdrawn)"
        ),
    ] = None,
    request_id: Annotated[
        str | None,
        typer.Option(help="Send once per id (default: once per text, round and audience)"),
    ] = None,
) -> None:
    """Send a message once to every pair space or every applicant of a round."""

    async def work(s: Services, c: Community) -> Sent:
        return await s.broadcasts.broadcast(
            c,
            name,
            text,
            audience=to,
            request_id=request_id,
            statuses=status or None,
            actor=current_actor(),
        )

    _said(in_community(work), f"round {name} ({to})")


def community_announce(
    text: Annotated[str, typer.Argument(help="What to announce (as written)")],
    request_id: Annotated[
        str | None, typer.Option(help="Announce once per id (default: once per text)")
    ] = None,
) -> None:
    """Post a message once to the community's announcements channel."""

    async def work(s: Services, c: Community) -> Sent:
        return await s.broadcasts.announce(c, text, request_id=request_id, actor=current_actor())

    _said(in_community(work), "the announcements channel")


def _said(sent: Sent, where: str) -> None:
    if sent.repeated:
        out.print(
            f"Already queued for {where} (request {sent.request_id}): nothing sent again.",
            markup=False,
        )
    else:
        out.print(
            f"Queued {sent.queued} message(s) for {where} (request {sent.request_id}); "
            "the running bot delivers them.",
            markup=False,
        )


def topics_add(
    round_name: Annotated[str, typer.Option("--round", help="Round name")],
    title: Annotated[str, typer.Option(help="Title")],
    lang: Annotated[str, typer.Option(help="Language of the text (en, fr, es)")] = "en",
    prompt: Annotated[str, typer.Option(help="Prompt")] = "",
    question: Annotated[list[str] | None, typer.Option(help="Questions (repeat)")] = None,
    position: Annotated[int | None, typer.Option(help="Place (default: last)")] = None,
) -> None:
    """Add a topic to a round (after the topics already sent)."""

    async def work(s: Services, c: Community) -> None:
        t = await s.round_topics.add(
            c.id,
            round_name,
            lang=lang,
            title=title,
            prompt=prompt,
            questions=tuple(question or ()),
            position=position,
            actor=current_actor(),
        )
        out.print(f"Round {round_name}: topic {t.position} added.", markup=False)

    in_community(work)


def topics_remove(
    position: Annotated[int, typer.Argument(help="Topic number")],
    round_name: Annotated[str, typer.Option("--round", help="Round name")],
) -> None:
    """Remove a round's topic that has not been sent; later ones move up."""

    async def work(s: Services, c: Community) -> RoundTopics:
        return await s.round_topics.remove(c.id, round_name, position, actor=current_actor())

    left = in_community(work)
    out.print(f"Round {round_name}: {len(left.topics)} topics left.", markup=False)


def print_round_topics(listed: RoundTopics, lang: str | None) -> None:
    """Print a round's topics, each language's text (or one language with its fallbacks)."""
    origin = "its own" if listed.own else "the community's library (copied on the first edit)"
    out.print(
        f"Round {listed.round.name}: {len(listed.topics)} topics, {origin}; {listed.posted} sent.",
        markup=False,
    )
    for topic, at in zip(listed.topics, listed.dates, strict=True):
        when = f" ({at:%Y-%m-%d})" if at else ""
        sent = " [sent]" if topic.position <= listed.posted else ""
        if lang is not None:
            shown = topic.in_language(lang, lang)
            out.print(f"{topic.position}.{when}{sent} {shown.title}", markup=False)
            out.print(f"   {shown.prompt}", markup=False)
            for q in shown.questions:
                out.print(f"   - {q}", markup=False)
            continue
        missing = ", ".join(topic.missing())
        out.print(
            f"{topic.position}.{when}{sent}" + (f" (incomplete in: {missing})" if missing else ""),
            markup=False,
        )
        for code in topic.languages:
            text = topic.texts[code]
            out.print(f"   [{code}] {text.title or '-'}: {text.prompt or '-'}", markup=False)
            for q in text.questions:
                out.print(f"        - {q}", markup=False)

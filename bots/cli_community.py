"""`penpals topics`, `penpals community` and `penpals member` (a member's own data)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from bots.cli_actor import current_actor
from bots.cli_common import (
    UNSAVED,
    check_writable,
    database_settings,
    fail,
    in_community,
    out,
    run,
    write_atomically,
)
from bots.community_cli import community_delete
from core.model import Community
from core.rounds.lifecycle import TOPIC_COUNT

if TYPE_CHECKING:
    # Imported by the commands that use them: `penpals --help` and the commands that
    # only read the database start without the matcher (numpy), SQLAlchemy's whole
    # ORM or the platforms' libraries.
    from bots.bootstrap import Services


topics_app = typer.Typer(help="The community's discussion topics.", no_args_is_help=True)


community_app = typer.Typer(help="Community settings.", no_args_is_help=True)


community_app.command("delete")(community_delete)  # bots/community_cli.py


@topics_app.command("list")
def topics_list(
    round_name: Annotated[
        str | None, typer.Option("--round", help="A round's topics (default: the library)")
    ] = None,
    lang: Annotated[
        str | None, typer.Option(help="With --round: one language, as pairs get it")
    ] = None,
) -> None:
    """List the community's topics, or a round's in every language."""
    if round_name is not None:
        from bots.cli_console import print_round_topics

        async def listing(s: Services, c: Community) -> Any:
            return await s.round_topics.list(c.id, round_name)

        print_round_topics(in_community(listing, read_only=True), lang)
        return

    async def work(s: Services, c: Community) -> None:
        from core.rounds.topics import DEFAULT_TOPICS

        # A community not stored yet starts with the default library.
        topics = await s.topics.list(c.id) if c.id != UNSAVED else list(DEFAULT_TOPICS)
        for t in topics:
            out.print(f"[bold]{t.position}. {t.title}[/bold]")
            out.print(f"   {t.prompt}", markup=False)
            for q in t.questions:
                out.print(f"   - {q}", markup=False)

    in_community(work, read_only=True)


@topics_app.command("edit")
def topics_edit(
    position: Annotated[int, typer.Argument(help=f"Topic number (1-{TOPIC_COUNT})")],
    title: Annotated[str | None, typer.Option(help="New title")] = None,
    prompt: Annotated[str | None, typer.Option(help="New prompt")] = None,
    question: Annotated[
        list[str] | None, typer.Option(help="Questions (repeat; replaces all)")
    ] = None,
    round_name: Annotated[
        str | None, typer.Option("--round", help="Edit this round's topic instead")
    ] = None,
    lang: Annotated[str, typer.Option(help="With --round: the language written")] = "en",
) -> None:
    """Edit one topic of the community's library, or of a round in one language."""

    async def work(s: Services, c: Community) -> None:
        if round_name is not None:
            await s.round_topics.edit(
                c.id,
                round_name,
                position,
                lang=lang,
                title=title,
                prompt=prompt,
                questions=tuple(question) if question else None,
                actor=current_actor(),
            )
            out.print(f"Round {round_name}: topic {position} edited ({lang}).", markup=False)
            return
        t = await s.topics.edit(
            c.id,
            position,
            title=title,
            prompt=prompt,
            questions=tuple(question) if question else None,
            actor=current_actor(),
        )
        out.print(f"Topic {t.position} is now: {t.title}", markup=False)

    in_community(work)


@community_app.command("list")
def community_list() -> None:
    """Show every community of this deployment with its platform and rounds."""
    cfg = database_settings()

    async def work() -> list[tuple[Community, list[Any]]]:
        from bots.bootstrap import build
        from bots.cli_common import check_database_exists

        check_database_exists(cfg.database_url)
        async with build(cfg) as services:
            return await services.communities.overview()

    found = run(work())
    if not found:
        out.print("No community yet: one appears with its first command or install.")
        return
    table = Table("community", "platform", "name", "rounds")
    for community, rounds in found:
        listed = ", ".join(f"{r.name} ({r.state.value})" for r in rounds) or "none"
        table.add_row(
            f"{community.platform.value}:{community.external_id}",
            community.platform.value,
            community.name,
            listed,
        )
    out.print(table)


@community_app.command("configure")
def community_configure(
    language: Annotated[str | None, typer.Option(help="Default language (ISO 639-1)")] = None,
    pairing_rule: Annotated[
        str | None, typer.Option(help="What partners must not share: country, institution, region")
    ] = None,
    country_cap: Annotated[
        float | None, typer.Option(help="Largest share of a round from one country (1 = no cap)")
    ] = None,
    contact: Annotated[
        str | None,
        typer.Option(help="Whom members contact for help (a name, @handle or address; '' clears)"),
    ] = None,
    hours_per_month: Annotated[
        int | None, typer.Option(help="Time commitment asked of each member, hours a month")
    ] = None,
    guidance: Annotated[
        str | None,
        typer.Option(help="Your own words added to the cultural-sensitivity guidance"),
    ] = None,
) -> None:
    """Change the community's settings and practices (contact, time commitment, guidance)."""

    async def work(s: Services, c: Community) -> None:
        kwargs: dict[str, Any] = {
            "default_language": language,
            "pairing_rule": pairing_rule,
            "contact": contact,
            "hours_per_month": hours_per_month,
            "guidance": guidance,
        }
        if country_cap is not None:
            kwargs["country_cap"] = country_cap
        st = await s.communities.configure(c.id, actor=current_actor(), **kwargs)
        cap = "none" if st.country_cap is None else f"{st.country_cap:.0%}"
        rule = st.pairing_rule.value
        out.print(f"Language {st.default_language}, pairing rule {rule}, country cap {cap}.")
        pr = st.practices
        out.print(
            f"Contact {pr.contact or '(the organisers)'}, {pr.hours_per_month} hours a month"
            + (", with your guidance." if pr.guidance else "."),
            markup=False,
        )

    in_community(work)


member_app = typer.Typer(
    help="A member's personal data: export or forget it.", no_args_is_help=True
)


@member_app.command("forget")
def member_forget(
    member_id: Annotated[str, typer.Argument(metavar="ID", help="The member's platform id")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation")] = False,
) -> None:
    """Replace a member's personal data with placeholders; anonymous counts stay."""
    from core.model import MemberRef
    from core.privacy.service import PrivacyService

    if not yes and not typer.confirm(
        f"Forget member {member_id}? Their name, profile and platform id are replaced for good.",
        default=False,
    ):
        raise fail("nothing was forgotten", 1)

    async def work(s: Services, c: Community) -> Any:
        service = PrivacyService(uow=s.uow, clock=s.clock)
        return await service.forget(c, MemberRef(c.platform, member_id))

    done = in_community(work)
    out.print(
        f"Forgot member {member_id}: {done.applications} application(s) blanked "
        f"({done.withdrawn} withdrawn), still counted anonymously in {done.groups} group(s), "
        f"{done.cancelled_messages} pending message(s) cancelled, "
        f"{done.scrubbed_actions} stored message(s) cleaned.",
        markup=False,
    )


@member_app.command("export")
def member_export(
    member_id: Annotated[str, typer.Argument(metavar="ID", help="The member's platform id")],
    out_file: Annotated[
        Path | None, typer.Option("--out", help="JSON file to write (default: stdout)")
    ] = None,
) -> None:
    """Write everything stored about a member as JSON."""
    import json

    from core.model import MemberRef
    from core.privacy.service import PrivacyService

    check_writable(out_file)

    async def work(s: Services, c: Community) -> dict[str, Any]:
        service = PrivacyService(uow=s.uow, clock=s.clock)
        return await service.export(c, MemberRef(c.platform, member_id))

    text = json.dumps(in_community(work, read_only=True), ensure_ascii=False, indent=2) + "\n"
    if out_file is None:
        sys.stdout.write(text)
    else:
        write_atomically(out_file, lambda fh: fh.write(text))
        out.print(f"Wrote {out_file}.", markup=False)

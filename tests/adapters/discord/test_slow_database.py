"""A command whose database work outlasts Discord's 3 seconds still gets its answer.

Discord forgets an interaction neither answered nor deferred within 3 s (404, 10062
Unknown interaction), and the stand-in does the same. Here a long write (as an import's
batch would) holds the bot's SQLite database for longer than that while members and
organisers use their commands: each command defers first and answers once the
database is free; a form opens at once, since it needs only reads.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

from core.model import ApplicationStatus, Platform
from tests.adapters.discord.conftest import Bot
from tests.adapters.discord.rounds import FORM, SIGNUP, open_round
from tests.adapters.discord.standin import Reply

HOLD = 4.0  # longer than Discord's 3 s, shorter than SQLite's busy timeout (5 s)


async def hold_database(bot: Bot, held: asyncio.Event) -> None:
    """Take the write lock with a writing unit of work and keep it for HOLD seconds."""
    async with bot.services.uow() as uow:  # BEGIN IMMEDIATE at its first statement
        await uow.communities.find(Platform.DISCORD, str(bot.standin.guild_id))
        held.set()
        await asyncio.sleep(HOLD)


async def while_held(bot: Bot, *commands: Awaitable[Reply]) -> list[Reply]:
    """Run *commands* at once while a long write holds the database; return their replies."""
    held = asyncio.Event()
    holder = asyncio.create_task(hold_database(bot, held))
    await held.wait()
    replies = await asyncio.gather(*commands)
    await holder
    return list(replies)


def unknown_interactions(bot: Bot) -> list[str]:
    return [r.path for r in bot.standin.requests if r.status == 404 and "/interactions/" in r.path]


async def test_commands_answer_while_a_long_write_holds_the_database(bot: Bot) -> None:
    """Organiser and member commands defer, then answer; none is lost to 10062."""
    await open_round(bot)
    s, organiser, member = bot.standin, bot.server.organiser, bot.server.member
    await s.submit_modal(member, await s.slash(member, "signup", SIGNUP), FORM)
    [newcomer] = bot.add_people(1)
    opened_while_held: list[bool] = []

    async def sign_up() -> Reply:
        modal = await s.slash(newcomer, "signup", SIGNUP)
        opened_while_held.append(modal.type == 9 and not unknown_interactions(bot))
        return await s.submit_modal(newcomer, modal, FORM)

    status, review, setup, profile, export, submitted = await while_held(
        bot,
        s.slash(organiser, "round", {"name": "2027A"}, sub="status"),
        s.slash(organiser, "applications", {"round": "2027A"}, sub="review"),
        s.slash(organiser, "setup", {"contact": "Olivia", "hours_per_month": 3}),
        s.slash(member, "profile"),
        s.slash(member, "penpals", sub="export-me"),
        sign_up(),
    )
    assert not unknown_interactions(bot)
    assert opened_while_held == [True]  # the form needs no write: it opened straight away
    for reply in (status, review, setup, profile, export, submitted):
        assert reply.type == 5 and reply.ephemeral, reply.responses
    assert "2027A" in status.text and "Something went wrong" not in status.text
    # Reads see the last committed state (the newcomer's form may come after).
    assert "Applications of round 2027A" in review.text and "mika-member" in review.text
    assert "3 hours a month" in setup.text
    assert "Your application to round 2027A" in profile.text
    assert export.files and export.files[0][0].endswith(".json")
    assert "Something went wrong" not in submitted.text and "2027A" in submitted.text
    community = await bot.community()
    assert community.settings.practices.contact == "Olivia"
    apps = await bot.services.applications.list(community.id, "2027A")
    assert {a.member.external_id for a in apps} == {str(member), str(newcomer)}

    # Writes wait for the lock too: closing the round and leaving it.
    review_press = await s.slash(organiser, "applications", {"round": "2027A"}, sub="review")
    [bulk] = [c for c in review_press.custom_ids() if c.startswith("pp:rv:ba:")]
    closed, left, asked = await while_held(
        bot,
        s.slash(organiser, "round", {"name": "2027A"}, sub="close"),
        s.slash(newcomer, "withdraw"),
        s.press(organiser, review_press, bulk),
    )
    assert not unknown_interactions(bot)
    assert "is closed to applications" in closed.text
    assert "You have left round 2027A" in left.text
    assert asked.type == 6 and "?" in asked.text, asked.responses
    apps = await bot.services.applications.list(community.id, "2027A")
    status_of = {a.member.external_id: a.status for a in apps}
    assert status_of[str(newcomer)] is ApplicationStatus.WITHDRAWN

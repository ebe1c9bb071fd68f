"""Keeping pairs alive on Discord: the offer button in a DM, /pause, /volunteer, /round silent.

The stand-in stamps members' messages with the real time (snowflakes), so each
test anchors the bot's settable clock on the real present: the round starts a
day ago, a member writes now, and the clock then moves weeks ahead.
"""

from __future__ import annotations

from datetime import timedelta

from core.engagement.rules import offer_action_id
from core.model import MemberRef, Platform
from tests.adapters.discord.conftest import Bot
from tests.adapters.discord.rounds import (
    check_on_day,
    dms_to,
    press_in_dm,
    running_pair,
    thread_names,
)

NUDGE = "Checking in"


async def test_the_offer_button_pairs_the_active_partner_with_someone_on_standby(
    bot: Bot,
) -> None:
    """Ana's partner is silent 29 days: her DM button pairs her with Chen, one new thread."""
    pair = await running_pair(bot)
    s = bot.standin
    s.member_says(pair.thread, pair.ana, "Hello Bruno!")
    await check_on_day(bot, pair, 29)
    (offer,) = [m for m in dms_to(s, pair.ana) if m["components"]]
    button = offer_action_id(pair.round.id, 1)
    assert offer["components"][0]["components"][0]["custom_id"] == button
    # Bruno was only told of his approval; no offer reaches him.
    assert [m for m in dms_to(s, pair.bruno) if m["components"]] == []

    # The outbox sent this DM over REST, with no View kept in memory: the press is routed
    # by its custom id alone, as it would be after a restart.
    reply = await press_in_dm(s, pair.ana, offer, button)

    assert reply.ephemeral and "new pair space is on its way" in reply.text, reply.text
    assert "Chen" in reply.text
    await bot.deliver()
    await bot.deliver()
    assert sorted(thread_names(s)) == ["2027A pair 1", "2027A pair 2"]
    new = next(int(t["id"]) for t in s.threads() if t["name"] == "2027A pair 2")
    added = {
        int(c.path.rsplit("/", 1)[1])
        for c in s.calls("PUT", rf"/channels/{new}/thread-members/\d+")
    }
    assert added == {pair.ana, pair.chen}

    again = await press_in_dm(s, pair.ana, offer, button)
    assert "no open offer" in again.text
    await bot.deliver()
    assert len(thread_names(s)) == 2


async def test_nobody_on_standby_means_the_organisers_step_in(bot: Bot) -> None:
    """Nobody on standby: the button alerts the organisers and makes no new thread."""
    pair = await running_pair(bot, standby=False)
    bot.standin.member_says(pair.thread, pair.ana, "Hello?")
    await check_on_day(bot, pair, 29)
    (offer,) = [m for m in dms_to(bot.standin, pair.ana) if m["components"]]

    reply = await press_in_dm(bot.standin, pair.ana, offer, offer_action_id(pair.round.id, 1))
    await bot.deliver()

    assert "organisers have been asked to step in" in reply.text, reply.text
    assert thread_names(bot.standin) == ["2027A pair 1"]
    alerts = [m["embeds"][0]["description"] for m in bot.standin.bot_messages(bot.server.alerts)]
    assert any("nobody in the standby pool fits" in a for a in alerts)


async def test_pause_refuses_bad_dates_and_a_paused_pair_is_not_nudged(bot: Bot) -> None:
    """Past, invalid and too distant dates are refused; a paused pair gets no 14-day nudge."""
    pair = await running_pair(bot)
    s, ana = bot.standin, pair.ana
    far = (pair.now + timedelta(days=90)).date().isoformat()
    past = (pair.now - timedelta(days=2)).date().isoformat()

    invalid = await s.slash(ana, "pause", {"until": "2027-02-30"})
    before = await s.slash(ana, "pause", {"until": past})
    too_far = await s.slash(ana, "pause", {"until": far})
    assert "is not a date: use YYYY-MM-DD" in invalid.text
    assert "is not in the future" in before.text
    assert "at most 60 days" in too_far.text
    assert all(r.ephemeral for r in (invalid, before, too_far))

    until = (pair.now + timedelta(days=20)).date().isoformat()
    paused = await s.slash(ana, "pause", {"until": until})
    assert paused.ephemeral and paused.text.startswith("Paused until"), paused.text
    await check_on_day(bot, pair, 15)
    assert [m for m in s.bot_messages(pair.thread) if m["embeds"][0]["title"] == NUDGE] == []

    resumed = await s.slash(ana, "resume")
    not_paused = await s.slash(pair.bruno, "resume")
    assert resumed.text.startswith("Welcome back")
    assert not_paused.text == "You were not paused, so nothing changed."


async def test_volunteer_joins_the_standby_pool_once(bot: Bot) -> None:
    """An applicant volunteers once; someone who never applied is told to apply first."""
    pair = await running_pair(bot)
    s = bot.standin

    first = await s.slash(pair.chen, "volunteer")
    second = await s.slash(pair.chen, "volunteer")
    stranger = await s.slash(bot.server.member, "volunteer")

    assert "You are on the standby list" in first.text
    assert "already on the standby list" in second.text
    assert stranger.text.startswith("Apply to a round once first")
    community = await bot.community()
    async with bot.services.uow() as uow:
        volunteers = await uow.engagement.volunteers(community.id, pair.round.id)
    assert [v.member_id for v in volunteers] == [
        await _member_id(bot, pair.chen),
    ]


async def _member_id(bot: Bot, user_id: int) -> int | None:
    community = await bot.community()
    async with bot.services.uow() as uow:
        return await uow.members.find(community.id, MemberRef(Platform.DISCORD, str(user_id)))


async def test_round_silent_lists_counts_for_organisers_only(bot: Bot) -> None:
    """A member's /round silent is refused and changes nothing; an organiser sees the pair."""
    pair = await running_pair(bot)
    s = bot.standin
    s.member_says(pair.thread, pair.ana, "Anyone there?")
    await check_on_day(bot, pair, 29)
    community = await bot.community()
    async with bot.services.uow() as uow:
        before = await uow.outbox.list(community.id)
    requests = len(s.requests)

    refused = await s.slash(bot.server.member, "round", {"name": "2027A"}, sub="silent")

    assert refused.ephemeral and "Only organisers" in refused.text, refused.text
    assert len(s.requests) == requests + 1  # the refusal itself
    async with bot.services.uow() as uow:
        assert await uow.outbox.list(community.id) == before

    listed = await s.slash(bot.server.organiser, "round", {"name": "2027A"}, sub="silent")
    assert listed.ephemeral
    assert "Pair 1: silent 28 days" in listed.text, listed.text
    assert "offered a new partner" in listed.text
    assert "Anyone there" not in listed.text  # counts, never contents

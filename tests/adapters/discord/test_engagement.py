"""Keeping pairs alive on Discord: the offer button in a DM, /pause, /volunteer, /round silent.

The stand-in stamps members' messages with the real time (snowflakes), so each
test anchors the bot's settable clock on the real present: the round starts a
day ago, a member writes now, and the clock then moves weeks ahead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from core.engagement.rules import offer_action_id
from core.model import ApplicationStatus, MemberRef, Platform, Round
from tests.adapters.discord import payloads as p
from tests.adapters.discord.conftest import Bot
from tests.adapters.discord.standin import DiscordStandIn, Reply
from tests.support import profile

NUDGE = "Checking in"


@dataclass
class Pair:
    """A running round of one pair (ana, bruno) and chen, waitlisted: the standby pool."""

    round: Round
    ana: int
    bruno: int
    chen: int
    thread: int
    now: datetime  # the real present, when members' messages are stamped


async def running_pair(bot: Bot, *, standby: bool = True) -> Pair:
    """Publish and start a round of two approved applicants and one waitlisted (or declined)."""
    now = datetime.now(UTC).replace(microsecond=0)
    bot.clock.at = now - timedelta(days=8)
    community = await bot.configure()
    ana, bruno, chen = bot.add_people(3)
    s = bot.services
    await s.rounds.create(community.id, "2027A", starts=now - timedelta(days=1))
    await s.rounds.open(community.id, "2027A")
    for who, name, country in ((ana, "Ana", "FI"), (bruno, "Bruno", "BR"), (chen, "Chen", "JP")):
        member = MemberRef(Platform.DISCORD, str(who))
        await s.applications.submit(community, member, profile(name, country))
    decide = s.applications.decide
    await decide(community.id, "2027A", ApplicationStatus.APPROVED, [str(ana), str(bruno)])
    chen_is = ApplicationStatus.WAITLISTED if standby else ApplicationStatus.DECLINED
    await decide(community.id, "2027A", chen_is, [str(chen)])
    await s.rounds.close(community.id, "2027A")
    await s.matches.publish(community, "2027A")
    await bot.deliver()  # the pair thread
    bot.clock.at = now - timedelta(days=1)
    started = await s.rounds.start(community.id, "2027A")
    (thread,) = [int(t["id"]) for t in bot.standin.threads(p.PRIVATE_THREAD)]
    return Pair(started, ana, bruno, chen, thread, now)


async def check_on_day(bot: Bot, pair: Pair, day: int) -> None:
    """Move to *day* days after the real present, run the daily check and deliver."""
    bot.clock.at = pair.now + timedelta(days=day)
    await bot.services.engagement.daily(pair.round.id)
    await bot.deliver()


def dms_to(standin: DiscordStandIn, user_id: int) -> list[dict[str, Any]]:
    """Return what the bot sent to *user_id* by direct message."""
    return [
        m
        for c in standin.channels.values()
        if c["type"] == p.DM and int(c["recipients"][0]["id"]) == user_id
        for m in standin.bot_messages(int(c["id"]))
    ]


async def press_in_dm(
    standin: DiscordStandIn, user_id: int, message: dict[str, Any], custom_id: str
) -> Reply:
    """Press a button on a DM from the bot, as Discord sends it: a user, and no server."""
    payload = standin._interaction(3, user_id, {"custom_id": custom_id, "component_type": 2})
    for key in ("guild_id", "guild", "member", "guild_locale"):
        payload.pop(key)
    channel = standin.channels[int(message["channel_id"])]
    payload |= {
        "user": standin.users[user_id],
        "channel_id": channel["id"],
        "channel": channel,
        "message": message,
        "context": 1,
    }
    return await standin._send_interaction(payload, 10)


def thread_names(standin: DiscordStandIn) -> list[str]:
    return [t["name"] for t in standin.threads(p.PRIVATE_THREAD)]


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

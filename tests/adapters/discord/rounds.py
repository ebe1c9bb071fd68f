"""Build rounds for the Discord scenario tests, through the commands or the services:
a round opened, one published, a running pair with a standby pool, and the helpers to
read DMs and press their buttons. Shared by the test modules (none imports another)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from adapters.discord.platform import DiscordPlatform
from core.model import ApplicationStatus, Community, MemberRef, Platform, Round
from core.platform import Message, SpaceRef
from tests.adapters.discord import payloads as p
from tests.adapters.discord.conftest import Bot
from tests.adapters.discord.standin import DiscordStandIn, Reply
from tests.support import profile

HELLO = Message(title="Meet your partner", body="Say hello.", footer="Questions? Ask us.")


def ref(user_id: int) -> MemberRef:
    return MemberRef(Platform.DISCORD, str(user_id))


async def make_space(
    bot: Bot,
    community: Community,
    n: int,
    people: list[int],
    platform: DiscordPlatform | None = None,
    *,
    retry: bool = False,
) -> SpaceRef:
    return await (platform or bot.platform).create_pair_space(
        community,
        f"2027A pair {n}",
        [ref(u) for u in people],
        HELLO,
        key=f"r1:g{n}:space",
        retry=retry,
    )


async def publish_small_round(bot: Bot, name: str = "2027A") -> int:
    """Publish a round of four applicants through the services; return its number of groups."""
    community = await bot.configure()
    await bot.services.rounds.create(community.id, name)
    await bot.services.rounds.open(community.id, name)
    await bot.import_applicants(name, bot.add_people(4), seed=3)
    await bot.services.applications.decide(
        community.id, name, ApplicationStatus.APPROVED, all_pending=True
    )
    await bot.services.rounds.close(community.id, name)
    return len((await bot.services.matches.publish(community, name)).groups)


async def without_forum(bot: Bot) -> Community:
    """Configure the community with a text channel, not a forum, for the topic threads."""
    community = await bot.configure()
    await bot.services.communities.configure(
        community.id, channels={"forum": str(bot.server.announcements)}
    )
    return await bot.community()


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


async def approve_pending(bot: Bot, name: str = "2027A") -> Reply:
    """Approve every pending application through /applications review: bulk, then confirm."""
    s, organiser = bot.standin, bot.server.organiser
    review = await s.slash(organiser, "applications", {"round": name}, sub="review")
    [bulk] = [c for c in review.custom_ids() if c.startswith("pp:rv:ba:")]
    ask = await s.press(organiser, review, bulk)
    # Deferred (6), then the message edited: a large round's count may take over 3 s.
    assert ask.type == 6 and "?" in ask.text, ask.text
    [confirm] = [c for c in ask.custom_ids() if c.startswith("pp:rv:ca:")]
    return await s.press(organiser, ask, confirm)


def thread_names(standin: DiscordStandIn) -> list[str]:
    return [t["name"] for t in standin.threads(p.PRIVATE_THREAD)]


async def publish_round(bot: Bot, applicants: int, name: str = "2027A") -> dict[int, set[int]]:
    """Run a round to publication through the commands; return each group's member ids."""
    community = await bot.configure()
    s, organiser = bot.standin, bot.server.organiser
    await s.slash(organiser, "round", {"name": name}, sub="create")
    await s.slash(organiser, "round", {"name": name}, sub="open")
    await bot.import_applicants(name, bot.add_people(applicants))
    approved = await approve_pending(bot, name)
    assert approved.type == 6 and f"Approved: {applicants} applications" in approved.text
    await s.slash(organiser, "round", {"name": name}, sub="close")
    preview = await s.slash(organiser, "round", {"name": name}, sub="match-preview")
    assert "matching preview" in preview.text and not s.threads()
    published = await s.slash(organiser, "round", {"name": name}, sub="publish")
    assert published.type == 5 and "matching published" in published.text, published.text
    report = await bot.services.matches.show(community, name)
    return {g.number: {int(m.external_id) for m in g.members} for g in report.groups}


SIGNUP = {"country": "FI", "timezone": "Europe/Helsinki", "sector": "public", "career_stage": "mid"}


FORM = {
    "languages": ["fi", "en"],
    "other_languages": "sv",
    "interests": "open access, makerspaces",
    "wishes": ["sector:academic", "stage:early"],
    "introduction": "I run a makerspace in a public library in Tampere.",
}


async def open_round(bot: Bot, name: str = "2027A") -> None:
    """Create and open a round the way an organiser does, through the commands."""
    await bot.configure()
    organiser = bot.server.organiser
    created = await bot.standin.slash(organiser, "round", {"name": name}, sub="create")
    assert "created" in created.text, created.text
    opened = await bot.standin.slash(organiser, "round", {"name": name}, sub="open")
    assert "open" in opened.text, opened.text

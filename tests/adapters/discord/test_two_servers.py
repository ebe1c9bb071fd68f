"""Two Discord servers served by one bot process at once (issue 14, isolation).

The stand-in holds two guilds, Alexandria and Bodleian, each with its own owner,
roles, channels and members; the bot is in both and gets a GUILD_CREATE for each.
Each owner runs /setup, each organiser runs a round through the commands (create,
open, members' /signup, review, close, publish, start), and one delivery pass makes
each server's pair threads and topic posts there, with its own members only. Then
the crossings: an organiser of one server sees and moves only that server's rounds;
a button pressed in one server carrying the other's round ids is refused, changing
nothing; someone who organises Bodleian is a plain member in Alexandria; a
permission Bodleian denies the bot fails Bodleian's deliveries only.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from core.model import ApplicationStatus, Platform, RoundState
from core.surveys.model import SurveyKind
from tests.adapters.discord import payloads as p
from tests.adapters.discord.conftest import Bot, Server
from tests.adapters.discord.rounds import FORM, SIGNUP
from tests.adapters.discord.standin import DiscordStandIn

A_ROUND, B_ROUND = "Alexandria27", "Bodleian27"
# Applicants from different countries, so that the matcher pairs them.
WHERE = [
    ("FI", "Europe/Helsinki"),
    ("BR", "America/Sao_Paulo"),
    ("PT", "Europe/Lisbon"),
    ("KE", "Africa/Nairobi"),
]


@dataclass(frozen=True)
class Place:
    """One server as laid out for these tests."""

    guild: int
    owner: int
    pairs: int
    forum: int
    announcements: int
    alerts: int
    role: int
    organiser: int


def lay_out(s: DiscordStandIn, guild: int, word: str) -> Place:
    """Give *guild* the channels penpals uses, an organiser role and an organiser."""
    pairs = s.add_channel("pairs", guild=guild)
    forum = s.add_channel("community-forum", p.FORUM, guild=guild)
    announcements = s.add_channel("announcements", guild=guild)
    alerts = s.add_channel("organisers", guild=guild)
    role = s.add_role("organisers", guild=guild)
    organiser = s.add_member(f"{word}-organiser", roles=[role], guild=guild)
    owner = int(s.guilds[guild].owner["id"])
    return Place(guild, owner, pairs, forum, announcements, alerts, role, organiser)


@pytest.fixture
def places(standin: DiscordStandIn) -> tuple[Place, Place]:
    """Lay out Alexandria (the stand-in's first server) and Bodleian, before the bot connects."""
    alexandria = lay_out(standin, standin.guild_id, "alex")
    bodleian = standin.add_guild("Bodleian Circle", owner="bodley").id
    return alexandria, lay_out(standin, bodleian, "bod")


@pytest.fixture
def server(standin: DiscordStandIn, places: tuple[Place, Place]) -> Server:
    """The conftest's server is Alexandria: the bot fixture starts once both are laid out."""
    a = places[0]
    member = standin.add_member("mika-member")
    return Server(standin, a.pairs, a.forum, a.announcements, a.alerts, a.role, a.organiser, member)


async def set_up(s: DiscordStandIn, place: Place) -> None:
    """The server's owner runs /setup there: channels and organiser role."""
    reply = await s.slash(
        place.owner,
        "setup",
        {
            "pairs": s.channel_option(place.pairs),
            "forum": s.channel_option(place.forum),
            "announcements": s.channel_option(place.announcements),
            "organiser_alerts": s.channel_option(place.alerts),
            "organiser_role": s.role_option(place.role),
        },
        guild=place.guild,
    )
    assert reply.ephemeral and "cannot" not in reply.text.lower(), reply.text


async def sign_up(s: DiscordStandIn, place: Place, people: list[int]) -> None:
    """Each of *people* signs up with /signup and its form, in *place*."""
    for i, who in enumerate(people):
        country, timezone = WHERE[i % len(WHERE)]
        options = {**SIGNUP, "country": country, "timezone": timezone}
        modal = await s.slash(who, "signup", options, guild=place.guild)
        assert modal.type == 9, modal.responses
        saved = await s.submit_modal(who, modal, FORM, guild=place.guild)
        assert "received" in saved.text.lower(), saved.text


async def approve_all(s: DiscordStandIn, place: Place, name: str) -> None:
    """Approve every pending application through /applications review (bulk, confirm)."""
    org, here = place.organiser, place.guild
    review = await s.slash(org, "applications", {"round": name}, sub="review", guild=here)
    [bulk] = [c for c in review.custom_ids() if c.startswith("pp:rv:ba:")]
    ask = await s.press(org, review, bulk, guild=here)
    [confirm] = [c for c in ask.custom_ids() if c.startswith("pp:rv:ca:")]
    done = await s.press(org, ask, confirm, guild=here)
    assert "Approved:" in done.text, done.text


async def open_round(s: DiscordStandIn, place: Place, name: str, people: list[int]) -> None:
    """Create and open round *name* in *place*; *people* sign up there."""
    org, here = place.organiser, place.guild
    created = await s.slash(org, "round", {"name": name}, sub="create", guild=here)
    assert "created" in created.text, created.text
    opened = await s.slash(org, "round", {"name": name}, sub="open", guild=here)
    assert "open" in opened.text, opened.text
    await sign_up(s, place, people)


async def publish(s: DiscordStandIn, place: Place, name: str) -> None:
    """Approve every application of round *name*, close it and publish the matching."""
    org, here = place.organiser, place.guild
    await approve_all(s, place, name)
    closed = await s.slash(org, "round", {"name": name}, sub="close", guild=here)
    assert "closed" in closed.text.lower(), closed.text
    preview = await s.slash(org, "round", {"name": name}, sub="match-preview", guild=here)
    assert "matching preview" in preview.text, preview.text
    published = await s.slash(org, "round", {"name": name}, sub="publish", guild=here)
    assert "matching published" in published.text, published.text


def members_of(s: DiscordStandIn, place: Place) -> set[int]:
    return set(s.guilds[place.guild].members)


async def two_open_rounds(bot: Bot, a: Place, b: Place) -> tuple[list[int], list[int], int]:
    """Set up both servers and open a round in each, with its members signed up; one
    person, the wanderer, is a member of both servers and signs up in Bodleian only."""
    s = bot.standin
    await set_up(s, a)
    await set_up(s, b)
    in_a = [s.add_member(f"alex-{i}", guild=a.guild) for i in range(4)]
    in_b = [s.add_member(f"bod-{i}", guild=b.guild) for i in range(3)]
    both = s.add_member("wanderer", guild=b.guild)
    s.join(both, a.guild)
    await open_round(s, a, A_ROUND, in_a)
    await open_round(s, b, B_ROUND, [*in_b, both])
    return in_a, [*in_b, both], both


async def test_two_servers_run_rounds_at_once_and_see_only_their_own(
    bot: Bot, places: tuple[Place, Place]
) -> None:
    """One delivery pass makes each server's pair threads and topics there, its members only."""
    a, b = places
    s = bot.standin
    assert {g.id for g in bot.platform.client.guilds} == {a.guild, b.guild}
    in_a, in_b, _ = await two_open_rounds(bot, a, b)
    await publish(s, a, A_ROUND)
    await publish(s, b, B_ROUND)
    services = bot.services
    home = await services.communities.ensure(Platform.DISCORD, str(a.guild))
    other = await services.communities.ensure(Platform.DISCORD, str(b.guild))
    assert home.id != other.id
    assert home.settings.channels["pairs"] == str(a.pairs)
    assert other.settings.channels["pairs"] == str(b.pairs)
    assert other.settings.organiser_roles == (str(b.role),)

    report = await bot.deliver()

    assert report.failed == 0
    for place, name, people in ((a, A_ROUND, in_a), (b, B_ROUND, in_b)):
        threads = s.threads(p.PRIVATE_THREAD, guild=place.guild)
        assert len(threads) == 2 and {int(t["parent_id"]) for t in threads} == {place.pairs}
        assert all(t["name"].startswith(f"{name} pair ") for t in threads)
        paired = {u for t in threads for u in s.thread_members[int(t["id"])]} - {s.bot_id}
        assert paired == set(people) and paired <= members_of(s, place)
        announced = s.bot_messages(place.announcements)
        assert [m["embeds"][0]["title"] for m in announced] == [
            f"Applications for round {name} are open",
            f"Round {name}: pairs are published",
        ]
    assert len(s.threads(p.PRIVATE_THREAD)) == 4, "no thread outside the two pairs channels"

    for place, name in ((a, A_ROUND), (b, B_ROUND)):
        started = await s.slash(
            place.organiser, "round", {"name": name}, sub="start", guild=place.guild
        )
        assert "has started" in started.text, started.text
    await bot.deliver()
    for place, name in ((a, A_ROUND), (b, B_ROUND)):
        [post] = s.threads(p.PUBLIC_THREAD, guild=place.guild)
        assert int(post["parent_id"]) == place.forum
        link = f"https://discord.com/channels/{place.guild}/{post['id']}"
        for thread in s.threads(p.PRIVATE_THREAD, guild=place.guild):
            [topic] = [m for m in s.bot_messages(int(thread["id"])) if "Topic 1 of" in str(m)]
            assert topic["embeds"][0]["url"] == link
            assert name in thread["name"]

    # Each organiser's commands see their own server's rounds only.
    for place, mine, theirs in ((a, A_ROUND, B_ROUND), (b, B_ROUND, A_ROUND)):
        choices = await s.autocomplete(
            place.organiser, "round", {"name": ""}, "name", sub="status", guild=place.guild
        )
        assert [c["value"] for c in choices] == [mine]
        status = await s.slash(
            place.organiser, "round", {"name": theirs}, sub="status", guild=place.guild
        )
        assert "no round" in status.text.lower(), status.text
        finished = await s.slash(
            place.organiser, "round", {"name": theirs}, sub="finish", guild=place.guild
        )
        assert "no round" in finished.text.lower(), finished.text
    for community, name in ((home, A_ROUND), (other, B_ROUND)):
        [summary] = await services.rounds.list(community.id)
        assert summary.round.name == name and summary.round.state is RoundState.RUNNING


async def test_buttons_in_one_server_carrying_the_other_s_ids_are_refused(
    bot: Bot, places: tuple[Place, Place]
) -> None:
    """Review, goals, new-partner and survey buttons pressed in Alexandria naming Bodleian's
    round are refused with a clear message and change nothing; so is Bodleian's organiser
    in Alexandria, where they are a plain member."""
    a, b = places
    s = bot.standin
    _, in_b, both = await two_open_rounds(bot, a, b)
    services = bot.services
    other = await services.communities.ensure(Platform.DISCORD, str(b.guild))

    # Alexandria's organiser confirms, in Alexandria, a bulk approval naming Bodleian's round.
    forged = f"pp:rv:ca:{len(in_b)}:p::::{B_ROUND}:"
    refused = await s.press_id(a.organiser, forged, guild=a.guild)
    assert "no round" in refused.text.lower(), refused.text
    # ... and a review page's country menu naming it: no page of Bodleian's applicants.
    menu = f"pp:rv:fc:0:p::::{B_ROUND}:"
    refused = await s.press_id(a.organiser, menu, guild=a.guild, values=["FI"])
    assert "no round" in refused.text.lower() and "bod-" not in refused.text
    pending = await services.applications.list(other.id, B_ROUND)
    assert {x.status for x in pending} == {ApplicationStatus.PENDING} and len(pending) == 4

    await publish(s, a, A_ROUND)
    await publish(s, b, B_ROUND)
    await bot.deliver()
    b_round = (await services.matches.show(other, B_ROUND)).round
    [their_pair] = [
        t
        for t in s.threads(p.PRIVATE_THREAD, guild=b.guild)
        if both in s.thread_members[int(t["id"])]
    ]
    [intro] = s.bot_messages(int(their_pair["id"]))
    [goals] = [
        c["custom_id"]
        for row in intro["components"]
        for c in row["components"]
        if c.get("custom_id", "").startswith("goals:open:")
    ]
    assert goals.startswith(f"goals:open:{b_round.id}:")

    # In Bodleian, the wanderer's own button opens their pair's goals form.
    mine = await s.press_on(both, intro, goals)
    assert mine.type == 9, mine.responses
    # The same ids pressed in Alexandria (where the wanderer is also a member): refused.
    crossed = await s.press_id(both, goals, guild=a.guild)
    assert crossed.type != 9 and crossed.ephemeral, crossed.responses
    assert "another server" in crossed.text and "nothing" in crossed.text, crossed.text
    # So is the offer of a new partner naming Bodleian's round and the wanderer's pair.
    number = int(goals.rsplit(":", 1)[1])
    groups = (await services.matches.show(other, B_ROUND)).groups
    offer = f"engagement:new-partner:{b_round.id}:{number}"
    crossed = await s.press_id(both, offer, guild=a.guild)
    assert "another server" in crossed.text and "nothing" in crossed.text, crossed.text
    assert (await services.matches.show(other, B_ROUND)).groups == groups
    # And a survey button of Bodleian's round.
    async with services.uow() as uow:
        survey = await uow.surveys.ensure(b_round.id, SurveyKind.MID)
        await uow.commit()
    crossed = await s.press_id(both, f"survey:open:{survey.id}", guild=a.guild)
    assert crossed.type != 9 and "another server" in crossed.text, crossed.responses

    # Bodleian's organiser is a plain member in Alexandria: no organiser command there.
    s.join(b.organiser, a.guild)
    closing = await s.slash(b.organiser, "round", {"name": A_ROUND}, sub="finish", guild=a.guild)
    assert "Only organisers" in closing.text, closing.text
    # ... and from Bodleian, Alexandria's round is not theirs to touch.
    closing = await s.slash(b.organiser, "round", {"name": A_ROUND}, sub="finish", guild=b.guild)
    assert "no round" in closing.text.lower(), closing.text
    home = await services.communities.ensure(Platform.DISCORD, str(a.guild))
    [summary] = await services.rounds.list(home.id)
    assert summary.round.state is RoundState.MATCHED


async def test_each_server_grants_the_bot_its_own_permissions(
    bot: Bot, places: tuple[Place, Place]
) -> None:
    """Bodleian denies the bot's role private threads in its pairs channel: its pair threads
    fail and its organisers (only) are told; Alexandria's are made as usual."""
    a, b = places
    s = bot.standin
    deny = str(p.PERMISSIONS["create_private_threads"])
    bot_role = s.guilds[b.guild].bot_role
    s.channels[b.pairs]["permission_overwrites"] = [
        {"id": str(bot_role), "type": 0, "allow": "0", "deny": deny}
    ]
    await s.dispatch_channel_update(b.pairs)
    await two_open_rounds(bot, a, b)
    await publish(s, a, A_ROUND)
    await publish(s, b, B_ROUND)

    report = await bot.deliver()

    assert report.failed == 2  # Bodleian's two pair threads
    assert len(s.threads(p.PRIVATE_THREAD, guild=a.guild)) == 2
    assert not s.threads(p.PRIVATE_THREAD, guild=b.guild)
    refused = s.calls("POST", rf"/channels/{b.pairs}/threads")
    assert refused and {c.status for c in refused} == {403}  # 50013, from Bodleian's roles
    told = [str(m["embeds"]) for m in s.bot_messages(b.alerts)]
    assert len([t for t in told if "Create Private Threads" in t]) == 2
    assert not s.bot_messages(a.alerts)

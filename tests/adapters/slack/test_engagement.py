"""Keeping pairs alive on Slack: the offer button, pause, volunteer and round silent.

The stand-in stamps members' messages with the real time (ts), so each test
anchors the services' clock on the real present: the round starts a day ago, a
member writes now, and the clock then moves weeks ahead.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from adapters.slack.platform import SlackPlatform
from bots.bootstrap import Services
from core.engagement.rules import offer_action_id
from core.model import Community, MemberRef, Platform
from tests.adapters.slack import payloads
from tests.adapters.slack.conftest import ADMIN, MEMBER
from tests.adapters.slack.payloads import SignedClient
from tests.adapters.slack.rounds import ANA, BRUNO, CHEN, check_on_day, running_pair, silent_partner
from tests.adapters.slack.standin import SlackStandIn, wait_until
from tests.support import FixedClock

NUDGE = "Checking in"


def offer_buttons(slack: SlackStandIn, user: str) -> list[dict[str, Any]]:
    """Return the buttons of the messages the bot sent *user* by direct message."""
    return [
        element
        for c in slack.channels.values()
        if c.is_im and user in c.members
        for m in c.messages
        for block in m.get("blocks") or []
        if block["type"] == "actions"
        for element in block["elements"]
    ]


async def press(slack: SlackStandIn, http: SignedClient, user: str, action_id: str) -> str:
    """Press a button as *user*; return what penpals answered through the response_url."""
    seen = len(slack.responses)
    status, _ = await http.interact(payloads.button(slack, user, action_id, ""))
    assert status == 200
    await wait_until(lambda: len(slack.responses) > seen)
    answer = slack.responses[-1]
    assert answer["response_type"] == "ephemeral" and answer["replace_original"] is False
    return str(answer["text"])


async def command(slack: SlackStandIn, http: SignedClient, user: str, text: str) -> str:
    _, answer = await http.command(payloads.command(slack, user, text))
    assert answer["response_type"] == "ephemeral"
    return str(answer["text"])


async def test_the_offer_button_pairs_the_active_partner_with_someone_on_standby(
    slack: SlackStandIn,
    http: SignedClient,
    services: Services,
    community: Community,
    clock: FixedClock,
    platform: SlackPlatform,
) -> None:
    """Bruno is silent 29 days: Ana's DM button pairs her with Chen, one new pair channel."""
    pair = await silent_partner(services, community, slack, clock, "Hello Bruno!")
    button = offer_action_id(pair.round.id, 1)
    assert [b["action_id"] for b in offer_buttons(slack, ANA)] == [button]
    assert offer_buttons(slack, BRUNO) == []

    answer = await press(slack, http, ANA, button)

    assert "new pair space is on its way" in answer and "Chen" in answer, answer
    await services.delivery.run_due()
    await services.delivery.run_due()
    channels = slack.pair_channels()
    assert len(channels) == 2
    assert set(channels[1].members) == {ANA, CHEN, slack.bot_user}

    again = await press(slack, http, ANA, button)
    await services.delivery.run_due()
    assert "no open offer" in again
    assert len(slack.pair_channels()) == 2


async def test_a_partner_who_wrote_since_the_offer_keeps_the_pair(
    slack: SlackStandIn,
    http: SignedClient,
    services: Services,
    community: Community,
    clock: FixedClock,
    platform: SlackPlatform,
) -> None:
    """Bruno answers after the offer went out: pressing it says the pair continues."""
    pair = await silent_partner(services, community, slack, clock, "Hello Bruno!")
    # Stamped by hand: the stand-in's own stamps are the real present, a month back.
    later = pair.now + timedelta(days=29, hours=1)
    slack.channels[pair.channel].messages.append(
        {"type": "message", "ts": f"{later.timestamp():.6f}", "user": BRUNO, "text": "Sorry!"}
    )
    clock.set(later + timedelta(hours=1))

    answer = await press(slack, http, ANA, offer_action_id(pair.round.id, 1))
    await services.delivery.run_due()

    assert "your pair continues" in answer, answer
    assert len(slack.pair_channels()) == 1


async def test_nobody_on_standby_means_the_organisers_step_in(
    slack: SlackStandIn,
    http: SignedClient,
    services: Services,
    community: Community,
    clock: FixedClock,
    platform: SlackPlatform,
) -> None:
    """Nobody on standby: the button alerts the organisers and makes no new channel."""
    pair = await silent_partner(services, community, slack, clock, "Hello?", standby=False)

    answer = await press(slack, http, ANA, offer_action_id(pair.round.id, 1))
    await services.delivery.run_due()

    assert "organisers have been asked to step in" in answer, answer
    assert len(slack.pair_channels()) == 1
    alerts = slack.channels[community.settings.channels["organiser_alerts"]].messages
    assert any("nobody in the standby pool fits" in m["text"] for m in alerts)


async def test_pause_refuses_bad_dates_and_a_paused_pair_is_not_nudged(
    slack: SlackStandIn,
    http: SignedClient,
    services: Services,
    community: Community,
    clock: FixedClock,
    platform: SlackPlatform,
) -> None:
    """Past, invalid and too distant dates are refused; a paused pair gets no 14-day nudge."""
    pair = await running_pair(services, community, slack, clock)
    far = (pair.now + timedelta(days=90)).date().isoformat()
    past = (pair.now - timedelta(days=2)).date().isoformat()

    assert "is not a date: use YYYY-MM-DD" in await command(slack, http, ANA, "pause 2027-02-30")
    assert "is not in the future" in await command(slack, http, ANA, f"pause {past}")
    assert "at most 60 days" in await command(slack, http, ANA, f"pause {far}")
    assert "say the day you will be back" in (await command(slack, http, ANA, "pause")).lower()

    until = (pair.now + timedelta(days=20)).date().isoformat()
    paused = await command(slack, http, ANA, f"pause until {until}")
    assert paused.startswith("Paused until"), paused
    await check_on_day(services, clock, pair, 15)
    assert not [m for m in slack.channels[pair.channel].messages if NUDGE in m.get("text", "")]

    assert (await command(slack, http, ANA, "resume")).startswith("Welcome back")
    assert await command(slack, http, BRUNO, "resume") == "You were not paused, so nothing changed."


async def test_volunteer_joins_the_standby_pool_once(
    slack: SlackStandIn,
    http: SignedClient,
    services: Services,
    community: Community,
    clock: FixedClock,
    platform: SlackPlatform,
) -> None:
    """An applicant volunteers once; someone who never applied is told to apply first."""
    pair = await running_pair(services, community, slack, clock)

    first = await command(slack, http, CHEN, "volunteer")
    second = await command(slack, http, CHEN, "volunteer")
    stranger = await command(slack, http, MEMBER, "volunteer")

    assert "You are on the standby list" in first
    assert "already on the standby list" in second
    assert stranger.startswith("Apply to a round once first")
    async with services.uow() as uow:
        chen = await uow.members.find(community.id, MemberRef(Platform.SLACK, CHEN))
        volunteers = await uow.engagement.volunteers(community.id, pair.round.id)
    assert [v.member_id for v in volunteers] == [chen]


async def test_round_silent_lists_counts_for_organisers_only(
    slack: SlackStandIn,
    http: SignedClient,
    services: Services,
    community: Community,
    clock: FixedClock,
    platform: SlackPlatform,
) -> None:
    """A member's round silent is refused and changes nothing; an organiser sees the pair."""
    await silent_partner(services, community, slack, clock, "Anyone there?")
    async with services.uow() as uow:
        before = await uow.outbox.list(community.id)
    calls = len(slack.calls)

    refused = await command(slack, http, MEMBER, "round silent 2027A")

    assert refused.startswith("Only organisers"), refused
    # Only the organiser check's lookups: nothing was posted or created.
    assert {c.method for c in slack.calls[calls:]} <= {
        "auth.test",
        "users.info",
        "usergroups.users.list",
    }
    async with services.uow() as uow:
        assert await uow.outbox.list(community.id) == before

    listed = await command(slack, http, ADMIN, "round silent 2027A")
    assert "Pair 1: silent 28 days" in listed, listed
    assert "offered a new partner" in listed
    assert "Anyone there" not in listed  # counts, never contents
    assert "round silent" in await command(slack, http, MEMBER, "help")

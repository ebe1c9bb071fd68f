"""Build rounds for the Slack tests: synthetic applicants who are also stand-in users.

running_pair anchors the services' clock on the real present, because the stand-in
stamps members' messages with the real time (ts): the round starts a day ago, a
member writes now, and the clock then moves weeks ahead.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from bots.bootstrap import Services
from core.matching.synthetic import generate_pool
from core.model import ApplicationStatus, Community, MemberRef, Platform, Round
from tests.adapters.slack import payloads
from tests.adapters.slack.conftest import ADMIN
from tests.adapters.slack.payloads import SignedClient
from tests.adapters.slack.standin import SlackStandIn, wait_until
from tests.support import FixedClock, profile

ANA, BRUNO, CHEN = "UANA000001", "UBRUNO0001", "UCHEN00001"


def slack_id(pool_id: str) -> str:
    """Return a Slack-looking user id for a synthetic applicant id ("a0007" -> "UA0007")."""
    return f"U{pool_id.upper()}"


async def closed_round(
    services: Services, community: Community, slack: SlackStandIn, *, size: int, name: str = "2027A"
) -> None:
    """Create round *name* with *size* pending applicants (all workspace members), closed."""
    rows = [
        replace(
            row,
            id=slack_id(row.id),
            previous_partners=tuple(slack_id(p) for p in row.previous_partners),
        )
        for row in generate_pool(size, seed=11)
    ]
    for row in rows:
        slack.add_user(row.id, row.profile.name)
    await services.rounds.create(community.id, name)
    await services.rounds.open(community.id, name)
    await services.applications.import_rows(community, name, rows)
    await services.rounds.close(community.id, name)


async def approved_round(
    services: Services,
    community: Community,
    slack: SlackStandIn,
    *,
    size: int,
    name: str = "2027A",
) -> None:
    """Create round *name* of *size* workspace members, all approved, applications closed."""
    await closed_round(services, community, slack, size=size, name=name)
    await services.applications.decide(
        community.id, name, ApplicationStatus.APPROVED, all_pending=True
    )


async def published_round(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community, *, size: int
) -> Round:
    """Close a round of *size* members, approve them with the review button and publish it."""
    await closed_round(services, community, slack, size=size)
    return await review_and_publish(slack, http, services, community)


@dataclass
class Pair:
    """A running round of one pair (Ana, Bruno), with Chen waitlisted: the standby pool."""

    round: Round
    channel: str
    now: datetime  # the real present, when members' messages are stamped


async def running_pair(
    services: Services,
    community: Community,
    slack: SlackStandIn,
    clock: FixedClock,
    *,
    standby: bool = True,
) -> Pair:
    """Publish and start a round of two approved applicants and one waitlisted (or declined)."""
    now = datetime.now(UTC).replace(microsecond=0)
    clock.set(now - timedelta(days=8))
    await services.rounds.create(community.id, "2027A", starts=now - timedelta(days=1))
    await services.rounds.open(community.id, "2027A")
    for who, name, country in ((ANA, "Ana", "FI"), (BRUNO, "Bruno", "BR"), (CHEN, "Chen", "JP")):
        slack.add_user(who, name)
        member = MemberRef(Platform.SLACK, who)
        await services.applications.submit(community, member, profile(name, country))
    decide = services.applications.decide
    await decide(community.id, "2027A", ApplicationStatus.APPROVED, [ANA, BRUNO])
    chen_is = ApplicationStatus.WAITLISTED if standby else ApplicationStatus.DECLINED
    await decide(community.id, "2027A", chen_is, [CHEN])
    await services.rounds.close(community.id, "2027A")
    await services.matches.publish(community, "2027A")
    await services.delivery.run_due()  # the pair channel
    clock.set(now - timedelta(days=1))
    started = await services.rounds.start(community.id, "2027A")
    (channel,) = slack.pair_channels()
    return Pair(started, channel.id, now)


async def check_on_day(services: Services, clock: FixedClock, pair: Pair, day: int) -> None:
    """Move to *day* days after the real present, run the daily check and deliver."""
    clock.set(pair.now + timedelta(days=day))
    await services.engagement.daily(pair.round.id)
    await services.delivery.run_due()


async def silent_partner(
    services: Services,
    community: Community,
    slack: SlackStandIn,
    clock: FixedClock,
    hello: str,
    *,
    standby: bool = True,
) -> Pair:
    """Run a pair in which Ana says *hello* and Bruno stays silent: at day 29 Ana has an offer."""
    pair = await running_pair(services, community, slack, clock, standby=standby)
    slack.say(pair.channel, ANA, hello)
    await check_on_day(services, clock, pair, 29)
    return pair


async def open_round(services: Services, community: Community, name: str = "2027A") -> None:
    """Create round *name* and open it for applications."""
    await services.rounds.create(community.id, name)
    await services.rounds.open(community.id, name)


async def review_and_publish(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> Round:
    """Approve everyone with the review button, then publish, as an organiser on Slack."""
    _, review = await http.command(payloads.command(slack, ADMIN, "review 2027A"))
    bulk = review["blocks"][-1]["elements"][0]
    assert bulk["action_id"] == "review:approve_all"
    status, _ = await http.interact(payloads.button(slack, ADMIN, bulk["action_id"], bulk["value"]))
    assert status == 200
    await wait_until(lambda: bool(slack.responses))  # answered through response_url
    assert slack.responses[-1]["replace_original"] is True
    apps = await services.applications.list(community.id, "2027A")
    assert {a.status for a in apps} == {ApplicationStatus.APPROVED}
    # The round engine tells each approved applicant (and announces the opening) meanwhile.
    await services.delivery.run_due()

    _, answer = await http.command(payloads.command(slack, ADMIN, "round publish 2027A"))
    assert answer["text"].startswith("Published"), answer["text"]
    return await services.rounds.get(community.id, "2027A")


async def group_members(services: Services, community: Community) -> list[list[str]]:
    report = await services.matches.show(community, "2027A")
    return [[p.external_id for p in g.members] for g in report.groups]

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
from tests.adapters.slack.standin import SlackStandIn
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

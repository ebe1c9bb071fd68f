"""Build rounds for the Slack tests: synthetic applicants who are also stand-in users."""

from __future__ import annotations

from dataclasses import replace

from bots.bootstrap import Services
from core.model import Community
from core.synthetic import generate_pool
from tests.adapters.slack.standin import SlackStandIn


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

"""Organiser tools on Slack: setup, review buttons, and who may use them."""

from __future__ import annotations

from bots.bootstrap import Services
from core.model import ApplicationStatus, Community, Platform
from tests.adapters.slack import payloads
from tests.adapters.slack.conftest import ADMIN, MEMBER, ORGANISERS_GROUP
from tests.adapters.slack.payloads import SignedClient
from tests.adapters.slack.rounds import closed_round
from tests.adapters.slack.standin import SlackStandIn, check_blocks, wait_until


async def test_setup_saves_channels_group_and_language(
    slack: SlackStandIn, http: SignedClient, services: Services
) -> None:
    """An admin sets the channels (the bot joins public ones), organiser group and language."""
    news = slack.add_channel("news")
    topics = slack.add_channel("topics")
    text = (
        f"setup announcements <#{news}|news> community=<#{topics}|topics> "
        f"organisers <!subteam^{ORGANISERS_GROUP}|@organisers> language es"
    )

    _, refused = await http.command(payloads.command(slack, MEMBER, text))
    _, saved = await http.command(payloads.command(slack, ADMIN, text))

    assert refused["text"].startswith("Only organisers")
    assert saved["text"].startswith("Saved.")
    community = await services.communities.get(Platform.SLACK, slack.team_id)
    assert community.settings.channels["announcements"] == news
    assert community.settings.channels["community"] == topics
    assert community.settings.organiser_roles == (ORGANISERS_GROUP,)
    assert community.settings.default_language == "es"
    assert slack.bot_user in slack.channels[news].members
    assert slack.bot_user in slack.channels[topics].members


async def test_setup_asks_to_invite_the_bot_to_a_private_channel(
    slack: SlackStandIn, http: SignedClient, services: Services
) -> None:
    """A private channel the bot is not in cannot be used until someone invites the bot."""
    hidden = slack.add_channel("organisers", private=True, members=[ADMIN])
    _, answer = await http.command(payloads.command(slack, ADMIN, f"setup alerts <#{hidden}>"))
    assert "/invite @penpals" in answer["text"]
    community = await services.communities.get(Platform.SLACK, slack.team_id)
    assert "organiser_alerts" not in community.settings.channels


async def test_review_buttons_decide_one_application(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """Decline one applicant with their button; the message is refreshed without them."""
    await closed_round(services, community, slack, size=6)
    _, review = await http.command(payloads.command(slack, ADMIN, "review"))
    check_blocks(review["blocks"], limit=50)  # as Slack would check the command's answer
    decline = next(
        e
        for b in review["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"].startswith("review:decline:")
    )
    who = decline["action_id"].rsplit(":", 1)[1]

    await http.interact(payloads.button(slack, ADMIN, decline["action_id"], decline["value"]))

    await wait_until(lambda: bool(slack.responses))
    assert slack.responses[-1]["replace_original"] is True
    assert f"review:decline:{who}" not in str(slack.responses[-1]["blocks"])
    statuses = {
        a.member.external_id: a.status
        for a in await services.applications.list(community.id, "2027A")
    }
    assert statuses[who] is ApplicationStatus.DECLINED
    assert sum(s is ApplicationStatus.PENDING for s in statuses.values()) == 5


async def test_a_member_pressing_approve_all_changes_nothing(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """A forwarded review button pressed by a member is refused; every application stays pending."""
    await closed_round(services, community, slack, size=6)

    await http.interact(payloads.button(slack, MEMBER, "review:approve_all", "2027A"))

    await wait_until(lambda: bool(slack.responses))
    assert slack.responses[-1]["text"].startswith("Only organisers")
    assert slack.responses[-1]["replace_original"] is False
    apps = await services.applications.list(community.id, "2027A")
    assert {a.status for a in apps} == {ApplicationStatus.PENDING}

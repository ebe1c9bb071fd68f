"""/penpals export-me, forget-me and report through the real client and the stand-in."""

from __future__ import annotations

import json

from core.model import ApplicationStatus, MemberRef, Platform
from tests.adapters.discord import payloads as p
from tests.adapters.discord.conftest import Bot
from tests.adapters.discord.rounds import FORM, SIGNUP, open_round, running_pair

PNG = b"\x89PNG\r\n\x1a\n"


async def signed_up(bot: Bot) -> int:
    """Sign the member up through /signup and its form; return their user id."""
    await open_round(bot)
    s, member = bot.standin, bot.server.member
    await s.submit_modal(member, await s.slash(member, "signup", SIGNUP), FORM)
    return member


async def test_export_me_sends_the_member_their_data_as_a_json_file(bot: Bot) -> None:
    """The export is an ephemeral JSON attachment named after the member, with their profile."""
    member = await signed_up(bot)
    reply = await bot.standin.slash(member, "penpals", sub="export-me")
    assert reply.ephemeral and "everything penpals stores about you" in reply.text
    [(name, content)] = reply.files
    assert name == f"penpals-{member}.json"
    data = json.loads(content)
    assert data["member"]["id"] == str(member)
    [application] = data["applications"]
    assert application["round"] == "2027A" and application["status"] == "pending"
    assert application["profile"]["introduction"] == FORM["introduction"]


async def test_forget_me_asks_first_then_forgets(bot: Bot) -> None:
    """Nothing changes until the danger button is pressed; then the profile is anonymous."""
    member = await signed_up(bot)
    s = bot.standin
    community = await bot.community()
    asked = await s.slash(member, "penpals", sub="forget-me")
    assert asked.ephemeral and "cannot be undone" in asked.text
    [button] = asked.custom_ids()
    [before] = await bot.services.applications.list(community.id, "2027A")
    assert before.profile.name == "mika-member"

    stranger = await s.press(bot.server.organiser, asked, button)
    assert stranger.text == "This button is for the member who asked."

    done = await s.press(member, asked, button)
    assert done.type == 6 and done.text.startswith("Done: penpals has forgotten")
    assert done.data["components"] == []  # the button is gone
    [after] = await bot.services.applications.list(community.id, "2027A")
    assert after.profile.name == "forgotten member" and after.profile.introduction == ""
    assert after.status is ApplicationStatus.WITHDRAWN  # the round was not matched yet
    assert after.member != MemberRef(Platform.DISCORD, str(member))

    again = await s.press(member, asked, button)
    assert again.text == "Nothing is stored about you in penpals."
    exported = await s.slash(member, "penpals", sub="export-me")
    assert exported.text == "Nothing is stored about you in penpals." and not exported.files


async def test_report_goes_to_the_organisers_channel_with_its_charts(bot: Bot) -> None:
    """An organiser's /penpals report posts figures and PNG charts to the organisers' channel."""
    pair = await running_pair(bot)
    s = bot.standin
    s.member_says(pair.thread, pair.ana, "Hello Bruno!")

    refused = await s.slash(bot.server.member, "penpals", sub="report")
    assert "Only organisers" in refused.text
    assert s.bot_messages(bot.server.alerts) == []

    reply = await s.slash(bot.server.organiser, "penpals", {"round": "2027A"}, sub="report")
    assert reply.ephemeral and f"<#{bot.server.alerts}>" in reply.text, reply.text
    [posted] = s.bot_messages(bot.server.alerts)
    embed = posted["embeds"][0]
    assert embed["title"] == "Report of 2027A"
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Participants"] == "2" and fields["Pairs and trios"] == "1"
    names = [a["filename"] for a in posted["attachments"]]
    assert names and all(n.endswith(".png") for n in names)
    assert "report-2027A-by-round.png" in names
    assert all(content.startswith(PNG) for _, content in s.files[int(posted["id"])])
    [post] = s.calls("POST", rf"/channels/{bot.server.alerts}/messages")
    assert [n for n, _ in post.files] == names


async def test_report_without_an_organisers_channel_comes_back_privately(bot: Bot) -> None:
    """With no organisers' channel, the charts come with the ephemeral answer and a hint."""
    pair = await running_pair(bot)
    community = await bot.community()
    await bot.services.communities.configure(community.id, channels={"organiser_alerts": ""})
    s = bot.standin
    reply = await s.slash(bot.server.organiser, "penpals", sub="report")
    assert reply.ephemeral and "/setup organiser_alerts" in reply.text, reply.text
    assert f"Report of {pair.round.name}" in reply.text
    assert reply.files and all(content.startswith(PNG) for _, content in reply.files)
    assert s.calls("POST", rf"/channels/{bot.server.alerts}/messages") == []


async def test_report_says_which_permission_is_missing(bot: Bot) -> None:
    """Without Attach Files in the organisers' channel, the report comes privately with why."""
    await running_pair(bot)
    s = bot.standin
    locked = s.channels[bot.server.alerts]
    deny = str(p.PERMISSIONS["attach_files"])
    locked["permission_overwrites"] = [
        {"id": str(s.bot_role), "type": 0, "allow": "0", "deny": deny}
    ]
    await s.dispatch_channel_update(bot.server.alerts)
    reply = await s.slash(bot.server.organiser, "penpals", sub="report")
    assert "missing Attach Files" in reply.text, reply.text
    assert reply.files
    assert s.bot_messages(bot.server.alerts) == []

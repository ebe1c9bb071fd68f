"""Smoke: the real client connects to the stand-in's gateway and answers a command."""

from tests.adapters.discord.conftest import Bot


async def test_the_bot_identifies_with_the_guilds_intent_only(bot: Bot) -> None:
    """IDENTIFY asks for no privileged intent; the heartbeat is acknowledged."""
    ops = [frame["op"] for frame in bot.standin.gateway_frames]
    assert 1 in ops and 2 in ops
    identify = next(f for f in bot.standin.gateway_frames if f["op"] == 2)
    assert identify["d"]["intents"] == 1  # GUILDS
    assert bot.platform.client.get_guild(bot.standin.guild_id) is not None


async def test_profile_without_application_answers_ephemerally(bot: Bot) -> None:
    """A member with no application gets an ephemeral answer saying how to apply."""
    reply = await bot.standin.slash(bot.server.member, "profile")
    assert reply.type == 5 and reply.ephemeral  # deferred, privately, then answered
    assert "signup" in reply.text

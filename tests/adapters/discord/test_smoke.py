"""Smoke: the real client connects to the stand-in and answers a command."""

from tests.adapters.discord.conftest import Bot


async def test_profile_without_application_answers_ephemerally(bot: Bot) -> None:
    """A member with no application gets an ephemeral answer saying how to apply."""
    reply = await bot.standin.slash(bot.server.member, "profile")
    assert reply.type == 4 and reply.ephemeral
    assert "signup" in reply.text

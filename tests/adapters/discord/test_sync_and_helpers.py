"""`penpals discord sync` against the stand-in, and the adapter's pure helpers."""

from __future__ import annotations

from datetime import UTC, datetime

import discord

from adapters.discord import autocomplete, render
from bots.discord_main import sync_commands
from bots.settings import Settings
from core.platform import Button, Message
from tests.adapters.discord.standin import DiscordStandIn


async def test_sync_registers_every_command_once(standin: DiscordStandIn) -> None:
    """Sync logs in over REST only and bulk-overwrites the global commands."""
    settings = Settings(
        _env_file=None,
        DISCORD_TOKEN="standin-token",
        discord_api_url=standin.api_url,
        discord_gateway_url=standin.gateway_url,
    )
    assert await sync_commands(settings) == 13
    [put] = standin.calls("PUT", rf"/applications/{standin.application_id}/commands")
    names = {c["name"] for c in put.json}
    assert names == {"signup", "profile", "withdraw", "round", "applications", "setup"} | {
        "pause",
        "resume",
        "volunteer",
        "penpals",
        "match",
        "community",
        "survey",
    }
    penpals = next(c for c in put.json if c["name"] == "penpals")
    assert {o["name"] for o in penpals["options"]} == {"export-me", "forget-me", "report"}
    round_group = next(c for c in put.json if c["name"] == "round")
    subs = {o["name"] for o in round_group["options"]}
    assert {"create", "open", "close", "match-preview", "publish", "status", "silent"} <= subs
    assert {"audit", "export", "import", "edit", "topic", "broadcast", "rematch"} <= subs
    assert len(subs) <= 25, subs
    assert not standin.identified.is_set(), "sync must not open a gateway session"


def test_country_suggestions_match_names_codes_and_locales() -> None:
    """Countries match by localized name, English name, alpha-2 or alpha-3 code; at most 25."""
    assert autocomplete.countries("de")[0] == ("Germany (DE)", "DE")
    assert autocomplete.countries("deu")[0][1] == "DE"
    assert autocomplete.countries("Alem", "pt-BR")[0] == ("Alemanha (DE)", "DE")
    assert autocomplete.countries("Saksa", "fi")[0][1] == "DE"
    assert autocomplete.countries("germ", "fi")[0][1] == "DE"  # English still matches
    assert len(autocomplete.countries("")) == autocomplete.MAX_CHOICES
    assert autocomplete.countries("zzzz") == []


def test_time_zone_suggestions_put_the_chosen_country_first() -> None:
    """Time zones match a city, a country code or name; the chosen country's zones lead."""
    at = datetime(2027, 1, 15, tzinfo=UTC)
    assert autocomplete.timezones("helsinki", at=at) == [
        ("Europe/Helsinki (UTC+02:00)", "Europe/Helsinki")
    ]
    assert autocomplete.timezones("FI", at=at)[0][1] == "Europe/Helsinki"
    brazil = autocomplete.timezones("", "BR", at=at)
    assert len(brazil) == 25 and brazil[0][1].startswith("America/")
    assert autocomplete.timezones("kolkata", at=at)[0][0] == "Asia/Kolkata (UTC+05:30)"


def test_embed_respects_discord_limits_and_carries_the_key() -> None:
    """Long texts are clipped to Discord's limits and the key's reference survives."""
    message = Message(
        title="t" * 400,
        body="b" * 5000,
        fields=tuple((f"f{i}", "v" * 2000) for i in range(30)),
        footer="x" * 3000,
        link="https://discord.com/channels/1/2",
        buttons=(Button("Open survey", "survey:open:1"),),
    )
    payload = render.message_payload(message, key="r1:g2:t3", mentions=("42",))
    embed = payload["embeds"][0]
    assert len(embed["title"]) == 256 and len(embed["description"]) <= 4096
    assert len(embed["fields"]) <= 25
    assert len(discord.Embed.from_dict(embed)) <= 6000
    assert render.carries(payload, "r1:g2:t3") and not render.carries(payload, "r1:g2:t4")
    assert payload["nonce"] == render.nonce("r1:g2:t3") and len(payload["nonce"]) <= 25
    assert payload["allowed_mentions"] == {"parse": [], "users": ["42"]}
    [row] = payload["components"]
    assert [c.get("url") or c.get("custom_id") for c in row["components"]] == [
        "survey:open:1",
        "https://discord.com/channels/1/2",
    ]

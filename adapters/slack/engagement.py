"""Keeping pairs alive on Slack: pause, resume, volunteer, round silent and the offer button.

Each handler turns the words or the button into one call to core.engagement.service and
returns the sentence to show; /penpals (commands.py) sends it to the person
alone. This module imports nothing of commands.py, which dispatches to it.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from adapters.slack import parsing
from adapters.slack.texts import Locales, date_long, member_language, sentence, translation
from core.engagement import rules as engagement
from core.engagement.model import Silence
from core.errors import InvalidValue, PenpalsError
from core.model import Community, MemberRef, Platform

if TYPE_CHECKING:
    from adapters.slack.services import Services

# core.engagement.rules.offer_action_id makes these ids; Slack routes the press by them.
OFFER_ACTION = re.compile(r"^engagement:new-partner:(\d+):(\d+)$")

Ack = Callable[..., Awaitable[Any]]


def pause_end(value: str, now: datetime, lang: str = "en") -> datetime:
    """Return the end of a pause typed as YYYY-MM-DD (the rule itself lives in core)."""
    try:
        parsed = parsing.when(value, "the date")
    except InvalidValue:
        _ = translation(lang)
        raise InvalidValue(
            _("{value} is not a date: use YYYY-MM-DD").format(value=repr(value))
        ) from None
    return engagement.pause_end(parsed.astimezone(UTC).date(), now)


class Engagement:
    """The engagement subcommands of /penpals, bound to the services."""

    def __init__(self, services: Services) -> None:
        self._s = services

    async def pause(
        self, community: Community, member: MemberRef, words: list[str], lang: str = "en"
    ) -> str:
        """`/penpals pause [until] YYYY-MM-DD`."""
        _ = translation(lang)
        dates = [w for w in words if w.lower() != "until"]
        if len(dates) != 1:
            raise InvalidValue(
                _("say the day you will be back, for example /penpals pause 2027-05-01")
            )
        ends = pause_end(dates[0], self._s.clock.now(), lang)
        done = await self._s.engagement.pause(community, member, ends)
        return _(
            "Paused until {date} (UTC): your pair will not be nudged meanwhile. Let your "
            "partner know, and run `/penpals resume` if you are back sooner."
        ).format(date=date_long(done.ends, lang))

    async def resume(
        self, community: Community, member: MemberRef, words: list[str], lang: str = "en"
    ) -> str:
        """`/penpals resume`."""
        _ = translation(lang)
        if await self._s.engagement.resume(community, member):
            return _("Welcome back: your pause has ended. Say hello to your partner when you can.")
        return _("You were not paused, so nothing changed.")

    async def volunteer(
        self, community: Community, member: MemberRef, words: list[str], lang: str = "en"
    ) -> str:
        """`/penpals volunteer`: join the standby pool of any round."""
        _ = translation(lang)
        if await self._s.engagement.volunteer(community, member):
            return _(
                "Thank you! You are on the standby list: if a member's partner goes quiet, "
                "penpals may pair you with them in a new pair space."
            )
        return _("You are already on the standby list: thank you!")

    async def silent(self, community: Community, round_name: str) -> str:
        """`/penpals round silent [NAME]` (organisers: commands.py checks before calling)."""
        round_ = await self._s.rounds.get(community.id, round_name)
        return silent_text(round_.name, await self._s.engagement.silent_pairs(round_.id))

    async def accept(
        self, community: Community, member: MemberRef, action_id: str, lang: str = "en"
    ) -> str:
        """Take up the offer of a new partner whose button has *action_id*."""
        _ = translation(lang)
        found = OFFER_ACTION.match(action_id)
        offer = parsing.record_id(found.group(1)) if found else None
        if offer is None:
            raise InvalidValue(f"unknown button {action_id!r}")
        done = await self._s.engagement.accept(community, member, offer)
        # The new pair space is in the outbox: make it now rather than at the next tick.
        self._s.wake(done.round.id)
        if done.number is None:
            return _(
                "Nobody on the standby list fits you just yet, so the organisers have been "
                "asked to step in: they will be in touch soon."
            )
        return _(
            "Done: your new partner is {partner}, and your new pair space is on its way. "
            "The organisers will check in with your previous partner."
        ).format(partner=done.partner)


def offer_listener(services: Services, locales: Locales) -> Callable[..., Awaitable[None]]:
    """Return the bolt listener of the offer button (in the DM to the active partner)."""
    engagement = Engagement(services)

    async def on_new_partner(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Ack
    ) -> None:
        await ack()  # accept() counts the pair's messages again: longer than Slack's 3 s
        team = body["team"]
        community = await services.communities.ensure(
            Platform.SLACK, team["id"], team.get("domain", "")
        )
        member = MemberRef(Platform.SLACK, body["user"]["id"])
        locale = await locales.of(member.external_id)
        lang = await member_language(services, community, member, locale)
        try:
            text = await engagement.accept(community, member, action["action_id"], lang)
        except PenpalsError as exc:
            text = sentence(exc.localized(lang))
        await respond(replace_original=False, response_type="ephemeral", text=text)

    return on_new_partner


def silent_text(round_name: str, pairs: Sequence[Silence]) -> str:
    """Return the organisers' list of silent pairs (as counted at the last daily check)."""
    heading, lines = engagement.silent_summary(round_name, pairs)
    if not lines:
        return heading
    return "\n".join([f"*{heading}*", *(f"• {line}" for line in lines)])

"""What /penpals does: parse the words, call one core service, say the result.

Each subcommand returns a Reply (ephemeral text, optionally blocks); a
PenpalsError becomes its one sentence. Organiser subcommands check access first,
so anyone else gets a refusal and nothing changes.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import (
    access,
    console_files,
    console_matching,
    console_review,
    console_talk,
    engagement,
    parsing,
    review,
    setup_command,
)
from adapters.slack.help_texts import ORGANISER_HELP
from adapters.slack.pacing import Limits
from adapters.slack.platform import GROUP_DM
from adapters.slack.privacy import Privacy, forget_prompt
from adapters.slack.reports import Reports
from adapters.slack.round_texts import profile_text, status_text
from adapters.slack.texts import Locales, member_language, sentence, translation
from core.communities import practices as program
from core.delivery.outbox import ActionKind, ActionState
from core.errors import InvalidValue, NotFound, PenpalsError
from core.matching.service import MatchReport
from core.messages import i18n
from core.messages.i18n import N_
from core.model import (
    Community,
    MemberRef,
    Platform,
    Round,
    RoundState,
)

if TYPE_CHECKING:
    from adapters.slack.services import Services

log = logging.getLogger(__name__)

Json = dict[str, Any]

MEMBER_HELP = N_(
    "*penpals* pairs members across countries for peer mentoring.\n"
    "• `/penpals signup`: apply to the open round (run it again to edit your application)\n"
    "• `/penpals profile`: see your application\n"
    "• `/penpals withdraw`: leave the round\n"
    "• `/penpals pause YYYY-MM-DD`: step away from your pair until that day (60 days at "
    "most); `/penpals resume` to come back sooner\n"
    "• `/penpals volunteer`: join the standby list, to pair with someone whose partner "
    "went quiet\n"
    "• `/penpals export-me`: get everything penpals stores about you, as a file\n"
    "• `/penpals forget-me`: erase your data from penpals"
)
ROUND_OPTIONS = frozenset({"opens", "closes", "starts", "ends", "cadence"})


@dataclass(frozen=True, slots=True)
class Reply:
    """What the person who ran the command sees (only them)."""

    text: str = ""
    blocks: list[Json] | None = None

    def payload(self) -> Json:
        """Return the arguments of ack() / respond() for this reply (none when it is empty)."""
        if not self.text and not self.blocks:
            return {}
        out: Json = {"text": self.text, "response_type": "ephemeral"}
        if self.blocks:
            out["blocks"] = self.blocks
        return out


@dataclass(frozen=True, slots=True)
class Caller:
    community: Community
    user_id: str
    channel_id: str = ""
    trigger_id: str = ""

    @property
    def member(self) -> MemberRef:
        return MemberRef(Platform.SLACK, self.user_id)


class Commands:
    """The /penpals subcommands, bound to the services and the bot's Web API client."""

    def __init__(
        self,
        *,
        services: Services,
        client: AsyncWebClient,
        limits: Limits | None = None,
        locales: Locales | None = None,
    ) -> None:
        self._s = services
        self._client = client
        self._limits = limits or Limits()
        self._locales = locales or Locales(client)
        self._engagement = engagement.Engagement(services)
        self._privacy = Privacy(services=services, client=client)
        self._reports = Reports(services=services, client=client)
        self._talk = console_talk.TalkConsole(services, client)
        self._review_console = console_review.ReviewConsole(services)
        self._matching = console_matching.MatchingConsole(services, self._publish_estimate)

    async def language(self, caller: Caller) -> str:
        """Return the language to answer *caller* in (their choice, Slack locale, default)."""
        locale = await self._locales.of(caller.user_id)
        return await member_language(self._s, caller.community, caller.member, locale)

    async def run(self, caller: Caller, text: str) -> Reply:
        """Run the subcommand in *text*; a PenpalsError becomes its sentence."""
        words = text.split()
        head = words[0].lower() if words else "help"
        rest = words[1:]
        member: dict[str, Callable[[Caller, list[str]], Awaitable[Reply]]] = {
            "help": self._help,
            "profile": self._profile,
            "withdraw": self._withdraw,
            "pause": self._engaged(self._engagement.pause),
            "resume": self._engaged(self._engagement.resume),
            "volunteer": self._engaged(self._engagement.volunteer),
            "export-me": self._export_me,
            "forget-me": self._forget_me,
        }
        organiser: dict[str, Callable[[Caller, list[str]], Awaitable[Reply]]] = {
            "round": self._round,
            "status": self._status,
            "review": self._review,
            "report": self._report,
            "setup": self._setup,
            **{verb: self._talking(verb) for verb in console_talk.VERBS},
            "import": self._import,
        }
        try:
            if head in member:
                return await member[head](caller, rest)
            if head in organiser:
                await access.check_organiser(self._client, caller.community, caller.user_id)
                return await organiser[head](caller, rest)
            _ = translation(await self.language(caller))
            return Reply(
                _("Unknown subcommand {name}: try `/penpals help`.").format(name=repr(head))
            )
        except PenpalsError as exc:
            return Reply(sentence(await self._refusal(caller, exc)))

    async def _refusal(self, caller: Caller, exc: PenpalsError) -> str:
        """Return a refusal in the caller's language (organisers' errors stay English)."""
        try:
            lang = await self.language(caller)
        except Exception:  # the refusal matters more than the language it is told in
            log.exception("could not look up the language of %s", caller.user_id)
            return str(exc)
        return exc.localized(lang)

    # --- members ----------------------------------------------------------------------

    async def _help(self, caller: Caller, words: list[str]) -> Reply:
        lang = await self.language(caller)
        _ = translation(lang)
        # Whom to ask and the time asked, in the member's language (core's "penpals" texts).
        asked = i18n.translator(lang).gettext
        practices = caller.community.settings.practices
        about = (
            asked("- Time commitment: {commitment}.").format(
                commitment=program.commitment(practices, lang=lang)
            )
            + "\n"
            + asked("Questions or technical trouble? Contact {contact}.").format(
                contact=program.contact(practices, lang=lang)
            )
        )
        return Reply(f"{_(MEMBER_HELP)}\n{about}\n{ORGANISER_HELP}")

    async def _profile(self, caller: Caller, words: list[str]) -> Reply:
        app = await self._s.applications.mine(caller.community, caller.member)
        return Reply(profile_text(app, await self.language(caller)))

    async def _withdraw(self, caller: Caller, words: list[str]) -> Reply:
        gone = await self._s.applications.withdraw(
            caller.community, caller.member, " ".join(words) or None
        )
        _ = translation(await self.language(caller))
        text = _("You have withdrawn from round {round}.").format(round=gone.round.name)
        if gone.partners:
            text += " " + _("Your partner will be told kindly and offered a new match.")
        return Reply(text)

    def _engaged(
        self,
        handler: Callable[[Community, MemberRef, list[str], str], Awaitable[str]],
    ) -> Callable[[Caller, list[str]], Awaitable[Reply]]:
        """Adapt an engagement handler (adapters/slack/engagement.py) to the dispatch above."""

        async def run(caller: Caller, words: list[str]) -> Reply:
            lang = await self.language(caller)
            return Reply(await handler(caller.community, caller.member, words, lang))

        return run

    def _talking(self, verb: str) -> Callable[[Caller, list[str]], Awaitable[Reply]]:
        """Adapt a console_talk verb (announce, broadcast, topic(s), survey...) to the dispatch."""

        async def run(caller: Caller, words: list[str]) -> Reply:
            said = await self._talk.run(
                verb, caller.community, caller.user_id, words, caller.trigger_id
            )
            return Reply(said)

        return run

    async def _import(self, caller: Caller, words: list[str]) -> Reply:
        name = await self._round_name(caller, words)
        await console_files.open_import(
            self._s, self._client, caller.community, caller.trigger_id, name
        )
        return Reply()

    async def _export_me(self, caller: Caller, words: list[str]) -> Reply:
        lang = await self.language(caller)
        return Reply(await self._privacy.export(caller.community, caller.member, lang))

    async def _forget_me(self, caller: Caller, words: list[str]) -> Reply:
        text, blocks = forget_prompt(await self.language(caller))
        return Reply(text, blocks)

    # --- organisers -------------------------------------------------------------------

    async def _round(self, caller: Caller, words: list[str]) -> Reply:
        if not words:
            raise InvalidValue("say what to do with the round: see /penpals help")
        verb, rest = words[0].lower(), words[1:]
        cid = caller.community.id
        if verb == "create":
            return await self._create(caller, rest)
        if verb in ("list", "status") and (verb == "list" or not rest):
            return await self._status(caller, rest)
        if verb == "edit":
            return Reply(await self._talk.edit(caller.community, caller.user_id, rest))
        if verb in console_matching.VERBS:
            text, blocks = await self._matching.run(
                caller.community,
                caller.user_id,
                verb,
                rest,
                lambda words: self._round_name(caller, words),
            )
            return Reply(text, blocks)
        name = await self._round_name(caller, rest)
        if verb in ("open", "close", "start", "finish"):
            moved: Round = await getattr(self._s.rounds, verb)(
                cid, name, actor=console_matching.actor(caller.user_id)
            )
            self._s.wake(moved.id)  # the engine delivers the announcements it caused
            return Reply(f"Round {moved.name} is now {moved.state.value}.")
        if verb == "status":
            return await self._round_status(caller, name)
        if verb == "silent":
            return Reply(await self._engagement.silent(caller.community, name))
        raise InvalidValue(f"unknown round command {verb!r}: see /penpals help")

    async def _create(self, caller: Caller, words: list[str]) -> Reply:
        positional, opts = parsing.split_options(words, ROUND_OPTIONS)
        if not positional:
            raise InvalidValue("name the round, for example /penpals round create 2027A")
        dates = {
            k: parsing.when(opts[k], k) for k in ("opens", "closes", "starts", "ends") if k in opts
        }
        cadence = parsing.number(opts.get("cadence", "14"), "cadence")
        round_, carried = await self._s.rounds.create(
            caller.community.id,
            " ".join(positional),
            cadence_days=cadence,
            actor=console_matching.actor(caller.user_id),
            **dates,
        )
        self._s.wake(round_.id)  # its calendar may open it by itself
        text = (
            f"Created round {round_.name} (draft): open it with /penpals round open {round_.name}."
        )
        if carried:
            text += f" {carried} waitlisted applicant(s) were carried over as pending."
        return Reply(text)

    async def _status(self, caller: Caller, words: list[str]) -> Reply:
        if words:
            return Reply(
                status_text(await self._s.rounds.status(caller.community.id, " ".join(words)))
            )
        rounds = await self._s.rounds.list(caller.community.id)
        if not rounds:
            return Reply("There is no round yet: create one with /penpals round create NAME.")
        return Reply("\n\n".join(status_text(s) for s in rounds[:5]))

    async def _round_status(self, caller: Caller, name: str) -> Reply:
        status = await self._s.rounds.status(caller.community.id, name)
        text = status_text(status)
        if status.round.state in (RoundState.MATCHED, RoundState.RUNNING):
            text += "\n" + await self._spaces_progress(caller.community, status.round)
        return Reply(text)

    async def _spaces_progress(self, community: Community, round_: Round) -> str:
        """Say how far the making of the round's pair spaces has come."""
        # Read from the outbox directly: core has no progress query for a round yet.
        async with self._s.uow() as uow:
            actions = await uow.outbox.list(
                community.id, round_id=round_.id, kinds=[ActionKind.CREATE_SPACE]
            )
        states = Counter(a.state for a in actions)
        text = f"Pair spaces: {states[ActionState.DONE]} of {len(actions)} made"
        if states[ActionState.FAILED]:
            text += f", {states[ActionState.FAILED]} failed (see the organiser alerts)"
        pending = states[ActionState.PENDING]
        if pending:
            minutes = max(1, round(self._limits.seconds_for("conversations.create", pending) / 60))
            text += f", {pending} to go (about {minutes} minute(s) at Slack's pace)"
        return text + "."

    async def _report(self, caller: Caller, words: list[str]) -> Reply:
        return Reply(await self._reports.post(caller.community, " ".join(words) or None))

    async def _review(self, caller: Caller, words: list[str]) -> Reply:
        if any("=" in w for w in words):  # a filter: the review console (console_review.py)
            named, found, page = console_review.parse(words)
            name = await self._round_name(caller, named.split())
            offset = (page - 1) * console_review.PAGE
            text, blocks = await self._review_console.show(caller.community, name, found, offset)
            return Reply(text, blocks)
        name = await self._round_name(caller, words)
        return await self.review_reply(caller.community, name)

    async def review_reply(self, community: Community, round_name: str) -> Reply:
        """Return the review message of a round: pending applications with their buttons."""
        status = await self._s.rounds.status(community.id, round_name)
        apps = await self._s.applications.list(community.id, round_name)
        blocks = review.blocks(status, apps)
        return Reply(f"Applications to round {round_name}", blocks)

    async def decide(self, caller: Caller, action_id: str, round_name: str) -> Reply:
        """Apply a review button (approve / decline / waitlist one, or approve all pending)."""
        await access.check_organiser(self._client, caller.community, caller.user_id)
        decision, external_id = review.parse_action(action_id)
        done = await self._s.applications.decide(
            caller.community.id,
            round_name,
            decision,
            [external_id] if external_id else [],
            all_pending=not external_id,
            actor=console_matching.actor(caller.user_id),
        )
        reply = await self.review_reply(caller.community, round_name)
        note = review.decided_text(decision, done)
        return Reply(note, [review.note_block(note), *(reply.blocks or [])])

    async def _setup(self, caller: Caller, words: list[str]) -> Reply:
        return Reply(await setup_command.setup(self._s, self._client, caller, words))

    # --- helpers ----------------------------------------------------------------------

    async def _round_name(self, caller: Caller, words: list[str]) -> str:
        """Return the round named in *words*, or the newest round when none is named."""
        if words:
            return " ".join(words)
        rounds = await self._s.rounds.list(caller.community.id)
        if not rounds:
            raise NotFound("there is no round yet: create one with /penpals round create NAME")
        return rounds[0].round.name

    def _publish_estimate(self, community: Community, report: MatchReport) -> str:
        n = len(report.groups)
        if not n:
            return ""
        group_dm = community.settings.channels.get("pair_mode") == GROUP_DM
        method = "conversations.open" if group_dm else "conversations.create"
        minutes = max(1, round(self._limits.seconds_for(method, n) / 60))
        what = "group DMs" if group_dm else "private channels"
        verb = "will take" if report.published else "would take"
        return (
            f"Slack paces bots, so creating the {n} {what} {verb} about {minutes} minute(s); "
            "`/penpals round status` shows the round."
        )

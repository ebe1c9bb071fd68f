"""Keeping pairs alive: count activity, nudge quiet pairs, offer a new partner.

Activity is counted per pair space as messages per member per week, never their
contents. A pair silent for 14 days gets one friendly nudge; at 28 days the
organisers get it on a list and the partner who wrote last on their own is offered
a new partner from the standby pool (the round's odd ones out, its waitlisted
applicants, volunteers). A member on pause is not nudged, their pair is not silent
during the pause, and its silence counts again from the end of the pause.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from core.engagement.activity import (
    Quiet,
    find_silences,
    member_names,
    not_yet_listed,
    pair_spaces,
    quiet_pairs,
    silences,
    weekly_counts,
)
from core.engagement.model import (
    NUDGE_AFTER,
    RESCUE_AFTER,
    NewPartner,
    PairSpace,
    Silence,
    SilenceCheck,
)
from core.engagement.notices import (
    moved_on_alert,
    nobody_alert,
    nudge,
    offer,
    silent_alert,
    space_action,
)
from core.engagement.rules import next_midnight, week_of
from core.engagement.standby import (
    best_partner,
    current_round,
    latest_application,
    open_offer,
    regroup,
)
from core.errors import Conflict, InvalidValue, NotFound
from core.messages import i18n
from core.messages.i18n import N_
from core.messages.languages import pair_language_of
from core.model import (
    Community,
    MemberRef,
    Platform,
    RoundState,
)
from core.platform import ChatPlatform
from core.ports import Clock, NewGroup, Pause, UnitOfWorkFactory
from core.ports import WeekCount as Count
from core.rounds.service import find_round

log = logging.getLogger(__name__)


class EngagementService:
    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory,
        clock: Clock,
        platforms: Mapping[Platform, ChatPlatform],
    ) -> None:
        self._uow = uow
        self._clock = clock
        # Kept by reference: adapters register themselves once connected.
        self._platforms = platforms
        # The last silence check's quiet pairs per round, with the moment, the spaces and
        # the round start they were found for: next_check at that same moment (a scheduler
        # asks right after advancing) reuses them instead of searching every pair again.
        # Whatever changes them here (counts, pauses) drops them.
        self._quiet: dict[int, _QuietPairs] = {}
        # The pair spaces last read per round, with the figures they were read at.
        self._pair_spaces: dict[int, tuple[tuple[int, ...], tuple[PairSpace, ...]]] = {}

    # -- the daily round ---------------------------------------------------------------

    async def daily(self, round_id: int) -> str | None:
        """Count activity and check for silence, at most once per UTC day; say what was done."""
        async with self._uow() as uow:
            last = await uow.engagement.last_recorded(round_id)
        if last is not None and last.date() >= self._clock.now().date():
            return None
        spaces = await self._spaces(round_id)
        counted = await self._record(round_id, spaces)
        if not counted:
            return None
        # Only freshly counted pairs: stale counts would make a talking pair look silent.
        check = await self._check(round_id, [s for s in spaces if s.group.number in counted])
        return (
            f"activity: {len(counted)} spaces; nudged {check.nudged}, "
            f"listed {check.listed}, offered {check.offered}"
        )

    async def record_activity(
        self, round_id: int, *, numbers: Collection[int] | None = None
    ) -> frozenset[int]:
        """Store the weekly message counts of the round's pair spaces; return the groups counted."""
        return await self._record(round_id, await self._spaces(round_id, numbers))

    async def check_silence(self, round_id: int) -> SilenceCheck:
        """Nudge pairs silent 14 days; at 28 list them for organisers and offer a new partner."""
        return await self._check(round_id, await self._spaces(round_id))

    async def silent_pairs(self, round_id: int) -> list[Silence]:
        """Return the round's pairs silent for 14 days or more, as last counted."""
        spaces = await self._spaces(round_id)
        async with self._uow() as uow:
            round_ = await uow.rounds.get(round_id)
            return await find_silences(uow, round_, spaces, self._clock.now())

    async def next_check(self, round_id: int) -> datetime | None:
        """Return the 00:00 UTC at which a pair may next reach 14 or 28 days of silence.

        Checking only then, not every day, spares the platform's API: a pair that
        talked since is simply found talking.
        """
        now = self._clock.now()
        spaces = await self._spaces(round_id)
        async with self._uow() as uow:
            round_ = await uow.rounds.get(round_id)
            found = self._quiet.get(round_id)
            if found is not None and found.still(now, spaces, round_.starts_at):
                quiet = found.quiet
            else:
                quiet = await quiet_pairs(uow, round_, spaces, now)
        deadlines = [q.since + after for q in quiet for after in (NUDGE_AFTER, RESCUE_AFTER)]
        future = [d for d in deadlines if d > now]
        return next_midnight(min(future)) if future else None

    async def _spaces(
        self, round_id: int, numbers: Collection[int] | None = None
    ) -> list[PairSpace]:
        async with self._uow(read_only=True) as uow:
            # Read again only when they changed: they rarely do once a round runs, and a
            # 20,000-member round's pairs and spaces took a third of a second to read.
            version = await uow.engagement.spaces_version(round_id)
            known = self._pair_spaces.get(round_id)
            if known is not None and known[0] == version:
                spaces = list(known[1])
            else:
                spaces = await pair_spaces(uow, round_id)
                self._pair_spaces[round_id] = (version, tuple(spaces))
        return spaces if numbers is None else [s for s in spaces if s.group.number in numbers]

    async def _record(self, round_id: int, spaces: Sequence[PairSpace]) -> frozenset[int]:
        self._quiet.pop(round_id, None)  # new counts: the pairs found quiet may have talked
        async with self._uow() as uow:
            round_ = await uow.rounds.get(round_id)
            community = await uow.communities.get(round_.community_id)
            latest = await uow.engagement.latest_weeks(s.group.id for s in spaces)
            refs = await uow.members.refs(m for s in spaces for m in s.group.member_ids)
        platform = self._platforms.get(community.platform)
        if platform is None:  # another process serves this platform
            return frozenset()
        now = self._clock.now()
        counts: list[Count] = []
        counted = set()
        for s in spaces:
            first = latest.get(s.group.id, week_of(s.created_at))
            try:
                counts += await weekly_counts(platform, s, refs, first, now)
            except Exception:  # one unreadable space must not stop the others
                log.exception("counting activity of %s failed", s.space.name or s.space.id)
                continue
            counted.add(s.group.number)
        async with self._uow() as uow:
            await uow.engagement.record(counts, now)
            await uow.commit()
        return frozenset(counted)

    async def _check(self, round_id: int, spaces: Sequence[PairSpace]) -> SilenceCheck:
        now = self._clock.now()
        async with self._uow() as uow:
            round_ = await uow.rounds.get(round_id)
            if round_.state is not RoundState.RUNNING:
                return SilenceCheck()
            community = await uow.communities.get(round_.community_id)
            quiet = await quiet_pairs(uow, round_, spaces, now)
            self._quiet[round_id] = _QuietPairs(now, tuple(spaces), round_.starts_at, quiet)
            silent = silences(quiet, now)
            rescue = [s for s in silent if s.days >= RESCUE_AFTER.days]
            refs = await uow.members.refs(m for s in rescue for m in s.member_ids)
            # Nudges in the pair's language, offers in the member's own.
            chosen = await uow.members.languages(m for s in silent for m in s.member_ids)
            nudges = [
                nudge(
                    community,
                    round_,
                    s,
                    now,
                    pair_language_of([chosen.get(m) for m in s.member_ids], community),
                )
                for s in silent
            ]
            offers = [
                offer(
                    community,
                    round_,
                    s,
                    refs[s.active_member_id].external_id,
                    now,
                    i18n.pick(chosen.get(s.active_member_id), community.settings.default_language),
                )
                for s in rescue
                if s.active_member_id is not None
            ]
            alert = []
            unlisted = await not_yet_listed(uow, community, round_, rescue)
            if unlisted:
                names = await member_names(
                    uow, round_.id, (m for s in unlisted for m in s.member_ids)
                )
                alert.append(silent_alert(community, round_, unlisted, names, now))
            check = SilenceCheck(
                nudged=await uow.outbox.enqueue(nudges),
                offered=await uow.outbox.enqueue(offers),
                listed=len(unlisted) if await uow.outbox.enqueue(alert) else 0,
            )
            await uow.commit()
        return check

    # -- a new partner -----------------------------------------------------------------

    async def accept(
        self, community: Community, member: MemberRef, round_id: int | None = None
    ) -> NewPartner:
        """Pair someone who took up the offer with the best fit from the standby pool."""
        async with self._uow() as uow:
            member_id, round_, group = await open_offer(uow, community, member, round_id)
        # Count again first: a partner who wrote this morning keeps the pair together.
        spaces = await self._spaces(round_.id, [group.number])
        await self._record(round_.id, spaces)
        now = self._clock.now()
        async with self._uow() as uow:
            community = await uow.communities.get(community.id)
            silences = await find_silences(uow, round_, spaces, now)
            if not any(s.days >= RESCUE_AFTER.days for s in silences):
                raise Conflict(
                    N_(
                        "your pair space is active again, so your pair continues: ask the "
                        "organisers if you would still like a change"
                    )
                )
            chosen = await best_partner(uow, community, round_, member_id, now)
            if chosen is None:
                await uow.outbox.enqueue([nobody_alert(community, round_, group, member, now)])
                await uow.commit()
                return NewPartner(round_, group.number, None)
            standby, score, reasons = chosen
            number = await regroup(uow, community, round_, group, member_id, standby, now)
            await uow.groups.add(
                round_.id,
                NewGroup(number, (member_id, standby.member_id), score, reasons),
                published=True,
            )
            await uow.outbox.enqueue(
                [
                    space_action(community, round_, number, now),
                    moved_on_alert(community, round_, group, number, standby, now),
                ]
            )
            await uow.commit()
        return NewPartner(
            round_, group.number, number, standby.application.profile.name, standby.source
        )

    async def volunteer(
        self, community: Community, member: MemberRef, round_name: str | None = None
    ) -> bool:
        """Put a member in the standby pool (of one round, or any); False if already there."""
        async with self._uow() as uow:
            member_id = await uow.members.find(community.id, member)
            if member_id is None or await latest_application(uow, community, member_id) is None:
                raise NotFound(
                    N_("apply to a round once first, so that a new partner can read about you")
                )
            round_id = None
            if round_name is not None:
                round_id = (await find_round(uow, community.id, round_name)).id
            added = await uow.engagement.add_volunteer(
                community.id, member_id, round_id, self._clock.now()
            )
            await uow.commit()
        return added

    # -- pauses ------------------------------------------------------------------------

    async def pause(self, community: Community, member: MemberRef, until: datetime) -> Pause:
        """Pause a member's pair until *until*: no nudges, and the pair is not silent meanwhile."""
        now = self._clock.now()
        if until <= now:
            raise InvalidValue(N_("a pause ends in the future: give a later date"))
        async with self._uow() as uow:
            member_id, round_ = await current_round(uow, community, member)
            # A new pause replaces one already running instead of overlapping it.
            self._quiet.pop(round_.id, None)
            await uow.engagement.end_pauses(member_id, round_.id, now)
            pause = await uow.engagement.add_pause(member_id, round_.id, now, until)
            await uow.commit()
        return pause

    async def resume(self, community: Community, member: MemberRef) -> bool:
        """End a member's running pause now; return False if they were not paused."""
        async with self._uow() as uow:
            member_id, round_ = await current_round(uow, community, member)
            self._quiet.pop(round_.id, None)
            ended = await uow.engagement.end_pauses(member_id, round_.id, self._clock.now())
            await uow.commit()
        return ended > 0


# -- counting ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _QuietPairs:
    """The quiet pairs a silence check found, and for which moment, spaces and start."""

    at: datetime
    spaces: tuple[PairSpace, ...]
    starts_at: datetime | None
    quiet: list[Quiet]

    def still(self, now: datetime, spaces: Sequence[PairSpace], starts_at: datetime | None) -> bool:
        """Return whether they answer for *now*, these spaces and this round start."""
        return self.at == now and self.starts_at == starts_at and self.spaces == tuple(spaces)

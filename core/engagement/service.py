"""Keeping pairs alive: count activity, nudge quiet pairs, offer a new partner.

Activity is counted per pair space as messages per member per week, never their
contents. A pair silent for 14 days gets one friendly nudge; at 28 days the
organisers get it on a list and the partner who wrote last on their own is offered
a new partner from the standby pool (the round's odd ones out, its waitlisted
applicants, volunteers). A member on pause is not nudged, their pair is not silent
during the pause, and its silence counts again from the end of the pause.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from core.delivery.outbox import ActionKind, ActionState, NewAction, space_key
from core.errors import Conflict, InvalidValue, Moment, NotFound
from core.matching.service import candidates
from core.messages import i18n
from core.messages import render as messages
from core.messages.i18n import N_
from core.messages.languages import pair_language_of
from core.model import (
    Application,
    ApplicationStatus,
    Community,
    Group,
    MemberRef,
    Platform,
    Round,
    RoundState,
)
from core.platform import Activity, ChatPlatform, SpaceRef, message_to_dict
from core.ports import Clock, NewApplication, NewGroup, Pause, UnitOfWork, UnitOfWorkFactory
from core.ports import WeekCount as Count
from core.rounds.service import find_round

log = logging.getLogger(__name__)

A = ApplicationStatus
NUDGE_AFTER = timedelta(days=14)
RESCUE_AFTER = timedelta(days=28)
WEEK = timedelta(days=7)
# Who is asked first when several in the pool would make a good pair: people of the
# round still without a partner, then the waitlist, then volunteers.
SOURCES = ("odd one out", "waitlisted", "volunteer")


def week_of(at: datetime) -> date:
    """Return the Monday (UTC) of the week *at* falls in."""
    day = at.astimezone(UTC).date()
    return day - timedelta(days=day.weekday())


def _week_start(week: date) -> datetime:
    return datetime.combine(week, time(), UTC)


def offer_action_id(round_id: int, number: int) -> str:
    """Return the button id of an offer of a new partner (adapters route presses by it)."""
    return f"engagement:new-partner:{round_id}:{number}"


@dataclass(frozen=True, slots=True)
class PairSpace:
    """A published, active group whose private space the platform has made."""

    group: Group
    space: SpaceRef
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Silence:
    """A pair nobody has written in for a while, and who (if anyone) wrote last alone."""

    number: int
    member_ids: tuple[int, ...]
    since: datetime
    days: int
    active_member_id: int | None

    @property
    def spell(self) -> str:
        """Name this silent spell: one nudge and one offer per spell, however often checked."""
        return f"{self.since:%Y-%m-%d}"


@dataclass(frozen=True, slots=True)
class SilenceCheck:
    nudged: int = 0
    listed: int = 0
    offered: int = 0


@dataclass(frozen=True, slots=True)
class NewPartner:
    round: Round
    old_number: int
    number: int | None  # None: nobody in the pool fits yet (the organisers were told)
    partner: str = ""
    source: str = ""  # one of SOURCES


@dataclass(frozen=True, slots=True)
class _Standby:
    """Someone in the standby pool, with the profile they would be matched on."""

    application: Application  # in this round, or their latest one when volunteering
    source: str

    @property
    def member_id(self) -> int:
        return self.application.member_id


MAX_PAUSE_DAYS = 60  # longer absences are a withdrawal, which the organisers should hear about


def pause_end(day: date, now: datetime) -> datetime:
    """Return when a pause "until *day*" ends: that day's first moment (UTC), within 60 days."""
    until = datetime.combine(day, time(), UTC)
    latest = now + timedelta(days=MAX_PAUSE_DAYS)
    if until <= now:
        raise InvalidValue(
            N_("{day} is not in the future: give the day you will be back"),
            day=Moment(until, "%Y-%m-%d"),
        )
    if until > latest:
        raise InvalidValue(
            N_(
                "a pause lasts at most {days} days (until {latest}): "
                "for longer, tell the organisers or withdraw from the round"
            ),
            days=MAX_PAUSE_DAYS,
            latest=Moment(latest, "%Y-%m-%d"),
        )
    return until


def silent_summary(round_name: str, pairs: Sequence[Silence]) -> tuple[str, list[str]]:
    """Return the organisers' heading and one line per silent pair (counts, never contents)."""
    if not pairs:
        return f"No pair of round {round_name} has been silent for two weeks or more.", []
    heading = f"Round {round_name}: {len(pairs)} pair(s) silent for two weeks or more"
    lines = []
    for s in sorted(pairs, key=lambda s: (-s.days, s.number)):
        if s.days < RESCUE_AFTER.days:
            then = "nudged"
        elif s.active_member_id is not None:
            then = "the partner who wrote last was offered a new partner"
        else:
            then = "nobody wrote last on their own: check in with both"
        lines.append(f"Pair {s.number}: silent {s.days} days; {then}")
    return heading, lines


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
            return await _silences(uow, round_, spaces, self._clock.now())

    async def next_check(self, round_id: int) -> datetime | None:
        """Return the 00:00 UTC at which a pair may next reach 14 or 28 days of silence.

        Checking only then, not every day, spares the platform's API: a pair that
        talked since is simply found talking.
        """
        now = self._clock.now()
        spaces = await self._spaces(round_id)
        async with self._uow() as uow:
            quiet = await _quiet(uow, await uow.rounds.get(round_id), spaces, now)
        deadlines = [q.since + after for q in quiet for after in (NUDGE_AFTER, RESCUE_AFTER)]
        future = [d for d in deadlines if d > now]
        return _next_midnight(min(future)) if future else None

    async def _spaces(
        self, round_id: int, numbers: Collection[int] | None = None
    ) -> list[PairSpace]:
        async with self._uow() as uow:
            spaces = await _pair_spaces(uow, round_id)
        return spaces if numbers is None else [s for s in spaces if s.group.number in numbers]

    async def _record(self, round_id: int, spaces: Sequence[PairSpace]) -> frozenset[int]:
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
                counts += await _weekly_counts(platform, s, refs, first, now)
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
            silent = await _silences(uow, round_, spaces, now)
            rescue = [s for s in silent if s.days >= RESCUE_AFTER.days]
            refs = await uow.members.refs(m for s in rescue for m in s.member_ids)
            # Nudges in the pair's language, offers in the member's own.
            chosen = await uow.members.languages(m for s in silent for m in s.member_ids)
            nudges = [
                _nudge(
                    community,
                    round_,
                    s,
                    now,
                    pair_language_of([chosen.get(m) for m in s.member_ids], community),
                )
                for s in silent
            ]
            offers = [
                _offer(
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
            unlisted = await _not_yet_listed(uow, community, round_, rescue)
            if unlisted:
                names = await _names(uow, round_.id)
                alert.append(_silent_alert(community, round_, unlisted, names, now))
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
            member_id, round_, group = await _open_offer(uow, community, member, round_id)
        # Count again first: a partner who wrote this morning keeps the pair together.
        spaces = await self._spaces(round_.id, [group.number])
        await self._record(round_.id, spaces)
        now = self._clock.now()
        async with self._uow() as uow:
            community = await uow.communities.get(community.id)
            silences = await _silences(uow, round_, spaces, now)
            if not any(s.days >= RESCUE_AFTER.days for s in silences):
                raise Conflict(
                    N_(
                        "your pair space is active again, so your pair continues: ask the "
                        "organisers if you would still like a change"
                    )
                )
            chosen = await _best_partner(uow, community, round_, member_id, now)
            if chosen is None:
                await uow.outbox.enqueue([_nobody_alert(community, round_, group, member, now)])
                await uow.commit()
                return NewPartner(round_, group.number, None)
            standby, score, reasons = chosen
            number = await _regroup(uow, community, round_, group, member_id, standby, now)
            await uow.groups.add(
                round_.id,
                NewGroup(number, (member_id, standby.member_id), score, reasons),
                published=True,
            )
            await uow.outbox.enqueue(
                [
                    _space_action(community, round_, number, now),
                    _moved_on_alert(community, round_, group, number, standby, now),
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
            if member_id is None or await _latest_application(uow, community, member_id) is None:
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
            member_id, round_ = await _current_round(uow, community, member)
            # A new pause replaces one already running instead of overlapping it.
            await uow.engagement.end_pauses(member_id, round_.id, now)
            pause = await uow.engagement.add_pause(member_id, round_.id, now, until)
            await uow.commit()
        return pause

    async def resume(self, community: Community, member: MemberRef) -> bool:
        """End a member's running pause now; return False if they were not paused."""
        async with self._uow() as uow:
            member_id, round_ = await _current_round(uow, community, member)
            ended = await uow.engagement.end_pauses(member_id, round_.id, self._clock.now())
            await uow.commit()
        return ended > 0


# -- counting ------------------------------------------------------------------------


async def _pair_spaces(uow: UnitOfWork, round_id: int) -> list[PairSpace]:
    """Return the round's published active groups whose space has been made."""
    groups = [g for g in await uow.groups.list(round_id) if g.published]
    made = await uow.outbox.by_keys(space_key(round_id, g.number) for g in groups)
    spaces = []
    for g in groups:
        action = made.get(space_key(round_id, g.number))
        if action is None or action.state is not ActionState.DONE:
            continue
        r = action.result
        if "space_id" not in r:  # skipped: the group was dissolved first
            continue
        ref = SpaceRef(action.platform, r["space_id"], r.get("name", ""), r.get("url", ""))
        spaces.append(PairSpace(g, ref, action.done_at or action.created_at))
    return spaces


async def _weekly_counts(
    platform: ChatPlatform,
    space: PairSpace,
    refs: Mapping[int, MemberRef],
    first: date,
    now: datetime,
) -> list[Count]:
    """Return the members' counts for each week from *first* to this one.

    The platform counts from a moment onwards, so a week's count is the count since
    its Monday minus the count since the next Monday. Weeks from the last one stored
    are counted again: after downtime every missed week is filled in exactly.
    """
    weeks = [first]
    while weeks[-1] < week_of(now):
        weeks.append(weeks[-1] + WEEK)
    since = [await platform.activity(space.space, since=_week_start(w).isoformat()) for w in weeks]
    counts = []
    for i, week in enumerate(weeks):
        later = since[i + 1] if i + 1 < len(since) else Activity()
        by_member = {
            m: max(0, _count(since[i], refs[m]) - _count(later, refs[m]))
            for m in space.group.member_ids
        }
        last = _last_in_week(since[i], week) if any(by_member.values()) else None
        counts += [Count(space.group.id, m, week, n, last) for m, n in by_member.items()]
    return counts


def _count(activity: Activity, member: MemberRef) -> int:
    return activity.messages_by_member.get(member.external_id, 0)


def _last_in_week(activity: Activity, week: date) -> datetime | None:
    """Return the latest message of the week, or None when a later message hides it."""
    if activity.last_message_at is None:
        return None
    last = datetime.fromisoformat(activity.last_message_at).astimezone(UTC)
    return last if last < _week_end(week) else None


def _week_end(week: date) -> datetime:
    return _week_start(week) + WEEK


# -- silence ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Quiet:
    """A pair space, when its silence began, and its members' latest weeks with messages."""

    space: PairSpace
    since: datetime
    counts: Sequence[Count]


async def _quiet(
    uow: UnitOfWork, round_: Round, spaces: Sequence[PairSpace], now: datetime
) -> list[_Quiet]:
    counts: dict[int, list[Count]] = defaultdict(list)
    for c in await uow.engagement.last_active(s.group.id for s in spaces):
        counts[c.group_id].append(c)
    pauses: dict[int, list[Pause]] = defaultdict(list)
    for p in await uow.engagement.pauses(round_.id):
        pauses[p.member_id].append(p)
    return [
        _Quiet(
            s,
            _quiet_since(
                s,
                counts[s.group.id],
                [p for m in s.group.member_ids for p in pauses[m]],
                round_.starts_at,
                now,
            ),
            counts[s.group.id],
        )
        for s in spaces
    ]


def _quiet_since(
    space: PairSpace,
    counts: Sequence[Count],
    pauses: Sequence[Pause],
    started: datetime | None,
    now: datetime,
) -> datetime:
    """Return when the pair's silence began (in the future while a member is paused).

    Silence counts from the last message, or else from when the pair could first
    talk, and afresh from the end of a pause. *counts* are the members' latest
    weeks with messages: the space's last message is in the latest of them.
    """
    # A week whose last message was never read exactly counts as talking to its end.
    last = max((c.last_message_at or _week_end(c.week) for c in counts), default=None)
    ends = [p.ends for p in pauses if p.starts <= now]
    return max(t for t in (last, space.created_at, started, *ends) if t is not None)


async def _silences(
    uow: UnitOfWork, round_: Round, spaces: Sequence[PairSpace], now: datetime
) -> list[Silence]:
    """Return the pairs silent for 14 days or more."""
    return [
        Silence(
            q.space.group.number,
            q.space.group.member_ids,
            q.since,
            (now - q.since).days,
            _active_partner(q.space.group.member_ids, q.counts),
        )
        for q in await _quiet(uow, round_, spaces, now)
        if now - q.since >= NUDGE_AFTER
    ]


def _next_midnight(at: datetime) -> datetime:
    """Return *at* if it is 00:00 UTC, else the next 00:00 UTC."""
    day = at.astimezone(UTC).date()
    midnight = datetime.combine(day, time(), UTC)
    return midnight if midnight == at else midnight + timedelta(days=1)


def _active_partner(member_ids: Sequence[int], counts: Sequence[Count]) -> int | None:
    """Return who alone wrote in the pair's last week with messages, if anyone did."""
    last = {
        m: max((c.week for c in counts if c.member_id == m and c.messages), default=None)
        for m in member_ids
    }
    weeks = [w for w in last.values() if w is not None]
    if not weeks:
        return None
    writers = [m for m, w in last.items() if w == max(weeks)]
    # Both wrote and then both stopped: nobody is left waiting for an answer.
    return writers[0] if len(writers) == 1 else None


async def _not_yet_listed(
    uow: UnitOfWork, community: Community, round_: Round, silent: Sequence[Silence]
) -> list[Silence]:
    """Return the silences no earlier organisers' list of the round named."""
    alerts = await uow.outbox.list(
        community.id, round_id=round_.id, kinds=[ActionKind.ALERT_ORGANISERS]
    )
    listed = {tuple(p) for a in alerts for p in a.payload.get("silent_pairs", ())}
    return [s for s in silent if (s.number, s.spell) not in listed]


async def _names(uow: UnitOfWork, round_id: int) -> dict[int, str]:
    return {a.member_id: a.profile.name for a in await uow.applications.list(round_id)}


def _nudge(community: Community, round_: Round, s: Silence, now: datetime, lang: str) -> NewAction:
    key = space_key(round_.id, s.number)
    return NewAction(
        f"r{round_.id}:g{s.number}:nudge:{s.spell}",
        community.id,
        community.platform,
        ActionKind.POST,
        {
            "message": message_to_dict(messages.nudge(round_, s.days, lang=lang)),
            "group": s.number,
        },
        now,
        round_.id,
        requires=(key,),
    )


def _offer(
    community: Community, round_: Round, s: Silence, external_id: str, now: datetime, lang: str
) -> NewAction:
    message = messages.new_partner_offer(
        round_,
        s.days,
        action_id=offer_action_id(round_.id, s.number),
        lang=lang,
    )
    return NewAction(
        f"r{round_.id}:g{s.number}:offer:{s.spell}",
        community.id,
        community.platform,
        ActionKind.DIRECT_MESSAGE,
        {
            "member": external_id,
            "message": message_to_dict(message),
            "offer_group": s.number,
        },
        now,
        round_.id,
    )


def _silent_alert(
    community: Community,
    round_: Round,
    silent: Sequence[Silence],
    names: Mapping[int, str],
    now: datetime,
) -> NewAction:
    lines = [
        messages.SilentPairLine(
            s.number,
            [names.get(m, "?") for m in s.member_ids],
            s.days,
            names.get(s.active_member_id, "") if s.active_member_id is not None else "",
        )
        for s in silent
    ]
    listed = [[s.number, s.spell] for s in silent]
    # Named by the pairs it lists: the same list is never sent twice.
    digest = hashlib.sha256(repr(listed).encode()).hexdigest()[:16]
    return NewAction(
        f"r{round_.id}:silent:{digest}",
        community.id,
        community.platform,
        ActionKind.ALERT_ORGANISERS,
        {
            "message": message_to_dict(
                messages.silent_pairs_alert(round_, lines, lang=community.settings.default_language)
            ),
            "silent_pairs": listed,
        },
        now,
        round_.id,
    )


# -- the standby pool --------------------------------------------------------------------


async def _open_offer(
    uow: UnitOfWork, community: Community, member: MemberRef, round_id: int | None
) -> tuple[int, Round, Group]:
    """Return the member, round and group of an offer the member may still take up."""
    member_id = await uow.members.find(community.id, member)
    dms = await uow.outbox.list(community.id, round_id=round_id, kinds=[ActionKind.DIRECT_MESSAGE])
    offers = [
        a for a in dms if "offer_group" in a.payload and a.payload["member"] == member.external_id
    ]
    for offer in reversed(offers):  # the latest first
        if member_id is None or offer.round_id is None:
            continue
        round_ = await uow.rounds.get(offer.round_id)
        if round_.state is not RoundState.RUNNING:
            continue
        # Still in that group: an offer taken up or overtaken by events is spent.
        for group in await uow.groups.list(round_.id):
            if group.number == offer.payload["offer_group"] and member_id in group.member_ids:
                return member_id, round_, group
    raise NotFound(N_("you have no open offer of a new partner: ask the organisers for help"))


async def _best_partner(
    uow: UnitOfWork, community: Community, round_: Round, member_id: int, now: datetime
) -> tuple[_Standby, float, tuple[str, ...]] | None:
    """Return the pool member who makes the best valid pair with the member, if any."""
    from core.matching.matcher import group_score, violations  # the matcher (numpy): only here

    pool = await _pool(uow, community, round_, now)
    me = await uow.applications.find(round_.id, member_id)
    assert me is not None, "a member of a group has an application"
    people = await candidates(
        uow, community, round_, [me, *(s.application for s in pool)], include_this_round=True
    )
    mine = people[0]
    on = round_.starts_at.date() if round_.starts_at else None
    best: tuple[tuple[int, float, int], _Standby, float, tuple[str, ...]] | None = None
    for i, (standby, theirs) in enumerate(zip(pool, people[1:], strict=True)):
        if violations([mine, theirs]):
            continue
        score, reasons = group_score([mine, theirs], on=on)
        rank = (SOURCES.index(standby.source), -score, i)
        if best is None or rank < best[0]:
            best = (rank, standby, score, reasons)
    return None if best is None else best[1:]


async def _pool(
    uow: UnitOfWork, community: Community, round_: Round, now: datetime
) -> list[_Standby]:
    """Return the standby pool: odd ones out, waitlisted applicants, volunteers.

    Left out: anyone in an active group, anyone paused, and the partners a member
    moved on from (the organisers follow up with them).
    """
    groups = await uow.groups.list(round_.id, active_only=False)
    busy = {m for g in groups if g.active for m in g.member_ids}
    left = {m for g in groups if not g.active and busy & set(g.member_ids) for m in g.member_ids}
    paused = {
        p.member_id for p in await uow.engagement.pauses(round_.id) if p.starts <= now < p.ends
    }
    apps = await uow.applications.list(round_.id)
    pool = [_Standby(a, "odd one out") for a in apps if a.status is A.APPROVED]
    pool += [_Standby(a, "waitlisted") for a in apps if a.status is A.WAITLISTED]
    pool += await _volunteers(uow, community, round_, apps)
    out = busy | left | paused
    chosen = []
    for s in pool:  # someone in two sources counts in the first
        if s.member_id not in out:
            out.add(s.member_id)
            chosen.append(s)
    return chosen


async def _volunteers(
    uow: UnitOfWork, community: Community, round_: Round, apps: Sequence[Application]
) -> list[_Standby]:
    """Return the round's volunteers with the profile they would be matched on."""
    here = {a.member_id: a for a in apps}
    found = []
    for v in await uow.engagement.volunteers(community.id, round_.id):
        app = here.get(v.member_id) or await _latest_application(uow, community, v.member_id)
        if app is not None and app.status is not A.DECLINED:
            found.append(_Standby(app, "volunteer"))
    return found


async def _latest_application(
    uow: UnitOfWork, community: Community, member_id: int
) -> Application | None:
    """Return the member's application in the community's latest round they applied to."""
    for round_ in sorted(await uow.rounds.list(community.id), key=lambda r: -r.id):
        app = await uow.applications.find(round_.id, member_id)
        if app is not None:
            return app
    return None


async def _regroup(
    uow: UnitOfWork,
    community: Community,
    round_: Round,
    old: Group,
    member_id: int,
    standby: _Standby,
    now: datetime,
) -> int:
    """Retire the silent group, bring the new partner into the round; return the new number."""
    # The old group keeps all its members, so nobody is paired with them again.
    await uow.groups.save(replace(old, active=False))
    app = standby.application
    if app.round_id != round_.id:
        await uow.applications.add(
            NewApplication(
                round_.id, app.member_id, app.profile, A.APPROVED, now, note="standby volunteer"
            )
        )
    elif app.status is not A.APPROVED:
        await uow.applications.set_status([app.id], A.APPROVED, "joined from standby", now)
    await uow.engagement.remove_volunteer(community.id, app.member_id)
    numbers = [g.number for g in await uow.groups.list(round_.id, active_only=False)]
    return max(numbers, default=0) + 1


async def _current_round(
    uow: UnitOfWork, community: Community, member: MemberRef
) -> tuple[int, Round]:
    """Return the member and the matched or running round they take part in."""
    member_id = await uow.members.find(community.id, member)
    if member_id is not None:
        for round_ in sorted(await uow.rounds.list(community.id), key=lambda r: -r.id):
            if round_.state not in (RoundState.MATCHED, RoundState.RUNNING):
                continue
            app = await uow.applications.find(round_.id, member_id)
            if app is not None and app.status is A.APPROVED:
                return member_id, round_
    raise NotFound(N_("you are not in a running round, so there is nothing to pause"))


def _space_action(community: Community, round_: Round, number: int, at: datetime) -> NewAction:
    return NewAction(
        space_key(round_.id, number),
        community.id,
        community.platform,
        ActionKind.CREATE_SPACE,
        {"round_id": round_.id, "group": number},
        at,
        round_.id,
    )


def _moved_on_alert(
    community: Community,
    round_: Round,
    old: Group,
    number: int,
    standby: _Standby,
    now: datetime,
) -> NewAction:
    text = (
        f"Round {round_.name}: a member of silent pair {old.number} took up the offer of a new "
        f"partner and is now in pair {number} with {standby.application.profile.name} "
        f"({standby.source}). Please check in with the partner who went quiet."
    )
    return NewAction(
        f"r{round_.id}:g{old.number}:moved-on",
        community.id,
        community.platform,
        ActionKind.ALERT_ORGANISERS,
        {
            "message": message_to_dict(
                messages.organiser_alert(text, lang=community.settings.default_language)
            )
        },
        now,
        round_.id,
    )


def _nobody_alert(
    community: Community, round_: Round, old: Group, member: MemberRef, now: datetime
) -> NewAction:
    text = (
        f"Round {round_.name}: {member.external_id} of silent pair {old.number} asked for a new "
        "partner, but nobody in the standby pool fits the pairing rules. Add volunteers or "
        "pair them by hand."
    )
    return NewAction(
        f"r{round_.id}:g{old.number}:nobody:{now:%Y-%m-%d}",
        community.id,
        community.platform,
        ActionKind.ALERT_ORGANISERS,
        {
            "message": message_to_dict(
                messages.organiser_alert(text, lang=community.settings.default_language)
            )
        },
        now,
        round_.id,
    )

"""What the bot says to keep pairs alive: nudges, the offer of a new partner, and the
organisers' list of silent pairs (as platform-neutral Messages)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from core.messages import i18n
from core.model import Round
from core.platform import Button, Message

if TYPE_CHECKING:
    pass


from core.messages.render import and_list


class SilentPairLine(NamedTuple):
    """One quiet pair as organisers see it in the silent-pairs list."""

    number: int
    names: Sequence[str]
    days: int
    active_name: str = ""  # who wrote last on their own and was offered a new partner


def nudge(round_: Round, days: int, *, lang: str = "en") -> Message:
    """Return the friendly note posted to a pair space that has been quiet for a while."""
    _ = i18n.translator(lang).gettext
    return Message(
        title=_("Checking in"),
        body=_(
            "It has been {days} days since anyone wrote here. Life gets busy, and that is "
            "fine: a short hello counts. Share one thing from your week, or pick up the "
            "latest topic.\n\n"
            "- Away for a while? Tell your partner and pause, so that we do not nudge you.\n"
            "- Cannot reach each other? Tell the organisers: we are glad to help."
        ).format(days=days),
        footer=_("Round {round} · pairs talk at least twice a month").format(round=round_.name),
    )


def silent_pairs_alert(
    round_: Round, pairs: Sequence[SilentPairLine], *, lang: str = "en"
) -> Message:
    """Return the organisers' list of pairs silent long enough to need a person."""
    _ = i18n.translator(lang).gettext
    lines = []
    for p in pairs:
        then = (
            _("{name} wrote last and was offered a new partner").format(name=p.active_name)
            if p.active_name
            else _("nobody wrote last on their own: check in with both")
        )
        # As before: every name joined with "and" ("A and B and C").
        who = functools.reduce(lambda a, b: and_list([a, b], lang), p.names) if p.names else ""
        lines.append(
            _("- Pair {number} ({names}): silent {days} days; {then}").format(
                number=p.number, names=who, days=p.days, then=then
            )
        )
    return Message(
        title=_("Round {round}: pairs silent for four weeks").format(round=round_.name),
        body="\n".join(lines),
        footer=_("Each pair was nudged at two weeks. Members can pause when they are away."),
    )


def new_partner_offer(round_: Round, days: int, *, action_id: str, lang: str = "en") -> Message:
    """Return the private offer of a new partner to someone whose partner went quiet."""
    _ = i18n.translator(lang).gettext
    return Message(
        title=_("Would you like a new partner?"),
        body=_(
            "Your pair space in round {round} has been quiet for {days} days. "
            "If your partner cannot take part right now, we can pair you with someone new "
            "from our standby list: librarians waiting for a partner or happy to take one.\n\n"
            "Nothing changes unless you ask. The organisers know, and will check in with "
            "your partner."
        ).format(round=round_.name, days=days),
        buttons=(Button(_("Find me a new partner"), action_id),),
    )

"""Every applicant told the decision, by direct message, in their own language.

Approved (with a short orientation), declined (with the organisers' note, if any),
waitlisted (why, and what happens next), unplaced after matching (why, in words),
and each member of the one group of three (why three). Each message is an outbox
direct message with its own key, written in the same transaction as the decision,
so it is sent exactly once, also across restarts; the delivery skips it when the
member has withdrawn by then (core.delivery.service), and the adapters fall back to a
mention when a member's direct messages are closed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from babel.numbers import format_percent

from core import times
from core.communities.practices import commitment, contact, guidance
from core.delivery.outbox import ActionKind, NewAction
from core.matching import explanations
from core.messages import i18n, vocab
from core.model import Application, Community, Practices, Round
from core.platform import Message, message_to_dict
from core.ports import UnitOfWork

APPROVED = "approved"
DECLINED = "declined"
WAITLISTED = "waitlisted"
UNPLACED = "unplaced"
TRIO = "trio"
KINDS = (APPROVED, DECLINED, WAITLISTED, UNPLACED, TRIO)


def outcome_key(round_id: int, member_id: int, kind: str) -> str:
    """Return the outbox key of one outcome message: one per member, round and kind."""
    return f"r{round_id}:m{member_id}:outcome:{kind}"


def approved(round_: Round, practices: Practices, *, lang: str = "en", tz: str = "") -> Message:
    """Return the welcome of an approved applicant: what to expect, time, attitude, contact."""
    _ = i18n.translator(lang).gettext
    ngettext = i18n.translator(lang).ngettext
    expect = []
    if round_.starts_at is not None:
        expect.append(
            _(
                "- The round starts {date}. Then you get a private space with your partner, an "
                "introduction, and why you were matched."
            ).format(date=times.token(round_.starts_at, lang=lang, tz=tz or None))
        )
    else:
        expect.append(
            _(
                "- When the round starts you get a private space with your partner, an "
                "introduction, and why you were matched."
            )
        )
    expect.append(
        ngettext(
            "- A discussion topic arrives every day: use it, or talk about anything else.",
            "- A discussion topic arrives every {days} days: use it, or talk about anything else.",
            round_.topic_cadence_days,
        ).format(days=round_.topic_cadence_days)
    )
    expect.append(
        _("- Time commitment: {commitment}, at times that suit you both.").format(
            commitment=commitment(practices, lang=lang)
        )
    )
    body = (
        _("Your application to round {round} is approved. Welcome!").format(round=round_.name)
        + "\n\n"
        + "\n".join(expect)
    )
    return Message(
        title=_("You are in: round {round}").format(round=round_.name),
        body=body,
        fields=((_("Across cultures"), guidance(practices, lang=lang)),),
        footer=_("Questions or technical trouble? Contact {contact}.").format(
            contact=contact(practices, lang=lang)
        ),
    )


def declined(round_: Round, note: str, practices: Practices, *, lang: str = "en") -> Message:
    """Return the kind news that an application was declined, with the organisers' note."""
    _ = i18n.translator(lang).gettext
    body = _(
        "Thank you for applying to round {round}. This time the organisers could not offer "
        "you a place."
    ).format(round=round_.name)
    if note.strip():
        body += "\n\n" + _("A note from the organisers: {note}").format(note=note.strip())
    body += "\n\n" + _("You are welcome to apply again to a later round.")
    return Message(
        title=_("About your application to round {round}").format(round=round_.name),
        body=body,
        footer=_("Questions? Contact {contact}.").format(contact=contact(practices, lang=lang)),
    )


def waitlisted(
    round_: Round,
    reason: str,
    practices: Practices,
    *,
    lang: str = "en",
) -> Message:
    """Return the news of a waitlisted application: why (in words), and what happens next."""
    _ = i18n.translator(lang).gettext
    body = (
        _("Thank you for applying to round {round}. You are on the waiting list: {reason}.").format(
            round=round_.name, reason=reason
        )
        + "\n\n"
        + _(
            "What happens next: your application is carried to the next round by itself, "
            "ahead of newer applications, so you do not need to apply again. If a place opens "
            "during this round, the organisers may offer you a partner sooner."
        )
    )
    return Message(
        title=_("You are on the waiting list for round {round}").format(round=round_.name),
        body=body,
        footer=_("Questions? Contact {contact}.").format(contact=contact(practices, lang=lang)),
    )


def cap_reason(country: str, cap: float, *, lang: str = "en") -> str:
    """Return why the country cap waitlisted someone, in words."""
    _ = i18n.translator(lang).gettext
    return _(
        "to keep each round international, at most {share} of its participants come from one "
        "country, and {country} reached that share"
    ).format(
        share=format_percent(cap, locale=i18n.normalize(lang)),
        country=vocab.country_name(country, lang),
    )


def organiser_reason(note: str, *, lang: str = "en") -> str:
    """Return why the organisers waitlisted someone: their note, else that the round is full."""
    _ = i18n.translator(lang).gettext
    if note.strip():
        return _("the organisers say: {note}").format(note=note.strip())
    return _("the round is full")


def unplaced(round_: Round, code: str, practices: Practices, *, lang: str = "en") -> Message:
    """Return the news that matching found no partner, with the reason in words."""
    _ = i18n.translator(lang).gettext
    body = (
        _("We could not find you a partner in round {round}: {reason}.").format(
            round=round_.name, reason=explanations.unplaced(code, lang=lang)
        )
        + "\n\n"
        + _(
            "This is about the mix of people who applied, not about you. If someone suitable "
            "becomes free during the round, the organisers may pair you then; otherwise you "
            "are welcome in the next round."
        )
    )
    return Message(
        title=_("No partner for you in round {round}, this time").format(round=round_.name),
        body=body,
        footer=_("Questions? Contact {contact}.").format(contact=contact(practices, lang=lang)),
    )


def trio(round_: Round, practices: Practices, *, lang: str = "en") -> Message:
    """Return why a member is in a group of three rather than a pair."""
    _ = i18n.translator(lang).gettext
    return Message(
        title=_("You are in a group of three"),
        body=_(
            "In round {round} you are in a group of three rather than a pair: an odd number of "
            "people could be paired, and rather than leave someone without a partner, one pair "
            "became a group of three. Everything else works as for a pair; with three of you, "
            "agree early on how you will take turns, so that nobody is left out."
        ).format(round=round_.name),
        footer=_("Questions? Contact {contact}.").format(contact=contact(practices, lang=lang)),
    )


async def actions(
    uow: UnitOfWork,
    community: Community,
    round_: Round,
    outcomes: Sequence[tuple[Application, str, Callable[[str], Message]]],
    now: datetime,
) -> list[NewAction]:
    """Return the direct messages of *outcomes* (application, kind, render(lang)).

    Each is in the member's language (their choice, else the community's default);
    forgotten members get nothing.
    """
    chosen = await uow.members.languages([a.member_id for a, _, _ in outcomes])
    out = []
    for app, kind, render in outcomes:
        if app.member.forgotten:
            continue
        lang = i18n.pick(chosen.get(app.member_id), community.settings.default_language)
        out.append(
            NewAction(
                outcome_key(round_.id, app.member_id, kind),
                community.id,
                community.platform,
                ActionKind.DIRECT_MESSAGE,
                {
                    "member": app.member.external_id,
                    "message": message_to_dict(render(lang)),
                    "outcome": kind,
                    "round_id": round_.id,
                    "member_id": app.member_id,
                },
                now,
                round_.id,
            )
        )
    return out

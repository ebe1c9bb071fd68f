"""What the bot says, as platform-neutral Messages: introductions, topics, notices.

Renderers are pure functions of plain data, the current time and a language;
adapters turn the Messages into embeds or Block Kit. Texts go through the gettext
catalogs of core/i18n with named {placeholders}; English is the source language.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from core import times
from core.communities import practices as program
from core.matching import explanations
from core.messages import i18n, vocab
from core.messages.i18n import N_
from core.model import Practices, Profile, Round, Topic
from core.platform import Button, Message
from core.rounds import topics

if TYPE_CHECKING:
    pass

EXPECTATIONS = N_(
    "- Talk **at least twice a month**: a new topic arrives every {cadence} days, "
    "use it or talk about anything else.\n"
    "- A partner unlike you is the point: another country, maybe another sector or "
    "career stage. Be curious and kind about the differences.\n"
    "- **Agree on one or two goals** in your first conversation and come back to them.\n"
    "- Most pairs talk asynchronously across time zones: reply when you can, and say so "
    "if you will be away."
)

WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)

# Whole phrases rather than "{sector} library", so that each language can word them.
SECTOR_LIBRARIES = {
    "academic": N_("academic library"),
    "public": N_("public library"),
    "school": N_("school library"),
    "special": N_("special library"),
    "national": N_("national library"),
    "government": N_("government library"),
    "health": N_("health library"),
    "other": N_("other library"),
}
CAREERS = {
    "student": N_("student career"),
    "early": N_("early career"),
    "mid": N_("mid career"),
    "senior": N_("senior career"),
}


def local_time(profile: Profile, now: datetime, *, lang: str = "en") -> str:
    """Return the member's local time as '14:05 on Tuesday (Europe/Helsinki)'."""
    _ = i18n.translator(lang).gettext
    here = now.astimezone(ZoneInfo(profile.timezone))
    return _("{time} on {weekday} ({zone})").format(
        time=f"{here:%H:%M}", weekday=_(WEEKDAYS[here.weekday()]), zone=profile.timezone
    )


def common_languages(profiles: Sequence[Profile]) -> list[str]:
    """Return the languages everyone in the group speaks, in the first member's order."""
    shared = set(profiles[0].languages)
    for p in profiles[1:]:
        shared &= set(p.languages)
    return [code for code in profiles[0].languages if code in shared]


def and_list(names: Sequence[str], lang: str) -> str:
    """Return 'A and B' or 'A, B and C' in *lang*."""
    _ = i18n.translator(lang).gettext
    if len(names) == 1:
        return names[0]
    return _("{names} and {last}").format(names=", ".join(names[:-1]), last=names[-1])


def _profile_lines(p: Profile, now: datetime, lang: str) -> list[str]:
    _ = i18n.translator(lang).gettext
    if p.sector in SECTOR_LIBRARIES:
        sector = _(SECTOR_LIBRARIES[p.sector])
    else:
        sector = _("{sector} library").format(sector=p.sector)
    if p.career_stage in CAREERS:
        career = _(CAREERS[p.career_stage])
    else:
        career = _("{stage} career").format(stage=p.career_stage)
    spoken = ", ".join(vocab.language_name(code, lang) for code in p.languages)
    lines = [
        f"{vocab.country_name(p.country, lang)} · {sector} · {career}",
        _("Speaks {languages}").format(languages=spoken),
        _("Local time now: {time}").format(time=local_time(p, now, lang=lang)),
    ]
    if p.interests:
        lines.append(_("Interests: {interests}").format(interests=", ".join(p.interests)))
    if p.introduction:
        lines.append(f"“{p.introduction}”")
    return lines


def introduction(
    round_: Round,
    number: int,
    profiles: Sequence[Profile],
    reasons: Sequence[str],
    *,
    now: datetime,
    contact: str = "",
    lang: str = "en",
    ids: Sequence[str] = (),
    practices: Practices | None = None,
    goals_action: str = "",
    languages: Sequence[str | None] = (),
) -> Message:
    """Return the first message of a pair space: who, why, and what to expect.

    *languages* are the members' own choices (in the order of *profiles*): a member
    who reads another language than the space's also gets why they were matched in
    theirs, with the working hours on their own clock.

    *reasons* are the matcher's (encoded core.matching.explanations reasons), put into words
    here; *ids* are the members' platform ids in the order of *profiles*, which the
    reasons refer to (never shown). An empty *contact* names the program's contact
    (*practices*), else the organisers. *goals_action* adds the "Set our goals" button.
    """
    practices = practices or Practices()
    _ = i18n.translator(lang).gettext
    who = and_list([p.name for p in profiles], lang)
    fields = [(p.name, "\n".join(_profile_lines(p, now, lang))) for p in profiles]
    shared = common_languages(profiles)
    if shared:
        fields.append(
            (
                _("A language you share"),
                ", ".join(vocab.language_name(code, lang) for code in shared),
            )
        )
    people = [explanations.Person(i, p) for i, p in zip(ids, profiles, strict=False)]
    on = (round_.starts_at or now).date()
    words = explanations.describe(reasons, people, lang=lang, on=on)
    if words:
        fields.append((_("Why you were matched"), "\n".join(f"- {r}" for r in words)))
        space = i18n.normalize(lang)
        for person, chosen in zip(people, languages, strict=False):
            theirs = i18n.supported(chosen)
            if theirs is None or theirs == space:
                continue
            mine = explanations.describe(reasons, people, lang=theirs, reader=person.id, on=on)
            title = i18n.translator(theirs).gettext("Why you were matched")
            fields.append((f"{title} · {person.profile.name}", "\n".join(f"- {r}" for r in mine)))
    body = (
        _(
            "Welcome, {who}! You are pair {number} of round {round} of the peer-mentoring "
            "program. This space is private to you (organisers can look in only to help)."
        ).format(who=who, number=number, round=round_.name)
        + "\n\n"
        + _(EXPECTATIONS).format(cadence=round_.topic_cadence_days)
        + "\n"
        + _("- Time commitment: {commitment}.").format(
            commitment=program.commitment(practices, lang=lang)
        )
    )
    fields.append((_("Across cultures"), program.guidance(practices, lang=lang)))
    return Message(
        title=_("Meet your partner") if len(profiles) == 2 else _("Meet your partners"),
        body=body,
        fields=tuple(fields),
        footer=_("Technical trouble or questions? Contact {contact}.").format(
            contact=contact or program.contact(practices, lang=lang)
        ),
        buttons=(Button(_("Set our goals"), goals_action),) if goals_action else (),
    )


def topic_message(
    round_: Round, topic: Topic, k: int, total: int, *, thread_url: str = "", lang: str = "en"
) -> Message:
    """Return a topic as posted to a pair space, linking to the public discussion."""
    _ = i18n.translator(lang).gettext
    topic = topics.localize(topic, lang)
    questions = "\n".join(f"- {q}" for q in topic.questions)
    body = f"{topic.prompt}\n\n{questions}"
    if thread_url:
        body += "\n\n" + _("Share what you found with everyone in the open discussion thread.")
    return Message(
        title=_("Topic {number} of {total}: {title}").format(
            number=k + 1, total=total, title=topic.title
        ),
        body=body,
        footer=_("Round {round} · a suggestion, not homework: talk about anything you like").format(
            round=round_.name
        ),
        link=thread_url,
    )


def public_topic_message(
    round_: Round, topic: Topic, k: int, total: int, *, lang: str = "en"
) -> Message:
    """Return the opening post of a topic's public discussion thread."""
    _ = i18n.translator(lang).gettext
    topic = topics.localize(topic, lang)
    questions = "\n".join(f"- {q}" for q in topic.questions)
    return Message(
        title=_("{round} · Topic {number} of {total}: {title}").format(
            round=round_.name, number=k + 1, total=total, title=topic.title
        ),
        body=f"{topic.prompt}\n\n{questions}\n\n" + _("Everyone in the round is welcome here."),
    )


def partner_left(round_: Round, *, lang: str = "en") -> Message:
    """Return the kind note to someone whose partner withdrew."""
    _ = i18n.translator(lang).gettext
    return Message(
        title=_("Your partner has left the round"),
        body=_(
            "Your partner had to withdraw from round {round}. That is nobody's fault. "
            "The organisers have been told and will find you a new partner soon."
        ).format(round=round_.name),
    )


def organiser_alert(text: str, *, lang: str = "en") -> Message:
    """Return a notice for the organisers' channel."""
    _ = i18n.translator(lang).gettext
    return Message(title=_("penpals: organiser attention"), body=text)


def announcement(
    round_: Round, what: str, *, lang: str = "en", practices: Practices | None = None
) -> Message:
    """Return a round announcement: opened, closing, published, finished.

    "opened" states the round's real cadence, the time commitment and, when set, the
    closing date (in each reader's clock on Discord and Slack).
    """
    _ = i18n.translator(lang).gettext
    practices = practices or Practices()
    opened = _(
        "Apply with the signup command: you will be paired with a librarian in another "
        "country and get a discussion topic {cadence}. Time commitment: {commitment}."
    ).format(
        cadence=program.cadence(round_.topic_cadence_days, lang=lang),
        commitment=program.commitment(practices, lang=lang),
    )
    if round_.applications_close_at is not None:
        opened += " " + _("Applications close {date}.").format(
            date=times.token(round_.applications_close_at, lang=lang, style="F")
        )
    texts = {
        "opened": (_("Applications for round {round} are open"), opened),
        "closing": (
            _("Applications for round {round} close soon"),
            _("Last call: sign up now if you want a partner this round."),
        ),
        "published": (
            _("Round {round}: pairs are published"),
            _("Look for your private pair space and say hello to your partner."),
        ),
        "finished": (
            _("Round {round} has finished"),
            _("Thank you all. Watch for the survey: it shapes the next round."),
        ),
    }
    title, body = texts[what]
    return Message(title=title.format(round=round_.name), body=body)


def goodbye(round_: Round, *, lang: str = "en") -> Message:
    """Return the last message in a pair space before it is archived."""
    _ = i18n.translator(lang).gettext
    return Message(
        title=_("Round {round} has ended").format(round=round_.name),
        body=_(
            "Thank you for taking part. This space will be archived now. "
            "Would you like to keep in touch? Swap an email address or a profile link "
            "here before you go."
        ),
    )

"""What the bot says, as platform-neutral Messages: introductions, topics, notices.

Renderers are pure functions of plain data and the current time, so they are easy
to test and (later) to translate; adapters turn the Messages into embeds or Block Kit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from core import vocab
from core.model import Profile, Round, Topic
from core.platform import Button, Message

EXPECTATIONS = (
    "- Talk **at least twice a month**: a new topic arrives every {cadence} days, "
    "use it or talk about anything else.\n"
    "- A partner unlike you is the point: another country, maybe another sector or "
    "career stage. Be curious and kind about the differences.\n"
    "- **Agree on one or two goals** in your first conversation and come back to them.\n"
    "- Most pairs talk asynchronously across time zones: reply when you can, and say so "
    "if you will be away."
)


def local_time(profile: Profile, now: datetime) -> str:
    """Return the member's local time as '14:05 on Tuesday (Europe/Helsinki)'."""
    here = now.astimezone(ZoneInfo(profile.timezone))
    return f"{here:%H:%M} on {here:%A} ({profile.timezone})"


def common_languages(profiles: Sequence[Profile]) -> list[str]:
    """Return the languages everyone in the group speaks, in the first member's order."""
    shared = set(profiles[0].languages)
    for p in profiles[1:]:
        shared &= set(p.languages)
    return [code for code in profiles[0].languages if code in shared]


def introduction(
    round_: Round,
    number: int,
    profiles: Sequence[Profile],
    reasons: Sequence[str],
    *,
    now: datetime,
    contact: str,
) -> Message:
    """Return the first message of a pair space: who, why, and what to expect."""
    names = [p.name for p in profiles]
    who = " and ".join(names) if len(names) == 2 else f"{', '.join(names[:-1])} and {names[-1]}"
    fields = []
    for p in profiles:
        lines = [
            f"{p.country_name} · {p.sector} library · {p.career_stage} career",
            f"Speaks {', '.join(vocab.language_name(code) for code in p.languages)}",
            f"Local time now: {local_time(p, now)}",
        ]
        if p.interests:
            lines.append(f"Interests: {', '.join(p.interests)}")
        if p.introduction:
            lines.append(f"“{p.introduction}”")
        fields.append((p.name, "\n".join(lines)))
    shared = common_languages(profiles)
    if shared:
        fields.append(
            (
                "A language you share",
                ", ".join(vocab.language_name(code) for code in shared),
            )
        )
    if reasons:
        fields.append(("Why you were matched", "\n".join(f"- {r}" for r in reasons)))
    body = (
        f"Welcome, {who}! You are pair {number} of round {round_.name} of the peer-mentoring "
        "program. This space is private to you (organisers can look in only to help).\n\n"
        + EXPECTATIONS.format(cadence=round_.topic_cadence_days)
    )
    return Message(
        title=f"Meet your {'partner' if len(profiles) == 2 else 'partners'}",
        body=body,
        fields=tuple(fields),
        footer=f"Technical trouble or questions? Contact {contact}.",
    )


def topic_message(
    round_: Round, topic: Topic, k: int, total: int, *, thread_url: str = ""
) -> Message:
    """Return a topic as posted to a pair space, linking to the public discussion."""
    questions = "\n".join(f"- {q}" for q in topic.questions)
    body = f"{topic.prompt}\n\n{questions}"
    if thread_url:
        body += "\n\nShare what you found with everyone in the open discussion thread."
    return Message(
        title=f"Topic {k + 1} of {total}: {topic.title}",
        body=body,
        footer=f"Round {round_.name} · a suggestion, not homework: talk about anything you like",
        link=thread_url,
    )


def public_topic_message(round_: Round, topic: Topic, k: int, total: int) -> Message:
    """Return the opening post of a topic's public discussion thread."""
    questions = "\n".join(f"- {q}" for q in topic.questions)
    return Message(
        title=f"{round_.name} · Topic {k + 1} of {total}: {topic.title}",
        body=f"{topic.prompt}\n\n{questions}\n\nEveryone in the round is welcome here.",
    )


def partner_left(round_: Round) -> Message:
    """Return the kind note to someone whose partner withdrew."""
    return Message(
        title="Your partner has left the round",
        body=(
            f"Your partner had to withdraw from round {round_.name}. That is nobody's fault. "
            "The organisers have been told and will find you a new partner soon."
        ),
    )


def organiser_alert(text: str) -> Message:
    """Return a notice for the organisers' channel."""
    return Message(title="penpals: organiser attention", body=text)


def announcement(round_: Round, what: str) -> Message:
    """Return a round announcement: opened, closing, published, finished."""
    texts = {
        "opened": (
            f"Applications for round {round_.name} are open",
            "Apply with the signup command: you will be paired with a librarian in another "
            "country and get a discussion topic every two weeks.",
        ),
        "closing": (
            f"Applications for round {round_.name} close soon",
            "Last call: sign up now if you want a partner this round.",
        ),
        "published": (
            f"Round {round_.name}: pairs are published",
            "Look for your private pair space and say hello to your partner.",
        ),
        "finished": (
            f"Round {round_.name} has finished",
            "Thank you all. Watch for the survey: it shapes the next round.",
        ),
    }
    title, body = texts[what]
    return Message(title=title, body=body)


def goodbye(round_: Round) -> Message:
    """Return the last message in a pair space before it is archived."""
    return Message(
        title=f"Round {round_.name} has ended",
        body=(
            "Thank you for taking part. This space will be archived now. "
            "Would you like to keep in touch? Swap an email address or a profile link "
            "here before you go."
        ),
    )


class SilentPairLine(NamedTuple):
    """One quiet pair as organisers see it in the silent-pairs list."""

    number: int
    names: Sequence[str]
    days: int
    active_name: str = ""  # who wrote last on their own and was offered a new partner


def nudge(round_: Round, days: int) -> Message:
    """Return the friendly note posted to a pair space that has been quiet for a while."""
    return Message(
        title="Checking in",
        body=(
            f"It has been {days} days since anyone wrote here. Life gets busy, and that is "
            "fine: a short hello counts. Share one thing from your week, or pick up the "
            "latest topic.\n\n"
            "- Away for a while? Tell your partner and pause, so that we do not nudge you.\n"
            "- Cannot reach each other? Tell the organisers: we are glad to help."
        ),
        footer=f"Round {round_.name} · pairs talk at least twice a month",
    )


def silent_pairs_alert(round_: Round, pairs: Sequence[SilentPairLine]) -> Message:
    """Return the organisers' list of pairs silent long enough to need a person."""
    lines = []
    for p in pairs:
        who = " and ".join(p.names)
        then = (
            f"{p.active_name} wrote last and was offered a new partner"
            if p.active_name
            else "nobody wrote last on their own: check in with both"
        )
        lines.append(f"- Pair {p.number} ({who}): silent {p.days} days; {then}")
    return Message(
        title=f"Round {round_.name}: pairs silent for four weeks",
        body="\n".join(lines),
        footer="Each pair was nudged at two weeks. Members can pause when they are away.",
    )


def new_partner_offer(round_: Round, days: int, *, action_id: str) -> Message:
    """Return the private offer of a new partner to someone whose partner went quiet."""
    return Message(
        title="Would you like a new partner?",
        body=(
            f"Your pair space in round {round_.name} has been quiet for {days} days. "
            "If your partner cannot take part right now, we can pair you with someone new "
            "from our standby list: librarians waiting for a partner or happy to take one.\n\n"
            "Nothing changes unless you ask. The organisers know, and will check in with "
            "your partner."
        ),
        buttons=(Button("Find me a new partner", action_id),),
    )

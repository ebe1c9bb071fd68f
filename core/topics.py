"""The default topic library and the round's topic calendar.

Nine discussion topics for library professionals, written for penpals. Each
community gets its own editable copy when it is created. Topic k (counting from
0) goes to every pair at round start + k x cadence: the first topic arrives with
the introductions, and the last one still has a full cadence to be talked about
before the round ends (core.rounds.default_end).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.model import Round, Topic

DEFAULT_TOPICS: tuple[Topic, ...] = (
    Topic(
        1,
        "Getting to know each other",
        "Start with the people behind the job titles and agree how you will work together.",
        (
            "What does an ordinary working day look like for you?",
            "What do you each hope to take away from these months?",
            "How and how often will you talk (chat, email, video)?",
        ),
    ),
    Topic(
        2,
        "Library spaces",
        "Buildings and rooms shape what people can do in a library.",
        (
            "Which space in your library works best, and why?",
            "What would you change first if you had the budget?",
            "How do your users' needs for quiet, group work or making differ?",
        ),
    ),
    Topic(
        3,
        "Management and leadership",
        "Everyone leads something, whatever their title.",
        (
            "Who is a leader you learned from, and what did they do?",
            "How are decisions made where you work?",
            "What would you like to get better at when leading a team or a project?",
        ),
    ),
    Topic(
        4,
        "Advocacy and telling our story",
        "Funders, councils and the public do not always see what libraries do.",
        (
            "Who decides your library's future, and how do you reach them?",
            "Share a story or a number that made someone value your library.",
            "How do you show your impact beyond counting visits and loans?",
        ),
    ),
    Topic(
        5,
        "Professional development",
        "Learning never stops, and it looks different in every country.",
        (
            "How did you train for this profession, and what was missing?",
            "What do you do to keep learning now?",
            "What is one skill you want to build this year, and how could your partner help?",
        ),
    ),
    Topic(
        6,
        "Serving communities",
        "Libraries exist for the people they serve, including those who never come in.",
        (
            "Who are the users your library finds hardest to reach?",
            "Describe a service or program that changed something for someone.",
            "How do you find out what your community needs?",
        ),
    ),
    Topic(
        7,
        "Technology and digital services",
        "Tools change quickly; the purpose of the library changes slowly.",
        (
            "Which technology made the biggest difference to your work lately?",
            "What is your library's approach to digital skills and access?",
            "Is there a tool you tried and dropped? What did you learn?",
        ),
    ),
    Topic(
        8,
        "Collections and access to information",
        "What we collect, keep and open up says a lot about our values.",
        (
            "How are choices about what to buy or keep made in your library?",
            "What does open access or freedom of information mean in your country?",
            "Which local material would be lost if your library did not keep it?",
        ),
    ),
    Topic(
        9,
        "Looking back, looking ahead",
        "Take stock of the round before it ends and decide what comes next.",
        (
            "Did you reach the goals you set at the start?",
            "What surprised you most about your partner's library or country?",
            "Would you like to keep in touch, and how?",
        ),
    ),
)


@dataclass(frozen=True, slots=True)
class ScheduledTopic:
    topic: Topic
    at: datetime


def schedule(round_: Round, topics: Sequence[Topic]) -> list[ScheduledTopic]:
    """Return when each topic goes out: topic k (from 0) at start + k x cadence."""
    if round_.starts_at is None:
        return []
    cadence = timedelta(days=round_.topic_cadence_days)
    ordered = sorted(topics, key=lambda t: t.position)
    return [ScheduledTopic(t, round_.starts_at + k * cadence) for k, t in enumerate(ordered)]

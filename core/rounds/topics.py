"""The default topic library and the round's topic calendar.

Nine discussion topics for library professionals, written for penpals. Each
community gets its own editable copy when it is created. Topic k (counting from
0) goes to every pair at round start + k x cadence: the first topic arrives with
the introductions, and the last one still has a full cadence to be talked about
before the round ends (core.rounds.service.default_end).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.messages import i18n
from core.messages.i18n import N_
from core.model import Round, Topic

DEFAULT_TOPICS: tuple[Topic, ...] = (
    Topic(
        1,
        N_("Getting to know each other"),
        N_("Start with the people behind the job titles and agree how you will work together."),
        (
            N_("What does an ordinary working day look like for you?"),
            N_("What do you each hope to take away from these months?"),
            N_("How and how often will you talk (chat, email, video)?"),
        ),
    ),
    Topic(
        2,
        N_("Library spaces"),
        N_("Buildings and rooms shape what people can do in a library."),
        (
            N_("Which space in your library works best, and why?"),
            N_("What would you change first if you had the budget?"),
            N_("How do your users' needs for quiet, group work or making differ?"),
        ),
    ),
    Topic(
        3,
        N_("Management and leadership"),
        N_("Everyone leads something, whatever their title."),
        (
            N_("Who is a leader you learned from, and what did they do?"),
            N_("How are decisions made where you work?"),
            N_("What would you like to get better at when leading a team or a project?"),
        ),
    ),
    Topic(
        4,
        N_("Advocacy and telling our story"),
        N_("Funders, councils and the public do not always see what libraries do."),
        (
            N_("Who decides your library's future, and how do you reach them?"),
            N_("Share a story or a number that made someone value your library."),
            N_("How do you show your impact beyond counting visits and loans?"),
        ),
    ),
    Topic(
        5,
        N_("Professional development"),
        N_("Learning never stops, and it looks different in every country."),
        (
            N_("How did you train for this profession, and what was missing?"),
            N_("What do you do to keep learning now?"),
            N_("What is one skill you want to build this year, and how could your partner help?"),
        ),
    ),
    Topic(
        6,
        N_("Serving communities"),
        N_("Libraries exist for the people they serve, including those who never come in."),
        (
            N_("Who are the users your library finds hardest to reach?"),
            N_("Describe a service or program that changed something for someone."),
            N_("How do you find out what your community needs?"),
        ),
    ),
    Topic(
        7,
        N_("Technology and digital services"),
        N_("Tools change quickly; the purpose of the library changes slowly."),
        (
            N_("Which technology made the biggest difference to your work lately?"),
            N_("What is your library's approach to digital skills and access?"),
            N_("Is there a tool you tried and dropped? What did you learn?"),
        ),
    ),
    Topic(
        8,
        N_("Collections and access to information"),
        N_("What we collect, keep and open up says a lot about our values."),
        (
            N_("How are choices about what to buy or keep made in your library?"),
            N_("What does open access or freedom of information mean in your country?"),
            N_("Which local material would be lost if your library did not keep it?"),
        ),
    ),
    Topic(
        9,
        N_("Looking back, looking ahead"),
        N_("Take stock of the round before it ends and decide what comes next."),
        (
            N_("Did you reach the goals you set at the start?"),
            N_("What surprised you most about your partner's library or country?"),
            N_("Would you like to keep in touch, and how?"),
        ),
    ),
)


def localize(topic: Topic, lang: str = "en") -> Topic:
    """Return *topic* in *lang* where the catalog knows its texts (the default topics).

    A community's edited or added topics are not in the catalog and stay as written.
    """
    _ = i18n.translator(lang).gettext
    return Topic(
        topic.position, _(topic.title), _(topic.prompt), tuple(_(q) for q in topic.questions)
    )


def localized_topics(lang: str = "en") -> tuple[Topic, ...]:
    """Return the nine default topics in *lang* (English for an unsupported language)."""
    return tuple(localize(t, lang) for t in DEFAULT_TOPICS)


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

"""Times in each reader's clock and language, plural forms, and the cadence stated truly."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.discord import render as discord_render
from adapters.slack import render as slack_render
from core import times
from core.communities import practices
from core.messages import render as messages
from core.model import Practices, Round, RoundState
from core.platform import Message

AT = datetime(2027, 3, 12, 14, 0, tzinfo=UTC)
UNIX = int(AT.timestamp())


@pytest.mark.parametrize(
    ("lang", "written"),
    [
        ("en", "Friday, March 12, 2027, 15:00 (Europe/Paris)"),
        ("fr", "vendredi 12 mars 2027, 15:00 (Europe/Paris)"),
        ("es", "viernes, 12 de marzo de 2027, 15:00 (Europe/Paris)"),
    ],
)
def test_a_time_is_written_by_babel_in_the_readers_zone(lang: str, written: str) -> None:
    """The written form names the day and month in the reader's language and their zone."""
    assert times.written(AT, lang=lang, tz="Europe/Paris", style="F") == written


def test_a_token_becomes_each_platforms_timestamp() -> None:
    """Discord gets <t:unix:f>, Slack <!date^…|fallback>, plain text the fallback."""
    token = times.token(AT, lang="fr", tz="Europe/Paris")
    assert times.discord(f"Le {token}.") == f"Le <t:{UNIX}:f>."
    assert times.slack(token) == (
        f"<!date^{UNIX}^{{date_long_pretty}} {{time}}|12 mars 2027, 15:00 (Europe/Paris)>"
    )
    assert times.plain(token) == "12 mars 2027, 15:00 (Europe/Paris)"


def test_renderers_put_timestamps_only_where_platforms_show_them() -> None:
    """Discord: description and field values; Slack: mrkdwn; titles and footers: the fallback."""
    token = times.token(AT, lang="en")
    message = Message(title=f"Until {token}", body=f"Open until {token}", footer=token)
    embed = discord_render.embed(message).to_dict()
    assert embed["description"] == f"Open until <t:{UNIX}:f>"
    assert "⟦" not in embed["title"] and "<t:" not in embed["title"]
    assert "<t:" not in embed["footer"]["text"] and "(UTC)" in embed["footer"]["text"]
    blocks = slack_render.blocks(message)
    assert blocks[0]["text"]["text"] == "Until March 12, 2027, 14:00 (UTC)"
    assert blocks[1]["text"]["text"].startswith(f"Open until <!date^{UNIX}^")
    assert "⟦" not in slack_render.fallback_text(message)


def test_slack_keeps_a_user_mention_as_a_mention() -> None:
    """The contact given as <@U123> is shown by Slack as a name, not escaped as raw text."""
    assert slack_render.mrkdwn("Contact <@U0123ABCD>.") == "Contact <@U0123ABCD>."
    assert slack_render.mrkdwn("<b>") == "&lt;b&gt;"


@pytest.mark.parametrize(
    ("lang", "one", "three"),
    [
        ("en", "about 1 hour a month", "about 3 hours a month"),
        ("fr", "environ 1 heure par mois", "environ 3 heures par mois"),
        ("es", "alrededor de 1 hora al mes", "alrededor de 3 horas al mes"),
    ],
)
def test_plural_forms_come_from_the_catalogs(lang: str, one: str, three: str) -> None:
    """ngettext picks the singular or plural form of each language's catalog."""
    assert practices.commitment(Practices(hours_per_month=1), lang=lang) == one
    assert practices.commitment(Practices(hours_per_month=3), lang=lang) == three


@pytest.mark.parametrize(
    ("days", "lang", "said"),
    [
        (7, "en", "every week"),
        (14, "en", "every two weeks"),
        (10, "en", "every 10 days"),
        (7, "fr", "chaque semaine"),
        (10, "es", "cada 10 días"),
    ],
)
def test_the_opened_announcement_states_the_real_cadence(days: int, lang: str, said: str) -> None:
    """'Applications opened' says the round's own cadence, not always every two weeks."""
    round_ = Round(1, 1, "2027A", RoundState.OPEN, None, AT, None, None, topic_cadence_days=days)
    message = messages.announcement(round_, "opened", lang=lang)
    assert said in message.body
    if days != 14:
        assert "two weeks" not in message.body and "deux semaines" not in message.body
    assert "<t:" not in message.body and "⟦t:" in message.body  # the closing date, a token

"""The program's practices in words: whom to contact, the time asked, the cadence, guidance.

Organisers set them (`penpals community configure`, `/setup` on Discord, `/penpals
setup` on Slack) as core.model.Practices; members read them in their own language in
the signup form, the "applications opened" announcement, the approval, the
introduction and help.
"""

from __future__ import annotations

from core.messages import i18n
from core.model import Practices


def contact(practices: Practices, *, lang: str = "en") -> str:
    """Return whom members contact: the named contact, else 'the organisers' in *lang*."""
    return practices.contact or i18n.translator(lang).gettext("the organisers")


def commitment(practices: Practices, *, lang: str = "en") -> str:
    """Return the time commitment in words, e.g. 'about 2 hours a month'."""
    hours = practices.hours_per_month
    return (
        i18n.translator(lang)
        .ngettext("about {hours} hour a month", "about {hours} hours a month", hours)
        .format(hours=hours)
    )


def cadence(days: int, *, lang: str = "en") -> str:
    """Return how often topics come, in words: 'every week', 'every 10 days', 'every two weeks'."""
    _ = i18n.translator(lang).gettext
    if days == 7:
        return _("every week")
    if days == 14:
        return _("every two weeks")
    if days in (28, 30, 31):
        return _("every month")
    return i18n.translator(lang).ngettext("every day", "every {days} days", days).format(days=days)


def guidance(practices: Practices, *, lang: str = "en") -> str:
    """Return the cultural-sensitivity guidance, with the organisers' own words after it."""
    _ = i18n.translator(lang).gettext
    text = _(
        "- Your partner may work in a library that runs very differently from yours: ask how "
        "things work there before comparing, and share how they work for you.\n"
        "- Writing in a second language takes time and courage: write plainly, avoid idioms "
        "and slang, and never correct someone's language unless they ask.\n"
        "- Customs differ about directness, titles, humour, holidays and how fast people "
        "reply: when something surprises you, assume good intent and ask.\n"
        "- Some subjects (politics, religion, money, censorship) are sensitive or even risky "
        "in some places: let your partner choose how far to go, and keep what they tell you "
        "between you."
    )
    if practices.guidance:
        text += "\n" + _("- From the organisers: {guidance}").format(guidance=practices.guidance)
    return text

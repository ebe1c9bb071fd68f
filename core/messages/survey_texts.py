"""What the bot says about surveys: the invitation, the reminder, the organisers' alert
when one closes (as platform-neutral Messages)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from core import times
from core.messages import i18n
from core.model import Round
from core.platform import Button, Message

if TYPE_CHECKING:
    pass


def survey_invitation(
    round_: Round,
    kind: str,
    action_id: str,
    closes: datetime,
    *,
    lang: str = "en",
    goals: str = "",
) -> Message:
    """Return the survey invitation sent to each member, with the button to answer.

    The pair's *goals*, if it set some, are recalled: at the mid-round check-in to
    look at them again, at the end because the survey asks whether they were reached.
    """
    _ = i18n.translator(lang).gettext
    if kind == "mid":
        title = _("Round {round}: how is it going?")
        body = _(
            "Halfway through the round, the organisers would like to hear how your pair is "
            "doing. It takes two minutes; each of you answers on your own, and answers are "
            "counted without names."
        )
    else:
        title = _("Round {round}: your feedback shapes the next round")
        body = _(
            "The round ends soon. Tell the organisers what worked and what to change: "
            "it takes three minutes; each of you answers on your own, and answers are "
            "counted without names."
        )
    # In the body, not the footer: Discord shows a reader's own time only in the body.
    until = _("Open until {closes}; you can change your answers until then.").format(
        closes=times.token(closes, lang=lang, style="F")
    )
    return Message(
        title=title.format(round=round_.name),
        body=f"{body}\n\n{until}",
        fields=_goals_field(goals, kind, lang),
        buttons=(Button(_("Answer the survey"), action_id),),
    )


def _goals_field(goals: str, kind: str, lang: str) -> tuple[tuple[str, str], ...]:
    _ = i18n.translator(lang).gettext
    if not goals:
        return ()
    if kind == "mid":
        return ((_("The goals you set together: how are they going?"), goals),)
    return ((_("The goals you set together: the survey asks whether you reached them"), goals),)


def survey_reminder(
    round_: Round,
    kind: str,
    action_id: str,
    closes: datetime,
    *,
    lang: str = "en",
    goals: str = "",
) -> Message:
    """Return the private reminder to a member who has not answered a survey yet."""
    _ = i18n.translator(lang).gettext
    what = _("mid-round check-in") if kind == "mid" else _("end-of-round survey")
    return Message(
        title=_("A reminder: the {survey} of round {round}").format(survey=what, round=round_.name),
        body=_(
            "We have not heard from you yet. Two minutes is enough, and every answer "
            "helps the organisers make the next round better. Answers are counted "
            "without names."
        )
        + "\n\n"
        + _("Open until {closes}.").format(closes=times.token(closes, lang=lang, style="F")),
        fields=_goals_field(goals, kind, lang),
        buttons=(Button(_("Answer the survey"), action_id),),
    )


def survey_closed_alert(
    round_: Round,
    kind: str,
    responses: int,
    invited: int,
    satisfaction: float | None,
    *,
    lang: str = "en",
) -> Message:
    """Return the organisers' notice that a survey closed, with its headline figures."""
    _ = i18n.translator(lang).gettext
    what = _("mid-round check-in") if kind == "mid" else _("end-of-round survey")
    lines = [
        _("- Responses: {responses} of {invited}").format(responses=responses, invited=invited)
    ]
    if satisfaction is not None:
        lines.append(_("- Satisfaction: {mean} out of 5").format(mean=f"{satisfaction:.1f}"))
    return Message(
        title=_("Round {round}: the {survey} has closed").format(round=round_.name, survey=what),
        body="\n".join(lines),
        footer=_("The full results are in the round report (penpals report)."),
    )

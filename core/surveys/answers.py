"""Members' side of the surveys service: the form as a member sees it, their answers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from core import times
from core.errors import Conflict, NotFound
from core.messages import i18n
from core.model import Community, MemberRef, Round
from core.ports import Clock, UnitOfWork, UnitOfWorkFactory
from core.surveys.model import TITLES, Answer, Question, Survey, SurveyForm, SurveyReceipt, Window
from core.surveys.queries import topic_titles
from core.surveys.rules import localize, validate, window


class SurveyAnswers:
    """The members' operations of SurveyService."""

    _uow: UnitOfWorkFactory
    _clock: Clock

    async def form(
        self, member: MemberRef, survey_id: int, *, locale: str | None = None
    ) -> SurveyForm:
        """Return the survey as *member* sees it, with their answers so far.

        Only reads (no write lock), so the form opens while a long write holds the database.
        """
        async with self._uow(read_only=True) as uow:
            survey, r, community, member_id, lang = await self._participant(
                uow, member, survey_id, locale
            )
            w = self._open_window(r, survey, lang)
            titles = await topic_titles(uow, community.id, lang)
            earlier = await uow.surveys.response(survey.id, member_id)
        _ = i18n.translator(lang).gettext
        return SurveyForm(
            survey_id=survey.id,
            kind=survey.kind,
            round_name=r.name,
            title=_(TITLES[survey.kind]),
            intro=_(
                "Your answers are counted without your name. You can change them until "
                "{closes} (UTC)."
            ).format(closes=times.written(w.closes, lang=lang, named_zone=False)),
            questions=tuple(localize(q, lang, titles) for q in survey.current_questions),
            answers=dict(earlier.answers) if earlier else {},
            closes_at=w.closes,
            lang=lang,
            submit_label=_("Send"),
        )

    async def answer(
        self,
        member: MemberRef,
        survey_id: int,
        answers: Mapping[str, Any],
        *,
        locale: str | None = None,
    ) -> SurveyReceipt:
        """Store (or change) the member's answers; questions not given keep earlier answers."""
        async with self._uow() as uow:
            survey, r, community, member_id, lang = await self._participant(
                uow, member, survey_id, locale
            )
            w = self._open_window(r, survey, lang)
            titles = await topic_titles(uow, community.id, lang)
            questions = [localize(q, lang, titles) for q in survey.current_questions]
            clean = validate(questions, answers, lang)
            earlier = await uow.surveys.response(survey.id, member_id)
            merged = {**(earlier.answers if earlier else {}), **clean}
            now = self._clock.now()
            await uow.surveys.put_response(survey.id, member_id, merged, now)
            await uow.commit()
        _ = i18n.translator(lang).gettext
        text = (
            _("Thank you! Your answers are saved. You can change them until {closes} (UTC).")
            if earlier is None
            else _("Your answers are updated. You can change them until {closes} (UTC).")
        ).format(closes=times.written(w.closes, lang=lang, named_zone=False))
        return SurveyReceipt(text, earlier is None, w.closes)

    async def answer_many(
        self, survey_id: int, answers: Sequence[tuple[MemberRef, Mapping[str, Any]]]
    ) -> int:
        """Store the answers of several members in one transaction; return how many members.

        Each member's answers are checked as `answer` checks them (a participant of the
        round, the survey open, valid answers in their language); one refusal refuses
        them all. Questions not given keep earlier answers.
        """
        if not answers:
            return 0
        async with self._uow() as uow:
            survey = await uow.surveys.get(survey_id)
            if survey is None:
                raise NotFound("this survey no longer exists: ask the organisers")
            r = await uow.rounds.get(survey.round_id)
            community = await uow.communities.get(r.community_id)
            ids = await uow.members.find_many(community.id, (m for m, _ in answers))
            participants = {
                m
                for g in await uow.groups.published_members(r.id, active_only=False)
                for m in g.member_ids
            }
            chosen = await uow.members.languages(ids.values())
            questions: dict[str, list[Question]] = {}
            clean: dict[int, dict[str, Answer]] = {}
            for member, given in answers:
                member_id = ids.get(member)
                lang = i18n.pick(
                    chosen.get(member_id) if member_id is not None else None,
                    community.settings.default_language,
                )
                if member_id is None or member_id not in participants:
                    _ = i18n.translator(lang).gettext
                    raise NotFound(
                        _(
                            "this survey is for the participants of round {round}: "
                            "you were not in it"
                        ).format(round=r.name)
                    )
                if lang not in questions:
                    self._open_window(r, survey, lang)
                    titles = await topic_titles(uow, community.id, lang)
                    questions[lang] = [localize(q, lang, titles) for q in survey.current_questions]
                clean.setdefault(member_id, {}).update(validate(questions[lang], given, lang))
            earlier = await uow.surveys.responses_of(survey.id, clean)
            merged = {
                m: {**(earlier[m].answers if m in earlier else {}), **given}
                for m, given in clean.items()
            }
            await uow.surveys.put_responses(survey.id, merged, self._clock.now())
            await uow.commit()
        return len(merged)

    async def _participant(
        self, uow: UnitOfWork, member: MemberRef, survey_id: int, locale: str | None
    ) -> tuple[Survey, Round, Community, int, str]:
        survey = await uow.surveys.get(survey_id)
        if survey is None:
            raise NotFound("this survey no longer exists: ask the organisers")
        r = await uow.rounds.get(survey.round_id)
        community = await uow.communities.get(r.community_id)
        member_id = await uow.members.find(community.id, member)
        # The member's own groups, not the round's: listing a thousand pairs per
        # answer made every modal cost as much as the whole round.
        in_round = member_id is not None and any(
            m.round_id == r.id and m.published for m in await uow.privacy.memberships(member_id)
        )
        stored = None if member_id is None else await uow.members.language(member_id)
        lang = i18n.pick(stored, locale, community.settings.default_language)
        if not in_round or member_id is None:
            _ = i18n.translator(lang).gettext
            raise NotFound(
                _(
                    "this survey is for the participants of round {round}: you were not in it"
                ).format(round=r.name)
            )
        return survey, r, community, member_id, lang

    def _open_window(self, r: Round, survey: Survey, lang: str) -> Window:
        _ = i18n.translator(lang).gettext
        w = window(r, survey)
        now = self._clock.now()
        if w is None or (survey.sent_at is None and now < w.opens):
            raise Conflict(_("this survey is not open yet: you will get a message when it opens"))
        if survey.closed_at is not None or w.closes <= now:
            raise Conflict(
                _("this survey closed on {closed} (UTC): answers can no longer change").format(
                    closed=times.written(survey.closed_at or w.closes, lang=lang, named_zone=False)
                )
            )
        return w

"""The adapter's pure parts: channel names, Block Kit rendering, modal parsing, pacing."""

from __future__ import annotations

import asyncio
import time

import pytest

from adapters.slack import names, parsing, render, views
from adapters.slack.pacing import Limits, Pacer
from core.errors import InvalidValue
from core.platform import Button, Message
from core.rounds.profiles import ProfileInvalid


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("2027A pair 12", "penpals-2027a-pair-12"),
        ("Ronda Otoño 2027 · pair 3", "penpals-ronda-otono-2027-pair-3"),
        ("penpals 2027B pair 1", "penpals-2027b-pair-1"),
        ("   ", "penpals-pair"),
    ],
)
def test_channel_names_follow_slacks_rules(label: str, expected: str) -> None:
    """Names are lowercase letters, digits, hyphens and underscores, prefixed once."""
    assert names.channel_name(label) == expected
    assert names.is_valid(expected)


def test_long_names_keep_their_unique_ending() -> None:
    """An 80-character cut keeps the key's hash, and the two candidates differ."""
    first, second, *further = names.candidates("x" * 200 + " pair 7", "r1:g7:space")
    assert len(first) <= 80 and len(second) <= 80
    assert names.is_valid(first) and names.is_valid(second)
    assert second != first
    assert second == names.candidates("x" * 200 + " pair 7", "r1:g7:space")[1]
    assert second != names.candidates("x" * 200 + " pair 7", "r2:g7:space")[1]
    every = [first, second, *further]
    assert len(set(every)) == len(every) >= 10
    assert all(names.is_valid(n) and len(n) <= 80 for n in every)


def test_render_converts_markdown_and_escapes() -> None:
    """**bold** becomes *bold*, "- " lines become bullets, and <, >, & are escaped."""
    blocks = render.blocks(
        Message(
            "Topic 1", "**Welcome** <team> & co\n- first\n- second", buttons=(Button("Yes", "k:y"),)
        )
    )
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Topic 1", "emoji": True},
    }
    assert blocks[1]["text"]["text"] == "*Welcome* &lt;team&gt; &amp; co\n• first\n• second"
    assert blocks[-1]["elements"][0]["action_id"] == "k:y"


def test_render_splits_what_block_kit_caps() -> None:
    """Long bodies split into 3000-character sections, fields into tens, headers clip."""
    body = "\n".join(f"line {i} {'x' * 90}" for i in range(100))
    fields = tuple((f"k{i}", "v") for i in range(23))
    blocks = render.blocks(Message("T" * 200, body, fields=fields, link="https://x/p1"))
    assert len(blocks[0]["text"]["text"]) == 150
    sections = [b for b in blocks if b["type"] == "section" and "text" in b]
    assert all(len(b["text"]["text"]) <= 3000 for b in sections)
    assert [len(b["fields"]) for b in blocks if "fields" in b] == [10, 10, 3]
    assert "<https://x/p1|" in sections[-1]["text"]["text"]


def test_field_errors_land_next_to_their_field() -> None:
    """A ProfileInvalid maps onto the blocks by name; unknown fields go to the name block."""
    values = {"name": {}, "timezone": {}, "interests": {}}
    problem = ProfileInvalid({"timezone": "unknown", "institution": "needed"})
    assert views.field_errors(problem, values) == {
        "timezone": "unknown",
        "name": "institution: needed",
    }


def test_options_are_capped_at_a_hundred() -> None:
    """An empty search still returns at most 100 options, as Block Kit requires."""
    assert len(views.options_for("timezone", "")) == 100
    assert views.options_for("unknown", "x") == []


def test_setup_words_are_read_from_slacks_escapes() -> None:
    """Channels and user groups arrive escaped; key=value and "key value" both work."""
    words = ["announcements=<#C0123ABCD|news>", "organisers", "<!subteam^S0ABCDEF|@orgs>", "x"]
    positional, options = parsing.split_options(words, frozenset({"announcements", "organisers"}))
    assert positional == ["x"]
    assert parsing.channel_id(options["announcements"]) == "C0123ABCD"
    assert parsing.usergroup_id(options["organisers"]) == "S0ABCDEF"
    with pytest.raises(InvalidValue):
        parsing.channel_id("#news")


async def test_pacer_spaces_concurrent_callers() -> None:
    """Five callers at once get slots one interval apart, per method."""
    pacer = Pacer(Limits({"conversations.create": 0.02}, {}))
    started = time.monotonic()
    stamps: list[float] = []

    async def call() -> None:
        await pacer.wait("conversations.create")
        stamps.append(time.monotonic() - started)

    await asyncio.gather(*(call() for _ in range(5)))
    await pacer.wait("users.info")  # another method is not held up
    assert stamps[-1] >= 0.08
    assert time.monotonic() - started < stamps[-1] + 0.02


def test_a_survey_modal_fits_block_kit() -> None:
    """Many options become a multi-select, long labels are clipped, answers prefill, and back."""
    from datetime import UTC, datetime

    from adapters.slack import surveys
    from core.surveys.model import Option, Question, QuestionType, SurveyForm, SurveyKind
    from tests.adapters.slack.standin import check_blocks

    topics = tuple(Option(str(n), f"{n}. {'A very long topic title ' * 5}") for n in range(1, 13))
    form = SurveyForm(
        survey_id=7,
        kind=SurveyKind.END,
        round_name="2027A",
        title="End-of-round survey, and a title that is far too long",
        intro="Counted without names.",
        questions=(
            Question("topics", QuestionType.MULTI, "Which topics?", topics),
            Question("mood", QuestionType.CHOICE, "Mood?", (Option("ok", "OK"),), required=True),
            Question("comment", QuestionType.TEXT, "Anything else?", max_length=500),
        ),
        answers={"topics": ("2", "12"), "mood": "ok"},
        closes_at=datetime(2027, 6, 1, tzinfo=UTC),
        lang="en",
        submit_label="Send",
    )

    view = surveys.survey_view(form)

    check_blocks(view["blocks"], limit=100)
    assert len(view["title"]["text"]) <= 24
    assert surveys.metadata(view) == (7, "en")
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert inputs["topics"]["element"]["type"] == "multi_static_select"
    assert [o["value"] for o in inputs["topics"]["element"]["initial_options"]] == ["2", "12"]
    assert inputs["mood"]["optional"] is False and inputs["comment"]["optional"] is True
    assert inputs["comment"]["element"]["max_length"] == 500
    values = {
        "topics": {"topics": {"type": "multi_static_select", "selected_options": []}},
        "mood": {"mood": {"type": "static_select", "selected_option": {"value": "ok"}}},
        "comment": {"comment": {"type": "plain_text_input", "value": None}},
    }
    assert surveys.answers(values) == {"topics": (), "mood": "ok", "comment": ""}

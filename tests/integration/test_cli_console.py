"""The CLI keeps parity with the chat consoles: round edit, round topics, announce, broadcast."""

from __future__ import annotations

from pathlib import Path

from tests.integration.test_cli import write_pool


def test_round_edit_moves_future_dates_and_refuses_the_unsafe(cli) -> None:  # type: ignore[no-untyped-def]
    """Dates move and are audited with --actor; an order break exits 2 with one sentence."""
    cli("round", "create", "R", "--opens", "2031-01-01", "--closes", "2031-02-01")
    moved = cli("round", "edit", "R", "--closes", "2031-02-15", "--actor", "ana").output
    assert "closes 2031-02-01T00:00+00:00 -> 2031-02-15T00:00+00:00" in moved
    bad = cli("round", "edit", "R", "--opens", "2031-03-01", code=2).output
    assert "comes before" in bad
    assert "nothing changed" in cli("round", "edit", "R", "--closes", "2031-02-15").output
    show = cli("round", "show", "R").output
    assert "round.edit" in show and "ana" in show


def test_a_rounds_topic_is_edited_in_french_and_listed_with_fallbacks(cli) -> None:  # type: ignore[no-untyped-def]
    """`topics edit --round --lang fr` writes one language; `topics list --round` shows all."""
    cli("round", "create", "R", "--starts", "2031-03-01")
    cli("topics", "edit", "1", "--round", "R", "--lang", "fr", "--title", "Faisons connaissance")
    french = cli("topics", "list", "--round", "R", "--lang", "fr").output
    assert "1. (2031-03-01) Faisons connaissance" in french
    every = cli("topics", "list", "--round", "R").output
    assert "its own" in every and "[fr] Faisons connaissance" in every
    assert "[en] Getting to know each other" in every
    assert "Getting to know each other" in cli("topics", "list").output  # library unchanged
    cli("topics", "edit", "2", "--round", "R", "--title", "Our spaces")
    assert "Our spaces" in cli("round", "show", "R").output  # the round's own calendar
    cli("topics", "remove", "9", "--round", "R")
    assert "topic 9 added" in cli("topics", "add", "--round", "R", "--title", "Wrap-up").output
    refused = cli("topics", "edit", "1", "--round", "R", "--lang", "de", "--title", "x", code=2)
    assert "does not write in 'de'" in refused.output


def test_announce_and_broadcast_are_queued_once_per_request(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The same command twice queues nothing the second time and says so."""
    assert "Queued 1 message" in cli("community", "announce", "Hello all").output
    assert "Already queued" in cli("community", "announce", "Hello all").output
    cli("round", "create", "R")
    cli("applications", "import", "R", str(write_pool(tmp_path / "pool.csv")))
    sent = cli("round", "broadcast", "R", "Decisions soon", "--to", "applicants").output
    assert "Queued 6 message(s)" in sent
    again = cli("round", "broadcast", "R", "Decisions soon", "--to", "applicants", "--actor", "x")
    assert "Already queued" in again.output
    other = cli("round", "broadcast", "R", "Decisions soon", "--to", "applicants",
                "--request-id", "second")  # fmt: skip
    assert "Queued 6" in other.output
    refused = cli("round", "broadcast", "R", "Hi", "--to", "pairs", code=1).output
    assert "once it is published" in refused

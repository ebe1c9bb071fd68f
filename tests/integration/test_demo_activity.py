"""The demo's simulated pairs write every few days, so every week of the round has writers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bots import demo
from bots.settings import Settings


async def test_demo_pairs_write_every_week_not_every_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The clock jumps two weeks at a time; the pairs still write in each week between."""
    monkeypatch.chdir(tmp_path)
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / demo.DEMO_DATABASE}")
    summary = await demo.rehearse(settings, applicants=None, size=60, seed=3)
    report = json.loads(
        (tmp_path / "reports" / f"report-{summary.round}.json").read_text(encoding="utf-8")
    )
    (figures,) = report["rounds"]
    counts = list(figures["activity"].values())
    first = next(i for i, n in enumerate(counts) if n)
    # From the first week pairs wrote: most pairs write every week (a tenth fall silent).
    assert all(n >= figures["groups"] / 2 for n in counts[first:]), counts
    assert figures["active_pairs"] >= figures["groups"] / 2
    assert "typical week" in figures["active_pairs_note"]

"""Write a round report to files: a CSV and a JSON of the same figures, and PNG charts.

The figures come from core.reports; this module only renders them. Charts use
matplotlib's Agg backend (no display needed): participants and countries by round
(bars and a line), satisfaction answers of the surveys (when at least five members
answered), and active pairs per week when activity was recorded. `chart_pngs` returns
the same charts as bytes, for the bots to post in the organisers' channel.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from core.applicants_csv import SafeWriter
from core.reports import CSV_HEADER, Report, rows, to_dict

DEFAULT_DIR = Path("reports")


def file_stem(report: Report) -> str:
    """Return `report-<ROUND>`, the round's name made safe for a file name."""
    safe = re.sub(r"[^\w.\-]+", "-", report.title, flags=re.UNICODE).strip("-.") or "round"
    return f"report-{safe}"


def write_report(
    report: Report,
    directory: Path,
    *,
    write_text: Callable[[Path, Callable[[IO[str]], None]], None] | None = None,
) -> list[Path]:
    """Write the CSV, the JSON and the charts into *directory*; return the paths written."""
    write = write_text or _write_text
    stem = file_stem(report)
    written: list[Path] = []

    def csv_body(fh: IO[str]) -> None:
        # Round names, topic titles and survey kinds are typed by people: a cell a
        # spreadsheet would run as a formula is neutralised (core.applicants_csv).
        writer = SafeWriter(fh)
        writer.writerow(CSV_HEADER)
        writer.writerows(rows(report))

    def json_body(fh: IO[str]) -> None:
        json.dump(to_dict(report), fh, ensure_ascii=False, indent=2)
        fh.write("\n")

    for suffix, body in ((".csv", csv_body), (".json", json_body)):
        path = directory / f"{stem}{suffix}"
        write(path, body)
        written.append(path)
    written.append(chart_by_round(report, directory / f"{stem}-by-round.png"))
    satisfaction = chart_satisfaction(report, directory / f"{stem}-satisfaction.png")
    if satisfaction is not None:
        written.append(satisfaction)
    activity = chart_activity(report, directory / f"{stem}-activity.png")
    if activity is not None:
        written.append(activity)
    return written


def chart_pngs(report: Report) -> list[tuple[str, bytes]]:
    """Return the report's charts as (file name, PNG bytes); blocking: run it in a thread."""
    stem = file_stem(report)
    with tempfile.TemporaryDirectory(prefix="penpals-report-") as tmp:
        folder = Path(tmp)
        paths = [
            chart_by_round(report, folder / f"{stem}-by-round.png"),
            chart_satisfaction(report, folder / f"{stem}-satisfaction.png"),
            chart_activity(report, folder / f"{stem}-activity.png"),
        ]
        return [(p.name, p.read_bytes()) for p in paths if p is not None]


def _write_text(path: Path, body: Callable[[IO[str]], None]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        body(fh)


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def chart_by_round(report: Report, path: Path) -> Path:
    """Draw participants (bars) and countries (line) by round, as the ILN table shows them."""
    plt = _pyplot()
    names = [b.round for b in report.by_round]
    fig, left = plt.subplots(figsize=(max(6.0, 0.8 * len(names) + 3), 4.5), dpi=120)
    try:
        positions = list(range(len(names)))
        people = [b.participants for b in report.by_round]
        countries = [b.countries for b in report.by_round]
        bars = left.bar(positions, people, width=0.6, color="#4C72B0")
        left.bar_label(bars, padding=2, fontsize=8)
        left.set_ylabel("Participants (bars)")
        left.set_xticks(positions, names, rotation=30 if len(names) > 6 else 0, ha="right")
        left.set_xlim(-0.75, len(names) - 0.25)
        left.set_ylim(0, max([*people, 1]) * 1.3)
        left.set_xlabel("Round")
        right = left.twinx()
        (line,) = right.plot(positions, countries, color="#DD8452", marker="o", linewidth=2)
        for x, n in zip(positions, countries, strict=True):
            right.annotate(
                str(n), (x, n), textcoords="offset points", xytext=(8, -3), color="#DD8452"
            )
        right.set_ylabel("Countries (line)")
        right.set_ylim(0, max([*countries, 1]) * 1.6)
        fig.legend(
            [bars, line],
            ["Participants", "Countries"],
            loc="lower center",
            ncol=2,
            frameon=False,
        )
        left.set_title(f"{report.community}: participants and countries by round")
        fig.tight_layout(rect=(0, 0.06, 1, 1))
        fig.savefig(path, format="png")
    finally:
        plt.close(fig)
    return path


def chart_activity(report: Report, path: Path) -> Path | None:
    """Draw active pairs per week for each reported round; None when nothing was recorded."""
    series = [(f.round, f.activity, f.groups) for f in report.rounds if f.activity]
    if not series:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 4.5), dpi=120)
    try:
        for name, weeks, groups in series:
            label = f"{name} ({groups} groups)"
            x = [w.week for w in weeks]
            y = [w.active_pairs for w in weeks]
            if len(series) == 1:  # one round: a bar per week reads best
                ax.bar(x, y, width=5, label=label, color="#55A868")
            else:
                ax.plot(x, y, marker="o", label=label)
        ax.set_ylabel("Pairs that wrote that week")
        ax.set_xlabel("Week starting (Monday, UTC)")
        ax.set_ylim(bottom=0)
        ax.legend(frameon=False)
        ax.set_title(f"{report.community}: active pairs per week")
        fig.autofmt_xdate()
        fig.tight_layout()
        fig.savefig(path, format="png")
    finally:
        plt.close(fig)
    return path


def chart_satisfaction(report: Report, path: Path) -> Path | None:
    """Draw the share of each satisfaction answer (1-5) per survey; None without any.

    Only surveys with at least MIN_GROUP responses are broken down (core.reports),
    so a survey with fewer responses is left out of the chart.
    """
    series = [
        (f"{f.round} · {v.kind}", v)
        for f in report.rounds
        for v in f.surveys
        if v.satisfaction_counts and v.responses
    ]
    if not series:
        return None
    plt = _pyplot()
    colours = ("#C44E52", "#DD8452", "#CCB974", "#8FBF7F", "#55A868")
    fig, ax = plt.subplots(figsize=(7.5, 2.2 + 0.7 * len(series)), dpi=120)
    try:
        labels = [name for name, _ in series]
        starts = [0.0] * len(series)
        for score in range(5):
            shares = [
                100.0 * v.satisfaction_counts[score][1] / max(1, v.responses) for _, v in series
            ]
            bars = ax.barh(
                labels, shares, left=starts, color=colours[score], label=f"{score + 1}", height=0.6
            )
            ax.bar_label(
                bars,
                labels=[f"{s:.0f}%" if s >= 8 else "" for s in shares],
                label_type="center",
                fontsize=8,
            )
            starts = [a + b for a, b in zip(starts, shares, strict=True)]
        for y, (_, v) in enumerate(series):
            mean = f"{v.satisfaction:.1f}/5" if v.satisfaction is not None else ""
            ax.annotate(
                f"{mean}  n={v.responses}",
                (100, y),
                textcoords="offset points",
                xytext=(6, -3),
                fontsize=8,
            )
        ax.set_xlim(0, 125)
        ax.set_xticks([0, 25, 50, 75, 100])
        ax.set_xlabel("Share of responses (%); mean out of 5 and responses (n) on the right")
        ax.invert_yaxis()
        fig.legend(
            *ax.get_legend_handles_labels(),
            title="Answer (1 = not at all satisfied, 5 = very satisfied)",
            ncol=5,
            loc="lower center",
            frameon=False,
            fontsize=8,
            title_fontsize=8,
        )
        ax.set_title(f"{report.community}: satisfaction by survey")
        fig.tight_layout(rect=(0, 0.14, 1, 1))
        fig.savefig(path, format="png")
    finally:
        plt.close(fig)
    return path

"""Write a round report to files: a CSV and a JSON of the same figures, and PNG charts.

The figures come from core.reports.service; this module only renders them. Charts use
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

from core.reports.codecs import CSV_HEADER, rows, to_dict
from core.reports.model import OTHER, Report
from core.reports.rules import activity_headline, new_countries_note
from core.rounds.applicants_csv import SafeWriter

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
        # spreadsheet would run as a formula is neutralised (core.rounds.applicants_csv).
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
    """Draw participants (bars) and countries (line) by round, as the ILN table shows them.

    With a single round a line of one point says nothing: the chart then shows that
    round's participants by country instead (small countries folded into "other"),
    with the totals in the title.
    """
    return _saved(by_round_figure(report), path)


def by_round_figure(report: Report) -> Any:
    """Return the figure of chart_by_round (the caller closes it)."""
    if len(report.by_round) == 1 and report.rounds:
        return _one_round_figure(report)
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
    except BaseException:
        plt.close(fig)
        raise
    return fig


def _one_round_figure(report: Report) -> Any:
    """Draw one round's participants by country (horizontal bars), totals in the title."""
    plt = _pyplot()
    f = report.rounds[-1]
    rows = list(f.by_country) or [("nobody placed yet", 0)]
    fig, ax = plt.subplots(figsize=(7.5, 1.8 + 0.35 * len(rows)), dpi=120)
    try:
        labels = [
            f"{name} (each < {report.min_group} people)" if name == OTHER else name
            for name, _ in rows
        ]
        colours = ["#A0A0A0" if name == OTHER else "#4C72B0" for name, _ in rows]
        bars = ax.barh(labels, [n for _, n in rows], color=colours, height=0.6)
        ax.bar_label(bars, padding=3, fontsize=8)
        ax.invert_yaxis()
        ax.set_xlim(0, max([n for _, n in rows] + [1]) * 1.15)
        ax.set_xlabel("Participants")
        ax.set_title(
            f"{report.community}, round {f.round}\n{f.participants} participants "
            f"from {f.countries} countries ({f.new_countries} new), by country",
            fontsize=10,
        )
        fig.text(
            0.01,
            0.01,
            f"New countries: {new_countries_note(f, report.min_group)}.",
            fontsize=7,
            wrap=True,
        )
        fig.tight_layout(rect=(0, 0.08, 1, 1))
    except BaseException:
        plt.close(fig)
        raise
    return fig


def chart_activity(report: Report, path: Path) -> Path | None:
    """Draw the pairs that wrote each week, one tick per week, the groups as a line.

    One round: a bar per counted week, centred on its tick (labelled with the week's
    Monday). Several rounds: a line each over the same weeks. The number of groups
    (every pair writing) is a dashed reference line of the same colour.
    """
    fig = activity_figure(report)
    if fig is None:
        return None
    return _saved(fig, path)


def activity_figure(report: Report) -> Any:
    """Return the figure of chart_activity (the caller closes it), or None without activity."""
    series = [(f.round, f.activity, f.groups) for f in report.rounds if f.activity]
    if not series:
        return None
    plt = _pyplot()
    weeks = sorted({w.week for _, activity, _ in series for w in activity})
    at = {w: i for i, w in enumerate(weeks)}
    fig, ax = plt.subplots(figsize=(max(7.5, 0.35 * len(weeks) + 3), 4.8), dpi=120)
    try:
        colours = ("#55A868", "#4C72B0", "#DD8452", "#C44E52", "#8172B3", "#937860")
        top = 1
        for i, (name, activity, groups) in enumerate(series):
            colour = colours[i % len(colours)]
            x = [at[w.week] for w in activity]
            y = [w.active_pairs for w in activity]
            if len(series) == 1:
                ax.bar(x, y, width=0.7, color=colour, label=f"{name}: pairs that wrote")
            else:
                ax.plot(x, y, marker="o", color=colour, label=f"{name}: pairs that wrote")
            # The reference line spans the round's own weeks (rounds share the axis).
            ax.plot(
                [min(x) - 0.45, max(x) + 0.45],
                [groups, groups],
                color=colour,
                linestyle="--",
                linewidth=1.2,
            )
            ax.annotate(
                f"{name}: {groups} groups",
                (max(x) + 0.45, groups),
                textcoords="offset points",
                xytext=(-4, 3),
                ha="right",
                fontsize=8,
                color=colour,
            )
            top = max(top, groups, *y)
        step = max(1, -(-len(weeks) // 16))  # at most 16 labels; a tick on every week
        ax.set_xticks(range(len(weeks)))
        ax.set_xticklabels(
            [w.strftime("%d %b %Y") if i % step == 0 else "" for i, w in enumerate(weeks)],
            rotation=45,
            ha="right",
            fontsize=8,
        )
        ax.set_xlim(-0.6, len(weeks) - 0.4)
        ax.set_ylim(0, top * 1.15)
        ax.set_ylabel("Pairs that wrote that week")
        ax.set_xlabel("Week starting (Monday, UTC); dashed: all groups of the round")
        ax.legend(frameon=False, loc="lower left", fontsize=8)
        headline = "; ".join(f"{f.round}: {activity_headline(f)}" for f in report.rounds)
        ax.set_title(f"{report.community}: active pairs per week", fontsize=11)
        fig.text(0.01, 0.01, headline, fontsize=7, wrap=True)
        fig.tight_layout(rect=(0, 0.07, 1, 1))
    except BaseException:
        plt.close(fig)
        raise
    return fig


def _saved(fig: Any, path: Path) -> Path:
    """Save a figure as PNG and close it."""
    try:
        fig.savefig(path, format="png")
    finally:
        _pyplot().close(fig)
    return path


def chart_satisfaction(report: Report, path: Path) -> Path | None:
    """Draw the share of each satisfaction answer (1-5) per survey; None without any.

    Only surveys with at least MIN_GROUP responses are broken down (core.reports.service),
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

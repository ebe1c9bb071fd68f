"""Benchmark the organiser's bulk commands on one SQLite file, as an organiser runs them.

Usage: python benchmarks/bench_import.py [--size 20000] [--database URL] [--skip-match]

Each step is a `penpals` command in a process of its own (start-up included), timed
with the wall clock:

1. `penpals applications import` of --size generated applicants (target: 20,000
   within 5 s);
2. `penpals match` of the same file (no database: the matcher alone);
3. `penpals round match --publish` on the database (target: within twice step 2).

--database defaults to a fresh SQLite file in a scratch folder; a PostgreSQL URL
must name a database migrated to head (the benchmark adds its own community).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.matching.synthetic import generate_pool  # noqa: E402
from core.rounds.applicants_csv import write_applicants  # noqa: E402

ROUND = "bench"


def penpals(env: dict[str, str], *args: str) -> float:
    """Run one penpals command; return its wall time in seconds (fail loudly)."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bots.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"penpals {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--database", help="SQLAlchemy URL (default: a fresh SQLite file)")
    parser.add_argument("--skip-match", action="store_true", help="time the import only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        url = args.database or f"sqlite:///{folder / 'bench.db'}"
        env = {
            **os.environ,
            "PENPALS_DATABASE_URL": url,
            "PENPALS_COMMUNITY": f"local:bench-{uuid.uuid4().hex[:8]}",
        }
        csv_path = folder / "applicants.csv"
        with csv_path.open("w", encoding="utf-8", newline="") as fh:
            write_applicants(generate_pool(args.size, seed=args.seed), fh)
        today = datetime.now(UTC).date()
        penpals(env, "db", "upgrade")
        penpals(
            env,
            "round",
            "create",
            ROUND,
            "--opens",
            str(today),
            "--closes",
            str(today + timedelta(days=14)),
            "--starts",
            str(today + timedelta(days=21)),
        )
        penpals(env, "round", "open", ROUND)
        imported = penpals(env, "applications", "import", ROUND, str(csv_path), "--approve")
        print(f"applications import of {args.size:,}: {imported:.2f} s (target 5 s)")
        again = penpals(env, "applications", "import", ROUND, str(csv_path), "--approve")
        print(f"the same import again (every row an update): {again:.2f} s")
        if args.skip_match:
            return
        penpals(env, "round", "close", ROUND)
        matched = penpals(
            env, "match", "--applicants", str(csv_path), "--out", str(folder / "pairs.csv")
        )
        published = penpals(env, "round", "match", ROUND, "--publish", "--seed", "0")
        print(f"penpals match of the same file: {matched:.2f} s")
        print(
            f"round match --publish: {published:.2f} s, {published / matched:.2f} times "
            "penpals match (target: at most 2)"
        )


if __name__ == "__main__":
    main()

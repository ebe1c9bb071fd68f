#!/usr/bin/env bash
# Run a small round end to end on the default SQLite database (./penpals.db):
# match the sample file, then create a round, import, approve, close, preview,
# publish and show it. Safe to run again: each run makes a new round.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
SAMPLE="$HERE/samples/applicants.csv"
ROUND="sample-$(date -u +%Y%m%d-%H%M%S)"

penpals db upgrade
penpals match --applicants "$SAMPLE" --out pairs.csv --seed 1
penpals round create "$ROUND" --starts "$(date -u -d '+14 days' +%Y-%m-%d)"
penpals round open "$ROUND"
penpals applications import "$ROUND" "$SAMPLE"
penpals applications approve "$ROUND" --all
penpals round close "$ROUND"
penpals round match "$ROUND" --preview --seed 1
penpals round match "$ROUND" --publish --seed 1 --out "pairs-$ROUND.csv"
penpals round show "$ROUND"
echo "Done: pairs.csv and pairs-$ROUND.csv written, round $ROUND published in ./penpals.db"

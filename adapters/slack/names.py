"""Slack channel names for pair spaces, within Slack's rules.

A channel name is lowercase letters, digits, hyphens and underscores, at most 80
characters, unique in the workspace (archived and private channels included).
The name comes from the label the core gives a group ("2027A group 12"); the
alternatives carry a hash of the idempotency key (then a number), so a retry after
a crash tries the same names in the same order and finds its own channel again.
Anyone can compute the first names of a pair and take them first: the list goes on
long enough that squatting every name costs more channels than it is worth, and
penpals never adopts a channel it did not create.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

MAX_LENGTH = 80
DEFAULT_PREFIX = "penpals"
_INVALID = re.compile(r"[^a-z0-9_-]+")
_DASHES = re.compile(r"-{2,}")


def slug(text: str) -> str:
    """Return *text* as lowercase ASCII letters, digits, hyphens and underscores."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    cleaned = _INVALID.sub("-", ascii_text.lower())
    return _DASHES.sub("-", cleaned).strip("-_")


def channel_name(label: str, *, prefix: str = DEFAULT_PREFIX) -> str:
    """Return the channel name for a pair space labelled *label*."""
    base = slug(label) or "pair"
    head = slug(prefix)
    if head and not base.startswith(head):
        base = f"{head}-{base}"
    return _fit(base, "")


FALLBACKS = 8  # further names after the two usual ones


def candidates(label: str, key: str, *, prefix: str = DEFAULT_PREFIX) -> tuple[str, ...]:
    """Return the names to try, in order: the readable one, then ones marked by *key*."""
    # sha1's first six hex digits: the second name of earlier versions, found again on a retry.
    digest = hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()
    first = channel_name(label, prefix=prefix)
    further = [_fit(first, f"-{digest[:6]}"), _fit(first, f"-{digest[:12]}")]
    further += [_fit(first, f"-{digest[:12]}-{n}") for n in range(2, FALLBACKS + 1)]
    return (first, *further)


def _fit(base: str, suffix: str) -> str:
    # Cut the readable part, never the suffix that makes the name unique.
    return base[: MAX_LENGTH - len(suffix)].rstrip("-_") + suffix


def is_valid(name: str) -> bool:
    """Return whether Slack accepts *name* as a channel name."""
    return 0 < len(name) <= MAX_LENGTH and not _INVALID.search(name)

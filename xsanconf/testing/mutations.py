"""Mutations of real files for fuzzing: byte flips, truncation, duplication, splicing."""

from __future__ import annotations

import random

__all__ = ["mutate"]

_JUNK = [
    "{",
    "}",
    ";",
    '"',
    "#",
    "\\\n",
    "\x00",
    "\r",
    "\t",
    "=",
    "[",
    "]",
    "\xff",
    "\u00a0",
    "\n\n",
]


def mutate(text: str, rng: random.Random, donors: list[str] | None = None) -> str:
    """One random mutation of ``text``; ``donors`` are other files whose lines may be spliced in."""
    if not text:
        return rng.choice(_JUNK)
    choice = rng.randrange(6)
    pos = rng.randrange(len(text) + 1)
    if choice == 0:  # flip one character
        return text[:pos] + chr(rng.randrange(1, 0x250)) + text[pos + 1 :]
    if choice == 1:  # truncate
        return text[:pos]
    if choice == 2:  # insert punctuation a parser cares about
        return text[:pos] + rng.choice(_JUNK) + text[pos:]
    lines = text.splitlines(keepends=True)
    i = rng.randrange(len(lines))
    if choice == 3:  # duplicate a line
        return "".join(lines[: i + 1] + lines[i:])
    if choice == 4:  # delete a line
        return "".join(lines[:i] + lines[i + 1 :])
    donor_lines = rng.choice(donors).splitlines(keepends=True) if donors else []
    if not donor_lines:
        return text[::-1]
    return "".join(lines[:i] + [rng.choice(donor_lines)] + lines[i:])

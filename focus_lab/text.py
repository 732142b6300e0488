"""Small wording helpers shared by pages, emails and messages."""

from __future__ import annotations


def possessive(name: object) -> str:
    """ "Alpha Public Schools" -> "Alpha Public Schools'", "Minneapolis" -> "Minneapolis's"."""
    text = str(name)
    return f"{text}'" if text.endswith(("s", "S")) else f"{text}'s"

"""The letter's life, as plain rules: its states, which step leads where, and the texts whose
hashes tie a signature to what was shown. No Django here; the services apply these rules.

A letter goes draft -> sent -> (viewed) -> signed by the party -> countersigned (complete). On the
way it may be declined by the party (with a reason), withdrawn by the lab, or expire. Complete,
declined, withdrawn and expired letters are final: nothing changes them again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class State(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    VIEWED = "viewed"
    SIGNED = "signed"
    COUNTERSIGNED = "countersigned"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class Action(StrEnum):
    SEND = "send"
    VIEW = "view"
    SIGN = "sign"
    COUNTERSIGN = "countersign"
    DECLINE = "decline"
    WITHDRAW = "withdraw"
    EXPIRE = "expire"
    REMIND = "remind"


AWAITING_PARTY = frozenset({State.SENT, State.VIEWED})
FINAL = frozenset({State.COUNTERSIGNED, State.DECLINED, State.WITHDRAWN, State.EXPIRED})
# A party has one live letter per lab and school year; a final one other than complete may be
# followed by a new one.
LIVE = frozenset({State.DRAFT, State.SENT, State.VIEWED, State.SIGNED, State.COUNTERSIGNED})

TRANSITIONS: dict[Action, dict[State, State]] = {
    Action.SEND: {State.DRAFT: State.SENT},
    Action.VIEW: {State.SENT: State.VIEWED},
    Action.SIGN: {State.SENT: State.SIGNED, State.VIEWED: State.SIGNED},
    Action.COUNTERSIGN: {State.SIGNED: State.COUNTERSIGNED},
    Action.DECLINE: {State.SENT: State.DECLINED, State.VIEWED: State.DECLINED},
    Action.WITHDRAW: {
        State.DRAFT: State.WITHDRAWN,
        State.SENT: State.WITHDRAWN,
        State.VIEWED: State.WITHDRAWN,
        State.SIGNED: State.WITHDRAWN,
    },  # fmt: skip
    Action.EXPIRE: {State.SENT: State.EXPIRED, State.VIEWED: State.EXPIRED},
    Action.REMIND: {State.SENT: State.SENT, State.VIEWED: State.VIEWED},
}

REFUSALS: dict[State, str] = {
    State.DRAFT: "This letter is still a draft: it has not been sent.",
    State.SENT: "This letter is waiting for the party's signature.",
    State.VIEWED: "This letter is waiting for the party's signature.",
    State.SIGNED: "This letter is already signed by the party.",
    State.COUNTERSIGNED: "This letter is complete: signed and countersigned. It cannot change.",
    State.DECLINED: "This letter was declined.",
    State.WITHDRAWN: "This letter was withdrawn by the learning lab.",
    State.EXPIRED: "This letter expired before it was signed.",
}


def next_state(state: str, action: Action) -> State | None:
    """The state ``action`` leads to from ``state``, or None when it is not allowed."""
    return TRANSITIONS[action].get(State(state))


def refusal(state: str, action: Action) -> str:
    return f"Cannot {action.value}: {REFUSALS[State(state)]}"


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# The consent statement shown next to the signature fields. Its hash is recorded with each
# signature; a change of wording is a new version, so old records keep pointing at their text.
CONSENT_VERSION = "2026-1"
CONSENT_TEXT = (
    "I agree to sign this letter of agreement electronically. I understand that typing my full name "
    "and title below and pressing “Sign” is my signature, with the same effect as signing a paper "
    "copy; that I may ask the learning lab for a paper copy instead; and that the signed letter "
    "will be kept as a PDF that I can download at any time."
)


def school_year_label(start_year: int) -> str:
    """2026 -> "2026–27" (a school year runs July 1 to June 30)."""
    return f"{start_year}–{(start_year + 1) % 100:02d}"


@dataclass(frozen=True)
class LetterContent:
    """What a letter says, with its party filled in. ``text()`` is the canonical text the party
    signs: its SHA-256 is the letter's hash, printed on each page of the PDF."""

    collaborative: str
    party: str
    party_kind: str  # "district" or "partner"
    school_year: str
    title: str
    introduction: str
    gives: Sequence[str]
    gets: Sequence[str]
    closing: str
    formal: bool
    term: str
    start: str
    end: str
    version: int

    def text(self) -> str:
        lines = [self.title, self.collaborative, f"School year {self.school_year}",
                 f"Party: {self.party} ({self.party_kind})", f"Template version {self.version}", "",
                 self.introduction, "", "What the party gives:"]  # fmt: skip
        lines += [f"{n}. {item}" for n, item in enumerate(self.gives, 1)]
        lines += ["", "What the party gets:"]
        lines += [f"{n}. {item}" for n, item in enumerate(self.gets, 1)]
        if self.formal:
            lines += ["", f"Term: {self.term}", f"Start: {self.start}", f"End: {self.end}"]
        lines += ["", self.closing]
        return "\n".join(line.rstrip() for line in lines).strip() + "\n"


def gives_for(
    *, party_kind: str, both: Sequence[str], districts: Sequence[str], partners: Sequence[str]
) -> list[str]:
    """The commitments a party gives: the shared ones, then those for its kind only."""
    return [*both, *(districts if party_kind == "district" else partners)]


def reminder_due(*, sent_at: datetime, now: datetime, every_days: int, sent_so_far: int) -> int | None:
    """The reminder step due now (1, 2, ...), or None. Step k falls ``k * every_days`` after the
    letter was sent; a step is due once, however many ticks pass (the caller claims it by moving
    the letter's count to the step). After an outage the missed steps fold into one reminder."""
    if every_days <= 0:
        return None
    step = int((now - sent_at) / timedelta(days=every_days))
    return step if step > sent_so_far else None

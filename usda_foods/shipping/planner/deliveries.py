"""Step 1 of the planner: how many cases each location gets (pure, no Django).

Every truck carries exactly ``Q`` cases, so the adjusted cases and the number of trucks depend only
on the deliveries, not on how trucks are formed. Each location keeps its request if it can be
delivered at all (full trucks plus drops of ``m``..``Q - m``), else moves to the nearest amount
that can; a dynamic programme over "total modulo ``Q``" chooses, at the fewest adjusted cases and
then the fewest trucks, which way each such location moves and how many cases are still needed to
make whole truckloads. Ignoring how trucks are packed, this is exact, so its value is a lower bound
on adjusted cases for every plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Deliverable:
    """Amounts a location can receive: full trucks plus drops of ``m``..``Q - m`` on split trucks.

    With ``m <= Q/3`` that is 0 and everything from ``m`` up; larger minimum drops leave gaps.
    """

    q: int
    m: int
    s: int

    @property
    def splits(self) -> bool:
        return self.s >= 2 and 2 * self.m <= self.q

    def split_ok(self, amount: int) -> bool:
        """Can ``amount`` (> 0) be cut into drops of ``m..Q-m`` (each on its own split truck)?"""
        if amount <= 0 or not self.splits:
            return False
        return -(-amount // (self.q - self.m)) <= amount // self.m

    def ok(self, amount: int) -> bool:
        if amount < 0:
            return False
        if amount % self.q == 0:
            return True
        if not self.splits:
            return False
        top = amount // self.q
        # Enough full trucks taken off leaves a remainder past the point where drop ranges overlap.
        for f in range(top, max(-1, top - self._overlap_trucks() - 2), -1):
            if self.split_ok(amount - f * self.q):
                return True
        return False

    def _overlap_trucks(self) -> int:
        gap = self.q - 2 * self.m
        if gap <= 0:
            return 2
        return self.m // gap + 2

    def anchors(self, amount: int) -> tuple[int, int]:
        """Nearest deliverable amounts at or below and at or above ``amount``."""
        lo = amount
        while not self.ok(lo):
            lo -= 1
        hi = amount
        while not self.ok(hi):
            hi += 1
        return lo, hi

    def split_part(self, amount: int) -> int:
        """The part of a deliverable ``amount`` to put on split trucks (the rest goes direct):
        the remainder, or the remainder plus as few full trucks as needed to cut it into drops."""
        rest = amount % self.q
        if rest == 0:
            return 0
        part = rest
        while not self.split_ok(part):
            part += self.q
            if part > amount:
                raise AssertionError(f"{amount} is not deliverable")
        return part


@dataclass
class _Choice:
    loc: int
    lo: int
    hi: int


@dataclass
class DeliveryPlan:
    """What :func:`choose_deliveries` decided, and the bounds it proves."""

    #: Deliveries with each request moved to a deliverable amount, before ``shift``.
    amounts: list[int]
    #: Cases still to add (> 0) or remove (< 0) to make whole truckloads, at one case per case:
    #: the packer spends it where it helps close a truck (any location whose amount is not already
    #: adjusted the other way), rather than on one location chosen in advance.
    shift: int
    #: No plan adjusts fewer cases (non-warehouse locations).
    cost_lower_bound: int
    #: No plan adjusting only ``cost_lower_bound`` cases uses fewer trucks.
    trucks_at_bound: int


def choose_deliveries(*, qs: Sequence[int], wh: int | None, dv: Deliverable) -> DeliveryPlan:
    """Deliveries at the fewest adjusted cases, then fewest trucks, ignoring how trucks are packed.

    Each location's cost is exact on its own: |d - q| with ``d`` deliverable. The relaxation's
    optimum puts every location at its request or at the nearest deliverable amount below or above
    it, except that some cases may be moved anywhere at one case per case (merging such moves onto
    one location never costs more). So the DP runs over the two anchors of each location whose
    request cannot be delivered, keyed by the total modulo ``Q`` and valued by (cost, cases), and a
    last step closes the total to a whole number of trucks (or, with a warehouse, adds to it for
    free). The warehouse is never given less than it asked for.
    """
    cap = dv.q
    choices: list[_Choice] = []
    base = 0
    for i, q in enumerate(qs):
        if i == wh:
            base += q
            continue
        lo, hi = dv.anchors(q)
        if lo == hi:
            base += q
        else:
            choices.append(_Choice(i, lo, hi))
            base += lo
    scale = sum(c.hi - c.lo for c in choices) + 3 * cap + 3
    inf = np.int64(2**62)
    dp = np.full(cap, inf, dtype=np.int64)
    dp[base % cap] = 0
    picks: list[np.ndarray] = []
    for c in choices:
        delta = c.hi - c.lo
        stay = dp + np.int64((qs[c.loc] - c.lo) * scale)
        move = np.roll(dp, delta % cap) + np.int64((c.hi - qs[c.loc]) * scale + delta)
        pick = move < stay
        dp = np.minimum(np.where(pick, move, stay), inf)
        picks.append(pick)
    # Final step: close to a whole number of trucks.
    finals: list[tuple[int, int, int]] = []  # (value, residue, shift)
    for r in range(cap):
        if dp[r] >= inf:
            continue
        val = int(dp[r])
        if wh is not None:
            extra = (-r) % cap
            while not dv.ok(qs[wh] + extra):
                extra += cap
            finals.append((val + extra + cap, r, extra))
        else:
            down, up = r, (cap - r) % cap
            finals.append((val + down * scale + cap - down, r, -down))
            if up:
                finals.append((val + up * scale + cap + up, r, up))
    finals.sort()
    best_val = finals[0][0]
    lower_bound = best_val // scale
    trucks_at_bound = 0
    for val, r, shift in finals:
        chosen = _backtrack(picks=picks, choices=choices, residue=r, cap=cap)
        trial = list(qs)
        for c, up in zip(choices, chosen, strict=True):
            trial[c.loc] = c.hi if up else c.lo
        if val == best_val:
            trucks_at_bound = (sum(trial) + shift) // cap
        if wh is not None:
            trial[wh] += shift
            shift = 0
        elif not _can_shift(trial=trial, qs=qs, shift=shift, dv=dv):
            continue
        return DeliveryPlan(
            amounts=trial, shift=shift, cost_lower_bound=lower_bound, trucks_at_bound=trucks_at_bound
        )
    # No single location can take the last cases: let the packer's repairs settle them.
    amounts = [q if dv.ok(q) else dv.anchors(q)[0] for q in qs]
    return DeliveryPlan(amounts=amounts, shift=0, cost_lower_bound=lower_bound, trucks_at_bound=0)


def _backtrack(*, picks: list[np.ndarray], choices: list[_Choice], residue: int, cap: int) -> list[bool]:
    chosen = [False] * len(choices)
    r = residue
    for j in range(len(choices) - 1, -1, -1):
        if picks[j][r]:
            chosen[j] = True
            r = (r - (choices[j].hi - choices[j].lo)) % cap
    return chosen


def _can_shift(*, trial: list[int], qs: Sequence[int], shift: int, dv: Deliverable) -> bool:
    """Can one location take ``shift`` more (or fewer) cases without leaving its deliverable range
    or undoing its own adjustment (so that the cost is exactly ``|shift|``)?"""
    if shift == 0:
        return True
    for i, d in enumerate(trial):
        if shift > 0 and d > 0 and d >= qs[i] and dv.ok(d + shift):
            return True
        if shift < 0 and 0 < d <= qs[i] and dv.ok(d + shift):
            return True
    return False

"""The chain packer's limits: how much searching it does at each step (deterministic)."""

from __future__ import annotations

from dataclasses import dataclass

#: The chain hands the last items of the sweep to the end-game repair when this few are left.
ENDGAME_ITEMS = 14
#: Closed trucks reopened for a CP-SAT repair.
UNWIND_TRUCKS = 3
#: Closed trucks reopened, in turn, by the depth-first repair; its node limits (end of the sweep,
#: mid-sweep); pool items a mid-sweep search may use.
UNWIND_STEPS = (0, 3, 6)
SEARCH_NODES = 4000
MIDWAY_NODES = 1500
SEARCH_EXTRA = 12
#: How far along the sweep a new truck may start.
SEED_SCAN = 80
#: Extra pool items offered to a mid-sweep CP-SAT repair.
OPTIONAL_ITEMS = 10
#: Largest single mid-sweep CP-SAT repair and its distance pass (deterministic seconds).
REPAIR_CAP_S = 1.0
DISTANCE_PASS_S = 0.2


class Budget:
    """CP-SAT time for one food, in deterministic seconds, shared by its repairs."""

    def __init__(self, seconds: float) -> None:
        self.left = seconds

    def take(self, cap: float) -> float:
        return max(0.02, min(cap, self.left))

    def spend(self, seconds: float) -> None:
        self.left = max(0.0, self.left - seconds)


#: Instances with at most this many split items are re-planned whole by CP-SAT when the chain
#: misses the lower bound.
EXACT_MAX_ITEMS = 30


@dataclass(frozen=True)
class Variant:
    """One run of the chain: how many nearest candidates to weigh by fit, how many must-cut items
    to hold back for the end of the sweep, and which way to sweep."""

    near: int
    reserve: int
    reverse: bool


#: The chain is greedy, so where it ends up stuck depends on small choices; a few cheap runs with
#: different choices, keeping the best, remove most of that luck.
VARIANTS = (
    Variant(near=3, reserve=0, reverse=False),
    Variant(near=6, reserve=6, reverse=False),
    Variant(near=3, reserve=6, reverse=True),
    Variant(near=6, reserve=0, reverse=True),
)

DEFAULT_TIME_LIMIT_S = 2.0

#: CP-SAT budget (deterministic seconds) of the exact whole-drop partition (``partition.py``);
#: 249 to 1,000 drops of 1/4 to 1/2 truck take 0.2-0.8 s.
EXACT_FILL_S = 8.0

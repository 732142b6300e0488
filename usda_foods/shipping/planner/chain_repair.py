"""The chain packer's repairs (pure, no Django): when the sweep cannot close a truck exactly, a
bounded depth-first search or CP-SAT over the last trucks and the pool finds the fewest adjusted
cases. Mixed into ``chain.Packer``, whose state these methods share."""

from __future__ import annotations

import math
from collections import defaultdict

from . import exact
from .limits import (
    DISTANCE_PASS_S,
    MIDWAY_NODES,
    OPTIONAL_ITEMS,
    REPAIR_CAP_S,
    SEARCH_EXTRA,
    SEARCH_NODES,
    UNWIND_STEPS,
    UNWIND_TRUCKS,
)
from .search import adjusting_pack, chain_search


class PackerRepairs:
    """Repair methods of ``Packer`` (see there for the state they use)."""

    def repair(self, *, endgame: bool) -> None:
        """Finish what the sweep cannot: reopen the last few trucks and search (``chain_search``)
        for an exact way through, with more trucks reopened each time; failing that, CP-SAT packs
        the same items with the fewest extra adjusted cases."""
        if endgame:
            for unwind in UNWIND_STEPS:
                if self.repair_search(endgame=True, unwind=unwind, nodes=SEARCH_NODES):
                    return
            self.repair_cpsat(endgame=True)
            return
        for unwind in UNWIND_STEPS[:2]:
            if self.midway_nodes < MIDWAY_NODES:
                break
            self.midway_nodes -= MIDWAY_NODES
            if self.repair_search(endgame=False, unwind=unwind, nodes=MIDWAY_NODES):
                return
        if not self.paid_close():
            self.repair_cpsat(endgame=False)

    def paid_close(self) -> bool:
        """Close the open truck with the item, or the two items, nearest in size to the room
        left, adjusting one of them to fit: cheap, always possible while a stop is free, and it
        keeps the sweep going where no exact way exists (e.g. only drops of 1/4 to 1/2 truck are
        left, whose trucks must be exact triples). Cases moved count against the whole-truckload
        budget first."""
        if not self.open or len(self.open) >= self.s:
            return False
        room = self.cap - self.load
        on_truck = {loc for loc, _ in self.open}
        pool = sorted(
            (amount, self.ranks[loc], loc) for loc, amount in self.size.items() if loc not in on_truck
        )
        if not pool:
            return False

        def extra(delta: int, loc: int | None = None) -> int:
            if loc is not None and loc == self.wh:
                return 0 if delta >= 0 else 2 * self.cap  # more for the warehouse is free, less never
            return abs(delta) + abs(self.flex - delta) - abs(self.flex)

        best: tuple | None = None
        for amount, _, loc in pool:
            delta = room - amount
            key = (extra(delta, loc), abs(delta), 1, self.dist(loc), loc)
            if best is None or key < best[0]:
                best = (key, [(loc, amount)])
        if len(self.open) + 2 <= self.s:
            # Two items: the classic two-pointer walk over sizes for the pair nearest the room.
            whole = [p for p in pool if p[0] <= self.cap - self.m and p[2] != self.wh]
            lo, hi = 0, len(whole) - 1
            while lo < hi:
                a, b = whole[lo], whole[hi]
                delta = room - a[0] - b[0]
                if b[0] + delta >= self.m:
                    key = (extra(delta), abs(delta), 0, 0.0, a[2])
                    if key < best[0]:
                        best = (key, [(a[2], a[0]), (b[2], b[0])])
                if delta > 0:
                    lo += 1
                elif delta < 0:
                    hi -= 1
                else:
                    break
        key, chosen = best
        delta = room - sum(amount for _, amount in chosen)
        # The deviation goes on the largest item (it stays at least a minimum drop).
        big = max(range(len(chosen)), key=lambda i: (chosen[i][1], -i))
        for i, (loc, amount) in enumerate(chosen):
            self.remove(loc)
            self.open.append((loc, amount + delta if i == big else amount))
        if chosen[big][0] != self.wh:
            self.flex -= delta
            (self.flexed if key[0] == 0 else self.repaired).add(chosen[big][0])
        self.close()
        return True

    def stuck_item(self) -> set[int]:
        """When no truck can even be started, the oldest item of the sweep must be dealt with
        (this is what guarantees progress)."""
        return {self.by_rank[0][1]} if not self.open and self.by_rank else set()

    def reopen(self, unwind: int) -> dict[int, int]:
        planned: dict[int, int] = defaultdict(int)
        if unwind:
            for truck in self.closed[-unwind:]:
                for loc, cases in truck:
                    planned[loc] += cases
                    self.outside[loc] -= cases
            del self.closed[-unwind:]
        for loc, cases in self.open:
            planned[loc] += cases
        self.open = []
        return planned

    def repair_search(self, *, endgame: bool, unwind: int, nodes: int) -> bool:
        saved_closed = self.closed[-unwind:] if unwind else []
        saved_open = list(self.open)
        stuck = self.stuck_item()
        planned = self.reopen(unwind)
        mandatory = set(planned) | stuck
        if endgame:
            mandatory |= set(self.size)
        taken: dict[int, int] = {}
        for loc in sorted(mandatory):
            if loc in self.size:
                taken[loc] = self.remove(loc)
                planned[loc] += taken[loc]
        extra: list[int] = []
        if not endgame and self.size:
            ref = [self.xy[loc] for loc in mandatory]

            def near(j: int) -> float:
                return min(math.hypot(self.xy[j][0] - x, self.xy[j][1] - y) for x, y in ref)

            extra = sorted(self.size, key=lambda j: (near(j), self.ranks[j]))[:SEARCH_EXTRA]
        if self.wh is not None and self.wh not in mandatory and self.wh not in extra and self.wh in self.size:
            extra.append(self.wh)
        items = dict(planned)
        for loc in extra:
            items[loc] = self.size[loc]
        found = None
        # First without giving the warehouse more than it holds (no extra truck), then with.
        for wh in (None, self.wh) if self.wh is not None else (None,):
            found = chain_search(
                items=items,
                mandatory=mandatory,
                cap=self.cap,
                m=self.m,
                s=self.s,
                xy=self.xy,
                wh=wh,
                node_limit=nodes,
                flex=self.flex,
                flexible={j for j in items if self.flex_eligible(j, 1 if self.flex > 0 else -1)},
                spend_all=endgame,
            )
            if found is not None:
                break
        if found is None:
            # Put everything back as it was.
            for loc, amount in taken.items():
                self.add(loc, amount)
            for truck in saved_closed:
                for loc, cases in truck:
                    self.outside[loc] += cases
            self.closed.extend(saved_closed)
            self.open = saved_open
            return False
        for loc in extra:
            self.remove(loc)
        for truck in found.trucks:
            self.closed.append(truck)
            for loc, cases in truck:
                self.outside[loc] += cases
        self.open = found.open
        for loc, amount in sorted(found.remaining.items()):
            self.add(loc, amount)
        self.flex = found.flex_left
        self.flexed |= found.flexed
        return True

    def repair_cpsat(self, *, endgame: bool) -> None:
        """Hand the open truck, the last few closed ones and the stuck items to CP-SAT."""
        stuck = self.stuck_item()
        planned = self.reopen(UNWIND_TRUCKS)
        mandatory = set(planned) | stuck
        if endgame:
            mandatory |= set(self.size)
        for loc in sorted(mandatory):
            if loc in self.size:
                planned[loc] += self.remove(loc)
        if self.wh is not None and self.wh not in planned:
            # The warehouse can always take a drop to finish a truck; offer it to every repair.
            planned[self.wh] += self.remove(self.wh) if self.wh in self.size else 0
        optional: list[int] = []
        if not endgame and self.wh is not None and self.wh not in mandatory:
            optional.append(self.wh)
        if not endgame and self.size:
            ref = [self.xy[loc] for loc in mandatory]

            def near(j: int) -> float:
                return min(math.hypot(self.xy[j][0] - x, self.xy[j][1] - y) for x, y in ref)

            nearest = sorted(self.size, key=lambda j: (near(j), self.ranks[j]))[:OPTIONAL_ITEMS]
            optional.extend(nearest)
            for loc in nearest:
                planned[loc] += self.remove(loc)
        parties = []
        for loc in sorted(planned, key=lambda j: self.ranks[j]):
            parties.append(
                exact.Party(
                    key=loc,
                    want=self.qs[loc] - self.outside[loc],
                    planned=planned[loc],
                    xy=self.xy[loc],
                    warehouse=loc == self.wh,
                    optional=loc in optional,
                )
            )
        total = sum(planned.values())
        max_trucks = -(-total // self.cap) + 2 + len(mandatory) // 3
        sol = adjusting_pack(parties=parties, cap=self.cap, m=self.m, s=self.s)
        if self.use_cpsat and self.budget.left > 0:
            spend = self.budget.take(self.budget.left if endgame else REPAIR_CAP_S)
            distance_s = min(DISTANCE_PASS_S, spend / 4) if len(parties) <= 24 else 0.0
            found = exact.solve_parties(
                parties=parties,
                capacity=self.cap,
                min_drop=self.m,
                max_stops=self.s,
                max_trucks=max(max_trucks, len(sol.trucks)),
                deterministic_s=spend - distance_s,
                distance_pass_s=distance_s,
                hint=sol.trucks,
            )
            self.budget.spend(spend)
            if found is not None and (found.cost, len(found.trucks)) <= (sol.cost, len(sol.trucks)):
                sol = found
        for truck in sol.trucks:
            self.closed.append(list(truck))
            for loc, cases in truck:
                self.outside[loc] += cases
        for party in parties:
            got = sol.delivered.get(party.key, 0) + sol.leftover.get(party.key, 0)
            if got != party.planned:
                self.repaired.add(party.key)
        for loc, rest in sorted(sol.leftover.items()):
            self.add(loc, rest)
        self.resync_flex()

    def hold_back(self, count: int) -> dict[int, int]:
        """Take the biggest must-cut items from the last part of the sweep out of the pool: the
        end of a sweep is where the chain runs out of crossing items."""
        if count <= 0 or not self.by_rank:
            return {}
        last = self.by_rank[int(len(self.by_rank) * 0.7) :]
        big = sorted(
            (loc for _, loc in last if self.size[loc] > self.cap - self.m),
            key=lambda j: (-self.size[j], self.ranks[j]),
        )[:count]
        return {loc: self.remove(loc) for loc in sorted(big)}

    def release(self, held: dict[int, int]) -> None:
        for loc, amount in sorted(held.items()):
            self.add(loc, amount)
        held.clear()

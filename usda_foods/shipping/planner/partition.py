"""Exact packing of whole drops: trucks filled exactly with no adjustment (pure, no Django).

Where every split part is a drop that goes whole on one truck (between a minimum drop and a truck
minus a minimum drop), a plan with no adjusted case is a partition of the drops into groups of at
most ``s`` that each add up to exactly one truck: with drops of 1/4 to 1/2 truck and three stops,
the 3-partition problem. The chain finds most such groups but, being greedy, strands a few drops
at the end; here two exact methods look for the whole partition:

1. *Patterns in CP-SAT*: every multiset of at most ``s`` sizes
   that fills a truck exactly is a pattern, an integer variable counts how many trucks use it, and
   each size must be used exactly as often as it occurs. With a few hundred distinct sizes this is
   a few thousand variables (0.2-0.8 s for 249-1,000 drops of 1/4 to 1/2 truck); CP-SAT runs with
   one worker and a fixed seed on a deterministic time budget, so equal inputs give equal plans.
2. *Bin completion* (depth-first, where there are too many patterns or no budget): take the largest drop left and try each way of completing its
   truck exactly with at most ``s - 1`` other drops. Drops of the same size are interchangeable,
   so the search runs over sizes and their counts, remembers the states already proved hopeless
   and stops after a node budget. Completions that use the rarest sizes go first: a size with one
   drop left has few partners, one with many can wait. Alone it solves up to about 120 drops.

Both return trucks by size; :func:`assign` gives the sizes back to locations in sweep order (the
planner's later passes shorten the routes at no cost).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Sequence

from ortools.sat.python import cp_model

#: Nodes of the depth-first search, and the most patterns the CP-SAT model takes.
SEARCH_NODES = 20_000
MAX_PATTERNS = 200_000
#: Sizes tried, one at a time, for the drop that takes the delivery DP's whole-truckload budget.
SHIFT_TRIES = 4
#: Up to this many drops, the model itself chooses the drop that takes the shift.
SHIFT_IN_MODEL = 90


class _OutOfNodes(Exception):
    pass


def applies(sizes: Sequence[int], *, cap: int, m: int, s: int) -> bool:
    """Whether every drop can only go whole, fits beside another, and the total is whole trucks."""
    return s >= 2 and len(sizes) >= 2 and all(m <= z <= cap - m for z in sizes) and sum(sizes) % cap == 0


def _completions(
    counts: dict[int, int], sizes_desc: list[int], room: int, k: int, top: int
) -> list[tuple[int, ...]]:
    """Multisets of at most ``k`` available sizes, each at most ``top``, adding up to ``room``
    (non-increasing tuples)."""
    out: list[tuple[int, ...]] = []

    def walk(start: int, left: int, slots: int, chosen: list[int]) -> None:
        if left == 0:
            out.append(tuple(chosen))
            return
        if slots == 0:
            return
        for j in range(start, len(sizes_desc)):
            z = sizes_desc[j]
            if z > left or z > top:
                continue
            if z * slots < left:
                break  # the rest are smaller still
            used = chosen.count(z)
            if counts.get(z, 0) <= used:
                continue
            chosen.append(z)
            walk(j, left - z, slots - 1, chosen)
            chosen.pop()

    walk(0, room, k, [])
    return out


def search(
    sizes: Sequence[int], *, cap: int, s: int, nodes: int = SEARCH_NODES
) -> list[tuple[int, ...]] | None:
    """Bin completion over sizes: trucks as tuples of sizes, or None (no partition, or out of nodes)."""
    counts = Counter(sizes)
    order = sorted(counts, reverse=True)
    failed: set[tuple[int, ...]] = set()
    trucks: list[tuple[int, ...]] = []
    budget = [nodes]

    def state() -> tuple[int, ...]:
        return tuple(counts[z] for z in order)

    def go() -> bool:
        budget[0] -= 1
        if budget[0] < 0:
            raise _OutOfNodes
        big = next((z for z in order if counts[z]), None)
        if big is None:
            return True
        key = state()
        if key in failed:
            return False
        counts[big] -= 1
        avail = [z for z in order if counts[z]]
        options = _completions(counts, avail, cap - big, s - 1, big)
        # Rarest sizes first (ties: the larger drops first, fewer stops first).
        options.sort(key=lambda c: (sum(1.0 / counts[z] for z in c) * -1, -max(c), len(c), c))
        for combo in options:
            for z in combo:
                counts[z] -= 1
            trucks.append((big, *combo))
            if go():
                return True
            trucks.pop()
            for z in combo:
                counts[z] += 1
        counts[big] += 1
        failed.add(key)
        return False

    try:
        return list(trucks) if go() else None
    except _OutOfNodes:
        return None


def patterns(
    sizes: Sequence[int],
    *,
    cap: int,
    s: int,
    deterministic_s: float,
    shift: int = 0,
    shiftable: frozenset[int] | set[int] = frozenset(),
) -> tuple[list[tuple[int, ...]], int | None] | None:
    """The pattern model in CP-SAT: (trucks as tuples of sizes, the size that took ``shift`` or
    None), or None (none found in the budget, or too many patterns).

    With ``shift`` (cases still to add or remove for whole truckloads, the delivery DP's budget),
    exactly one drop of a size in ``shiftable`` becomes ``size + shift``: the model chooses which,
    so a plan at the DP's bound (not only at zero) is found where one exists this way."""
    counts = Counter(sizes)
    moved = {z: z + shift for z in sorted(shiftable) if shift and counts.get(z) and z + shift > 0}
    if shift and not moved:
        return None
    # Sizes a truck may carry: the drops as they are, and the shifted size (at most once).
    avail = Counter(counts)
    for z2 in moved.values():
        avail[z2] += 1
    order = sorted(avail, reverse=True)
    pats: list[tuple[int, ...]] = []
    for big in order:
        rest = dict(avail)
        rest[big] -= 1
        for combo in _completions(rest, order, cap - big, s - 1, big):
            pats.append((big, *combo))
            if len(pats) > MAX_PATTERNS:
                return None
    if not pats:
        return None
    model = cp_model.CpModel()
    use = []
    uses_of: dict[int, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    for j, pat in enumerate(pats):
        mult = Counter(pat)
        top = min(avail[z] // k for z, k in mult.items())
        var = model.new_int_var(0, top, f"p{j}")
        use.append(var)
        for z, k in mult.items():
            uses_of[z].append((k, var))
    took = {z: model.new_bool_var(f"shift{z}") for z in moved}
    if took:
        model.add_exactly_one(took.values())
    for z in order:
        need = counts.get(z, 0) - (took[z] if z in took else 0)
        need += sum(took[z0] for z0, z2 in moved.items() if z2 == z)
        model.add(sum(k * v for k, v in uses_of[z]) == need)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    solver.parameters.max_deterministic_time = max(0.01, deterministic_s)
    solver.parameters.max_time_in_seconds = max(5.0, 20.0 * deterministic_s)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    out = []
    for pat, var in zip(pats, use, strict=True):
        out.extend([pat] * int(solver.value(var)))
    return out, next((z for z, v in took.items() if solver.value(v)), None)


def assign(
    trucks: Sequence[tuple[int, ...]], items: Sequence[tuple[int, int]], ranks: Sequence[int]
) -> list[list[tuple[int, int]]]:
    """Give the trucks' sizes to locations, keeping each truck's drops close along the sweep: the
    first free location in sweep order takes, among the trucks left that carry its size, the one
    whose other sizes have free locations nearest to it in the sweep. ``items`` are (location,
    size); the planner's later passes shorten the routes further at no cost."""
    free: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for loc, size in items:
        free[size].append((ranks[loc], loc))
    for lst in free.values():
        lst.sort()
    left = Counter(tuple(sorted(t, reverse=True)) for t in trucks)
    with_size: dict[int, list[tuple[int, ...]]] = defaultdict(list)
    for pat in sorted(left):
        for z in set(pat):
            with_size[z].append(pat)

    def nearest_free(z: int, rank: int, skip: set[int]) -> tuple[int, int] | None:
        lst = free[z]
        j = bisect_left(lst, (rank, -1))
        lo, hi = j - 1, j
        while lo >= 0 or hi < len(lst):
            if hi >= len(lst) or (lo >= 0 and rank - lst[lo][0] <= lst[hi][0] - rank):
                if lst[lo][1] not in skip:
                    return lst[lo]
                lo -= 1
            else:
                if lst[hi][1] not in skip:
                    return lst[hi]
                hi += 1
        return None

    out = []
    for rank, loc, size in sorted((ranks[loc], loc, size) for loc, size in items):
        if (rank, loc) not in free[size][
            bisect_left(free[size], (rank, loc)) : bisect_left(free[size], (rank, loc)) + 1
        ]:
            continue  # already on a truck
        best = None
        for pat in with_size[size]:
            if not left[pat]:
                continue
            others = list(pat)
            others.remove(size)
            taken = {loc}
            picks = []
            for z in others:
                got = nearest_free(z, rank, taken)
                if got is None:
                    break
                taken.add(got[1])
                picks.append((got[1], z))
            else:
                spread = sum(abs(ranks[p] - rank) for p, _ in picks)
                if best is None or (spread, pat) < best[0]:
                    best = ((spread, pat), picks)
        assert best is not None, "the trucks do not match the items"
        (_, pat), picks = best
        left[pat] -= 1
        truck = [(loc, size), *picks]
        for p, z in truck:
            del free[z][bisect_left(free[z], (ranks[p], p))]
        out.append(truck)
    return out


def exact_partition(
    items: Sequence[tuple[int, int]],
    *,
    cap: int,
    m: int,
    s: int,
    ranks: Sequence[int],
    deterministic_s: float,
    shift: int = 0,
    eligible: frozenset[int] | set[int] = frozenset(),
) -> list[list[tuple[int, int]]] | None:
    """Trucks of (location, cases) delivering every item whole with no further adjustment, or
    None; with ``shift``, one of the ``eligible`` locations takes those cases more (or fewer)."""
    sizes = [z for _, z in items]
    if shift:
        shiftable = {z for loc, z in items if loc in eligible and m <= z + shift <= cap - m}
        if not shiftable or not all(m <= z <= cap - m for z in sizes) or (sum(sizes) + shift) % cap:
            return None
        if s < 2 or deterministic_s <= 0:
            return None
        # Which drop takes the shift: the model can choose (``patterns(shift=...)``), but trying
        # the most common sizes one at a time is much faster and almost always enough.
        counts = Counter(sizes)
        if len(items) <= SHIFT_IN_MODEL:
            found = patterns(
                sizes, cap=cap, s=s, deterministic_s=deterministic_s, shift=shift, shiftable=shiftable
            )
            if found is None or found[1] is None:
                return None
            loc = min(
                (i for i, size in items if size == found[1] and i in eligible), key=lambda j: (ranks[j], j)
            )
            return assign(found[0], [(i, size + shift if i == loc else size) for i, size in items], ranks)
        tries = sorted(shiftable, key=lambda z: (-counts[z], z))[:SHIFT_TRIES]
        for z in tries:
            loc = min((i for i, size in items if size == z and i in eligible), key=lambda j: (ranks[j], j))
            moved = [(i, size + shift if i == loc else size) for i, size in items]
            found = patterns(
                [size for _, size in moved], cap=cap, s=s, deterministic_s=deterministic_s / len(tries)
            )
            if found is not None:
                return assign(found[0], moved, ranks)
        return None
    if not applies(sizes, cap=cap, m=m, s=s):
        return None
    trucks = None
    if deterministic_s > 0:
        found = patterns(sizes, cap=cap, s=s, deterministic_s=deterministic_s)
        trucks = found[0] if found is not None else None
    if trucks is None:
        trucks = search(sizes, cap=cap, s=s)
    if trucks is None:
        return None
    return assign(trucks, items, ranks)

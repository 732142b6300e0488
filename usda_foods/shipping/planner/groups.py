"""Packing small remainders whole: first-fit decreasing, and a better grouping (pure, no Django).

Where most remainders are under a minimum drop, the delivery DP fixes each at 0 or one minimum drop
before packing, and three 250-case drops make 750 cases, not a truck. Here each remainder (what a
location wants beyond its full direct trucks) is placed whole on one truck or cut, and a truck's
deliveries are settled only once its stops are known. For a truck of wants ``w_1..w_k``:

* one stop: it is raised or cut to a full truck, ``|Q - w|`` cases;
* ``k >= 2`` stops (needs ``k * m <= Q``): each drop is raised to at least ``m``, then the truck is
  topped up or the drops above ``m`` are trimmed: ``sum(max(0, m - w_i)) + |Q - sum(max(w_i, m))|``;
* a remainder left off every truck costs its ``w`` (delivered 0).

:func:`first_fit_decreasing` is the textbook baseline (each remainder into the first truck with
room, each truck then kept or cut, whichever adjusts fewer cases). :func:`best_groups` builds
trucks around the largest remainder with the completion nearest a full truck, for several choices
of which small remainders to leave off, then moves single remainders between trucks while that
lowers the adjusted cases; it starts from first-fit decreasing's answer too, so it never does worse.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

Item = tuple[int, int]  # (location, cases wanted on split trucks)

#: Single-remainder moves tried by the local search (deterministic work bound).
MOVE_BUDGET = 150_000


def truck_cost(wants: Sequence[int], *, cap: int, m: int) -> int | None:
    """Cases adjusted to make these wants exactly one truck within the rules, or None."""
    k = len(wants)
    if k == 0:
        return 0
    if k == 1:
        return abs(cap - wants[0])
    if k * m > cap:
        return None
    raise_ = sum(max(0, m - w) for w in wants)
    return raise_ + abs(cap - sum(max(w, m) for w in wants))


def settle(group: Sequence[Item], *, cap: int, m: int) -> list[Item]:
    """The deliveries of one truck (see :func:`truck_cost`): every drop at least ``m`` on a split
    truck, the total exactly ``cap``, the top-up on the largest drop, trims from the largest down."""
    if len(group) == 1:
        return [(group[0][0], cap)]
    amounts = [max(w, m) for _, w in group]
    gap = cap - sum(amounts)
    order = sorted(range(len(group)), key=lambda j: (-amounts[j], j))
    if gap > 0:
        amounts[order[0]] += gap
    for j in order:
        if gap >= 0:
            break
        cut = min(-gap, amounts[j] - m)
        amounts[j] -= cut
        gap += cut
    return [(loc, amounts[j]) for j, (loc, _) in enumerate(group)]


def _keep_or_cut(groups: list[list[Item]], *, cap: int, m: int) -> tuple[list[list[Item]], list[Item]]:
    kept, cut = [], []
    for g in groups:
        cost = truck_cost([w for _, w in g], cap=cap, m=m)
        if cost is not None and cost < sum(w for _, w in g):
            kept.append(g)
        else:
            cut.extend(g)
    return kept, cut


def total_cost(kept: Sequence[Sequence[Item]], cut: Sequence[Item], *, cap: int, m: int) -> int:
    return sum(truck_cost([w for _, w in g], cap=cap, m=m) or 0 for g in kept) + sum(w for _, w in cut)


def first_fit_decreasing(
    items: Sequence[Item], *, cap: int, m: int, s: int
) -> tuple[list[list[Item]], list[Item]]:
    """Textbook first-fit decreasing: (trucks kept, remainders cut)."""
    bins: list[list[Item]] = []
    loads: list[int] = []
    for item in sorted(items, key=lambda it: (-it[1], it[0])):
        for b, g in enumerate(bins):
            if loads[b] + item[1] <= cap and len(g) < s and (len(g) + 1) * m <= cap:
                g.append(item)
                loads[b] += item[1]
                break
        else:
            bins.append([item])
            loads.append(item[1])
    return _keep_or_cut(bins, cap=cap, m=m)


def _complete(
    big: Item, pool: list[tuple[int, int, int]], *, cap: int, m: int, s: int
) -> list[tuple[int, int, int]]:
    """Up to ``s - 1`` pool entries (effective size, want, location), sorted by effective size, that
    bring ``big``'s truck nearest a full truck by effective size (exact first, then the least
    deviation; among equals the larger wants)."""
    if s < 2 or 2 * m > cap or not pool:
        return []
    room = cap - max(big[1], m)
    best: tuple[int, list[tuple[int, int, int]]] = (abs(room), [])
    sizes = [e for e, _, _ in pool]
    # One more stop: the entry nearest the room.
    j = bisect_left(sizes, room)
    for k in (j - 1, j):
        if 0 <= k < len(pool):
            dev = abs(room - pool[k][0])
            if dev < best[0]:
                best = (dev, [pool[k]])
    if s >= 3 and 3 * m <= cap and len(pool) >= 2:
        lo, hi = 0, len(pool) - 1
        while lo < hi:
            total = pool[lo][0] + pool[hi][0]
            dev = abs(room - total)
            if dev < best[0]:
                best = (dev, [pool[lo], pool[hi]])
                if dev == 0:
                    break
            if total < room:
                lo += 1
            else:
                hi -= 1
    return best[1]


def _greedy(items: Sequence[Item], *, cap: int, m: int, s: int) -> list[list[Item]]:
    """Largest remainder first, completed by the one or two remainders nearest a full truck."""
    pool = sorted((max(w, m), w, loc) for loc, w in items)
    groups = []
    while pool:
        e, w, loc = pool.pop()
        chosen = _complete((loc, w), pool, cap=cap, m=m, s=s)
        for entry in chosen:
            del pool[bisect_left(pool, entry)]
        groups.append([(loc, w)] + [(c_loc, c_w) for _, c_w, c_loc in chosen])
    return groups


def _improve(
    kept: list[list[Item]], cut: list[Item], *, cap: int, m: int, s: int
) -> tuple[list[list[Item]], list[Item]]:
    """Move one remainder at a time (between trucks, onto a truck from the cut ones, or off a truck)
    while that lowers the adjusted cases; trucks are tried in order of the room they have left."""
    groups = [list(g) for g in kept] + [[it] for it in cut]  # a cut remainder is a group of its own
    wants = [[w for _, w in g] for g in groups]

    def cost(ws: list[int]) -> int | None:
        if not ws:
            return 0
        c = truck_cost(ws, cap=cap, m=m)
        return None if c is None else min(c, sum(ws))  # a truck not worth its adjustment is cut

    costs = [cost(ws) or 0 for ws in wants]
    budget = MOVE_BUDGET
    improved = True
    while improved and budget > 0:
        improved = False
        for a in range(len(groups)):
            j = 0
            while j < len(groups[a]) and budget > 0:
                loc, w = groups[a][j]
                rest_a = wants[a][:j] + wants[a][j + 1 :]
                base_a = cost(rest_a)
                best = None
                for b in range(len(groups)):
                    if b == a or len(groups[b]) >= s:
                        continue
                    budget -= 1
                    new_b = cost(wants[b] + [w])
                    if new_b is None or base_a is None:
                        continue
                    gain = costs[a] + costs[b] - base_a - new_b
                    if gain > 0 and (best is None or gain > best[0]):
                        best = (gain, b, new_b)
                if best is None:
                    j += 1
                    continue
                _, b, new_b = best
                groups[a].pop(j)
                wants[a].pop(j)
                costs[a] = base_a
                groups[b].append((loc, w))
                wants[b].append(w)
                costs[b] = new_b
                improved = True
    kept_out, cut_out = [], []
    for g, ws in zip(groups, wants, strict=True):
        if not g:
            continue
        c = truck_cost(ws, cap=cap, m=m)
        if c is not None and c < sum(ws):
            kept_out.append(g)
        else:
            cut_out.extend(g)
    return kept_out, cut_out


def best_groups(items: Sequence[Item], *, cap: int, m: int, s: int) -> tuple[list[list[Item]], list[Item]]:
    """The fewest adjusted cases found (then fewest trucks): (trucks kept, remainders cut)."""
    candidates = [first_fit_decreasing(items, cap=cap, m=m, s=s)]
    for share in (0.0, 1 / 3, 1 / 2, 2 / 3):
        # Leave off the remainders under this share of a minimum drop from the start.
        kept_in = [it for it in items if it[1] >= share * m]
        left_off = [it for it in items if it[1] < share * m]
        kept, cut = _keep_or_cut(_greedy(kept_in, cap=cap, m=m, s=s), cap=cap, m=m)
        candidates.append((kept, cut + left_off))
    scored = []
    for n, (kept, cut) in enumerate(candidates):
        kept, cut = _improve(kept, cut, cap=cap, m=m, s=s)
        scored.append(((total_cost(kept, cut, cap=cap, m=m), len(kept), n), kept, cut))
        if n == 0:
            # First-fit decreasing as it is, in case the moves only tie it.
            k0, c0 = candidates[0]
            scored.append(((total_cost(k0, c0, cap=cap, m=m), len(k0), -1), k0, c0))
    _, kept, cut = min(scored, key=lambda t: t[0])
    return kept, cut


def packing_bound(qs: Sequence[int], *, cap: int, s: int) -> int:
    """A lower bound on adjusted cases that counts stops (no warehouse).

    A plan with ``T`` trucks delivers ``T * cap`` cases to at most ``s * T`` locations (every
    location it delivers to takes a stop). Writing ``S`` for those locations, it adjusts at least
    the requests of the others plus the gap between ``T * cap`` and what ``S`` asked for:
    ``(W - W_S) + |T * cap - W_S|``. ``W_S`` is at most the ``s * T`` largest requests and, on the
    side where it helps, at most ``T * cap``, so every plan with ``T`` trucks adjusts at least
    ``W + T * cap - 2 * min(T * cap, top(s * T))``; the bound is the least of that over ``T``
    (beyond ``2W / cap`` trucks it exceeds ``W``, what delivering nothing costs). It is what makes
    three small requests cost a truck minus their sum, which the per-location bound cannot see."""
    total = sum(qs)
    if total == 0:
        return 0
    top = [0]
    for q in sorted(qs, reverse=True):
        top.append(top[-1] + q)
    best = total
    for trucks in range(0, 2 * total // cap + 2):
        most = top[min(len(qs), s * trucks)]
        best = min(best, total + trucks * cap - 2 * min(trucks * cap, most))
    return best


def _bound_at(total: int, trucks: int, top: Sequence[int], *, cap: int, s: int) -> int:
    most = top[min(len(top) - 1, s * trucks)]
    return total + trucks * cap - 2 * min(trucks * cap, most)


def packing_trucks_bound(qs: Sequence[int], *, cap: int, s: int, adjusted: int) -> int:
    """Fewest trucks of any plan adjusting at most ``adjusted`` cases (no warehouse): it delivers
    at least ``W - adjusted`` cases, and its truck count ``T`` must leave the bound of
    :func:`packing_bound` at ``T`` within ``adjusted``."""
    total = sum(qs)
    top = [0]
    for q in sorted(qs, reverse=True):
        top.append(top[-1] + q)
    least = max(0, -(-(total - adjusted) // cap))
    for trucks in range(least, 2 * total // cap + 2):
        if _bound_at(total, trucks, top, cap=cap, s=s) <= adjusted:
            return trucks
    return least


def first_fit_decreasing_plan(qs: Sequence[int], *, cap: int, m: int, s: int) -> tuple[int, int]:
    """The baseline the planner must never lose to: full direct trucks for each request, its
    remainder by :func:`first_fit_decreasing`. Returns (adjusted cases, trucks)."""
    direct = sum(q // cap for q in qs)
    items = [(i, q % cap) for i, q in enumerate(qs) if q % cap]
    kept, cut = first_fit_decreasing(items, cap=cap, m=m, s=s)
    return total_cost(kept, cut, cap=cap, m=m), direct + len(kept)

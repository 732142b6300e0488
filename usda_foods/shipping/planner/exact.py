"""CP-SAT models for split shipments (pure, no Django).

Two uses share one model:

* the planner's *repair* step: a handful of "parties" (locations, or what is left of them) that the
  constructive heuristic could not finish are packed exactly, with the fewest extra adjusted cases;
* the benchmark's *exact* solve of a whole small instance, to compare the heuristic with the optimum.

Model (trucks ``t`` up to a bound, parties ``p``): ``x[p,t]`` cases of ``p`` on ``t`` and a stop flag
``y[p,t]`` with ``min_drop * y <= x <= capacity * y``; a used truck carries exactly ``capacity`` and
at most ``max_stops`` stops. A one-stop truck is then a full direct truck, and the minimum drop
applies to every stop of a split truck. Each party's adjustment is ``|sum_t x[p,t] - want|``; a
warehouse party takes any quantity ``>= want`` for free. The objective is lexicographic: adjusted
cases, then trucks (and, in an optional second pass with those two fixed, a distance proxy: the sum
of pairwise distances between stops sharing a truck). Trucks are interchangeable, so they are
ordered by their set of stops read as a binary number (symmetry breaking: one 9-party end game
was proved optimal in 0.5 s with it, 38 s without), and a known lower bound on adjusted cases may be
added as a constraint so that CP-SAT can stop as soon as it meets it.

Determinism: one worker and a *deterministic* time budget (``max_deterministic_time``), so the same
input gives the same answer however busy the machine is. The wall-clock limit is only a safety net
set well above it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

#: Symmetry breaking weighs stops by powers of two: only for models this small.
_SYMMETRY_MAX_PARTIES = 40


@dataclass(frozen=True)
class Party:
    """Something to deliver in a sub-problem.

    ``want`` is what the party should receive here for a zero adjustment (it may be <= 0 when it has
    already been given more elsewhere); ``planned`` is what the heuristic currently holds for it.
    An ``optional`` party may be left out (its ``planned`` cases go back to the heuristic's pool),
    delivered in full (paying only the adjustment beyond the one already planned) or, if it can be
    cut, partly delivered with the rest (at least one minimum drop) going back to the pool.
    """

    key: int
    want: int
    planned: int
    xy: tuple[float, float] = (0.0, 0.0)
    warehouse: bool = False
    optional: bool = False


@dataclass(frozen=True)
class SubSolution:
    trucks: tuple[tuple[tuple[int, int], ...], ...]
    delivered: dict[int, int] = field(default_factory=dict)
    leftover: dict[int, int] = field(default_factory=dict)
    cost: int = 0
    optimal: bool = False
    #: Proven lower bound on the adjusted cases of this sub-problem.
    bound: int = 0


def _solver(*, deterministic_s: float, seed: int = 0) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_deterministic_time = max(0.01, deterministic_s)
    solver.parameters.max_time_in_seconds = max(5.0, 20.0 * deterministic_s)
    return solver


def solve_parties(
    *,
    parties: Sequence[Party],
    capacity: int,
    min_drop: int,
    max_stops: int,
    max_trucks: int,
    deterministic_s: float,
    cost_lower_bound: int = 0,
    distance_pass_s: float = 0.0,
    hint: Sequence[Sequence[tuple[int, int]]] | None = None,
) -> SubSolution | None:
    """Pack ``parties`` into at most ``max_trucks`` trucks, fewest adjusted cases first, then fewest
    trucks. Returns None only if CP-SAT found no solution within the budget (it always has one:
    delivering nothing to a non-warehouse party is a valid, if costly, answer)."""
    q, m, s_max = capacity, min_drop, max_stops
    model = cp_model.CpModel()
    n_t = max(0, max_trucks)
    idx = range(len(parties))
    x = [[model.new_int_var(0, q, f"x{p}_{t}") for t in range(n_t)] for p in idx]
    y = [[model.new_bool_var(f"y{p}_{t}") for t in range(n_t)] for p in idx]
    u = [model.new_bool_var(f"u{t}") for t in range(n_t)]
    for t in range(n_t):
        for p in idx:
            model.add(x[p][t] >= m * y[p][t])
            model.add(x[p][t] <= q * y[p][t])
        model.add(sum(x[p][t] for p in idx) == q * u[t])
        model.add(sum(y[p][t] for p in idx) <= s_max * u[t])
        if t:
            model.add(u[t - 1] >= u[t])
    if len(parties) <= _SYMMETRY_MAX_PARTIES:
        # Trucks are interchangeable: order them by their set of stops, read as a binary number.
        weights = [1 << (len(parties) - 1 - p) for p in idx]
        keys = [sum(w * y[p][t] for p, w in zip(idx, weights, strict=True)) for t in range(n_t)]
        for t in range(1, n_t):
            model.add(keys[t - 1] >= keys[t])
    total = [sum(x[p][t] for t in range(n_t)) for p in idx]
    big = q * (n_t + 1) + sum(abs(pt.want) + pt.planned for pt in parties) + 1
    cost_terms = []
    leftover_vars: dict[int, cp_model.IntVar | int] = {}
    for p, pt in enumerate(parties):
        hi = q * n_t
        tot = model.new_int_var(0, hi, f"tot{p}")
        model.add(tot == total[p])
        if pt.warehouse:
            if pt.optional:
                left = model.new_int_var(0, max(0, pt.planned), f"left{p}")
                model.add_max_equality(left, [0, pt.planned - tot])
                leftover_vars[p] = left
            else:
                model.add(tot >= max(0, pt.want))
            continue
        dev = model.new_int_var(0, big, f"dev{p}")
        if not pt.optional:
            model.add(dev >= tot - pt.want)
            model.add(dev >= pt.want - tot)
            cost_terms.append(dev)
            continue
        full = model.new_bool_var(f"full{p}")
        out = model.new_bool_var(f"out{p}")
        modes = [full, out]
        model.add(dev >= tot - pt.want).only_enforce_if(full)
        model.add(dev >= pt.want - tot).only_enforce_if(full)
        model.add(dev == 0).only_enforce_if(~full)
        model.add(tot == 0).only_enforce_if(out)
        left_expr = pt.planned * out
        if pt.planned >= 2 * m:
            part = model.new_bool_var(f"part{p}")
            modes.append(part)
            model.add(tot >= m).only_enforce_if(part)
            model.add(tot <= pt.planned - m).only_enforce_if(part)
            left = model.new_int_var(0, pt.planned, f"left{p}")
            model.add(left == pt.planned - tot).only_enforce_if(part)
            model.add(left == pt.planned).only_enforce_if(out)
            model.add(left == 0).only_enforce_if(full)
            leftover_vars[p] = left
        else:
            leftover_vars[p] = left_expr
        model.add_exactly_one(modes)
        base = abs(pt.planned - pt.want)
        cost_terms.append(dev - base * full)
    cost = sum(cost_terms) if cost_terms else 0
    if cost_lower_bound > 0 and cost_terms:
        model.add(cost >= cost_lower_bound)
    model.minimize(cost * (n_t + 1) + sum(u))
    if hint:
        _add_hint(model, x, y, u, hint, parties)
    solver = _solver(deterministic_s=deterministic_s)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    optimal = status == cp_model.OPTIMAL
    best_cost = int(round(solver.value(cost))) if cost_terms else 0
    cost_bound = (
        best_cost if optimal else max(cost_lower_bound, int(solver.best_objective_bound) // (n_t + 1))
    )
    used = sum(int(solver.value(v)) for v in u)
    if distance_pass_s > 0 and len(parties) > 1 and used > 0:
        refined = _distance_pass(
            model=model,
            parties=parties,
            x=x,
            y=y,
            u=u,
            cost=cost,
            best_cost=best_cost,
            used=used,
            first=solver,
            deterministic_s=distance_pass_s,
        )
        if refined is not None:
            solver = refined
    trucks = []
    for t in range(n_t):
        if not solver.value(u[t]):
            continue
        stops = tuple((parties[p].key, int(solver.value(x[p][t]))) for p in idx if solver.value(x[p][t]) > 0)
        trucks.append(stops)
    delivered = {pt.key: int(solver.value(total[p])) for p, pt in enumerate(parties)}
    leftover = {}
    for p, var in leftover_vars.items():
        val = int(solver.value(var)) if not isinstance(var, int) else var
        if val:
            leftover[parties[p].key] = val
    return SubSolution(
        trucks=tuple(trucks),
        delivered=delivered,
        leftover=leftover,
        cost=best_cost,
        optimal=optimal,
        bound=cost_bound,
    )


def _add_hint(model, x, y, u, hint, parties) -> None:
    pos = {pt.key: p for p, pt in enumerate(parties)}
    n = len(parties)
    # Same order as the symmetry-breaking constraint: trucks by their stop set, read as binary.
    hint = sorted(hint, key=lambda stops: -sum(1 << (n - 1 - pos[key]) for key in {k for k, _ in stops}))
    loads: dict[tuple[int, int], int] = {}
    for t, stops in enumerate(hint):
        if t >= len(u):
            return
        for key, cases in stops:
            loads[(pos[key], t)] = loads.get((pos[key], t), 0) + cases
    for t in range(len(u)):
        model.add_hint(u[t], t < len(hint))
        for p in range(len(parties)):
            val = loads.get((p, t), 0)
            model.add_hint(x[p][t], val)
            model.add_hint(y[p][t], val > 0)


def _distance_pass(*, model, parties, x, y, u, cost, best_cost, used, first, deterministic_s):
    """Second solve: same adjusted cases and trucks, smallest sum of pairwise stop distances."""
    n_t = len(u)
    if not isinstance(cost, int):
        model.add(cost == best_cost)
    model.add(sum(u) == used)
    terms = []
    for t in range(min(n_t, used)):
        for a in range(len(parties)):
            for b in range(a + 1, len(parties)):
                d = _dist(parties[a].xy, parties[b].xy)
                if d <= 0:
                    continue
                z = model.new_bool_var(f"z{a}_{b}_{t}")
                model.add(z >= y[a][t] + y[b][t] - 1)
                terms.append(int(round(d)) * z)
    if not terms:
        return None
    model.clear_hints()
    for t in range(n_t):
        model.add_hint(u[t], bool(first.value(u[t])))
        for p in range(len(parties)):
            model.add_hint(x[p][t], int(first.value(x[p][t])))
            model.add_hint(y[p][t], bool(first.value(y[p][t])))
    model.minimize(sum(terms))
    solver = _solver(deterministic_s=deterministic_s, seed=1)
    status = solver.solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return solver
    return None


def _dist(a: tuple[float, float], b: tuple[float, float]) -> float:
    return ((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5


@dataclass(frozen=True)
class ExactResult:
    """Optimum of a whole instance (``proven`` says whether CP-SAT proved it within the budget;
    otherwise ``adjusted_cases``/``trucks`` are the best found and ``adjusted_cases_bound`` the
    proven lower bound)."""

    adjusted_cases: int
    trucks: int
    proven: bool
    adjusted_cases_bound: int
    seconds: float


def exact_optimum(
    *,
    requests: Sequence[int],
    capacity: int,
    min_drop: int,
    max_stops: int,
    cost_upper: int,
    cost_lower: int = 0,
    deterministic_s: float = 30.0,
    hint: Sequence[Sequence[tuple[int, int]]] | None = None,
) -> ExactResult:
    """Fewest adjusted cases, then fewest trucks, for a whole instance *without* a warehouse.

    ``cost_upper`` (a known plan's adjusted cases) bounds the trucks any better plan can use:
    ``floor((total + cost_upper) / capacity)``, so the model is exact, not a restriction.
    ``hint`` is a known plan as trucks of ``(request index, cases)``.
    """
    import time

    started = time.perf_counter()
    total = sum(requests)
    max_trucks = (total + cost_upper) // capacity
    parties = [Party(key=i, want=q, planned=q) for i, q in enumerate(requests)]
    found = solve_parties(
        parties=parties,
        capacity=capacity,
        min_drop=min_drop,
        max_stops=max_stops,
        max_trucks=max_trucks,
        deterministic_s=deterministic_s,
        cost_lower_bound=cost_lower,
        hint=hint,
    )
    if found is None:
        raise RuntimeError("CP-SAT found no solution")  # pragma: no cover - delivering nothing is one
    return ExactResult(
        adjusted_cases=found.cost,
        trucks=len(found.trucks),
        proven=found.optimal,
        adjusted_cases_bound=found.bound,
        seconds=time.perf_counter() - started,
    )

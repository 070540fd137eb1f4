"""Maximin within a time budget, built from ``sortition-algorithms``' own steps.

The library's maximin (Flanigan et al., *Fair algorithms for selecting citizens' assemblies*,
Nature 2021) first finds a diverse set of feasible panels (multiplicative weights: each round,
the panel of largest weight, then its members' weights shrink), then adds panels by column
generation until no panel can raise the smallest chance, and finally solves for the maximin
distribution over the panels found. Each step solves an integer programme; for a pool of
1 000 candidates that is about half a second each on a small server, and the exact method runs
for many minutes.

Here the same steps stop when the budget is spent: the distribution is then the maximin one
over the panels found so far (``_find_maximin_primal``, exact for those panels), so the
chances announced are exactly those of the distribution the draw uses; the result says whether
the optimum was reached, and the draw stays as verifiable as with the exact method (the
panels and their probabilities are published, the seed picks one).

This reads the library's internal functions (pinned to its 0.12 series in pyproject.toml).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sortition_algorithms.committee_generation.common import (
    EPS,
    _find_committees_for_uncovered_agents,
    _update_multiplicative_weights_after_committee_found,
    ilp_results_to_committee,
    setup_committee_generation,
)
from sortition_algorithms.committee_generation.maximin import (
    _find_maximin_primal,
    _setup_maximin_incremental_model,
)
from sortition_algorithms.committee_generation.solver import SolverSense, solver_sum
from sortition_algorithms.utils import random_provider

Step = Callable[[str, int, int], None]  # phase, done, total


@dataclass
class Found:
    panels: list[frozenset[str]]
    probabilities: list[float]
    exact: bool  # the column generation reached the optimum
    seconds: float


def _weighted_panels(
    solver: Any, agent_vars: dict[str, Any], until: float, step: Step
) -> tuple[set[frozenset[str]], set[str]]:
    """Multiplicative weights, as the library starts, for at most as many rounds as
    candidates and at most until ``until``; at least one round."""
    committees: set[frozenset[str]] = set()
    covered: set[str] = set()
    weights = {agent: random_provider().uniform(0.99, 1.0) for agent in agent_vars}
    for _round in range(len(agent_vars)):
        solver.set_objective(
            solver_sum(weights[a] * agent_vars[a] for a in agent_vars), SolverSense.MAXIMIZE
        )
        solver.optimize()
        panel = ilp_results_to_committee(solver, agent_vars)
        new = panel not in committees
        committees.add(panel)
        covered.update(panel)
        _update_multiplicative_weights_after_committee_found(weights, panel, agent_vars, not new)
        step("initial", len(covered), len(agent_vars))
        if time.monotonic() >= until:
            break
    return committees, covered


def find(
    collection: Any, people: Any, places: int, budget: float | None, step: Step
) -> Found:
    """The maximin distribution, or within ``budget`` seconds the best one over the panels
    found by then (``budget`` None: no limit, the library's exact method step by step)."""
    started = time.monotonic()
    until = float("inf") if budget is None else started + budget
    solver, agent_vars = setup_committee_generation(collection, people, places, [])
    # Half the budget to find diverse panels, the rest to balance the chances.
    committees, covered = _weighted_panels(
        solver, agent_vars, started + (until - started) / 2, step
    )
    more, covered_all, _report = _find_committees_for_uncovered_agents(solver, agent_vars, covered)
    committees.update(more)
    covered_agents = frozenset(covered_all)
    lp, lp_vars, upper_var = _setup_maximin_incremental_model(committees, covered_agents)
    exact, iteration = False, 0
    while time.monotonic() < until:
        iteration += 1
        lp.set_objective(upper_var, SolverSense.MINIMIZE)
        lp.optimize()
        weights = {a: lp.get_value(lp_vars[a]) for a in covered_agents}
        upper = lp.get_value(upper_var)
        solver.set_objective(
            solver_sum(weights[a] * agent_vars[a] for a in covered_agents), SolverSense.MAXIMIZE
        )
        solver.optimize()
        panel = ilp_results_to_committee(solver, agent_vars)
        step("solving", iteration, 0)
        if sum(weights[a] for a in panel) <= upper + EPS or panel in committees:
            exact = True  # no panel can raise the smallest chance: the optimum
            break
        committees.add(panel)
        lp.add_constr(solver_sum(lp_vars[a] for a in panel) <= upper_var)
    panels = list(committees)
    probabilities = _find_maximin_primal(panels, covered_agents)
    return Found(panels, probabilities, exact, time.monotonic() - started)

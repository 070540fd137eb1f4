"""Three scenarios of enlargement over 36 months on 10 000 households, as the scenario page
computes them: each scale's average allocation and contribution on the households, then the
month-by-month projection (ramp, pledges' schedules, costs, cash).

Target: the three scenarios in at most 200 ms (the households folded once, by composition and
income bracket, for the three of them). Baseline, measured in the same run: the same
three scales simulated once on the same households, as the simulator page does (what any
projection needs at least); the ratio says what the 36 months add to it. Prints the figures
and a machine-readable summary line.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from governance.budget import scenarios
from governance.budget.rules import PRESETS, Member, group, simulate, synthetic

HOUSEHOLDS = 10_000
MONTHS = 36
MIX = {"single": 40, "couple": 20, "single_parent": 15, "family": 20, "large_family": 5}
BRACKETS = [10, 15, 20, 20, 15, 12, 8]
CURRENT = [100, 500, 1000, 2000, 4000, 8000]
RUNS = 7
TARGET_MS = 200.0
START = date(2027, 1, 1)


def households() -> list[Member]:
    """10 000 separate households, each with its own current contribution (not pre-folded)."""
    rng = random.Random(19)
    kinds = synthetic(HOUSEHOLDS, MIX, BRACKETS)
    people = [
        Member(k.who, k.bracket, rng.choice(CURRENT), 1) for k in kinds for _ in range(k.count)
    ]
    return people + [people[-1]] * (HOUSEHOLDS - len(people))


def scales() -> list[SimpleNamespace]:
    return [SimpleNamespace(**PRESETS[key]) for key in ("montpellier", "lyon8", "ariege")]


def books() -> dict[str, dict[date, int]]:
    """Three years of pledges (a quarterly one, a monthly one) and of monthly costs."""
    months = [scenarios.add_months(START, n) for n in range(MONTHS)]
    return {
        "grants": {m: (75_000_00 if n % 3 == 0 else 0) + 1_000_00 for n, m in enumerate(months)},
        "hoped": {months[5]: 180_000_00},
        "costs": {m: 6_500_00 for m in months[:12]},
    }


def baseline(population: list[Member]) -> float:
    start = time.perf_counter()
    for scale in scales():
        simulate(scale.allocation, scale.contribution, population)
    return time.perf_counter() - start


def three_scenarios(population: list[Member], inputs: dict[str, dict[date, int]]) -> float:
    start = time.perf_counter()
    shown = []
    kinds = group(population)  # once for the three scenarios, as the page does
    for n, scale in enumerate(scales()):
        allocation, contribution = scenarios.averages(scale, kinds)
        shown.append(
            scenarios.project(
                scenarios.Assumptions(
                    name=f"S{n}",
                    start=START,
                    months=MONTHS,
                    households_from=108,
                    households_to=HOUSEHOLDS,
                    ramp_months=6 * (n + 1),
                    allocation_cents=allocation,
                    contribution_cents=contribution,
                    share_permille=300 if n == 2 else None,
                    cash_cents=50_000_00,
                    count_hoped=n == 1,
                    cost_per_month=8_000_00,
                    **inputs,
                )
            )
        )
    elapsed = time.perf_counter() - start
    assert all(len(p.months) == MONTHS for p in shown), "months lost on the way"
    assert all(p.months[-1].households == HOUSEHOLDS for p in shown)
    return elapsed


def main() -> int:
    population = households()
    inputs = books()
    bases = [baseline(population) for _ in range(RUNS)]
    timings = [three_scenarios(population, inputs) for _ in range(RUNS)]
    base, median = statistics.median(bases), statistics.median(timings)
    ratio = median / base if base else float("inf")
    print(f"scenarios   3 × {MONTHS} months on {HOUSEHOLDS} households, {RUNS} runs")
    print(f"baseline    3 scales simulated once: median {base * 1000:.2f} ms")
    print(
        f"time        median {median * 1000:.2f} ms   max {max(timings) * 1000:.2f} ms   "
        f"ratio {ratio:.2f}"
    )
    met = max(timings) * 1000 <= TARGET_MS
    print(f"  target    at most {TARGET_MS:g} ms: {'ok' if met else 'MISSED'}")
    print(
        f"scenarios: median_ms={median * 1000:.2f} max_ms={max(timings) * 1000:.2f} "
        f"baseline_ms={base * 1000:.2f} ratio={ratio:.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

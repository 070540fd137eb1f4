"""Three scale proposals compared on 100 000 synthetic households, as the simulator page does.

Target: the whole comparison in under one second on this machine. Prints the figures and a
machine-readable summary line.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from governance.budget.rules import PRESETS, Member, simulate, synthetic

HOUSEHOLDS = 100_000
MIX = {"single": 40, "couple": 20, "single_parent": 15, "family": 20, "large_family": 5}
BRACKETS = [10, 15, 20, 20, 15, 12, 8]
RUNS = 5
CURRENT = [100, 500, 1000, 2000, 4000, 8000]


def households() -> list[Member]:
    """100 000 separate households (each with its own current contribution), not pre-folded
    kinds: the simulator has to fold them itself, as it does for enrolled households."""
    rng = random.Random(8)
    kinds = synthetic(HOUSEHOLDS, MIX, BRACKETS)
    people = [
        Member(k.who, k.bracket, rng.choice(CURRENT), 1) for k in kinds for _ in range(k.count)
    ]
    return people + [people[-1]] * (HOUSEHOLDS - len(people))


def compare(population: list[Member]) -> float:
    """One comparison of three proposals on the whole population; seconds taken."""
    start = time.perf_counter()
    proposals = [PRESETS[key] for key in ("montpellier", "lyon8", "ariege")]
    outcomes = [
        simulate(p["allocation"], p["contribution"], population, 50_000_000, 2_000_000)
        for p in proposals
    ]
    elapsed = time.perf_counter() - start
    assert all(o.households == HOUSEHOLDS for o in outcomes), "households lost on the way"
    return elapsed


def main() -> int:
    population = households()
    timings = [compare(population) for _ in range(RUNS)]
    median = statistics.median(timings)
    print(f"households  {HOUSEHOLDS} synthetic, 3 proposals, {RUNS} runs")
    print(f"time        median {median * 1000:.2f} ms   max {max(timings) * 1000:.2f} ms")
    print(f"  target    under 1 s: {'ok' if max(timings) < 1 else 'MISSED'}")
    print(f"simulator: median_ms={median * 1000:.2f} max_ms={max(timings) * 1000:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

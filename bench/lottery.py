"""Draw by lot: how long sortition-algorithms takes to check quotas and compute the chances.

A pool like Montpellier's (up to a thousand candidate households for 350 places) with four
features (age band, income bracket, kind of household, neighbourhood) and proportional quotas
of ±1 around each category's share of the places. The check runs in the queue's worker. Each
pool is computed by the method the worker uses (maximin within ``--budget`` seconds: exact when
it converges in time, else the maximin distribution over the panels found, whose chances are
exactly those announced), and, up to ``--exact-up-to`` candidates, by the library's exact
method beside it: the time, the number of panels and the smallest chance of each, and the ratio
of the budgeted method's time to the exact one's. The draw itself is timed too.

Run: ``.venv/bin/python bench/lottery.py [--pools 200,400,1000] [--budget 45]
[--exact-up-to 200] [--method maximin]``.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter

from governance.lottery import sortition

FEATURES = ["age_band", "income_bracket", "household_kind", "neighbourhood"]
CHOICES = {
    "age_band": ["18-34", "35-59", "60+"],
    "income_bracket": ["0 – 600 €", "600 – 900 €", "900 – 1288 €", "1288 – 1700 €", "1700 €+"],
    "household_kind": ["seule", "couple", "famille", "monoparentale"],
    "neighbourhood": ["Nord", "Sud", "Centre", "Gare"],
}


def pool_of(size: int, rng: random.Random) -> dict[int, dict[str, str]]:
    return {n: {f: rng.choice(v) for f, v in CHOICES.items()} for n in range(1, size + 1)}


def proportional(pool: dict[int, dict[str, str]], places: int) -> dict:
    quotas = {}
    for feature in FEATURES:
        counts = Counter(p[feature] for p in pool.values())
        quotas[feature] = {
            v: (max(0, int(places * c / len(pool)) - 1), min(c, int(places * c / len(pool)) + 2))
            for v, c in counts.items()
        }
    return quotas


def places_for(size: int) -> int:
    """A fifth of the pool, as before; Montpellier's 350 places for a pool of 1 000."""
    return 350 if size >= 1000 else max(5, size // 5)


def _line(label: str, seconds: float, panels: list, chances: dict) -> str:  # type: ignore[type-arg]
    return (
        f"{label}: {seconds:6.2f} s, {len(panels)} panels, "
        f"smallest chance {min(chances.values()):.1%}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pools", default="50,100,200")
    parser.add_argument("--method", default="maximin", choices=sorted(sortition.METHODS))
    parser.add_argument("--budget", type=float, default=45.0)
    parser.add_argument("--exact-up-to", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(2026)
    print(f"sortition-algorithms {sortition.VERSION}, method {args.method}, budget {args.budget} s")
    for size in (int(s) for s in args.pools.split(",")):
        places = places_for(size)
        pool = pool_of(size, rng)
        quotas = proportional(pool, places)
        started = time.perf_counter()
        panels, chances, how = sortition.compute(
            args.method, places, FEATURES, quotas, pool, budget=args.budget
        )
        computed = time.perf_counter() - started
        kind = "exact" if how["exact"] else "best over the panels found in the budget"
        print(f"pool {size:4d}, {places:3d} places")
        print(
            "  "
            + _line(f"{args.method} within {args.budget:.0f} s ({kind})", computed, panels, chances)
        )
        if size <= args.exact_up_to:
            started = time.perf_counter()
            exact_panels, exact_chances = sortition.distribution(
                args.method, places, FEATURES, quotas, pool
            )
            exact = time.perf_counter() - started
            print(
                "  "
                + _line(
                    f"{args.method}, the library's exact method", exact, exact_panels, exact_chances
                )
            )
            print(f"  ratio budgeted / exact time: {computed / exact:.2f}")
        else:
            print(
                f"  (exact {args.method} not run above {args.exact_up_to} candidates: many minutes)"
            )
        started = time.perf_counter()
        sortition.draw(panels, sortition.new_seed(), list(pool))
        print(f"  draw in {(time.perf_counter() - started) * 1000:.1f} ms")


if __name__ == "__main__":
    main()

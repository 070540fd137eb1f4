"""Draw by lot: how long sortition-algorithms takes to check quotas and compute the chances.

A pool like Montpellier's (hundreds of candidate households) with four features (age band,
income bracket, kind of household, neighbourhood) and proportional quotas of ±1 around each
category's share of the places. The solver runs in the request that checks the quotas, without
the database's write lock; the draw itself, from the frozen distribution, is timed too.

Run: ``.venv/bin/python bench/lottery.py [--pools 50,100,200] [--method maximin]``.
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pools", default="50,100,200")
    parser.add_argument("--method", default="maximin", choices=sorted(sortition.METHODS))
    args = parser.parse_args()
    rng = random.Random(2026)
    print(f"sortition-algorithms {sortition.VERSION}, method {args.method}")
    for size in (int(s) for s in args.pools.split(",")):
        places = max(5, size // 5)
        pool = pool_of(size, rng)
        started = time.perf_counter()
        panels, chances = sortition.distribution(
            args.method, places, FEATURES, proportional(pool, places), pool
        )
        computed = time.perf_counter() - started
        started = time.perf_counter()
        sortition.draw(panels, sortition.new_seed(), list(pool))
        drawn = time.perf_counter() - started
        print(
            f"pool {size:4d}, {places:3d} places: chances in {computed:6.2f} s "
            f"({len(panels)} panels, smallest chance {min(chances.values()):.1%}), "
            f"draw in {drawn * 1000:.1f} ms"
        )


if __name__ == "__main__":
    main()

"""The bridge to sortition-algorithms: quotas met or refused, same seed same panel, and drawn
frequencies that match the announced chances."""

from __future__ import annotations

import hashlib
import json
import os
import random
import subprocess
import sys
from collections import Counter

import pytest

from governance.lottery import sortition

FEATURES = ["age_band", "neighbourhood", "gender"]


def make_pool(size: int, seed: int) -> dict[int, dict[str, str]]:
    rng = random.Random(seed)
    return {
        n: {
            "age_band": rng.choice(["18-34", "35-59", "60+", "60+"]),
            "neighbourhood": rng.choice(["Nord", "Sud", "Centre"]),
            "gender": rng.choice(["femme", "homme", ""]),  # "" : not given
        }
        for n in range(1, size + 1)
    }


def meets(panel: list[int], pool: dict, quotas: dict) -> bool:
    for feature, bounds in quotas.items():
        for value, (low, high) in bounds.items():
            count = sum(1 for n in panel if pool[n][feature] == value)
            if not low <= count <= high:
                return False
    return True


QUOTAS = {
    "age_band": {"18-34": (1, 3), "35-59": (1, 3), "60+": (1, 3)},
    "neighbourhood": {"Nord": (1, 3), "Sud": (1, 3), "Centre": (1, 3)},
    "gender": {"femme": (2, 4), "homme": (2, 4), "": (0, 6)},
}


def seeds(count: int) -> list[str]:
    return [hashlib.sha256(f"test-{i}".encode()).hexdigest() for i in range(count)]


def test_every_panel_meets_the_quotas_or_the_draw_is_refused_before_it_runs() -> None:
    rng = random.Random(2026)
    outcomes = Counter()
    for attempt in range(8):
        pool = make_pool(14, attempt)
        places = rng.randint(3, 5)
        quotas = {
            f: {v: (rng.randint(0, 2), rng.randint(2, places)) for v in c}
            for f, c in sortition.counts(pool, FEATURES).items()
        }
        try:
            panels, chances = sortition.distribution("maximin", places, FEATURES, quotas, pool)
        except sortition.Refusal as refusal:
            assert refusal.reasons and all(isinstance(r, str) and r for r in refusal.reasons)
            outcomes["refused"] += 1
            continue
        outcomes["drawn"] += 1
        assert all(len(p) == places and meets(p, pool, quotas) for p, _w in panels)
        for seed in seeds(5):
            panel, reserve = sortition.draw(panels, seed, list(pool))
            assert meets(panel, pool, quotas)
            assert sorted(panel + reserve) == sorted(pool)
        assert abs(sum(chances.values()) - places) < 1e-6
    assert outcomes["drawn"] >= 2 and outcomes["refused"] >= 2, outcomes  # both paths ran


def test_plain_reasons_and_suggestions_when_quotas_cannot_be_met() -> None:
    pool = make_pool(20, 1)
    in_pool = sortition.counts(pool, ["age_band"])["age_band"]
    too_many = {"age_band": {v: (4, 6) for v in in_pool}}
    with pytest.raises(sortition.Refusal) as refused:
        sortition.distribution("maximin", 6, ["age_band"], too_many, pool)
    assert any("12" in r and "6" in r for r in refused.value.reasons)  # 3 × 4 minimums > 6
    # Each bound is possible alone, together they are not: the solver finds it and suggests.
    tight = {
        "age_band": {v: (0, 6) for v in in_pool},
        "neighbourhood": {"Nord": (0, 1), "Sud": (0, 1), "Centre": (0, 1)},
    }
    with pytest.raises(sortition.Refusal) as refused:
        sortition.distribution("maximin", 6, ["age_band", "neighbourhood"], tight, pool)
    assert refused.value.reasons


def test_the_same_seed_always_gives_the_same_panel_and_reserve() -> None:
    pool = make_pool(16, 5)
    panels, _chances = sortition.distribution("maximin", 5, FEATURES, QUOTAS, pool)
    seed = sortition.new_seed()
    first = sortition.draw(panels, seed, list(pool))
    # The published distribution may come back in any order: the draw sorts it.
    assert sortition.draw(list(reversed(panels)), seed, list(reversed(list(pool)))) == first
    random.seed(12345)  # whatever the process did with its generator meanwhile
    assert sortition.draw(panels, seed, list(pool)) == first
    others = {tuple(sortition.draw(panels, s, list(pool))[0]) for s in seeds(20)}
    assert len(others) > 1  # and other seeds give other panels


def test_selection_frequencies_match_the_announced_chances() -> None:
    pool = make_pool(16, 5)
    panels, chances = sortition.distribution("maximin", 5, FEATURES, QUOTAS, pool)
    assert len(panels) > 1 and len(set(chances.values())) > 1  # a real test of the weights
    draws = 3000
    counts: Counter[int] = Counter()
    for seed in seeds(draws):
        counts.update(sortition.draw(panels, seed, list(pool))[0])
    for number, chance in chances.items():
        spread = (chance * (1 - chance) / draws) ** 0.5
        assert abs(counts[number] / draws - chance) <= 4.5 * spread + 1e-9, (number, chance)


def test_the_nash_method_also_meets_the_quotas() -> None:
    pool = make_pool(12, 8)
    quotas = {"age_band": QUOTAS["age_band"]}
    panels, chances = sortition.distribution("nash", 4, ["age_band"], quotas, pool)
    assert all(meets(p, pool, quotas) for p, _w in panels)
    assert min(chances.values()) > 0


def test_another_process_re_runs_the_draw_to_the_same_panel() -> None:
    """What a citizen does with the published record: a fresh interpreter, another hash seed."""
    pool = make_pool(16, 5)
    panels, _chances = sortition.distribution("maximin", 5, FEATURES, QUOTAS, pool)
    seed = sortition.new_seed()
    record = json.dumps({"panels": panels, "seed": seed, "numbers": list(pool)})
    script = (
        "import json, sys\n"
        "from governance.lottery.sortition import draw\n"
        "r = json.load(sys.stdin)\n"
        "print(json.dumps(draw(r['panels'], r['seed'], r['numbers'])))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    done = subprocess.run(
        [sys.executable, "-c", script],
        input=record,
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=60,
    )
    assert json.loads(done.stdout) == [list(x) for x in sortition.draw(panels, seed, list(pool))]

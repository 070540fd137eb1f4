"""The bridge to the Sortition Foundation's ``sortition-algorithms``: quotas in, chances out,
and the seeded draw that anyone can re-run from the public record.

Nothing here touches the database. Candidates are known by their number only; a category is a
string, and ``""`` means "not given" (people may choose not to give their gender).

How a draw stays verifiable: the method computes a distribution over panels (each panel meets
every quota; each candidate's chance is the sum of the probabilities of the panels they are in).
That distribution is frozen and published with the SHA-256 of a secret seed. At the draw the
seed is revealed, and the library's own lottery rounding, with its random generator seeded from
the seed, picks one panel of the distribution, taken in a fixed order. ``draw`` below is that
whole computation, so re-running it on the published record gives the same panel.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import io
import logging
import random
import secrets
import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from requests.structures import CaseInsensitiveDict
from sortition_algorithms import errors as sortition_errors
from sortition_algorithms.committee_generation import (
    find_distribution_maximin,
    find_distribution_nash,
    standardize_distribution,
)
from sortition_algorithms.core import lottery_rounding
from sortition_algorithms.features import FeatureValueMinMax, set_default_max_flex
from sortition_algorithms.people import People
from sortition_algorithms.utils import set_random_provider

from governance.lottery import maximin

VERSION = importlib.metadata.version("sortition-algorithms")
NOT_GIVEN = ""
_NOT_GIVEN_KEY = "(not given)"  # the library wants a non-empty category
METHODS = {"maximin": find_distribution_maximin, "nash": find_distribution_nash}
# The library seeds Python's global ``random`` module: one draw at a time in a process (nothing
# else in the application uses that generator; services re-run each draw before keeping it).
_DRAW_LOCK = threading.Lock()

Quotas = Mapping[str, Mapping[str, Sequence[int]]]  # feature → category → (min, max)
Pool = Mapping[int, Mapping[str, str]]  # candidate number → feature → category

for _name in ("sortition_algorithms", "sortition_algorithms_user"):
    logging.getLogger(_name).setLevel(logging.WARNING)


@dataclass
class Refusal(Exception):
    """The quotas cannot be met: the reasons, in plain language, and what would make it work."""

    reasons: list[str]
    suggestions: list[str] = field(default_factory=list)


FEATURES = {
    "age_band": _l("Age band"),
    "income_bracket": _l("Monthly income per consumption unit"),
    "household_kind": _l("Kind of household"),
    "neighbourhood": _l("Neighbourhood"),
    "gender": _l("Gender"),
}


def label(feature: str) -> str:
    return str(FEATURES.get(feature, feature))


def key(number: int) -> str:
    return f"c{number:05d}"


def _category(value: str) -> str:
    return value if value != NOT_GIVEN else _NOT_GIVEN_KEY


def counts(pool: Pool, features: Sequence[str]) -> dict[str, Counter[str]]:
    """How many candidates of the pool are in each category of each feature."""
    return {f: Counter(values.get(f, NOT_GIVEN) for values in pool.values()) for f in features}


def precheck(places: int, features: Sequence[str], quotas: Quotas, pool: Pool) -> list[str]:
    """The plain reasons a draw cannot meet its quotas, found without running the solver."""
    reasons: list[str] = []
    if len(pool) < places:
        reasons.append(
            str(
                _l(
                    "There are only %(count)d candidates for %(places)d places.",
                    count=len(pool),
                    places=places,
                )
            )
        )
    in_pool = counts(pool, features)
    for feature in features:
        bounds = quotas.get(feature, {})
        low = sum(bounds.get(v, (0, places))[0] for v in in_pool[feature])
        high = sum(bounds.get(v, (0, places))[1] for v in in_pool[feature])
        if low > places:
            reasons.append(
                str(
                    _l(
                        "%(feature)s: the minimums add up to %(low)d, more than the "
                        "%(places)d places.",
                        feature=label(feature),
                        low=low,
                        places=places,
                    )
                )
            )
        if high < places:
            reasons.append(
                str(
                    _l(
                        "%(feature)s: the maximums add up to %(high)d, fewer than the "
                        "%(places)d places.",
                        feature=label(feature),
                        high=high,
                        places=places,
                    )
                )
            )
        for value, count in sorted(in_pool[feature].items()):
            low_v = bounds.get(value, (0, places))[0]
            if low_v > count:
                reasons.append(
                    str(
                        _l(
                            "%(feature)s, %(value)s: at least %(low)d wanted, but only "
                            "%(count)d in the pool.",
                            feature=label(feature),
                            value=value or _l("not given"),
                            low=low_v,
                            count=count,
                        )
                    )
                )
    return reasons


def _collection(features: Sequence[str], quotas: Quotas, pool: Pool, places: int):  # type: ignore[no-untyped-def]
    collection: CaseInsensitiveDict = CaseInsensitiveDict()
    in_pool = counts(pool, features)
    for feature in features:
        values: CaseInsensitiveDict = CaseInsensitiveDict()
        for value in sorted(in_pool[feature]):
            low, high = quotas.get(feature, {}).get(value, (0, places))
            values[_category(value)] = FeatureValueMinMax(min=int(low), max=int(high))
        collection[feature] = values
    set_default_max_flex(collection)  # lets the library suggest relaxed quotas
    people = People(list(features))
    for row, (number, values) in enumerate(sorted(pool.items()), start=1):
        data = {f: _category(values.get(f, NOT_GIVEN)) for f in features}
        people.add(key(number), data, collection, row)
    return collection, people


def _suggestions(asked: Quotas, relaxed: Mapping, places: int) -> list[str]:
    lines = []
    for feature, values in asked.items():
        for value, (low, high) in values.items():
            better = relaxed.get(feature, {}).get(_category(value))
            if better is None:
                continue
            if better.min != low:
                lines.append(
                    str(
                        _l(
                            "%(feature)s, %(value)s: lower the minimum from %(old)d to %(new)d.",
                            feature=label(feature),
                            value=value or _l("not given"),
                            old=low,
                            new=better.min,
                        )
                    )
                )
            if better.max != high:
                lines.append(
                    str(
                        _l(
                            "%(feature)s, %(value)s: raise the maximum from %(old)d to %(new)d.",
                            feature=label(feature),
                            value=value or _l("not given"),
                            old=high,
                            new=better.max,
                        )
                    )
                )
    return lines


def distribution(
    method: str, places: int, features: Sequence[str], quotas: Quotas, pool: Pool
) -> tuple[list[tuple[list[int], float]], dict[int, float]]:
    """The method's exact distribution over panels, in a fixed order, and each candidate's
    chance. Raises ``Refusal`` when the quotas cannot be met with this pool."""
    panels, chances, _how = compute(method, places, features, quotas, pool)
    return panels, chances


def _noop(_phase: str, _done: int, _total: int) -> None:
    return None


def compute(
    method: str,
    places: int,
    features: Sequence[str],
    quotas: Quotas,
    pool: Pool,
    budget: float | None = None,
    step: maximin.Step = _noop,
) -> tuple[list[tuple[list[int], float]], dict[int, float], dict[str, Any]]:
    """Like ``distribution``, and how it was computed: maximin stops after ``budget`` seconds
    with the best distribution over the panels found (``how["exact"]`` False), whose chances
    are exactly those announced. ``step(phase, done, total)`` hears the progress."""
    reasons = precheck(places, features, quotas, pool)
    if reasons:
        raise Refusal(reasons)
    full_quotas = {
        f: {v: tuple(quotas.get(f, {}).get(v, (0, places))) for v in sorted(c)}
        for f, c in counts(pool, features).items()
    }
    collection, people = _collection(features, full_quotas, pool, places)
    how: dict[str, Any] = {"method": method, "exact": True, "library": VERSION}
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # HiGHS prints its banner
            if method == "maximin" and budget is not None:
                found = maximin.find(collection, people, places, budget, step)
                panels, probabilities = found.panels, found.probabilities
                how.update(exact=found.exact, seconds=round(found.seconds, 1), budget=budget)
            else:
                panels, probabilities, _report = METHODS[method](collection, people, places, [])
    except sortition_errors.InfeasibleQuotasError as error:
        raise Refusal(
            [str(_l("These quotas cannot all be met together with this pool."))],
            _suggestions(full_quotas, error.features, places),
        ) from None
    except (sortition_errors.SortitionBaseError, ValueError, RuntimeError):
        raise Refusal(
            [str(_l("These quotas cannot all be met together with this pool."))]
        ) from None
    panels, probabilities = standardize_distribution(panels, probabilities)
    by_number = {key(n): n for n in pool}
    ordered = sorted(
        (sorted(by_number[k] for k in panel), p)
        for panel, p in zip(panels, probabilities, strict=True)
    )
    chances = dict.fromkeys(sorted(pool), 0.0)
    for panel, p in ordered:
        for number in panel:
            chances[number] += p
    how["panels"] = len(ordered)
    return [(panel, p) for panel, p in ordered], chances, how


def new_seed() -> str:
    return secrets.token_hex(32)


def seed_hash(seed: str) -> str:
    """The fingerprint published before the draw: SHA-256 of the seed as written (hex text)."""
    return hashlib.sha256(seed.encode("ascii")).hexdigest()


def draw(
    panels: Sequence[tuple[Sequence[int], float]], seed: str, numbers: Sequence[int]
) -> tuple[list[int], list[int]]:
    """The panel the seed picks from the frozen distribution, and the others in reserve order.

    Deterministic: the library's lottery rounding with its generator seeded from the seed picks
    one panel; the reserve is the rest of the pool, shuffled by
    ``random.Random(seed + ":reserve")``.
    """
    ordered = sorted((sorted(int(n) for n in panel), float(p)) for panel, p in panels)
    committees = [frozenset(key(n) for n in panel) for panel, _p in ordered]
    with _DRAW_LOCK:
        set_random_provider(int(seed, 16))
        try:
            picked = lottery_rounding(committees, [p for _panel, p in ordered], 1)
        finally:
            set_random_provider(None)
            random.seed()  # never leave the process's generator predictable
    if len(picked) != 1:
        raise RuntimeError("the lottery rounding did not give exactly one panel")
    panel = sorted(int(k[1:]) for k in picked[0])
    chosen = set(panel)
    reserve = sorted(n for n in numbers if n not in chosen)
    random.Random(f"{seed}:reserve").shuffle(reserve)  # noqa: S311 — reproducible on purpose
    return panel, reserve

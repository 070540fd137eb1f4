"""The public record of a draw: what is published, and how anyone re-runs it. No name, no
account: candidates are known by their number only."""

from __future__ import annotations

from typing import Any

from governance.lottery import sortition
from governance.lottery.models import Lottery, LotteryStatus


def selected_per_category(lottery: Lottery) -> dict[str, list[tuple[str, int, int]]]:
    """For the public record: per category, how many in the pool and how many selected."""
    chosen = set(lottery.panel or [])
    table: dict[str, list[tuple[str, int, int]]] = {}
    for feature in lottery.features:
        rows = []
        for value in lottery.quotas.get(feature, {}):
            members = [c for c in lottery.candidates if c.values.get(feature, "") == value]
            rows.append((value, len(members), sum(1 for c in members if c.number in chosen)))
        table[feature] = rows
    return table


def public_record(lottery: Lottery) -> dict[str, Any]:
    """The draw as published: method, quotas, chances and panels by candidate number, the seed
    fingerprint, and after the draw the seed, the panel and the reserve. No name, no account."""
    drawn = lottery.status in (LotteryStatus.DRAWN, LotteryStatus.CONFIRMED)
    return {
        "id": lottery.id,
        "title": lottery.title,
        "method": lottery.method.value,
        "library": f"sortition-algorithms {sortition.VERSION}",
        "places": lottery.places,
        "candidates": [c.number for c in lottery.candidates],
        "features": lottery.features,
        "quotas": lottery.quotas,
        "distribution": lottery.distribution,
        "chances": lottery.chances,
        "seed_sha256": lottery.seed_hash,
        "committed_at": lottery.committed_at.isoformat() if lottery.committed_at else None,
        "seed": lottery.seed if drawn else None,
        "drawn_at": lottery.drawn_at.isoformat() if lottery.drawn_at else None,
        "panel": lottery.panel if drawn else None,
        "reserve": lottery.reserve if drawn else None,
        "selected_per_category": {
            f: {value: chosen for value, _count, chosen in rows}
            for f, rows in selected_per_category(lottery).items()
        }
        if drawn
        else None,
    }


def verify(record: dict[str, Any]) -> list[str]:
    """Re-run a published draw; the list of what does not match (empty: all is right)."""
    problems = []
    seed = record.get("seed")
    if not seed:
        return ["the seed is not revealed yet"]
    if sortition.seed_hash(seed) != record["seed_sha256"]:
        problems.append("the seed does not match the fingerprint published before the draw")
    panel, reserve = sortition.draw(record["distribution"], seed, record["candidates"])
    if panel != record["panel"]:
        problems.append(f"the panel should be {panel}")
    if reserve != record["reserve"]:
        problems.append(f"the reserve should be {reserve}")
    chances: dict[str, float] = {str(n): 0.0 for n in record["candidates"]}
    for members, p in record["distribution"]:
        for number in members:
            chances[str(number)] += p
    if any(abs(chances[k] - record["chances"][k]) > 1e-9 for k in chances):
        problems.append("the announced chances do not follow from the distribution")
    if any(len(members) != record["places"] for members, _p in record["distribution"]):
        problems.append("a panel of the distribution has the wrong size")
    return problems


def quota_problems(lottery: Lottery) -> list[str]:
    """Every panel of the frozen distribution, and the drawn panel, meet every quota."""
    values = {c.number: c.values for c in lottery.candidates}
    panels = [members for members, _p in lottery.distribution or []]
    problems = []
    for members in [*panels, lottery.panel or []]:
        for feature, bounds in lottery.quotas.items():
            for value, (low, high) in bounds.items():
                count = sum(1 for n in members if values[n].get(feature, "") == value)
                if not low <= count <= high:
                    problems.append(f"panel {members}: {feature} {value!r} has {count}")
    return problems

"""Scoring: a pure function of (grid version, answers). No database, no clock."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Band(StrEnum):
    FAVOURABLE = "favourable"
    TO_DISCUSS = "to_discuss"
    UNFAVOURABLE = "unfavourable"


@dataclass(frozen=True)
class CriterionScore:
    code: str
    label: str
    weight: int
    score: float
    answers: dict[str, str]  # the answers behind it


@dataclass(frozen=True)
class Score:
    criteria: list[CriterionScore]
    total: float
    band: Band
    eliminatory: list[str]  # labels of the eliminatory findings

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "band": self.band.value,
            "eliminatory": self.eliminatory,
            "criteria": [
                {
                    "code": c.code,
                    "label": c.label,
                    "weight": c.weight,
                    "score": c.score,
                    "answers": c.answers,
                }
                for c in self.criteria
            ],
        }


class GridError(ValueError):
    """A grid definition that cannot score anything (weights, points, bands)."""


def check_grid(grid: dict[str, Any], questions: set[str] | None = None) -> None:
    criteria = grid.get("criteria") or []
    if not criteria:
        raise GridError("la grille n'a aucun critère")
    if sum(int(c["weight"]) for c in criteria) != 100:
        raise GridError("les poids des critères doivent faire 100 au total")
    for criterion in criteria:
        if int(criterion["weight"]) < 0 or not criterion.get("answers"):
            raise GridError(f"critère {criterion.get('code')} : poids ou réponses manquants")
        for question, points in criterion["answers"].items():
            if questions is not None and question not in questions:
                raise GridError(f"critère {criterion['code']} : question inconnue {question}")
            if not points or min(points.values()) < 0 or max(points.values()) <= 0:
                raise GridError(f"critère {criterion['code']} : points invalides")
    bands = grid.get("bands") or {}
    if not 0 <= bands.get("to_discuss", -1) <= bands.get("favourable", -1) <= 100:
        raise GridError("les seuils des bandes doivent aller de 0 à 100, dans l'ordre")


def score(grid: dict[str, Any], answers: dict[str, str]) -> Score:
    """Each criterion gives its weight × (points earned / points possible); the total is out
    of 100. An eliminatory finding makes the band unfavourable whatever the total."""
    results = []
    for criterion in grid["criteria"]:
        earned = possible = 0
        behind = {}
        for question, points in criterion["answers"].items():
            possible += max(points.values())
            value = answers.get(question)
            earned += points.get(value, 0) if value is not None else 0
            if value is not None:
                behind[question] = value
        weight = int(criterion["weight"])
        results.append(
            CriterionScore(
                criterion["code"],
                criterion["label"],
                weight,
                round(weight * earned / possible, 2),
                behind,
            )
        )
    total = round(min(100.0, max(0.0, sum(r.score for r in results))), 1)
    found = [
        rule["label"]
        for rule in grid.get("eliminatory", [])
        if answers.get(rule["question"]) in rule["values"]
    ]
    bands = grid["bands"]
    if found or total < bands["to_discuss"]:
        band = Band.UNFAVOURABLE
    elif total < bands["favourable"]:
        band = Band.TO_DISCUSS
    else:
        band = Band.FAVOURABLE
    return Score(results, total, band, found)

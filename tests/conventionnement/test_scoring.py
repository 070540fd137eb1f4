"""Scoring is a pure function of (grid version, answers): properties that hold for any answers."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance.conventionnement import defaults
from governance.conventionnement.scoring import Band, GridError, check_grid, score

GRID = defaults.GRID
QUESTIONS = {q: points for c in GRID["criteria"] for q, points in c["answers"].items()}
ELIMINATORY = {rule["question"]: rule["values"] for rule in GRID["eliminatory"]}


def _answers() -> st.SearchStrategy[dict[str, str]]:
    """Any subset of the questions, each with a possible answer (or nonsense)."""
    per_question = {
        q: st.sampled_from([*points.keys(), "n'importe quoi"]) for q, points in QUESTIONS.items()
    }
    per_question["chain"] = st.sampled_from(["yes", "no"])
    return st.fixed_dictionaries({}, optional=per_question)


@given(_answers())
def test_total_between_0_and_100_and_each_criterion_within_its_weight(answers: dict) -> None:
    result = score(GRID, answers)
    assert 0 <= result.total <= 100
    for criterion in result.criteria:
        assert 0 <= criterion.score <= criterion.weight


@given(_answers(), st.sampled_from(sorted(QUESTIONS)), st.data())
def test_a_better_answer_never_lowers_a_criterion(answers: dict, question: str, data: Any) -> None:
    points = QUESTIONS[question]
    worse, better = sorted(
        data.draw(
            st.lists(st.sampled_from(sorted(points, key=points.get)), min_size=2, max_size=2)
        ),
        key=points.get,
    )
    low = score(GRID, {**answers, question: worse})
    high = score(GRID, {**answers, question: better})
    for before, after in zip(low.criteria, high.criteria, strict=True):
        assert after.score >= before.score
    assert high.total >= low.total


@given(_answers())
def test_an_eliminatory_finding_is_always_unfavourable(answers: dict) -> None:
    found = any(answers.get(q) in values for q, values in ELIMINATORY.items())
    result = score(GRID, answers)
    if found:
        assert result.band is Band.UNFAVOURABLE and result.eliminatory


def test_weights_are_respected_by_the_best_answers() -> None:
    best = {q: max(points, key=points.get) for q, points in QUESTIONS.items()}
    best["chain"] = "no"
    result = score(GRID, best)
    assert result.total == 100 and result.band is Band.FAVOURABLE
    assert {c.code: c.score for c in result.criteria} == {
        c["code"]: c["weight"] for c in GRID["criteria"]
    }


def test_bands_follow_the_grid_thresholds() -> None:
    half = {q: sorted(points, key=points.get)[len(points) // 2] for q, points in QUESTIONS.items()}
    half["chain"] = "no"
    result = score(GRID, half)
    expected = (
        Band.FAVOURABLE
        if result.total >= 65
        else Band.TO_DISCUSS
        if result.total >= 45
        else Band.UNFAVOURABLE
    )
    assert result.band is expected


@pytest.mark.parametrize(
    "broken",
    [
        {**GRID, "criteria": []},
        {**GRID, "criteria": [{**GRID["criteria"][0], "weight": 50}]},
        {**GRID, "bands": {"favourable": 30, "to_discuss": 60}},
    ],
)
def test_broken_grids_are_refused(broken: dict) -> None:
    with pytest.raises(GridError):
        check_grid(broken)


def test_the_shipped_grid_fits_both_questionnaires() -> None:
    for questionnaire in (defaults.SHOP_QUESTIONNAIRE, defaults.PRODUCER_QUESTIONNAIRE):
        codes = {q["code"] for s in questionnaire["sections"] for q in s["questions"]}
        check_grid(GRID, codes)

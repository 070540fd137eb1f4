"""The words of the evaluation pages: one place for the forms, the pages and the CSV."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from governance.evaluation.models import AgeBand, CameBy, FoodAid, Gender

NOT_SAID = _l("did not say")

AGE_BANDS = {
    AgeBand.UNDER_25: _l("under 25"),
    AgeBand.FROM_25_TO_39: _l("25 to 39"),
    AgeBand.FROM_40_TO_54: _l("40 to 54"),
    AgeBand.FROM_55_TO_69: _l("55 to 69"),
    AgeBand.FROM_70: _l("70 or over"),
}
GENDERS = {Gender.WOMAN: _l("woman"), Gender.MAN: _l("man"), Gender.OTHER: _l("other")}
FOOD_AID = {FoodAid.YES: _l("yes"), FoodAid.NO: _l("no")}
CAME_BY = {
    CameBy.WORD_OF_MOUTH: _l("word of mouth, a neighbour, a friend"),
    CameBy.SOCIAL_WORKER: _l("a social worker"),
    CameBy.ASSOCIATION: _l("an association"),
    CameBy.PUBLIC_MEETING: _l("a public meeting"),
    CameBy.POSTER: _l("a poster, a leaflet, the press"),
    CameBy.OTHER: _l("another way"),
}
SIZES = {
    1: _l("1 person"),
    2: _l("2 people"),
    3: _l("3 people"),
    4: _l("4 people"),
    5: _l("5 or more"),
}
INCOME = {"below": _l("below the poverty line"), "above": _l("at or above the poverty line")}

FACTS = {
    "age_band": _l("Age"),
    "gender": _l("Gender"),
    "household_size": _l("People in the household"),
    "income": _l("Income per consumption unit"),
    "food_aid": _l("Used food aid in the last 12 months"),
    "came_by": _l("How they came to the caisse"),
}
VALUES = {
    "age_band": AGE_BANDS,
    "gender": GENDERS,
    "household_size": SIZES,
    "income": INCOME,
    "food_aid": FOOD_AID,
    "came_by": CAME_BY,
}


def value_label(fact: str, key: object) -> str:
    if key == "not_said":
        return str(NOT_SAID)
    return str(VALUES[fact].get(key, key))  # type: ignore[call-overload]


# --- participation over time ---------------------------------------------------------------

MEASURES = {
    "presence": _l("Attendance per meeting"),
    "regularity": _l("Members by the meetings they attended"),
    "turnover": _l("Turnover of the members"),
    "binomes": _l("Visits of points of sale (binômes)"),
    "objections": _l("Objections and what became of them"),
    "positions": _l("Positions, and those recorded in the room"),
    "decisions": _l("Decisions per month"),
    "spending": _l("Spending by kind of point of sale"),
}
COLUMNS = {
    "day": _l("Day"),
    "month": _l("Month"),
    "meeting": _l("Meeting"),
    "present": _l("members present"),
    "excused": _l("members excused"),
    "members": _l("members"),
    "meetings_attended": _l("Meetings attended"),
    "joined": _l("joined"),
    "left": _l("left the group"),
    "visits": _l("visits"),
    "people": _l("people on a binôme"),
    "raised": _l("still open"),
    "integrated": _l("integrated in a new version"),
    "withdrawn": _l("withdrawn (objections, decisions)"),
    "not_blocking": _l("found not blocking"),
    "positions": _l("positions"),
    "recorded_in_room": _l("recorded in the room"),
    "adopted": _l("adopted"),
    "rejected": _l("rejected"),
    "postponed": _l("postponed"),
}
BANDS = {
    "none": _l("none"),
    "fewer_than_half": _l("fewer than half"),
    "half_or_more": _l("half or more"),
    "all": _l("all"),
}


def column_label(name: str) -> str:
    from governance.conventionnement.labels import POS_KIND_LABELS
    from governance.conventionnement.models import PosKind

    if name in COLUMNS:
        return str(COLUMNS[name])
    return str(POS_KIND_LABELS[PosKind(name)])

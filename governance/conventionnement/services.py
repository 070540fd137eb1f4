"""The rules of conventionnement: proposing, visiting in binôme, answering, scoring, deciding."""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from governance.conventionnement import defaults, scoring, territories
from governance.conventionnement.models import (
    Answer,
    FormKind,
    FormVersion,
    LinkAction,
    PointOfSale,
    PosEvent,
    PosKind,
    PosLink,
    PosStatus,
    Visit,
    VisitMember,
    form_kind,
)
from governance.db import utcnow
from governance.errors import DomainError, Forbidden
from governance.extensions import db
from governance.people.models import Group, Person
from governance.sessions import services as meetings
from governance.sessions.models import AHEAD, AgendaItem, ItemKind, Meeting

QUESTIONNAIRE, GRID = "questionnaire", "grid"
MAX_ANSWER = 4000


# --- questionnaires and grids -------------------------------------------------------------


def current(role: str, kind: FormKind) -> FormVersion | None:
    return db.session.scalar(
        select(FormVersion)
        .where(FormVersion.role == role, FormVersion.kind == kind)
        .order_by(FormVersion.number.desc())
        .limit(1)
    )


def question_codes(definition: dict[str, Any]) -> list[str]:
    return [q["code"] for s in definition["sections"] for q in s["questions"]]


def check_questionnaire(definition: dict[str, Any]) -> None:
    sections = definition.get("sections")
    if not isinstance(sections, list) or not sections:
        raise DomainError(_l("The questionnaire needs at least one section."), "definition")
    codes = []
    for section in sections:
        if not section.get("title") or not section.get("questions"):
            raise DomainError(_l("Every section needs a title and questions."), "definition")
        for question in section["questions"]:
            kind = question.get("type")
            if (
                not question.get("code")
                or not question.get("text")
                or kind not in ("choice", "text")
            ):
                raise DomainError(
                    _l("Every question needs a code, a text and a type (choice or text)."),
                    "definition",
                )
            if kind == "choice" and not question.get("choices"):
                raise DomainError(_l("A choice question needs its choices."), "definition")
            codes.append(question["code"])
    if len(codes) != len(set(codes)):
        raise DomainError(_l("Two questions have the same code."), "definition")


def publish(
    role: str, kind: FormKind, definition: dict[str, Any], by: Person | None
) -> FormVersion:
    """A new version; visits already made keep the version they were answered with."""
    if role == QUESTIONNAIRE:
        check_questionnaire(definition)
    elif role == GRID:
        questionnaire = current(QUESTIONNAIRE, kind)
        codes = set(question_codes(questionnaire.definition)) if questionnaire else None
        try:
            scoring.check_grid(definition, codes)
        except (scoring.GridError, KeyError, TypeError, ValueError) as error:
            raise DomainError(
                _l("This grid cannot be used: %(reason)s", reason=str(error)), "definition"
            ) from None
    else:
        raise DomainError(_l("Unknown kind of form."), "role")
    last = current(role, kind)
    version = FormVersion(
        role=role,
        kind=kind,
        number=(last.number if last else 0) + 1,
        definition=definition,
        published_by_id=by.id if by else None,
    )
    db.session.add(version)
    db.session.flush()
    return version


def ensure_defaults() -> int:
    """Publish the shipped questionnaires and grids where none exists yet."""
    created = 0
    shipped = {
        FormKind.SHOP: defaults.SHOP_QUESTIONNAIRE,
        FormKind.PRODUCER: defaults.PRODUCER_QUESTIONNAIRE,
    }
    for kind, questionnaire in shipped.items():
        if current(QUESTIONNAIRE, kind) is None:
            publish(QUESTIONNAIRE, kind, questionnaire, None)
            created += 1
        if current(GRID, kind) is None:
            publish(GRID, kind, defaults.GRID, None)
            created += 1
    return created


# --- points of sale -----------------------------------------------------------------------


def _event(
    pos: PointOfSale,
    what: str,
    detail: str = "",
    by: Person | None = None,
    reference: str | None = None,
) -> None:
    db.session.add(
        PosEvent(
            pos_id=pos.id,
            what=what,
            detail=detail,
            decision_reference=reference,
            by_id=by.id if by else None,
        )
    )


def propose(group: Group, by: Person, name: str, kind: PosKind, **details: str) -> PointOfSale:
    pos = PointOfSale(
        group=group,
        proposed_by=by,
        name=name.strip(),
        kind=kind,
        **{k: (v or "").strip() for k, v in details.items()},
    )
    db.session.add(pos)
    db.session.flush()
    territory = territories.territory_of(group.id)
    if territory is not None:
        territories.list_in(pos, territory, PosStatus.PROPOSED)
    _event(pos, "proposed", by=by)
    db.session.flush()
    return pos


def _same_visit(
    pos: PointOfSale, people: list[Person], visit_on: date, group: Group
) -> Visit | None:
    """The visit already given to these same people for this place and day, not yet sent.
    The point of sale's row is locked first (PostgreSQL), so two taps at once find each other;
    on SQLite the request already holds the write lock."""
    db.session.execute(select(PointOfSale.id).where(PointOfSale.id == pos.id).with_for_update())
    wanted = {p.id for p in people}
    for visit in db.session.scalars(
        select(Visit).where(
            Visit.pos_id == pos.id,
            Visit.visit_on == visit_on,
            Visit.group_id == group.id,
            Visit.submitted_at.is_(None),
        )
    ):
        if {m.person_id for m in visit.members} == wanted:
            return visit
    return None


def assign_visit(
    pos: PointOfSale,
    people: list[Person],
    visit_on: date,
    by: Person,
    group: Group | None = None,
) -> Visit:
    """A binôme or trinôme for the committee ``group`` (the place's own by default), with at
    least one member of that committee."""
    group = group or pos.group
    if group.id not in territories.owner_ids(pos):
        raise DomainError(
            _l("%(group)s does not decide on this point of sale.", group=group.name), "group_id"
        )
    if len({p.id for p in people}) != len(people) or not 2 <= len(people) <= 3:
        raise DomainError(_l("Choose two or three different people."), "people")
    if not any(territories.committee_member(p, group.id, visit_on) for p in people):
        raise DomainError(
            _l("At least one of them must be a member of %(group)s.", group=group.name), "people"
        )
    if territories.status_for(pos, group.id) not in {
        PosStatus.PROPOSED,
        PosStatus.VISITING,
        PosStatus.APPROVED,
        PosStatus.REFUSED,
    }:
        raise DomainError(_l("This point of sale cannot be visited at this step."))
    same = _same_visit(pos, people, visit_on, group)
    if same is not None:
        return same  # a double tap, or the form sent again: one visit
    kind = form_kind(pos.kind)
    questionnaire, grid = current(QUESTIONNAIRE, kind), current(GRID, kind)
    if questionnaire is None or grid is None:
        raise DomainError(_l("No questionnaire is published for this kind of point of sale."))
    visit = Visit(pos=pos, group=group, questionnaire=questionnaire, grid=grid, visit_on=visit_on)
    visit.members = [VisitMember(person_id=p.id) for p in people]
    db.session.add(visit)
    territories.step(pos, group.id, PosStatus.VISITING)
    db.session.flush()
    _event(pos, "visit_assigned", ", ".join(p.display_name for p in people), by)
    db.session.flush()
    return visit


# --- answering ----------------------------------------------------------------------------


def _question(visit: Visit, code: str) -> dict[str, Any]:
    for section in visit.questionnaire.definition["sections"]:
        for question in section["questions"]:
            if question["code"] == code:
                return question
    raise DomainError(_l("This question is not in this questionnaire."), code)


def is_member(visit: Visit, person: Person) -> bool:
    return any(m.person_id == person.id for m in visit.members)


def record_answer(
    visit: Visit, person: Person, code: str, value: str, key: str, at_ms: int | None = None
) -> Answer:
    """Idempotent: the same write twice is one write, and an older write never replaces a
    newer answer (phones replaying what they kept offline)."""
    if not is_member(visit, person):
        raise Forbidden(_l("Only the binôme of this visit answers its questionnaire."))
    if visit.submitted_at is not None:
        raise DomainError(_l("This questionnaire is already sent."), code)
    question = _question(visit, code)
    value = value.strip()
    if len(value) > MAX_ANSWER:
        raise DomainError(
            _l("This answer is too long: at most %(max)d characters.", max=MAX_ANSWER), code
        )
    if (
        question["type"] == "choice"
        and value
        and value not in {c["value"] for c in question["choices"]}
    ):
        raise DomainError(_l("Choose one of the proposed answers."), code)
    now_ms = int(time.time() * 1000)
    at_ms = min(at_ms or now_ms, now_ms)  # a phone's clock in the future does not win
    answer = db.session.scalar(
        select(Answer).where(Answer.visit_id == visit.id, Answer.question == code)
    )
    if answer is None:
        answer = Answer(
            visit_id=visit.id,
            question=code,
            value=value,
            answered_by_id=person.id,
            answered_at_ms=at_ms,
            key=key[:64],
        )
        db.session.add(answer)
    elif answer.key != key[:64] and answer.answered_at_ms <= at_ms:
        answer.value, answer.answered_by_id = value, person.id
        answer.answered_at_ms, answer.key = at_ms, key[:64]
    db.session.flush()
    return answer


def answers(visit: Visit) -> dict[str, Answer]:
    rows = db.session.scalars(select(Answer).where(Answer.visit_id == visit.id))
    return {a.question: a for a in rows}


def missing(visit: Visit) -> list[dict[str, Any]]:
    given = {code for code, a in answers(visit).items() if a.value}
    return [
        q
        for s in visit.questionnaire.definition["sections"]
        for q in s["questions"]
        if q.get("required") and q["code"] not in given
    ]


def submit(
    visit: Visit, person: Person, band: str, opinion: str, schedule: bool = True
) -> scoring.Score:
    if not is_member(visit, person):
        raise Forbidden(_l("Only the binôme of this visit sends its questionnaire."))
    if visit.submitted_at is not None:
        raise DomainError(_l("This questionnaire is already sent."))
    if missing(visit):
        raise DomainError(_l("Some required questions have no answer yet."))
    if band not in {b.value for b in scoring.Band}:
        raise DomainError(_l("Give your opinion: favourable, to discuss or unfavourable."), "band")
    result = scoring.score(
        visit.grid.definition, {code: a.value for code, a in answers(visit).items()}
    )
    visit.score, visit.submitted_at, visit.submitted_by_id = result.as_dict(), utcnow(), person.id
    visit.opinion_band, visit.opinion = band, opinion.strip()
    territories.step(visit.pos, visit.group_id, PosStatus.REPORTED)
    _event(visit.pos, "reported", f"{result.total:g}/100", person)
    upcoming = next_meeting(visit.group) if schedule else None
    if upcoming is not None:
        put_on_agenda(visit.pos, LinkAction.APPROVE, upcoming, visit)
    db.session.flush()
    return result


# --- the committee's decision -------------------------------------------------------------


def next_meeting(group: Group) -> Meeting | None:
    return db.session.scalar(
        select(Meeting)
        .where(
            Meeting.group_id == group.id,
            Meeting.status.in_(AHEAD),
            Meeting.starts_at >= utcnow(),
        )
        .order_by(Meeting.starts_at)
        .limit(1)
    )


TITLES = {
    LinkAction.APPROVE: "Conventionnement : %s",
    LinkAction.SUSPEND: "Suspension du conventionnement : %s",
    LinkAction.END: "Fin du conventionnement : %s",
}


def put_on_agenda(
    pos: PointOfSale, action: LinkAction, meeting: Meeting, visit: Visit | None = None
) -> AgendaItem:
    if (
        action is not LinkAction.APPROVE
        and territories.status_for(pos, meeting.group_id) is not PosStatus.APPROVED
    ):
        raise DomainError(_l("Only an approved point of sale can be suspended or ended."))
    deciding = {visit.group_id} if visit is not None else territories.owner_ids(pos)
    if meeting.group_id not in deciding:
        raise DomainError(
            _l(
                "This point of sale is decided by %(group)s: choose one of its meetings.",
                group=(visit.group if visit is not None else pos.group).name,
            ),
            field="meeting_id",
        )
    item = meetings.add_item(
        meeting,
        meeting.agenda_version,
        ItemKind.CONVENTIONNEMENT,
        TITLES[action] % pos.name,
        "",
        None,
        30,
    )
    db.session.add(
        PosLink(item_id=item.id, pos_id=pos.id, action=action, visit_id=visit.id if visit else None)
    )
    if visit is not None:
        visit.agenda_item_id = item.id
    _event(pos, "on_agenda", meeting.title)
    db.session.flush()
    return item


def apply_decision(decision: Any) -> None:
    """Subscribed to votes' decision signal: an adopted decision on a linked item approves,
    suspends or ends the point of sale; a refusal of an approval refuses it."""
    from governance.votes.models import Outcome, Proposal
    from governance.votes.services import taken_with_quorum

    proposal = db.session.get(Proposal, decision.proposal_id)
    link = db.session.get(PosLink, proposal.item_id) if proposal else None
    if link is None:
        return
    pos = db.session.get_one(PointOfSale, link.pos_id)
    # Only a committee that decides on this place decides, and only with its quorum.
    group_id = decision.group_id
    if group_id not in territories.owner_ids(pos) or not taken_with_quorum(decision):
        return
    adopted = decision.outcome is Outcome.ADOPTED
    if link.action is LinkAction.APPROVE:
        territories.step(pos, group_id, PosStatus.APPROVED if adopted else PosStatus.REFUSED)
        if adopted:
            since = decision.decided_on
            review = decision.review_on or decision.decided_on + timedelta(days=730)
            if group_id == pos.group_id:
                pos.approved_since, pos.review_on = since, review
            territory = territories.territory_of(group_id)
            if territory is not None:
                row = territories.list_in(pos, territory, PosStatus.APPROVED)
                row.approved_since, row.review_on = since, review
                row.decision_reference = decision.reference
    elif adopted:
        territories.step(
            pos,
            group_id,
            PosStatus.SUSPENDED if link.action is LinkAction.SUSPEND else PosStatus.ENDED,
        )
    _event(
        pos,
        f"decision_{link.action.value}_{decision.outcome.value}",
        decision.title,
        reference=decision.reference,
    )
    db.session.flush()

"""The rules of meetings: transitions, agenda timing and versions, quorum, timer, minutes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from governance.errors import Conflict, DomainError, Forbidden, NotFound
from governance.extensions import db
from governance.people.models import QuorumKind, Role
from governance.sessions import services
from governance.sessions.models import AttendanceStatus, ItemKind, MeetingStatus
from tests import factories

S = MeetingStatus


def _committee(size: int, **group: object):  # type: ignore[no-untyped-def]
    committee = factories.group(**group)
    people = [factories.person() for _ in range(size)]
    for person in people:
        factories.membership(person, committee, starts_on=date(2025, 1, 1))
    return committee, people


def test_the_meeting_moves_through_its_states_in_order() -> None:
    meeting = factories.meeting()
    by = factories.person()
    with pytest.raises(DomainError):  # nothing to convene members to
        services.transition(meeting, S.CONVENED, by)
    factories.item(meeting)
    for step in (S.CONVENED, S.OPEN, S.CLOSED):
        services.transition(meeting, step, by)
        assert meeting.status is step
    assert meeting.convened_at and meeting.opened_at and meeting.closed_at
    with pytest.raises(DomainError):  # not reviewed yet
        services.transition(meeting, S.PUBLISHED, by)
    meeting.items[0].minutes = "Présentation des comptes."
    services.review_minutes(meeting, by)
    services.transition(meeting, S.PUBLISHED, by)
    assert meeting.status is S.PUBLISHED and meeting.published_at


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (S.DRAFT, S.OPEN),
        (S.DRAFT, S.CLOSED),
        (S.CONVENED, S.CLOSED),
        (S.OPEN, S.CONVENED),
        (S.CLOSED, S.OPEN),
        (S.PUBLISHED, S.CLOSED),
        (S.PUBLISHED, S.DRAFT),
        (S.OPEN, S.OPEN),
    ],
)
def test_illegal_transitions_are_refused(start: S, to: S) -> None:
    meeting = factories.meeting(status=start)
    factories.item(meeting)
    with pytest.raises(DomainError):
        services.transition(meeting, to, factories.person())
    assert meeting.status is start


def test_opening_puts_the_first_item_on_screen() -> None:
    meeting = factories.meeting(status=S.CONVENED)
    first, _second = factories.item(meeting), factories.item(meeting)
    services.transition(meeting, S.OPEN, factories.person())
    assert meeting.current_item_id == first.id


def test_agenda_timing_and_overrun() -> None:
    meeting = factories.meeting(duration_minutes=60)
    factories.item(meeting, timebox_minutes=25)
    factories.item(meeting, timebox_minutes=30)
    assert meeting.planned_minutes == 55 and meeting.overrun_minutes == 0
    assert meeting.planned_end == meeting.starts_at + timedelta(minutes=55)
    factories.item(meeting, timebox_minutes=20)
    assert meeting.overrun_minutes == 15


def test_agenda_items_are_added_moved_and_removed_with_versions() -> None:
    meeting = factories.meeting()
    kinds = (ItemKind.INFORMATION, ItemKind.DECISION, ItemKind.DISCUSSION)
    for n, kind in enumerate(kinds):
        services.add_item(meeting, meeting.agenda_version, kind, f"P{n}", "", None, 10)
    assert [i.title for i in meeting.items] == ["P0", "P1", "P2"]
    services.move_item(meeting.items[2], -1, meeting.agenda_version)
    assert [i.title for i in meeting.items] == ["P0", "P2", "P1"]
    assert [i.position for i in meeting.items] == [1, 2, 3]
    with pytest.raises(DomainError):
        services.move_item(meeting.items[0], -1, meeting.agenda_version)
    services.remove_item(meeting.items[0], meeting.agenda_version)
    assert [(i.title, i.position) for i in meeting.items] == [("P2", 1), ("P1", 2)]


def test_a_save_from_an_older_agenda_is_refused_and_changes_nothing() -> None:
    meeting = factories.meeting()
    seen = meeting.agenda_version
    services.add_item(meeting, seen, ItemKind.INFORMATION, "Premier", "", None, 10)
    with pytest.raises(Conflict):  # the second facilitator still has the old page
        services.add_item(meeting, seen, ItemKind.DISCUSSION, "Second", "", None, 10)
    assert [i.title for i in meeting.items] == ["Premier"]


def test_closed_meeting_agenda_is_frozen() -> None:
    meeting = factories.meeting(status=S.CLOSED)
    with pytest.raises(DomainError):
        services.add_item(meeting, meeting.agenda_version, ItemKind.INFORMATION, "X", "", None, 5)


def test_quorum_as_a_percentage_counts_present_and_remote_members() -> None:
    committee, people = _committee(61, quorum_kind=QuorumKind.PERCENT, quorum_value=40)
    meeting = factories.meeting(committee, status=S.OPEN)
    assert services.quorum(meeting).required == 25  # ceil(61 × 40 %)
    for person in people[:20]:
        services.mark_attendance(meeting, person, AttendanceStatus.PRESENT, None)
    for person in people[20:24]:
        services.mark_attendance(meeting, person, AttendanceStatus.REMOTE, None)
    services.mark_attendance(meeting, people[24], AttendanceStatus.EXCUSED, None)
    assert not services.quorum(meeting).met
    services.mark_attendance(meeting, people[25], AttendanceStatus.PRESENT, None)
    quorum = services.quorum(meeting)
    assert (quorum.members, quorum.counted, quorum.required, quorum.met) == (61, 25, 25, True)


def test_quorum_as_a_number_and_only_current_members_count() -> None:
    committee, people = _committee(12, quorum_kind=QuorumKind.COUNT, quorum_value=10)
    gone = factories.person()
    factories.membership(gone, committee, starts_on=date(2024, 1, 1), ends_on=date(2025, 6, 1))
    meeting = factories.meeting(committee, status=S.OPEN)
    for person in people[:9]:
        services.mark_attendance(meeting, person, AttendanceStatus.PRESENT, None)
    with pytest.raises(Forbidden):  # left the group: cannot be marked, does not count
        services.mark_attendance(meeting, gone, AttendanceStatus.PRESENT, None)
    assert services.quorum(meeting).members == 12 and not services.quorum(meeting).met
    services.mark_attendance(meeting, people[9], AttendanceStatus.PRESENT, None)
    assert services.quorum(meeting).met


def test_check_in_with_the_code_once_even_if_repeated() -> None:
    committee, people = _committee(3)
    meeting = factories.meeting(committee, status=S.OPEN)
    version = meeting.live_version
    code = meeting.code.lower()
    assert services.check_in(f" {code[:3]} {code[3:]} ", people[0]) is meeting
    services.check_in(meeting.code, people[0])
    assert services.quorum(meeting).counted == 1
    assert meeting.live_version > version


def test_check_in_refuses_wrong_codes_and_strangers() -> None:
    committee, _people = _committee(1)
    meeting = factories.meeting(committee, status=S.OPEN)
    with pytest.raises(NotFound):
        services.check_in("ZZZZZZ", factories.person())
    with pytest.raises(Forbidden):
        services.check_in(meeting.code, factories.person())
    closed = factories.meeting(committee, status=S.CLOSED)
    with pytest.raises(NotFound):
        services.check_in(closed.code, factories.person())


def test_timer_and_moving_through_the_agenda() -> None:
    meeting = factories.meeting(status=S.CONVENED)
    first, second = factories.item(meeting), factories.item(meeting)
    services.transition(meeting, S.OPEN, factories.person())
    services.start_timer(meeting)
    started = meeting.timer_started_at
    meeting.timer_started_at = started - timedelta(seconds=90)
    assert 89 <= services.elapsed_seconds(meeting) <= 91
    services.pause_timer(meeting)
    assert meeting.timer_started_at is None and 89 <= meeting.timer_elapsed_seconds <= 91
    services.go_to(meeting, 1)
    assert meeting.current_item_id == second.id and meeting.timer_elapsed_seconds == 0
    with pytest.raises(DomainError):
        services.go_to(meeting, 1)
    services.go_to(meeting, -1)
    assert meeting.current_item_id == first.id


def test_day_roles_rotate_among_members_only() -> None:
    committee, people = _committee(3)
    meeting = factories.meeting(committee)
    services.set_day_roles(meeting, people[0], people[1], people[2])
    assert (meeting.facilitator_id, meeting.secretary_id) == (people[0].id, people[1].id)
    with pytest.raises(DomainError):
        services.set_day_roles(meeting, factories.person(), None, None)


def test_minutes_edit_after_review_needs_a_new_review() -> None:
    meeting = factories.meeting(status=S.CLOSED)
    item = factories.item(meeting)
    reviewer = factories.person()
    with pytest.raises(DomainError):  # empty minutes cannot be reviewed
        services.review_minutes(meeting, reviewer)
    services.save_minutes(meeting, {item.id: "Le comité a pris connaissance du budget."})
    services.review_minutes(meeting, reviewer)
    services.save_minutes(meeting, {item.id: "Texte corrigé."})
    assert meeting.minutes_reviewed_at is None
    with pytest.raises(NotFound):
        services.save_minutes(meeting, {999999: "ailleurs"})


def test_group_facilitators_run_meetings_of_their_group_only() -> None:
    from governance.sessions import policy

    committee, _ = _committee(1)
    facilitator = factories.person()
    factories.membership(facilitator, committee, Role.FACILITATOR)
    mine = factories.meeting(committee)
    other = factories.meeting()
    assert policy.can_run_meeting(facilitator, mine)
    assert not policy.can_run_meeting(facilitator, other)
    db.session.flush()


def test_a_meeting_opens_only_on_its_own_day() -> None:
    from datetime import UTC, datetime

    committee, people = _committee(2)
    in_ten_days = datetime.now(UTC) + timedelta(days=10)
    meeting = factories.meeting(committee, starts_at=in_ten_days)
    factories.item(meeting)
    services.transition(meeting, S.CONVENED, people[0])
    assert not services.opens_today(meeting)
    with pytest.raises(DomainError, match=r"own day|jour même"):
        services.transition(meeting, S.OPEN, people[0])
    assert meeting.status is S.CONVENED and meeting.opened_at is None
    services.transition(meeting, S.OPEN, people[0], now=in_ten_days)  # on the day: it opens
    assert meeting.status is S.OPEN


def test_members_check_in_only_in_the_window_of_the_meeting() -> None:
    from datetime import UTC, datetime

    committee, people = _committee(2)
    in_two_hours = datetime.now(UTC) + timedelta(hours=2)
    meeting = factories.meeting(committee, starts_at=in_two_hours, status=S.CONVENED)
    with pytest.raises(DomainError, match=r"when the meeting starts|quand la séance commence"):
        services.check_in(meeting.code, people[0])  # from home, two hours early
    assert services.quorum(meeting).counted == 0
    committee.check_in_minutes_before = 180  # this group lets members in 3 hours early
    assert services.check_in(meeting.code, people[0]) is meeting
    meeting.status = S.OPEN  # open: always
    committee.check_in_minutes_before = 0
    assert services.check_in(meeting.code, people[1]) is meeting
    meeting.status = S.CLOSED
    with pytest.raises(NotFound):
        services.check_in(meeting.code, people[1])
    # The facilitator can still correct a mark once the meeting is open or convened.
    meeting.status = S.OPEN
    services.mark_attendance(meeting, people[1], AttendanceStatus.EXCUSED, people[0])
    assert services.quorum(meeting).counted == 1


def test_each_state_has_one_next_step_until_the_minutes_are_published() -> None:
    meeting = factories.meeting(factories.group())
    seen = []
    for status in MeetingStatus:
        meeting.status = status
        seen.append(services.next_status(meeting))
    assert seen == [
        MeetingStatus.CONVENED,
        MeetingStatus.OPEN,
        MeetingStatus.CLOSED,
        MeetingStatus.PUBLISHED,
        None,
    ]

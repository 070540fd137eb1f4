"""Every endpoint that acts inside a group, tried by outsiders, generated from the route table:
a member and a facilitator of another group, and a visitor, are refused and nothing is written;
a plain member of the group is refused what only its facilitators may do. Then each declared
rule is removed in turn (replaced by "allow"), and these same probes must notice."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from governance.access import Declaration, declaration_of
from governance.conventionnement import services as conventionnement
from governance.conventionnement.models import PosKind
from governance.extensions import db
from governance.jobs import services as jobs
from governance.people import services as accounts
from governance.people.models import GroupKind, Role
from governance.permissions import allowed
from governance.sessions.models import ItemKind
from governance.votes import services as votes
from governance.votes.models import DecisionKind, Objection, RoundKind, Value
from tests import databases, factories
from tests.test_permissions import WORDS, _default
from tests.votes.helpers import open_proposal

# Tables that a refused request may still write: the login machinery, the audit trail.
BOOKKEEPING = {"login_attempt", "login_session", "audit_event", "outbox_message"}
REFUSED = (403, 404)


@dataclass
class World:
    ids: dict[str, Any]
    insider: Any  # a plain member of the group (not its facilitator, not in the binôme)
    outsiders: dict[str, Any]  # a member and a facilitator of another group
    facilitator: Any  # the group's own facilitator
    clients: dict[str, Any] = field(default_factory=dict)  # each person's, logged in once
    tokens: dict[str, str] = field(default_factory=dict)  # their CSRF tokens
    built: str | None = None  # the fingerprint of the world as built, taken at its first probe
    changed: bool = False  # a probe wrote something: the world is no longer as built

    def client(self, app: Flask, who: str, person: Any) -> Any:
        """The browser of ``who``: logged in at its first probe (Flask-Login's login_user:
        the login form is tested elsewhere), kept for the next ones (no probe logs anyone
        out); the visitor's is a new one each time, with no session."""
        if person is None:
            return app.test_client()
        if who not in self.clients:
            accounts.start_login_session(person)
            db.session.commit()
            cookie, self.tokens[who] = factories.signed_in(app, person)
            self.clients[who] = app.test_client()
            name, domain = app.config["SESSION_COOKIE_NAME"], app.config["SERVER_NAME"]
            self.clients[who].set_cookie(name, cookie, domain=domain)
        return self.clients[who]

    def csrf(self, who: str, client: Any) -> str:
        return self.tokens.get(who) or client.csrf_token()


def _world() -> World:
    proposal, people = open_proposal(members=5)
    meeting = proposal.item.meeting
    group = meeting.group
    insider = people[3]
    round_ = votes.open_round(proposal, RoundKind.CONSENT)
    votes.give_position(round_, people[4], Value.OBJECTION, "Trop tôt", recorded_by=people[0])
    votes.close_round(round_)  # the objection is raised when the round closes
    objection = db.session.scalars(select(Objection)).all()[-1]
    conventionnement.ensure_defaults()
    pos = conventionnement.propose(group, people[2], "Ferme du Pic", PosKind.PRODUCER, why="x")
    visit = conventionnement.assign_visit(pos, people[1:3], date(2026, 12, 1), people[0])
    from governance.budget import rules
    from governance.budget import services as budget

    preset = rules.PRESETS[next(iter(rules.PRESETS))]
    scale = budget.save_scale(None, "B", preset["allocation"], preset["contribution"], people[0])
    # the household of a member of the group who is not the insider: only they, the group's
    # facilitator, treasurers and admins fill in its contribution
    household = budget.save_household(
        None,
        adults=1,
        teens=0,
        children=0,
        income_bracket=1,
        contribution_cents=500,
        starts_on=date(2026, 1, 1),
        person_id=people[4].id,
    )
    other = factories.group(kind=GroupKind.LOCAL_COMMITTEE)
    member, facilitator = factories.person(), factories.person()
    factories.membership(member, other)
    factories.membership(facilitator, other, Role.FACILITATOR)
    factories.meeting(other)
    # A treasury job started by the group's facilitator: only its starter, treasurers, admins.
    job = jobs.start("monthly_run", "monthly:2026-03", people[0], {"month": "2026-03-01"})
    db.session.flush()
    from governance import attachments

    pdf = b"%PDF-1.4\n%%EOF\n"
    files = {
        "sessions.item_file": ("agenda_item", proposal.item.id),
        "sessions.minutes_file": ("minutes", meeting.id),
        "votes.proposal_file": ("proposal", proposal.id),
        "conventionnement.photo": ("visit", visit.id),
    }
    kept = {
        (endpoint, "attachment_id"): attachments.attach(
            kind, owner, people[0], "a.pdf", pdf, f"access-{endpoint}-{owner}-{meeting.id}"
        ).id
        for endpoint, (kind, owner) in files.items()
    }
    from governance.sessions import actions
    from governance.votes import register
    from governance.votes.models import Outcome

    second = factories.item(meeting, kind=ItemKind.DECISION, title="Second point")
    decided = votes.attach_proposal(second, "Adoptée", "Texte", people[0], DecisionKind.GENERAL)
    decision = register.record(decided, Outcome.ADOPTED)  # the register alone: cheaper

    action = actions.add(meeting, None, "Appeler la mairie", None)
    from governance.joining import services as joining
    from governance.joining.models import HeardFrom

    applicant, _new = joining.apply(
        joining.Application(
            f"Awa {meeting.id}", 1, 0, 0, 1, "Centre", HeardFrom.OTHER, "", None, None
        )
    )
    joining.invite(applicant, meeting, people[0])  # to the group's meeting: its welcome team's
    ids = {
        "job_id": job.id,
        **kept,
        "action_id": action.id,
        "applicant_id": applicant.id,
        "decision_id": decision.id,
        "meeting_id": meeting.id,
        "item_id": proposal.item.id,
        "proposal_id": proposal.id,
        "round_id": round_.id,
        "objection_id": objection.id,
        "pos_id": pos.id,
        "visit_id": visit.id,
        "scale_id": scale.id,
        "household_id": household.id,
        "person_id": insider.id,
        "group_id": group.id,
        "number": 1,
    }
    return World(ids, insider, {"member": member, "facilitator": facilitator}, people[0])


def _declared(app: Flask) -> list[tuple[str, str, Any]]:
    """(endpoint, method, rule) for every route whose declaration checks something."""
    found = []
    for rule in app.url_map.iter_rules():
        declaration = declaration_of(app, rule.endpoint)
        if declaration is None or (declaration.rule is None and not _see(declaration)):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, rule))
    return found


def _see(declaration: Declaration) -> Any:
    return declaration.loader.see if declaration.loader else None


def _path(rule: Any, ids: dict[str, Any]) -> str:
    words = WORDS.get(rule.endpoint, {})
    values = {
        a: words.get(a, ids.get((rule.endpoint, a), ids.get(a, _default(rule, a))))
        for a in rule.arguments
    }
    return rule.build(values)[1]


def _snapshot() -> str:
    """Every row of every table but the bookkeeping ones, hashed."""
    return databases.fingerprint(skip=BOOKKEEPING)


# Endpoints a plain member of the group may use (everything else declared is refused them).
MEMBER_MAY = {
    "sessions.meeting",
    "sessions.invitation",
    "sessions.room",
    "sessions.room_status",
    "sessions.room_parts",
    "sessions.suggestion_new",
    "votes.proposal",
    "votes.position",
    "votes.conflict",
    "conventionnement.point",
    "sessions.item_file",
    "votes.proposal_file",
    "votes.question_ask",
}
# What a plain member who may not act gets: a 404 where the rule is who may know it exists.
MEMBER_GETS = {
    "sessions.minutes": 404,
    "sessions.minutes_file": 404,
    "votes.online_new": 404,  # the group page's rule: a plain member does not see it
}


# Refusals inside the group that the probes above cannot see: (endpoint, who) → status.
# The group's facilitator may not print a login card for a member who has a password.
FACILITATOR_GETS = {
    "people.login_card": 403,
    "votes.online_new": 403,  # the world's group does not allow deciding online
}


def _probe(
    app: Flask, world: World, endpoint: str, method: str, rule: Any, first_only: bool = False
) -> list[str]:
    """What went wrong for each person who must be refused (an empty list: all refused);
    ``first_only``: stop at the first thing that went wrong."""
    path = _path(rule, world.ids)
    wrong = []
    db.session.commit()
    people = [*world.outsiders.items(), ("visitor", None), ("insider", world.insider)]
    if endpoint in FACILITATOR_GETS:
        people.append(("the group's facilitator", world.facilitator))
    clients = [world.client(app, who, person) for who, person in people]  # logged in first
    before = _snapshot()  # then after each probe: once per request
    if world.built is None:
        world.built = before
    for (who, person), client in zip(people, clients, strict=True):
        data = {"csrf_token": world.csrf(who, client)} if method == "POST" else None
        response = client.open(path, method=method, data=data)
        status = response.status_code
        where = f"{method} {path} as {who}: {status}"
        after = _snapshot()
        if status in REFUSED and after != before:
            wrong.append(f"{where}, refused but something was written")
        if who == "the group's facilitator":
            if status != FACILITATOR_GETS[endpoint]:
                wrong.append(f"{where}, expected {FACILITATOR_GETS[endpoint]}")
        elif who == "insider":
            roles = {Role.MEMBER}
            if not allowed(endpoint, roles=roles, signed_in=True):
                expected: int | None = 403
            elif endpoint in MEMBER_MAY:
                expected = None
            else:
                expected = MEMBER_GETS.get(endpoint, 403)
            if expected is None and status in REFUSED:
                wrong.append(f"{where}, a member of the group is refused")
            elif expected is not None and status != expected:
                wrong.append(f"{where}, expected {expected}")
        elif person is None:
            login = response.headers.get("Location", "").startswith("/connexion")
            if not (login or status == 404):
                wrong.append(f"{where}, a visitor is let in")
            elif login and after != before:
                wrong.append(f"{where}, sent to log in but something was written")
        else:
            # Someone of another group never learns the object exists, or is refused by the table.
            declaration = declaration_of(app, endpoint)
            table = allowed(endpoint, roles=_roles(person), signed_in=True)
            expected = 404 if table and _see(declaration) else 403
            if status != expected:
                wrong.append(f"{where}, expected {expected}")
        before = after
        if first_only and wrong:
            break
    world.changed = world.changed or before != world.built
    return wrong


def _roles(person: Any) -> set[Role]:
    from governance.people.services import current_roles

    return current_roles(person)


def _ids(app: Flask) -> list[str]:
    return [f"{e} {m}" for e, m, _r in _declared(app)]


@pytest.fixture(scope="module")
def declared(app: Flask) -> list[tuple[str, str, Any]]:
    return _declared(app)


def test_every_group_endpoint_is_declared(app: Flask) -> None:
    from governance.permissions import PERMISSIONS, Access

    in_group = [e for e, rule in PERMISSIONS.items() if rule is Access.IN_GROUP]
    assert in_group
    missing = [e for e in in_group if declaration_of(app, e) is None]
    assert missing == [], "IN_GROUP endpoints without an access declaration"
    assert len(_declared(app)) >= 40


def test_outsiders_are_refused_everywhere(app: Flask, declared: list[Any]) -> None:
    world = _world()
    wrong = [
        w for endpoint, method, rule in declared for w in _probe(app, world, endpoint, method, rule)
    ]
    assert wrong == []


def _mutations(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, method, which): every declared rule, and every loader's visibility rule, of
    the endpoints someone probed gets past the table for (admin-only pages: the table alone
    refuses everyone else, as tests/test_permissions.py checks)."""
    found = []
    for endpoint, method, _rule in _declared(app):
        declaration = declaration_of(app, endpoint)
        if not any(
            allowed(endpoint, roles={r}, signed_in=True) for r in (Role.MEMBER, Role.FACILITATOR)
        ):
            continue
        if declaration.rule is not None:
            found.append((endpoint, method, "rule"))
        if _see(declaration) is not None:
            found.append((endpoint, method, "see"))
    return found


# Where the service refuses on its own as well, with the same status: removing the declared
# rule changes nothing an outsider sees (tested in the domain's own tests).
SERVICE_ALSO_REFUSES = {
    "conventionnement.answer POST rule",  # record_answer: Forbidden outside the binôme
}


def test_removing_any_rule_is_noticed(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each rule replaced by "allow" in turn: the probes of its endpoint must notice. Each
    probe starts from the world as built: it is built again after a probe that wrote."""
    unnoticed = []
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    world = _world()
    for endpoint, method, which in _mutations(app):
        if world.changed:
            world = _world()
        declaration = declaration_of(app, endpoint)
        target = declaration if which == "rule" else declaration.loader
        with monkeypatch.context() as patch:
            attr = "rule" if which == "rule" else "see"
            patch.setattr(target, attr, lambda person, obj: True)
            wrong = _probe(app, world, endpoint, method, rules[endpoint], first_only=True)
        if not wrong:
            unnoticed.append(f"{endpoint} {method} {which}")
    assert unnoticed == sorted(SERVICE_ALSO_REFUSES), "rules whose removal no test notices"


def test_an_in_group_endpoint_without_a_declaration_is_refused(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from governance import create_app
    from governance.permissions import PERMISSIONS, Access
    from tests import databases
    from tests.conftest import Client

    other = create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x", "SERVER_NAME": "tablee.test"}
    )
    other.test_client_class = Client
    other.add_url_rule("/oublie/<int:meeting_id>", "forgotten", lambda meeting_id: "secret")
    monkeypatch.setitem(PERMISSIONS, "forgotten", Access.IN_GROUP)
    client = other.test_client()
    with other.app_context():
        db.create_all()
        admin = factories.with_role(Role.ADMIN)
        factories.login(client, admin)
        response = client.get("/oublie/1")
        db.session.remove()
        databases.close_pool(db)
    assert response.status_code == 403
    assert "secret" not in response.get_data(as_text=True)


def test_the_room_and_the_meeting_agree_on_who_sees_them(app: Flask) -> None:
    """Once two rules that disagreed: now the same one (an admin sees both; an outsider neither)."""
    meeting = factories.meeting()
    admin, outsider = factories.with_role(Role.ADMIN), factories.with_role(Role.FACILITATOR)
    for person, status in ((admin, 200), (outsider, 404)):
        client = app.test_client()
        factories.login(client, person)
        for path in (f"/seances/{meeting.id}", f"/seances/{meeting.id}/salle"):
            assert client.get(path).status_code == status, (path, person)

"""Who may do what: one table, one place. A route that is not listed here is refused."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from flask import Flask, abort, g, redirect, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from governance.people.models import Role


class Access(StrEnum):
    PUBLIC = "public"
    SIGNED_IN = "signed_in"
    # Signed in, and the route declares what it acts on and who may act on it
    # (``governance.access.access``: member of the meeting's group to follow it, its
    # facilitator to run it…). Such a route without a declaration is refused.
    IN_GROUP = "in_group"


M, F, T, A, E = Role.MEMBER, Role.FACILITATOR, Role.TREASURER, Role.ADMIN, Role.EVALUATOR

# endpoint → who may reach it: everyone, anyone logged in, or the holders of one of these roles
# (a role held today, in any group; what a role may do *inside* a group is checked by services).
PERMISSIONS: dict[str, Access | frozenset[Role]] = {
    "static": Access.PUBLIC,
    "public.home": Access.PUBLIC,
    "public.points_of_sale": Access.PUBLIC,
    "public.points_of_sale_json": Access.PUBLIC,
    "public.points_of_sale_csv": Access.PUBLIC,
    "public.api_doc": Access.PUBLIC,
    "public.openapi": Access.PUBLIC,
    "public.api_decisions": Access.PUBLIC,
    "public.api_decision": Access.PUBLIC,
    "public.api_points": Access.PUBLIC,
    "public.api_chain": Access.PUBLIC,
    "people.choose_language": Access.PUBLIC,
    "public.figures": Access.PUBLIC,
    "people.set_language": Access.PUBLIC,
    "people.login": Access.PUBLIC,
    "people.card_login": Access.PUBLIC,
    "people.card_scan": Access.PUBLIC,
    "people.logout": Access.SIGNED_IN,
    "people.account": Access.SIGNED_IN,
    "people.choose_pin": Access.SIGNED_IN,
    "people.second_factor": Access.PUBLIC,
    "people.second_factor_setup": Access.SIGNED_IN,
    "people.second_factor_reset": frozenset({A}),
    "people.person_erase": frozenset({A}),
    "people.my_data": Access.SIGNED_IN,
    "people.change_password": Access.SIGNED_IN,
    "people.people": frozenset({F, A}),
    "people.person": frozenset({F, A}),
    "people.login_card": frozenset({F, A}),
    "people.person_new": frozenset({A}),
    "people.person_edit": frozenset({A}),
    "people.person_active": frozenset({A}),
    "people.groups": frozenset({F, A}),
    "people.group": frozenset({F, A}),
    "people.group_new": frozenset({A}),
    "people.group_edit": frozenset({A}),
    "people.membership_add": frozenset({A}),
    "people.membership_end": frozenset({A}),
    "sessions.index": Access.SIGNED_IN,
    "sessions.meeting_new": frozenset({F, A}),
    "sessions.meeting": Access.IN_GROUP,
    "sessions.meeting_edit": Access.IN_GROUP,
    "sessions.item_add": Access.IN_GROUP,
    "sessions.item_edit": Access.IN_GROUP,
    "sessions.item_action": Access.IN_GROUP,
    "sessions.meeting_step": Access.IN_GROUP,
    "sessions.meeting_notify": Access.IN_GROUP,
    "sessions.convocation_print": Access.IN_GROUP,
    "sessions.invitation": Access.IN_GROUP,
    # documents: joined by who runs the meeting; read by its group, or everyone once published
    "sessions.item_files": Access.IN_GROUP,
    "sessions.item_file": Access.PUBLIC,
    "sessions.minutes_files": Access.IN_GROUP,
    "sessions.minutes_file": Access.PUBLIC,
    "sessions.action_add": Access.IN_GROUP,
    "sessions.action_done": Access.IN_GROUP,
    "votes.proposal_files": Access.IN_GROUP,
    # deciding online between sessions
    "votes.online_new": Access.IN_GROUP,
    "votes.question_ask": Access.IN_GROUP,
    "votes.online_round": Access.IN_GROUP,
    "votes.online_count": Access.IN_GROUP,
    "votes.online_notice": Access.IN_GROUP,
    "home.review_on_agenda": Access.IN_GROUP,
    "votes.proposal_file": Access.PUBLIC,
    "sessions.check_in": Access.SIGNED_IN,
    "sessions.check_in_scan": Access.SIGNED_IN,
    "sessions.attendance": Access.IN_GROUP,
    "sessions.attendance_mark": Access.IN_GROUP,
    "sessions.console": Access.IN_GROUP,
    "sessions.console_status": Access.IN_GROUP,
    "sessions.console_parts": Access.IN_GROUP,
    "sessions.projector": Access.IN_GROUP,
    "sessions.live_action": Access.IN_GROUP,
    "sessions.room": Access.IN_GROUP,
    "sessions.room_status": Access.IN_GROUP,
    "sessions.room_parts": Access.IN_GROUP,
    "sessions.minutes_write": Access.IN_GROUP,
    "sessions.minutes_review": Access.IN_GROUP,
    "sessions.minutes": Access.PUBLIC,
    "sessions.minutes_list": Access.PUBLIC,
    "sessions.suggestion_new": Access.IN_GROUP,
    "sessions.suggestion": Access.IN_GROUP,
    "sessions.suggestion_accept": Access.IN_GROUP,
    "sessions.suggestion_decline": Access.IN_GROUP,
    "votes.proposal_new": Access.IN_GROUP,
    "votes.proposal_edit": Access.IN_GROUP,
    "votes.proposal": Access.IN_GROUP,
    "votes.proposal_stage": Access.IN_GROUP,
    "votes.proposal_notes": Access.IN_GROUP,
    "votes.proposal_amend": Access.IN_GROUP,
    "votes.proposal_end": Access.IN_GROUP,
    "votes.round_open": Access.IN_GROUP,
    "votes.round_close": Access.IN_GROUP,
    "votes.position": Access.IN_GROUP,
    "votes.position_in_room": Access.IN_GROUP,
    "votes.objection_resolve": Access.IN_GROUP,
    "votes.conflict": Access.IN_GROUP,
    "votes.decisions": Access.PUBLIC,
    "votes.decision": Access.PUBLIC,
    "votes.verify": Access.PUBLIC,
    "votes.decisions_json": Access.PUBLIC,
    "votes.decisions_csv": Access.PUBLIC,
    "votes.decisions_atom": Access.PUBLIC,
    "conventionnement.index": Access.SIGNED_IN,
    "conventionnement.propose": Access.SIGNED_IN,
    "conventionnement.point": Access.SIGNED_IN,
    "conventionnement.assign": frozenset({F, A}),
    "conventionnement.agenda": frozenset({F, A}),
    "conventionnement.export_csv": frozenset({F, A}),
    "conventionnement.export_xlsx": frozenset({F, A}),
    "conventionnement.forms": frozenset({A}),
    "conventionnement.territories_page": frozenset({A}),
    "conventionnement.territory_edit": frozenset({A}),
    # the binôme of the visit only: the routes check who is in it
    "conventionnement.section": Access.IN_GROUP,
    "conventionnement.section_save": Access.IN_GROUP,
    "conventionnement.answer": Access.IN_GROUP,
    "conventionnement.submit": Access.IN_GROUP,
    "conventionnement.photo_add": Access.IN_GROUP,
    "conventionnement.photo": Access.IN_GROUP,
    "conventionnement.offline_worker": Access.PUBLIC,
    "conventionnement.report": Access.SIGNED_IN,
    "budget.households": frozenset({T, A}),
    "budget.households_import": frozenset({T, A}),
    "budget.household_new": frozenset({T, A}),
    "budget.household": frozenset({T, A}),
    "budget.scales": frozenset({F, T, A}),
    "budget.scale": frozenset({F, T, A}),
    "budget.scale_agenda": frozenset({F, T, A}),
    # read-only: members read the scales they decide on, with today's figures
    "budget.simulator": frozenset({M, F, T, A}),
    "budget.books": frozenset({T, A}),
    "budget.grant": frozenset({T, A}),
    "budget.contribution": frozenset({T, A}),
    "budget.monthly_run": frozenset({T, A}),
    "budget.purchase_import": frozenset({T, A}),
    "budget.purchase_upload": frozenset({T, A}),
    "budget.operators": frozenset({T, A}),
    "budget.operator": frozenset({T, A}),
    "budget.funders": frozenset({T, A}),
    "budget.funder": frozenset({T, A}),
    "budget.costs": frozenset({T, A}),
    "budget.cost_paid": frozenset({T, A}),
    "budget.scenarios_page": frozenset({F, T, A}),
    "budget.scenarios_attach": frozenset({T}),
    "budget.journal": frozenset({T, A}),
    "budget.report_contributions": frozenset({T, A}),
    "budget.report_share": frozenset({T, A}),
    "budget.target": frozenset({T, A}),
    "budget.report_purchases": frozenset({T, A}),
    "budget.report_runway": frozenset({T, A}),
    "budget.transactions": frozenset({T, A}),
    "budget.transaction": frozenset({T, A}),
    "budget.close_month": frozenset({T, A}),
    "budget.reimbursement": frozenset({T, A}),
    "budget.my_household": Access.SIGNED_IN,  # their own household only: the route checks
    "home.next_for_me": Access.SIGNED_IN,  # one's own: meetings, rounds, visits, household
    # joining: anyone applies; the welcome team moves applicants and enrols them
    "joining.apply": Access.PUBLIC,
    "joining.thanks": Access.PUBLIC,
    "joining.applicants": frozenset({F, T, A}),
    "joining.applicant": frozenset({F, T, A}),
    "joining.applicant_move": frozenset({F, T, A}),
    "joining.applicant_enrol": frozenset({F, T, A}),
    "joining.invite": frozenset({F, T, A}),
    "joining.welcome": frozenset({F, T, A}),
    "joining.welcome_came": frozenset({F, T, A}),
    "joining.intake_settings": frozenset({A}),
    # one's own household's contribution; another's: see joining.policy.can_assess_for
    "joining.my_contribution": Access.SIGNED_IN,
    "joining.contribution_for": Access.IN_GROUP,
    "lottery.index": frozenset({A}),
    "lottery.lottery": frozenset({A}),
    "lottery.pool_import": frozenset({A}),
    "lottery.pool_template": frozenset({A}),
    "lottery.quotas": frozenset({A}),
    "lottery.check": frozenset({A}),
    "lottery.commit": frozenset({A}),
    "lottery.draw": frozenset({A}),
    "lottery.confirm": frozenset({A}),
    "lottery.records": Access.PUBLIC,
    "lottery.record": Access.PUBLIC,
    "lottery.record_json": Access.PUBLIC,
    "people.outbox": frozenset({A}),
    "people.audit_log": frozenset({A}),
    "people.outbox_message": frozenset({A}),
    # A job's page: whoever started it, the roles of its kind, admins (``jobs.policy``).
    "jobs.job": frozenset({F, T, A}),
    "jobs.backups": frozenset({A}),
    # evaluation: one's own profile facts; a facilitator keys them in with a member they see
    "evaluation.my_profile": Access.SIGNED_IN,
    "evaluation.my_profile_withdraw": Access.SIGNED_IN,
    "evaluation.person_profile": frozenset({F, A}),
    "evaluation.person_profile_withdraw": frozenset({F, A}),
    "evaluation.composition": Access.PUBLIC,  # aggregates only, small cells hidden
    "evaluation.participation_page": frozenset({F, T, A, E}),
    "evaluation.participation_csv": frozenset({F, T, A, E}),
    "evaluation.research": frozenset({A, E}),
    "evaluation.research_export": frozenset({A, E}),  # recorded in the audit log
    "evaluation.surveys_page": frozenset({F, A, E}),
    "evaluation.survey_results": frozenset({F, A, E}),  # counts only, nobody's own answers
    "evaluation.survey_paper": frozenset({F, A}),
    # the person the wave asks: the route answers 404 to anyone else
    "evaluation.my_surveys": Access.SIGNED_IN,
    "evaluation.survey_screen": Access.SIGNED_IN,
    "evaluation.survey_screen_save": Access.SIGNED_IN,
    "evaluation.survey_answer": Access.SIGNED_IN,  # one answer queued on the phone
}

# Endpoints a person who was just let in by a login card may reach before choosing a PIN.
BEFORE_PIN = {
    "static",
    "people.choose_pin",
    "people.logout",
    "people.set_language",
    "people.choose_language",
}
# In the cookie session of an admin or treasurer let in by their password who has no second
# factor yet: every page but its set-up (and logging out) sends them there.
ENROL_SECOND_FACTOR = "enrol_second_factor"
# In the cookie session once it has given a code of the person's app (at login or when setting
# it up). A session without it holds no role that requires the second factor: a role granted
# later sends the session to set up the app, or to log in again with its code.
SECOND_FACTOR_GIVEN = "second_factor_given"
BEFORE_SECOND_FACTOR = {
    "static",
    "people.second_factor_setup",
    "people.logout",
    "people.set_language",
    "people.choose_language",
}


def roles_today() -> set[Role]:
    """The signed-in person's roles today, computed once per request."""
    if not current_user.is_authenticated:
        return set()
    if "roles" not in g:
        from governance.people.services import current_roles

        g.roles = current_roles(current_user, date.today())
    return g.roles


def allowed(endpoint: str, roles: set[Role] | None = None, signed_in: bool | None = None) -> bool:
    rule = PERMISSIONS.get(endpoint)
    if rule is None:
        return False
    if rule is Access.PUBLIC:
        return True
    if signed_in is None:
        signed_in = current_user.is_authenticated
    if not signed_in:
        return False
    if rule in (Access.SIGNED_IN, Access.IN_GROUP):
        return True
    return bool(rule & (roles_today() if roles is None else roles))


def has_role(*roles: Role) -> bool:
    return bool(roles_today() & set(roles))


def _guard() -> Response | None:
    endpoint = request.endpoint
    if endpoint is None:  # no route matched: let the 404 / 405 handlers answer
        return None
    rule = PERMISSIONS.get(endpoint)
    if rule is None or (rule is Access.IN_GROUP and not _declared(endpoint)):
        abort(403)
    if endpoint == "static":
        return None
    if (
        current_user.is_authenticated
        and current_user.must_choose_pin
        and endpoint not in BEFORE_PIN
    ):
        return redirect(url_for("people.choose_pin"))
    if (
        current_user.is_authenticated
        and endpoint not in BEFORE_SECOND_FACTOR
        and not session.get(SECOND_FACTOR_GIVEN)
    ):
        sent = _to_second_factor()
        if sent is not None:
            return sent
    if rule is Access.PUBLIC:
        return None
    if not current_user.is_authenticated:
        from governance.web import to_login

        return to_login()
    if not allowed(endpoint):
        abort(403)
    return None


def _to_second_factor() -> Response | None:
    """Every request of a session that has not given a code, while the person holds a role
    that requires one (from the moment it is granted): set up the app first; a person who has
    one logs in again and gives its code."""
    if not (session.get(ENROL_SECOND_FACTOR) or current_user.needs_second_factor):
        return None
    here = request.full_path.rstrip("?")
    if current_user.totp_secret and not session.get(ENROL_SECOND_FACTOR):
        from flask_login import logout_user

        from governance.extensions import db
        from governance.people.auth import fresh_session
        from governance.people.services import end_login_session

        end_login_session(current_user.login_token)
        logout_user()
        fresh_session()
        db.session.commit()
        return redirect(url_for("people.login", next=here))
    session[ENROL_SECOND_FACTOR] = True
    return redirect(url_for("people.second_factor_setup", next=here))


def _declared(endpoint: str) -> bool:
    from flask import current_app

    from governance.access import declaration_of

    return declaration_of(current_app, endpoint) is not None


def init_app(app: Flask) -> None:
    from governance import access

    access.init_app(app)
    app.before_request(_guard)
    app.jinja_env.globals.update(allowed=allowed, has_role=has_role, Role=Role)

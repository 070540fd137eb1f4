"""Managing people, groups and memberships; printing login cards."""

from __future__ import annotations

from datetime import date

import segno
from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from governance import formatting
from governance.access import access, can
from governance.errors import DomainError
from governance.extensions import db
from governance.people import policy, queries, services
from governance.people.forms import (
    GROUP_KIND_LABELS,
    QUORUM_KIND_LABELS,
    ROLE_LABELS,
    ActiveForm,
    ConfirmForm,
    EndMembershipForm,
    EraseForm,
    GroupRuleForm,
    MembershipForm,
    PersonForm,
)
from governance.people.models import Group, GroupKind, Membership, Person, QuorumKind, Role
from governance.people.routes import bp
from governance.permissions import has_role
from governance.web import (
    external_url,
    form_status,
    is_htmx,
    page_number,
    page_size,
    render,
    save,
)

LABELS = {
    "role_labels": ROLE_LABELS,
    "kind_labels": GROUP_KIND_LABELS,
    "quorum_labels": QUORUM_KIND_LABELS,
}


def _is_admin() -> bool:
    return has_role(Role.ADMIN)


# --- people -------------------------------------------------------------------------------


@bp.get("/admin/personnes")
def people() -> Response:
    text = request.args.get("q", "")[:120]
    page, size = page_number(), page_size()
    found, total = queries.search_people(current_user, _is_admin(), text, page, size, date.today())
    pages = max(1, -(-total // size))
    return render(
        "people/people.html",
        block="results",
        people=found,
        total=total,
        q=text,
        page=page,
        pages=pages,
        today=date.today(),
        **LABELS,
    )


@bp.get("/admin/personnes/<int:person_id>")
@access(policy.PERSON)
def person(found: Person) -> Response:
    return _person_page(found)


def _person_page(found: Person, erase_form: EraseForm | None = None, status: int = 200) -> Response:
    return render(
        "people/person.html",
        person=found,
        card=queries.latest_card(found.id),
        active_form=ActiveForm(active=not found.active),
        erase_form=erase_form or EraseForm(formdata=None),
        today=date.today(),
        now=services.utcnow(),
        status=status,
        **LABELS,
    )


@bp.route("/admin/personnes/nouvelle", methods=["GET", "POST"])
def person_new() -> Response:
    form = PersonForm()
    created = form.validate_on_submit() and save(
        form,
        lambda: services.create_person(
            form.display_name.data,
            form.email.data,
            form.username.data,
            form.password.data or None,
        ),
    )
    if created:
        flash(_("%(name)s is registered.", name=created.display_name), "success")
        return redirect(url_for("people.person", person_id=created.id))
    return render(
        "people/person_form.html", block="form", form=form, person=None, status=form_status(form)
    )


@bp.route("/admin/personnes/<int:person_id>/modifier", methods=["GET", "POST"])
@access(policy.PERSON)
def person_edit(found: Person) -> Response:
    form = PersonForm(obj=found)

    def update() -> Person:
        services.update_person(
            found, form.display_name.data, form.username.data or found.username, form.email.data
        )
        if form.password.data:
            services.set_password(found, form.password.data)
        return found

    if form.validate_on_submit() and save(form, update):
        flash(_("The changes are saved."), "success")
        return redirect(url_for("people.person", person_id=found.id))
    return render(
        "people/person_form.html", block="form", form=form, person=found, status=form_status(form)
    )


@bp.post("/admin/personnes/<int:person_id>/actif")
@access(policy.PERSON)
def person_active(found: Person) -> Response:
    form = ActiveForm()
    if not form.validate_on_submit():
        raise DomainError(_("This form has expired. Reload the page, then send it again."))
    services.set_active(found, bool(form.active.data), by=current_user)
    db.session.commit()
    if found.active:
        flash(_("The account of %(name)s is active again.", name=found.display_name), "success")
    else:
        flash(
            _(
                "The account of %(name)s is deactivated: it is logged out everywhere.",
                name=found.display_name,
            ),
            "success",
        )
    return redirect(url_for("people.person", person_id=found.id))


@bp.post("/admin/personnes/<int:person_id>/double-verification")
@access(policy.PERSON)
def second_factor_reset(found: Person) -> Response:
    from governance.people import second_factor

    if not ConfirmForm().validate_on_submit():
        raise DomainError(_("This form has expired. Reload the page, then send it again."))
    second_factor.reset(found)
    db.session.commit()
    flash(
        _(
            "The second factor of %(name)s is reset: they set up their app at their next login.",
            name=found.display_name,
        ),
        "success",
    )
    return redirect(url_for("people.person", person_id=found.id))


@bp.post("/admin/personnes/<int:person_id>/effacer")
@access(policy.PERSON)
def person_erase(found: Person) -> Response:
    """GDPR erasure: the person is pseudonymised, their traces in the books stay anonymous."""
    from governance.people import privacy

    form = EraseForm()
    if not form.validate_on_submit():
        return _person_page(found, erase_form=form, status=422)
    if not save(form, lambda: privacy.erase(found, current_user)):
        return _person_page(found, erase_form=form, status=422)
    flash(_("The person is erased: their name and contact details are gone."), "success")
    return redirect(url_for("people.person", person_id=found.id))


@bp.post("/admin/personnes/<int:person_id>/carte")
@access(policy.PERSON, rule=policy.can_issue_card)
def login_card(found: Person) -> Response:
    """Print a new card: the code is shown this once, on this page, and only its hash is kept."""
    if not ConfirmForm().validate_on_submit():
        raise DomainError(_("This form has expired. Reload the page, then send it again."))
    code = services.issue_login_card(found, current_user)
    db.session.commit()
    url = external_url("people.card_scan", code=code)
    qr_svg = segno.make(url, error="m").svg_inline(scale=4, title=_("QR code to log in"))
    return render(
        "people/login_card.html",
        person=found,
        code=services.format_card_code(code),
        url=url,
        qr_svg=qr_svg,
        valid_days=current_app.config["LOGIN_CARD_VALID_DAYS"],
    )


# --- groups -------------------------------------------------------------------------------


@bp.get("/admin/groupes")
def groups() -> Response:
    """Admins see every group, a facilitator the groups they run (as on a group's page)."""
    rows = queries.groups_with_counts(date.today())
    mine = [(group, count) for group, count in rows if can("see_group", group)]
    return render("people/groups.html", groups=mine, **LABELS)


def _membership_form() -> MembershipForm:
    form = MembershipForm()
    form.person_id.choices = queries.people_choices()
    if not form.is_submitted():
        form.starts_on.data = date.today()
    return form


def _group_page(
    group: Group,
    form: MembershipForm,
    status: int = 200,
    end_form: EndMembershipForm | None = None,
    end_for: int | None = None,
) -> Response:
    return render(
        "people/group.html",
        block="members",
        group=group,
        form=form,
        memberships=queries.group_memberships(group.id),
        end_form=end_form or EndMembershipForm(formdata=None, ends_on=date.today()),
        end_for=end_for,
        today=date.today(),
        status=status,
        **LABELS,
    )


@bp.get("/admin/groupes/<int:group_id>")
@access(policy.GROUP)
def group(group: Group) -> Response:
    return _group_page(group, _membership_form())


def _save_group_form(group: Group | None) -> Response:
    form = GroupRuleForm(obj=group)
    if group is not None and not form.is_submitted():
        form.kind.data, form.quorum_kind.data = group.kind.value, group.quorum_kind.value
        form.fallback.data = (
            f"{group.fallback_numerator}/{group.fallback_denominator}" if group.has_fallback else ""
        )
    if form.validate_on_submit():
        num, _slash, den = form.fallback.data.partition("/")
        rule = services.DecisionRule(
            allow_concern=form.allow_concern.data,
            allow_abstention=form.allow_abstention.data,
            rounds_before_fallback=form.rounds_before_fallback.data,
            fallback=(int(num), int(den)) if num else None,
            decide_without_quorum=form.decide_without_quorum.data,
            allow_online_consent=form.allow_online_consent.data,
            check_in_minutes_before=(
                30
                if form.check_in_minutes_before.data is None
                else form.check_in_minutes_before.data
            ),
        )
        saved = save(
            form,
            lambda: services.save_group(
                group,
                form.name.data,
                GroupKind(form.kind.data),
                form.description.data or "",
                QuorumKind(form.quorum_kind.data),
                form.quorum_value.data,
                form.code.data,
                rule,
            ),
        )
        if saved is not None:
            flash(_("The group %(name)s is saved.", name=saved.name), "success")
            return redirect(url_for("people.group", group_id=saved.id))
    return render(
        "people/group_form.html", block="form", form=form, group=group, status=form_status(form)
    )


@bp.route("/admin/groupes/nouveau", methods=["GET", "POST"])
def group_new() -> Response:
    return _save_group_form(None)


@bp.route("/admin/groupes/<int:group_id>/modifier", methods=["GET", "POST"])
@access(policy.GROUP)
def group_edit(group: Group) -> Response:
    return _save_group_form(group)


@bp.post("/admin/groupes/<int:group_id>/membres")
@access(policy.GROUP)
def membership_add(group: Group) -> Response:
    form = _membership_form()
    if form.validate_on_submit():
        person = db.session.get(Person, form.person_id.data)

        def add() -> Membership:
            if person is None:
                raise DomainError(_("This person does not exist."), field="person_id")
            return services.add_membership(
                person, group, Role(form.role.data), form.starts_on.data, form.ends_on.data
            )

        if save(form, add):
            flash(
                _(
                    "%(name)s is added to the group as %(role)s.",
                    name=person.display_name,
                    role=ROLE_LABELS[Role(form.role.data)],
                ),
                "success",
            )
            return (
                _group_page(group, _membership_form())
                if is_htmx()
                else redirect(url_for("people.group", group_id=group.id))
            )
    return _group_page(group, form, status=form_status(form))


@bp.post("/admin/adhesions/<int:membership_id>/fin")
def membership_end(membership_id: int) -> Response:
    membership = db.session.get(Membership, membership_id)
    if membership is None:
        abort(404)
    form = EndMembershipForm()
    if not (
        form.validate_on_submit()
        and save(form, lambda: services.end_membership(membership, form.ends_on.data))
    ):
        return _group_page(membership.group, _membership_form(), 422, form, membership.id)
    flash(
        _(
            "The role of %(name)s ends on %(day)s.",
            name=membership.person.display_name,
            day=formatting.date(form.ends_on.data),
        ),
        "success",
    )
    return redirect(url_for("people.group", group_id=membership.group_id))


# --- the audit log ------------------------------------------------------------------------


@bp.get("/admin/journal")
def audit_log() -> Response:
    from governance import audit

    page, size = page_number(), page_size()
    found, total = audit.events(page, size)
    return render("people/audit_log.html", events=found, total=total, page=page, size=size)


# --- the outbox ---------------------------------------------------------------------------


@bp.get("/admin/courriels")
def outbox() -> Response:
    return render("people/outbox.html", outbox_messages=queries.outbox(200))


@bp.get("/admin/courriels/<int:message_id>")
def outbox_message(message_id: int) -> Response:
    from governance.mail import OutboxMessage

    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    return render("people/outbox_message.html", message=message)

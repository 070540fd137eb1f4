"""Profile facts and consent, the composition against the aim, participation over time, and
the research export."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from governance.access import access
from governance.evaluation import labels, policy, queries, services
from governance.evaluation.forms import ConfirmForm, ProfileForm
from governance.evaluation.models import AgeBand, CameBy, FoodAid, Gender, Profile
from governance.people import policy as people_policy
from governance.people.models import Person
from governance.web import cacheable, form_status, render, save

bp = Blueprint("evaluation", __name__, template_folder="templates")

ENUMS: dict[str, Any] = {
    "age_band": AgeBand,
    "gender": Gender,
    "food_aid": FoodAid,
    "came_by": CameBy,
}


@bp.app_context_processor
def _labels() -> dict[str, object]:
    return {"evaluation_labels": labels, "evaluation_min_cell": policy.MIN_CELL}


def _facts(form: ProfileForm) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for name, kind in ENUMS.items():
        raw = getattr(form, name).data
        facts[name] = kind(raw) if raw else None
    for name in ("household_size", "income_bracket"):
        raw = getattr(form, name).data
        facts[name] = int(raw) if raw else None
    return facts


def _fill(form: ProfileForm, profile: Profile | None) -> None:
    if profile is None or form.is_submitted():
        return
    for name in Profile.FACTS:
        value = getattr(profile, name)
        getattr(form, name).data = "" if value is None else str(getattr(value, "value", value))
    form.research_consent.data = profile.research_consent


def _profile_page(person: Person, keyed: bool, action: str) -> Response:
    profile = services.profile_of(person)
    form = ProfileForm()
    if not keyed:  # a facilitator never reads the answers: they key in new ones, with the member
        _fill(form, profile)
    by = current_user._get_current_object() if keyed else None
    saved = form.validate_on_submit() and save(
        form,
        lambda: services.save_profile(person, _facts(form), form.research_consent.data, by),
    )
    if saved:
        flash(_("Thank you: your answers are saved.") if not keyed else _("Saved."), "success")
        return redirect(action)
    return render(
        "evaluation/profile.html",
        block="form",
        form=form,
        person=person,
        profile=profile,
        keyed=keyed,
        action=action,
        withdraw_form=ConfirmForm(formdata=None),
        status=form_status(form),
    )


@bp.route("/compte/profil", methods=["GET", "POST"])
def my_profile() -> Response:
    return _profile_page(current_user._get_current_object(), False, url_for(".my_profile"))


@bp.post("/compte/profil/retirer")
def my_profile_withdraw() -> Response:
    form = ConfirmForm()
    if form.validate_on_submit() and save(
        form, lambda: services.withdraw(current_user._get_current_object()) or True
    ):
        flash(_("Your answers and your consent are withdrawn: nothing of them is kept."), "success")
    return redirect(url_for(".my_profile"))


@bp.route("/admin/personnes/<int:person_id>/profil", methods=["GET", "POST"])
@access(people_policy.PERSON)
def person_profile(found: Person) -> Response:
    """A facilitator keys in the facts with a member who has no phone (the member decides)."""
    return _profile_page(found, True, url_for(".person_profile", person_id=found.id))


@bp.post("/admin/personnes/<int:person_id>/profil/retirer")
@access(people_policy.PERSON)
def person_profile_withdraw(found: Person) -> Response:
    form = ConfirmForm()
    if form.validate_on_submit() and save(form, lambda: services.withdraw(found) or True):
        flash(_("The answers and the consent are withdrawn."), "success")
    return redirect(url_for(".person_profile", person_id=found.id))


# --- composition against the aim -----------------------------------------------------------


@bp.get("/composition")
@cacheable()
def composition() -> Response:
    today = date.today()
    return render(
        "evaluation/composition.html",
        committees=[queries.committee_composition(g, today) for g in queries.committees()],
        households=queries.households_composition(),
    )

"""The profile pages: one's own, or keyed in by a facilitator who never reads the answers;
bad input comes back with 422 and what was chosen."""

from __future__ import annotations

from governance.evaluation.models import AgeBand, Profile
from governance.extensions import db
from governance.people.models import Role
from tests import factories

ANSWERS = {
    "age_band": "40_54",
    "gender": "",
    "household_size": "3",
    "income_bracket": "1",
    "food_aid": "yes",
    "came_by": "",
    "research_consent": "y",
}


def test_a_member_saves_and_reads_back_their_answers(client) -> None:  # type: ignore[no-untyped-def]
    member = factories.with_role(Role.MEMBER)
    factories.login(client, member)
    assert client.get("/compte/profil").status_code == 200
    response = client.post_form("/compte/profil", ANSWERS)
    assert response.status_code == 302
    profile = db.session.get(Profile, member.id)
    assert profile.age_band is AgeBand.FROM_40_TO_54
    assert profile.gender is None and profile.household_size == 3 and profile.research_consent
    assert profile.keyed_by_id is None
    page = client.get("/compte/profil").get_data(as_text=True)
    assert 'checked id="age_band-3" name="age_band" type="radio" value="40_54"' in page


def test_a_forged_choice_is_refused_with_what_was_chosen(client) -> None:  # type: ignore[no-untyped-def]
    member = factories.with_role(Role.MEMBER)
    factories.login(client, member)
    response = client.post_form("/compte/profil", dict(ANSWERS, income_bracket="99"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "error-summary" in page
    assert db.session.get(Profile, member.id) is None
    htmx = client.post_form(
        "/compte/profil", dict(ANSWERS, age_band="999"), headers={"HX-Request": "true"}
    )
    assert htmx.status_code == 422
    assert "<html" not in htmx.get_data(as_text=True)


def test_a_facilitator_keys_in_for_their_member_without_reading_the_answers(client) -> None:  # type: ignore[no-untyped-def]
    group = factories.group()
    facilitator, member, stranger = factories.person(), factories.person(), factories.person()
    factories.membership(facilitator, group, Role.FACILITATOR)
    factories.membership(member, group)
    factories.membership(stranger, factories.group())
    factories.login(client, facilitator)
    response = client.post_form(f"/admin/personnes/{member.id}/profil", ANSWERS)
    assert response.status_code == 302
    assert db.session.get(Profile, member.id).keyed_by_id == facilitator.id
    page = client.get(f"/admin/personnes/{member.id}/profil").get_data(as_text=True)
    assert 'checked id="age_band-3"' not in page  # never shown to the facilitator
    assert "a déjà répondu" in page
    assert client.get(f"/admin/personnes/{stranger.id}/profil").status_code == 404
    assert client.post_form(f"/admin/personnes/{stranger.id}/profil", ANSWERS).status_code == 404
    assert db.session.get(Profile, stranger.id) is None
    response = client.post_form(f"/admin/personnes/{member.id}/profil/retirer", {})
    assert response.status_code == 302
    assert db.session.get(Profile, member.id) is None

"""A scale put on the agenda carries a frozen copy of its simulation: the simulator's figures
for the same inputs, kept as they were; every member of the deciding group reads it on the
proposal page."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from datetime import date

from governance.budget import rules, services
from governance.budget.models import HouseholdStatus, ScaleLink
from governance.extensions import db
from governance.people.models import GroupKind, Role
from governance.sessions.models import MeetingStatus
from governance.votes import services as votes
from governance.votes.models import DecisionKind
from tests import factories


def _household(adults: int, children: int, bracket: int, paid: int) -> None:
    services.save_household(
        None,
        adults=adults,
        teens=0,
        children=children,
        income_bracket=bracket,
        contribution_cents=paid,
        starts_on=date(2026, 1, 1),
        status=HouseholdStatus.ACTIVE,
    )


def _scale_on_agenda():  # type: ignore[no-untyped-def]
    committee = factories.group(kind=GroupKind.COMMITTEE)
    member, facilitator = factories.person(), factories.person()
    factories.membership(member, committee, starts_on=date(2025, 1, 1))
    factories.membership(facilitator, committee, Role.FACILITATOR, starts_on=date(2025, 1, 1))
    meeting = factories.meeting(committee, status=MeetingStatus.CONVENED)
    lyon = rules.PRESETS["lyon8"]
    scale = services.save_scale(None, "Lyon 8e", lyon["allocation"], lyon["contribution"], None)
    item = services.put_on_agenda(scale, meeting, date(2027, 1, 1))
    proposal = votes.attach_proposal(
        item,
        "Barème Lyon 8e",
        "Adopter le barème.",
        facilitator,
        DecisionKind.CONTRIBUTION_SCALE,
    )
    return scale, item, proposal, member


def test_the_frozen_simulation_is_the_simulators_and_does_not_move() -> None:
    for adults, children, bracket, paid in [(1, 0, 0, 100), (1, 2, 2, 3000), (2, 2, 4, 0)]:
        _household(adults, children, bracket, paid)
    scale, item, _proposal, _member = _scale_on_agenda()
    frozen = db.session.get(ScaleLink, item.id).simulation
    expected = rules.simulate(scale.allocation, scale.contribution, services.population())
    assert frozen["outcome"] == asdict(expected)
    assert frozen["population"] == "households" and expected.households == 3
    assert frozen["examples"][0] == {
        "adults": 1,
        "teens": 0,
        "children": 0,
        "bracket": 1,
        "allocation": 15000,
        "contribution": 1500,
    }
    _household(1, 0, 6, 0)  # a household enrolled later changes the simulator, not the copy
    db.session.flush()
    assert services.frozen_for_item(item.id).outcome == expected
    assert rules.simulate(scale.allocation, scale.contribution, services.population()) != expected


def test_the_frozen_figures_equal_the_simulators_csv(client) -> None:  # type: ignore[no-untyped-def]
    for adults, children, bracket, paid in [(1, 0, 1, 500), (2, 1, 3, 9000), (1, 3, 0, 100)]:
        _household(adults, children, bracket, paid)
    scale, item, _proposal, _member = _scale_on_agenda()
    frozen = services.frozen_for_item(item.id).outcome
    factories.login(client, factories.with_role(Role.TREASURER))
    response = client.get(f"/budget/simulateur?bareme={scale.id}&population=households&format=csv")
    row = next(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert int(row["households"]) == frozen.households
    cents = lambda text: round(float(text) * 100)  # noqa: E731
    assert cents(row["allocations_eur"]) == frozen.allocations
    assert cents(row["contributions_eur"]) == frozen.contributions
    assert cents(row["outside_eur_month"]) == frozen.outside_needed
    assert (int(row["paying_more"]), int(row["paying_less"])) == (
        frozen.paying_more,
        frozen.paying_less,
    )
    assert [cents(row[f"decile_{n}_net_eur"]) for n in range(1, 11)] == frozen.decile_net


def test_a_plain_member_reads_it_on_the_proposal_page(client) -> None:  # type: ignore[no-untyped-def]
    _household(1, 0, 1, 500)
    _scale, _item, proposal, member = _scale_on_agenda()
    factories.login(client, member)
    page = client.get(f"/propositions/{proposal.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert (
        "Une personne seule, avec 600\u00a0€ – 900\u00a0€ par mois et par unité de consommation"
        in html
    )
    assert "reçoit 150,00\u00a0MonA par mois et cotise 15,00\u00a0€." in html
    assert "D10" in html and "/budget/simulateur?bareme=" in html
    assert client.get(f"/budget/simulateur?bareme={_scale.id}").status_code == 200
    client.post_form("/deconnexion", {})
    factories.login(client, factories.person())
    assert client.get(f"/propositions/{proposal.id}").status_code == 404


def test_without_households_it_simulates_the_synthetic_population() -> None:
    _scale, item, _proposal, _member = _scale_on_agenda()
    frozen = services.frozen_for_item(item.id)
    assert frozen.synthetic and frozen.outcome.households > 900

"""A realistic demo caisse, modelled on Montpellier's committee and Lyon 8e's CALIM.

The citizen committee has 61 inhabitants (Montpellier), a neighbourhood committee has about 30
(CALIM 8), and two working groups prepare the scale and the approval of points of sale. About a
third of the members have no e-mail address: they log in with a printed card and a PIN.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date

from governance.budget import bulk, rules
from governance.budget import services as budget
from governance.budget.models import HouseholdStatus, ScaleStatus
from governance.conventionnement import services as pos_services
from governance.conventionnement import territories
from governance.conventionnement.models import LinkAction, PointOfSale, PosKind, PosLink
from governance.extensions import db
from governance.people import services
from governance.people.models import GroupKind, Person, QuorumKind, Role
from governance.sessions import services as meetings
from governance.sessions.models import AttendanceStatus, ItemKind, MeetingStatus
from governance.votes import services as votes
from governance.votes.models import DecisionKind, Value

DEMO_PASSWORD = "tablee-demo-2026"  # noqa: S105 — published on purpose in the README
DEMO_CARD_CODE = "TABLEE26"
DEMO_PIN_USER, DEMO_PIN = "ahmed.benali", "583946"

FIRST_NAMES = [
    "Aïcha",
    "Alain",
    "Amadou",
    "Amélie",
    "Anne",
    "Antoine",
    "Awa",
    "Bernard",
    "Brigitte",
    "Catherine",
    "Céline",
    "Christian",
    "Claire",
    "Daniel",
    "Djamila",
    "Élodie",
    "Émile",
    "Fabienne",
    "Farid",
    "Françoise",
    "Gérard",
    "Hafsa",
    "Hélène",
    "Hugo",
    "Isabelle",
    "Jacques",
    "Jamila",
    "Jean",
    "Joël",
    "Julie",
    "Kadiatou",
    "Laurent",
    "Léa",
    "Leïla",
    "Louise",
    "Lucas",
    "Malik",
    "Mamadou",
    "Marie",
    "Mariama",
    "Maryse",
    "Mathieu",
    "Michel",
    "Mohamed",
    "Monique",
    "Nadia",
    "Nathalie",
    "Nicolas",
    "Noémie",
    "Omar",
    "Pascal",
    "Paulette",
    "Rachid",
    "Rose",
    "Samia",
    "Sandrine",
    "Sébastien",
    "Sylvie",
    "Thierry",
    "Valérie",
    "Yasmina",
    "Youssef",
    "Zohra",
    "Manon",
    "Kevin",
    "Sonia",
    "Théo",
    "Lina",
    "Ibrahim",
    "Chantal",
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "Andre",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Benali",
    "Haddad",
    "Diallo",
    "Traoré",
    "Ndiaye",
    "Cissé",
    "Mansouri",
    "Bouzid",
    "Ferreira",
    "Da Silva",
    "Nguyen",
    "Tran",
    "Rahmani",
    "Khelifi",
    "Meziane",
    "Camara",
    "Sanchez",
    "Lopez",
    "Fontaine",
    "Chevalier",
    "Blanc",
    "Guerin",
    "Muller",
    "Henry",
    "Rousseau",
]

COMMITTEE_SIZE = 61
LOCAL_COMMITTEE_SIZE = 30


def _named(
    display_name: str, username: str, email: str | None, password_hash: str | None
) -> Person:
    person = services.create_person(display_name, email=email, username=username)
    if email and password_hash:
        person.secret_hash = password_hash
        person.secret_kind = services.SecretKind.PASSWORD
    return person


def _random_people(rng: random.Random, count: int, password_hash: str) -> list[Person]:
    names: set[str] = set()
    people = []
    while len(people) < count:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        if name in names:
            continue
        names.add(name)
        with_email = rng.random() > 0.35
        username = services.suggest_username(name)
        email = f"{username}@exemple.org" if with_email else None
        people.append(_named(name, username, email, password_hash if with_email else None))
    return people


def load_demo(seed: int = 2026) -> str:
    """Create the demo groups and people; flushes, the caller commits."""
    rng = random.Random(seed)  # noqa: S311 — demo names, not secrets
    password_hash = services.hash_secret(DEMO_PASSWORD)
    start = date(2025, 9, 6)

    committee = services.save_group(
        None,
        "Comité citoyen de l'alimentation",
        GroupKind.COMMITTEE,
        "Le comité de 61 habitant·es qui gouverne la caisse : conventionnement des points de "
        "vente, barème des cotisations, usage de l'argent. Une séance par mois, le samedi matin.",
        QuorumKind.PERCENT,
        40,
        "CCA",
        services.DecisionRule(rounds_before_fallback=2, fallback=(2, 3)),
    )
    calim = services.save_group(
        None,
        "CALIM 8 — comité local",
        GroupKind.LOCAL_COMMITTEE,
        "Comité local d'une trentaine d'habitant·es bénévoles du quartier.",
        QuorumKind.COUNT,
        10,
        "CALIM8",
        services.DecisionRule(allow_abstention=False, rounds_before_fallback=3),
    )
    scale_wg = services.save_group(
        None,
        "Groupe de travail Barème",
        GroupKind.WORKING_GROUP,
        "Prépare les propositions de barème des cotisations et d'allocation.",
        QuorumKind.PERCENT,
        50,
    )
    pos_wg = services.save_group(
        None,
        "Groupe de travail Conventionnement",
        GroupKind.WORKING_GROUP,
        "Prépare les questionnaires, les grilles d'analyse et les visites en binôme.",
        QuorumKind.PERCENT,
        50,
    )

    admin = _named("Inès Moreau", "ines.moreau", "admin@tablee.example", password_hash)
    facilitator = _named("Karim Haddad", "karim.haddad", "animation@tablee.example", password_hash)
    treasurer = _named(
        "Martine Dubois", "martine.dubois", "tresorerie@tablee.example", password_hash
    )
    member = _named("Fatou Diallo", "fatou.diallo", "membre@tablee.example", password_hash)
    local_facilitator = _named(
        "Sophie Lambert", "sophie.lambert", "calim@tablee.example", password_hash
    )
    # The admin and the treasurer have the second factor on, with the demo's published secret
    # (`flask --app governance demo-code` shows the code to type).
    from governance.people.second_factor import DEMO_SECRET

    admin.totp_secret = treasurer.totp_secret = DEMO_SECRET
    card_member = _named("Josiane Petit", "josiane.petit", None, None)
    pin_member = _named("Ahmed Benali", DEMO_PIN_USER, None, None)
    services.set_pin(pin_member, DEMO_PIN)
    services.issue_login_card(card_member, facilitator, code=DEMO_CARD_CODE)

    named = [admin, facilitator, treasurer, member, card_member, pin_member]
    others = _random_people(
        rng, COMMITTEE_SIZE - len(named) + LOCAL_COMMITTEE_SIZE - 5, password_hash
    )
    committee_members = named + others[: COMMITTEE_SIZE - len(named)]
    local_only = others[COMMITTEE_SIZE - len(named) :]
    # A few inhabitants sit on both the committee and their neighbourhood's local committee.
    local_members = [local_facilitator, *local_only, *committee_members[6:10]]

    for person in committee_members:
        services.add_membership(
            person,
            committee,
            Role.MEMBER,
            start + timedelta(days=rng.choice([0, 0, 0, 28, 63, 91])),
        )
    for person in local_members:
        services.add_membership(person, calim, Role.MEMBER, date(2025, 3, 1))
    # Three members left the committee in the spring: their membership ended, history kept.
    for person in committee_members[-3:]:
        person.memberships[0].ends_on = date(2026, 4, 30)

    services.add_membership(admin, committee, Role.ADMIN, start)
    services.add_membership(facilitator, committee, Role.FACILITATOR, start)
    services.add_membership(
        committee_members[7], committee, Role.FACILITATOR, start, date(2026, 1, 31)
    )  # roles rotate: an earlier facilitator
    services.add_membership(committee_members[8], committee, Role.FACILITATOR, date(2026, 2, 1))
    services.add_membership(treasurer, committee, Role.TREASURER, start)
    services.add_membership(local_facilitator, calim, Role.FACILITATOR, date(2025, 3, 1))
    for person in [treasurer, *committee_members[10:17]]:
        services.add_membership(person, scale_wg, Role.MEMBER, date(2025, 10, 1))
    for person in [member, *committee_members[17:26]]:
        services.add_membership(person, pos_wg, Role.MEMBER, date(2025, 10, 1))
    db.session.flush()
    # Two territories, each with its committee: the citizen committee's, and Lyon 8e, where
    # CALIM 8 visits and approves its own places.
    territories.save_territory(None, "Montpellier — Arceaux, Lez", committee, [])
    lyon = territories.save_territory(None, "Lyon 8e", calim, [])
    pos_services.ensure_defaults()
    lyon_places = _lyon_places(calim, local_members, local_facilitator)
    welcome = _demo_meetings(committee, calim, facilitator, committee_members, local_facilitator)
    # Every inhabitant of the demo takes part in the caisse: each has a household of their own.
    _demo_budget(rng, treasurer, [*named, local_facilitator, *others], lyon.id)
    _demo_ledger(rng, lyon_places)
    _demo_scale_on_agenda(committee, treasurer)
    _demo_joining(facilitator, welcome)
    # Last, so that the draws above are those of before: what members chose to tell.
    _demo_profiles(rng, committee, committee_members, card_member, facilitator, password_hash)
    _fresh_statistics()
    return (
        f"{len(committee_members)} committee members, {len(local_members)} in the local "
        f"committee, {len(named) + len(others) + 2} people in all"  # + local facilitator, evaluator
    )


def _fresh_statistics() -> None:
    """PostgreSQL plans queries from each table's statistics, refreshed by its autovacuum only
    after a commit: a table it last saw as pages of deleted rows and no live one is planned as
    holding one row, and a report joining the ledger's tables then runs for minutes instead of
    milliseconds. After loading thousands of rows, the statistics are taken at once (ANALYZE
    counts the rows of the current transaction, committed or not)."""
    db.session.flush()
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("ANALYZE")


PARIS = ZoneInfo("Europe/Paris")
AGENDA = [
    (ItemKind.INFORMATION, "Accueil, tour de météo et rappel des règles", 15),
    (ItemKind.CONVENTIONNEMENT, "Conventionnement : Biocoop Les Arceaux (rapport du binôme)", 40),
    (ItemKind.DECISION, "Ouverture d'un deuxième marché de producteurs le samedi", 30),
    (ItemKind.CONTRIBUTION_SCALE, "Barème 2027 : présentation des trois propositions", 45),
    (ItemKind.DISCUSSION, "Bilan de la distribution de novembre", 20),
]
MINUTES = {
    ItemKind.INFORMATION: "Tour de météo. Rappel des règles du consentement.",
    ItemKind.CONVENTIONNEMENT: "Le binôme a visité la Biocoop le 12 septembre : 78 points sur "
    "100, aucun critère éliminatoire. Conventionnement adopté au consentement, une réserve "
    "sur les prix des fruits.",
    ItemKind.DECISION: "Proposition adoptée sans objection. Mise en place à partir de janvier.",
    ItemKind.CONTRIBUTION_SCALE: "Les trois propositions seront simulées par le groupe de "
    "travail Barème.",
    ItemKind.DISCUSSION: "Les achats de novembre se répartissent sur 19 points de vente.",
}


def _meeting(group, by, title, when, items, place="Maison pour tous Léo-Lagrange"):  # type: ignore[no-untyped-def]
    meeting = meetings.create_meeting(group, title, when.astimezone(UTC), 180, place, by)
    for kind, item_title, minutes in items:
        meetings.add_item(meeting, meeting.agenda_version, kind, item_title, "", None, minutes)
    return meeting


def _held(meeting, by, present):  # type: ignore[no-untyped-def]
    """Convene, open, take presence, write minutes, close: history, on the meeting's dates."""
    convened = meeting.starts_at - timedelta(days=10)
    meetings.transition(meeting, MeetingStatus.CONVENED, by, now=convened)
    meeting.notified_version = meeting.agenda_version
    meetings.transition(meeting, MeetingStatus.OPEN, by, now=meeting.starts_at)
    for person in present:
        meetings.mark_attendance(meeting, person, AttendanceStatus.PRESENT, by)
    for item in meeting.items:
        if item.kind in (ItemKind.DECISION, ItemKind.CONVENTIONNEMENT):
            _decided(item, by, present)
    closed = meeting.starts_at + timedelta(hours=3)
    meetings.transition(meeting, MeetingStatus.CLOSED, by, now=closed)
    meetings.save_minutes(meeting, {i.id: MINUTES[i.kind] for i in meeting.items})


def _demo_meetings(committee, calim, facilitator, members, local_facilitator):  # type: ignore[no-untyped-def]
    """The committee's sessions; returns CALIM 8's coming meeting (newcomers are welcomed there)."""
    october = _meeting(
        committee,
        facilitator,
        "Séance mensuelle d'octobre",
        datetime(2026, 10, 3, 9, 30, tzinfo=PARIS),
        AGENDA,
    )
    meeting_roles(october, facilitator, members[8], members[9])
    _visited_and_linked(committee, members, october, facilitator)
    _held(october, facilitator, members[:31])
    meetings.review_minutes(october, facilitator)
    meetings.transition(october, MeetingStatus.PUBLISHED, facilitator)

    november = _meeting(
        committee,
        facilitator,
        "Séance mensuelle de novembre",
        datetime(2026, 11, 7, 9, 30, tzinfo=PARIS),
        AGENDA[:1] + AGENDA[3:],
    )
    meeting_roles(november, members[8], members[10], members[11])
    _held(november, facilitator, members[2:30])

    # The coming session is today, so that whoever tries the demo can open it and live it
    # (a meeting opens only on its own day).
    today = datetime.now(PARIS).date()
    december = _meeting(
        committee,
        facilitator,
        f"Séance mensuelle de {format_date(today, 'MMMM', locale='fr')}",
        datetime.combine(today, time(9, 30), tzinfo=PARIS),
        AGENDA,
    )
    meeting_roles(december, facilitator, members[12], members[13])
    meetings.transition(december, MeetingStatus.CONVENED, facilitator)
    _more_points_of_sale(committee, members, facilitator)
    december.notified_version = december.agenda_version

    return _meeting(
        calim,
        local_facilitator,
        "Réunion du comité local",
        datetime(2026, 12, 10, 18, 30, tzinfo=PARIS),
        AGENDA[:1] + AGENDA[4:],
        place="Centre social Mermoz",
    )


def _decided(item, by, present) -> None:  # type: ignore[no-untyped-def]
    """A proposal adopted by consent in one round, with one recorded concern."""
    kind = (
        DecisionKind.CONVENTIONNEMENT
        if item.kind is ItemKind.CONVENTIONNEMENT
        else DecisionKind.GENERAL
    )
    proposal = votes.attach_proposal(
        item,
        *PROPOSALS[item.kind],
        present[1],
        kind,
        effect="Le point de vente est conventionné pour deux ans."
        if kind is DecisionKind.CONVENTIONNEMENT
        else "",
        by=by,
    )
    item.meeting.current_item_id = item.id
    round_ = votes.open_round(proposal)
    for n, person in enumerate(present):
        if n == 2:
            votes.give_position(round_, person, Value.CONCERN, "Veiller aux prix des fruits.")
        else:
            votes.give_position(round_, person, Value.CONSENT)
    votes.close_round(round_)


PROPOSALS = {
    ItemKind.CONVENTIONNEMENT: (
        "Conventionnement de la Biocoop Les Arceaux",
        "La Biocoop Les Arceaux est conventionnée : les participant·es peuvent y payer en "
        "MonA. Le conventionnement sera revu dans deux ans.",
    ),
    ItemKind.DECISION: (
        "Un deuxième marché de producteurs le samedi",
        "Un deuxième marché de producteurs accepte la MonA le samedi matin, place Carnot, à "
        "partir de janvier.",
    ),
}


def _visit(pos, people, day, opinion, schedule):  # type: ignore[no-untyped-def]
    """A binôme answers every question (the first choice, or a note) and sends it."""
    visit = pos_services.assign_visit(pos, people, day, people[0])
    for section in visit.questionnaire.definition["sections"]:
        for n, question in enumerate(section["questions"]):
            value = (
                question["choices"][1 if question["code"] == "chain" else 0]["value"]
                if question["type"] == "choice"
                else "Très bon accueil, produits frais."
            )
            pos_services.record_answer(
                visit, people[n % 2], question["code"], value, f"demo-{visit.id}-{question['code']}"
            )
    pos_services.submit(visit, people[0], "favourable", opinion, schedule=schedule)
    return visit


def _visited_and_linked(committee, members, october, facilitator) -> None:  # type: ignore[no-untyped-def]
    """The Biocoop was visited in September and decided at October's session."""
    pos_services.ensure_defaults()
    biocoop = pos_services.propose(
        committee,
        members[3],
        "Biocoop Les Arceaux",
        PosKind.SHOP,
        address="12 boulevard des Arceaux",
        neighbourhood="Arceaux",
        sells="Épicerie bio, vrac, fruits et légumes",
        why="Beaucoup de produits locaux.",
        opening_days="1,2,3,4,5,6",
    )
    visit = _visit(
        biocoop,
        [members[3], members[20]],
        date(2026, 9, 12),
        "Accueil très ouvert, prix à surveiller.",
        schedule=False,
    )
    item = next(i for i in october.items if i.kind is ItemKind.CONVENTIONNEMENT)
    db.session.add(
        PosLink(item_id=item.id, pos_id=biocoop.id, action=LinkAction.APPROVE, visit_id=visit.id)
    )
    db.session.flush()


def _more_points_of_sale(committee, members, facilitator) -> None:  # type: ignore[no-untyped-def]
    pos_services.propose(
        committee,
        members[5],
        "Épicerie solidaire du Lez",
        PosKind.GROCERY,
        address="3 rue du Lez",
        neighbourhood="Lez",
        why="Les prix sont bas et l'accueil très bon.",
        opening_days="2,4,6",
    )
    farm = pos_services.propose(
        committee,
        members[4],
        "Ferme des Garrigues",
        PosKind.PRODUCER,
        address="Marché des Arceaux, le mardi",
        sells="Légumes, œufs",
        why="Maraîchère en agroécologie à 20 km.",
        opening_days="2",
    )
    pos_services.assign_visit(farm, [members[3], members[5]], date(2026, 12, 1), facilitator)
    bakery = pos_services.propose(
        committee,
        members[6],
        "Boulangerie Pain d'Épices",
        PosKind.BAKERY,
        address="8 place Carnot",
        why="Farines locales, pain au levain.",
        opening_days="2,3,4,5,6,7",
    )
    _visit(
        bakery,
        [members[6], members[22]],
        date(2026, 11, 14),
        "Pain excellent, farines du Lauragais.",
        schedule=True,
    )


# What the households declared (the draw kept as it was, for the draws after it): from 10 € to
# 150 € a month, so that contributions reach about 25 % of allocations (Lyon 8e: 30 % targeted).
CONTRIBUTIONS = {100: 10_00, 500: 40_00, 1000: 75_00, 2000: 110_00, 4000: 150_00}


def _demo_budget(
    rng: random.Random, treasurer: Person, people: list[Person], territory_id: int
) -> None:
    """108 households like CALIM 8's first year, in its territory, Lyon's scale in force, two
    proposals; the first ones are the demo's people's own (the others have no account)."""
    shapes = (
        [(1, 0, 0)] * 40 + [(2, 0, 0)] * 20 + [(1, 0, 2)] * 18 + [(2, 0, 2)] * 20 + [(2, 1, 3)] * 10
    )
    for n, (adults, teens, children) in enumerate(shapes, start=1):
        bracket = min(6, int(rng.triangular(0, 6, 1.5)))
        household = budget.save_household(
            None,
            reference=f"F-{n:05d}",
            adults=adults,
            teens=teens,
            children=children,
            income_bracket=bracket,
            contribution_cents=CONTRIBUTIONS[rng.choice([100, 500, 1000, 2000, 4000])],
            starts_on=date(2025, 9, 1),
            status=HouseholdStatus.ACTIVE,
            territory_id=territory_id,
        )
        if n <= len(people):
            household.person_id = people[n - 1].id
    lyon = rules.PRESETS["lyon8"]
    adopted = budget.save_scale(
        None, "Barème 2026 (Lyon 8e)", lyon["allocation"], lyon["contribution"], treasurer
    )
    adopted.status, adopted.effective_month = ScaleStatus.ACTIVE, date(2026, 1, 1)
    for key in ("montpellier", "ariege"):
        preset = rules.PRESETS[key]
        budget.save_scale(
            None,
            f"Proposition 2027 : {preset['name']}",
            preset["allocation"],
            preset["contribution"],
            treasurer,
        )


def _demo_scale_on_agenda(committee, treasurer) -> None:  # type: ignore[no-untyped-def]
    """The coming session's scale item carries the Montpellier-like proposal and its frozen
    simulation on the 108 households, which every member reads on the proposal's page."""
    from sqlalchemy import select

    from governance.budget.models import Scale, ScaleLink
    from governance.sessions.models import AgendaItem, Meeting

    item = db.session.scalar(
        select(AgendaItem)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(
            Meeting.group_id == committee.id,
            Meeting.status == MeetingStatus.CONVENED,
            AgendaItem.kind == ItemKind.CONTRIBUTION_SCALE,
        )
    )
    scale = db.session.scalar(select(Scale).where(Scale.name.like("%Montpellier%")))
    today = datetime.now(PARIS).date()
    db.session.add(
        ScaleLink(
            item_id=item.id,
            scale_id=scale.id,
            effective_month=date(2027, 1, 1),
            simulation=budget.frozen_simulation(scale, today),
        )
    )
    votes.attach_proposal(
        item,
        "Barème 2027 : 100 MonA par personne, grille indicative",
        "Chaque personne reçoit 100 MonA par mois. Chaque foyer choisit sa cotisation avec la "
        "grille indicative, de 1 € à 250 €.",
        treasurer,
        DecisionKind.CONTRIBUTION_SCALE,
        effect="Le barème s'applique au versement de janvier 2027.",
    )
    item.meeting.notified_version = item.meeting.agenda_version  # members were convened to it


def _demo_joining(facilitator: Person, welcome) -> None:  # type: ignore[no-untyped-def]
    """Lyon's way: 200 places given in order of arrival, and a few households who applied,
    invited to CALIM 8's coming meeting, where newcomers are welcomed."""
    from governance.joining import services as joining
    from governance.joining.models import ApplicantStatus, HeardFrom, PlacesMode

    joining.set_intake(200, PlacesMode.ORDER, "")
    for name, shape, heard, status in (
        ("Nadia Belkacem", (1, 0, 2), HeardFrom.SOCIAL_SERVICES, ApplicantStatus.CAME),
        ("Paul Girard", (2, 0, 0), HeardFrom.WORD_OF_MOUTH, ApplicantStatus.INVITED),
        ("Mariama Sow", (1, 0, 3), HeardFrom.ORGANISATION, ApplicantStatus.NEW),
        ("Lucas Roux", (1, 0, 0), HeardFrom.WORD_OF_MOUTH, ApplicantStatus.NEW),
    ):
        applicant, _new = joining.apply(
            joining.Application(name, *shape, 1, "Lyon 8e", heard, "", None, None)
        )
        if status is ApplicantStatus.INVITED:
            joining.invite(applicant, welcome, facilitator)
        elif status is ApplicantStatus.CAME:  # to an earlier meeting, marked by hand
            joining.move(applicant, ApplicantStatus.INVITED, facilitator)
            joining.move(applicant, ApplicantStatus.CAME, facilitator)


def _demo_ledger(rng: random.Random, shops: list[PointOfSale]) -> None:
    """Six months of books (May to October 2026) like CALIM 8's: grants, monthly runs,
    most contributions paid, purchases mostly at two Biocoop shops, one reimbursement."""
    from sqlalchemy import select

    from governance.budget import ledger, purchases, reports
    from governance.budget.models import Household

    households = list(db.session.scalars(select(Household).order_by(Household.reference)))
    ledger.record_grant("Métropole de Lyon", 120_000_00, date(2026, 5, 4), "demo-grant-1")
    ledger.record_grant("Fondation de France", 60_000_00, date(2026, 8, 3), "demo-grant-2")
    reports.set_target(date(2026, 1, 1), 300, "", None)
    # The two Biocoop shops take 83 % of purchases, as in Lyon 8e; the 17 others share the rest.
    weights = [44, 39] + [1] * (len(shops) - 2)
    for month in range(5, 11):
        first = date(2026, month, 1)
        bulk.monthly_run(first, confirm=True)
        for h in households:
            if rng.random() < 0.85:
                paid = h.contribution_cents if rng.random() < 0.9 else h.contribution_cents // 2
                if paid:
                    day = first.replace(day=rng.randint(2, 12))
                    ledger.record_contribution(h, paid, day, f"demo-c-{month}-{h.reference}")
        rows = ["date,operator_id,household,point_of_sale,amount"]
        for h in households:
            left = ledger.wallet(h).balance_cents
            for n in range(2):
                cents = min(left, rng.randint(3000, 9000))
                if cents > 0:
                    shop = rng.choices(shops, weights)[0]
                    day = first.replace(day=rng.randint(5, 28))
                    rows.append(
                        f"{day},demo-{month}-{h.reference}-{n},{h.reference},{shop.id},"
                        f"{cents // 100}.{cents % 100:02d}"
                    )
                    left -= cents
        purchases.apply(purchases.parse("\n".join(rows) + "\n"))
    owed = purchases.merchant(shops[0]).balance_cents
    purchases.reimburse(shops[0], owed, date(2026, 10, 30), "demo-reimbursement-1")
    _funding()


def _funding() -> None:
    """The caisse's funders, their pledges and a few operating costs (``/budget/financeurs``),
    and the payment operator whose files the treasurer imports."""
    from governance.budget import funding, purchase_files
    from governance.budget.models import CostKind, FunderKind, Schedule

    metropole = funding.add_funder("Métropole de Lyon", FunderKind.PUBLIC)
    funding.add_pledge(
        metropole, 300_000_00, date(2026, 5, 1), date(2027, 4, 1), Schedule.QUARTERLY, True
    )
    state = funding.add_funder("État", FunderKind.PUBLIC)
    funding.add_pledge(state, 180_000_00, date(2027, 1, 1), date(2027, 1, 1), Schedule.ONCE, False)
    foundation = funding.add_funder("Fondation de France", FunderKind.PRIVATE)
    funding.add_pledge(
        foundation, 60_000_00, date(2026, 8, 1), date(2026, 8, 1), Schedule.ONCE, True
    )
    funding.add_funder("Campagne de dons", FunderKind.CITIZEN)
    for month in range(5, 13):
        funding.add_cost("Coordination (mi-temps)", CostKind.STAFF, date(2026, month, 1), 1_900_00)
        funding.add_cost(
            "Frais de l'opérateur", CostKind.PAYMENT_FEES, date(2026, month, 1), 150_00
        )
    purchase_files.add_operator("Opérateur MonA")


# Lyon 8e's 19 places (3 épiceries solidaires, 2 Biocoop, 5 market gardeners, 2 AMAP, 2 bakers,
# meat, fish, goat cheese, an anti-waste restaurant, a halal butcher), approved by CALIM 8 in
# November 2025 after its binômes' visits, each by its own decision.
LYON_PLACES = [
    ("Biocoop Mermoz", PosKind.SHOP, "Mermoz", "45 avenue Jean-Mermoz", "2,3,4,5,6"),
    (
        "Biocoop Monplaisir",
        PosKind.SHOP,
        "Monplaisir",
        "112 avenue des Frères-Lumière",
        "1,2,3,4,5,6",
    ),
    (
        "Épicerie solidaire des États-Unis",
        PosKind.GROCERY,
        "États-Unis",
        "18 boulevard des États-Unis",
        "2,4,5",
    ),
    (
        "Les Jardins de Bachut",
        PosKind.PRODUCER,
        "Bachut",
        "Marché du Bachut, place du 8-Mai",
        "3,6",
    ),
    (
        "Boulangerie du Grand Trou",
        PosKind.BAKERY,
        "Grand Trou",
        "7 rue du Grand-Trou",
        "2,3,4,5,6,7",
    ),
    ("Épicerie solidaire Mermoz", PosKind.GROCERY, "Mermoz", "3 rue Maryse-Bastié", "2,3,5"),
    ("Épicerie solidaire du Bachut", PosKind.GROCERY, "Bachut", "22 rue Marius-Berliet", "3,6"),
    ("Maraîchage des Vernes", PosKind.PRODUCER, "Bachut", "Marché du Bachut, place du 8-Mai", "6"),
    ("Le Potager de Moins", PosKind.PRODUCER, "Monplaisir", "Marché de Monplaisir", "4"),
    ("Ferme de la Plaine", PosKind.PRODUCER, "Mermoz", "Marché de Mermoz, avenue Mermoz", "3"),
    ("Les Légumes de Corbas", PosKind.PRODUCER, "États-Unis", "Marché des États-Unis", "5"),
    ("AMAP des États-Unis", PosKind.AMAP, "États-Unis", "Centre social des États-Unis", "4"),
    ("AMAP Monplaisir", PosKind.AMAP, "Monplaisir", "Maison des jeunes de Monplaisir", "2"),
    (
        "Le Fournil de Monplaisir",
        PosKind.BAKERY,
        "Monplaisir",
        "54 rue Antoine-Lumière",
        "2,3,4,5,6",
    ),
    ("Boucherie du Bachut", PosKind.BUTCHER, "Bachut", "9 avenue Berthelot", "2,3,4,5,6"),
    ("La Marée lyonnaise", PosKind.MARKET, "Monplaisir", "Marché de Monplaisir", "4,7"),
    ("Chèvrerie des Monts", PosKind.PRODUCER, "Bachut", "Marché du Bachut, place du 8-Mai", "6"),
    ("Le Bistrot anti-gaspi", PosKind.RESTAURANT, "Mermoz", "1 place Latarjet", "2,3,4,5"),
    ("Boucherie halal Mermoz", PosKind.BUTCHER, "Mermoz", "30 avenue Jean-Mermoz", "2,3,4,5,6,7"),
]


def _lyon_places(calim, local_members, local_facilitator) -> list[PointOfSale]:  # type: ignore[no-untyped-def]
    """CALIM 8's own procedure: a member proposes, a binôme of its members visits and answers
    the questionnaire, the next CALIM 8 session approves by consent; each place approved in
    Lyon 8e has its decision."""
    places, visits = [], []
    for n, (name, kind, area, address, days) in enumerate(LYON_PLACES):
        pos = pos_services.propose(
            calim,
            local_members[1 + n],
            name,
            kind,
            address=address,
            neighbourhood=area,
            why="Proposé par un·e membre de CALIM 8.",
            opening_days=days,
        )
        visits.append(
            _visit(
                pos,
                [local_members[1 + n], local_members[10 + n]],
                date(2025, 10, 14) + timedelta(days=n),
                "Accueil ouvert, la MonA est acceptée sans difficulté.",
                schedule=False,
            )
        )
        places.append(pos)
    session = meetings.create_meeting(
        calim,
        "Réunion du comité local de novembre 2025",
        datetime(2025, 11, 27, 18, 30, tzinfo=PARIS).astimezone(UTC),
        150,
        "Centre social Mermoz",
        local_facilitator,
    )
    for pos, visit in zip(places, visits, strict=True):
        pos_services.put_on_agenda(pos, LinkAction.APPROVE, session, visit)
    convened = session.starts_at - timedelta(days=10)
    meetings.transition(session, MeetingStatus.CONVENED, local_facilitator, now=convened)
    session.notified_version = session.agenda_version
    meetings.transition(session, MeetingStatus.OPEN, local_facilitator, now=session.starts_at)
    present = local_members[:20]
    for person in present:
        meetings.mark_attendance(session, person, AttendanceStatus.PRESENT, local_facilitator)
    for item, pos in zip(session.items, places, strict=True):
        proposal = votes.attach_proposal(
            item,
            f"Conventionnement : {pos.name}",
            f"{pos.name} est conventionné·e dans le territoire Lyon 8e : les participant·es "
            "peuvent y payer en MonA. Le conventionnement sera revu dans deux ans.",
            present[1],
            DecisionKind.CONVENTIONNEMENT,
            effect="Le point de vente est conventionné pour deux ans.",
            by=local_facilitator,
        )
        session.current_item_id = item.id
        round_ = votes.open_round(proposal)
        for person in present:
            votes.give_position(round_, person, Value.CONSENT)
        votes.close_round(round_)
    meetings.transition(
        session, MeetingStatus.CLOSED, local_facilitator, now=session.starts_at + timedelta(hours=2)
    )
    meetings.save_minutes(
        session, {i.id: "Rapport du binôme, puis conventionnement adopté." for i in session.items}
    )
    return places


def meeting_roles(meeting, facilitator, secretary, timekeeper) -> None:  # type: ignore[no-untyped-def]
    meetings.set_day_roles(meeting, facilitator, secretary, timekeeper)


def _demo_profiles(rng, committee, members, card_member, facilitator, password_hash) -> None:  # type: ignore[no-untyped-def]
    """48 of the 61 members told about themselves, 34 of them below the poverty line (the
    caisse's aim met); 25 agreed to research use; a member without a phone gave hers to the
    facilitator. An evaluator of the caisse reads the evaluation and exports for research."""
    from governance.evaluation import services as evaluation
    from governance.evaluation.models import AgeBand, CameBy, FoodAid, Gender

    told = [*[p for p in members[6:] if p is not card_member][:47], card_member]
    for n, person in enumerate(told):
        below = n < 34
        facts = {
            "age_band": rng.choice(list(AgeBand)),
            "gender": Gender.WOMAN if rng.random() < 0.65 else Gender.MAN,
            "household_size": rng.choice([1, 1, 2, 2, 3, 4, 5, 6]),
            "income_bracket": rng.choice([0, 1, 2]) if below else rng.choice([3, 4, 5]),
            "food_aid": (FoodAid.YES if below and rng.random() < 0.6 else FoodAid.NO)
            if rng.random() < 0.9
            else None,
            "came_by": rng.choice(list(CameBy)) if rng.random() < 0.8 else None,
        }
        keyed = facilitator if person is card_member else None
        evaluation.save_profile(person, facts, research_consent=n % 2 == 0, keyed_by=keyed)
    _demo_survey(rng, members, card_member, facilitator)
    evaluator = _named(
        "Claire Rousseau", "claire.rousseau", "evaluation@tablee.example", password_hash
    )
    services.add_membership(evaluator, committee, Role.EVALUATOR, date(2026, 1, 1))


def _demo_survey(rng, members, card_member, facilitator) -> None:  # type: ignore[no-untyped-def]
    """The food habits survey of the households: its baseline in June, answered by 40 (one on
    paper); its 6-month wave opened on 1 December, answered by 12 so far."""
    from governance.evaluation import surveys
    from governance.evaluation.models import Audience
    from governance.evaluation.survey_defaults import FOOD_HABITS

    campaign = surveys.create(
        "Habitudes alimentaires",
        Audience.HOUSEHOLDS,
        "waves",
        date(2026, 6, 1),
        FOOD_HABITS,
        facilitator,
    )
    baseline, later, _last = campaign.waves
    options = {
        q["code"]: [c["value"] for c in q["choices"]]
        for section in FOOD_HABITS["sections"]
        for q in section["questions"]
        if q["type"] == "choice"
    }
    people = [card_member, *members[10:49]]
    for n, person in enumerate(people):
        for wave in (baseline, later) if n < 12 else (baseline,):
            keyed = facilitator if person is card_member else None
            response = surveys.response_for(wave, person, keyed_by=keyed)
            surveys.save_answers(response, {k: rng.choice(v) for k, v in options.items()})
            surveys.submit(response)

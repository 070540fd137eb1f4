"""Searching the public register of 10 000 decisions, as ``/decisions?q=…`` does.

A throw-away SQLite database gets the real schema (migrations, so the FTS5 index and its
triggers), three groups and 10 000 decisions of plausible French text written through the
triggers. Then each query below runs as the page runs it (the count and the first page, ranked),
alone and with filters, several times; and the whole page is fetched through the app once per
query (rendering included). Target: every search under 50 ms.

Run: ``.venv/bin/python bench/decision_search.py [--decisions 10000] [--runs 7]``.
"""

from __future__ import annotations

import argparse
import contextvars
import hashlib
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from governance import create_app
from governance.extensions import db
from governance.people.models import Group, GroupKind
from governance.sessions.models import AgendaItem, Meeting, MeetingStatus
from governance.votes import queries
from governance.votes.models import (
    Decision,
    DecisionKind,
    Outcome,
    Proposal,
    Stage,
)
from governance.votes.queries import RegisterFilter

TARGET_MS = 50.0
PAGE = 50
SUBJECTS = [
    "la boulangerie au levain",
    "le marché de producteurs du samedi",
    "l'épicerie solidaire du quartier",
    "la Biocoop des Arceaux",
    "le maraîcher en agroécologie",
    "la boucherie halal",
    "le fromager de chèvre",
    "le restaurant anti-gaspillage",
    "l'AMAP des Garrigues",
    "le barème des cotisations",
    "l'allocation mensuelle en MonA",
    "le budget de la caisse",
]
VERBS = ["est conventionné", "est revu", "est suspendu", "accepte la MonA", "change d'horaires"]
DETAILS = [
    "après la visite du binôme",
    "pour deux ans",
    "à partir de janvier",
    "avec une réserve sur les prix",
    "selon la grille d'analyse",
    "sur proposition du groupe de travail",
    "pour les foyers en précarité alimentaire",
    "avec des produits locaux et de saison",
]
QUERIES = [
    ("common word", RegisterFilter(text="conventionnement")),
    ("two words", RegisterFilter(text="boulangerie levain")),
    ("plural, accents", RegisterFilter(text="marchés producteurs")),
    ("prefix", RegisterFilter(text="maraich")),
    ("rare", RegisterFilter(text="fromager chèvre")),
    ("no match", RegisterFilter(text="trottinette")),
    ("word + year + kind", RegisterFilter(text="épicerie", year=2024, kind=DecisionKind.GENERAL)),
    ("filters only", RegisterFilter(group="CCA", outcome=Outcome.ADOPTED, year=2026)),
    ("whole register", RegisterFilter()),
]


def sentence(rng: random.Random) -> str:
    return (
        f"{rng.choice(SUBJECTS).capitalize()} {rng.choice(VERBS)} {rng.choice(DETAILS)}, "
        f"{rng.choice(DETAILS)}."
    )


def fill(count: int) -> None:
    """Groups, one meeting per group, and ``count`` decisions (items and proposals under them),
    inserted in bulk; the triggers index each decision as it is written."""
    rng = random.Random(14)
    groups = [
        Group(name=name, kind=kind, code=code)
        for name, kind, code in (
            ("Comité citoyen", GroupKind.COMMITTEE, "CCA"),
            ("CALIM 8", GroupKind.LOCAL_COMMITTEE, "CALIM8"),
            ("Comité du Lez", GroupKind.LOCAL_COMMITTEE, "LEZ"),
        )
    ]
    db.session.add_all(groups)
    db.session.flush()
    meetings = [
        Meeting(
            group_id=g.id,
            title="Séances",
            starts_at=datetime(2020, 1, 4, 9, tzinfo=UTC),
            duration_minutes=180,
            status=MeetingStatus.PUBLISHED,
            code=f"BENCH{n}",
        )
        for n, g in enumerate(groups)
    ]
    db.session.add_all(meetings)
    db.session.flush()
    items, proposals, decisions, sequences = [], [], [], {}
    previous = "0" * 64
    for n in range(1, count + 1):
        group, meeting = groups[n % 3], meetings[n % 3]
        decided_on = date(2020, 1, 4) + timedelta(days=n * 3650 // count)
        title = sentence(rng)[:-1]
        text = " ".join(sentence(rng) for _ in range(rng.randint(3, 8)))
        sequences[(group.id, decided_on.year)] = seq = (
            sequences.get((group.id, decided_on.year), 0) + 1
        )
        items.append(
            {
                "id": n,
                "meeting_id": meeting.id,
                "position": n,
                "kind": "decision",
                "title": title,
                "timebox_minutes": 20,
            }
        )
        proposals.append(
            {
                "id": n,
                "item_id": n,
                "title": title,
                "kind": "general",
                "stage": Stage.DONE.value,
                "outcome": "adopted",
            }
        )
        digest = hashlib.sha256(f"{previous}{n}{title}".encode()).hexdigest()
        decisions.append(
            {
                "reference": f"{group.code}-{decided_on.year}-{seq:03d}",
                "group_id": group.id,
                "proposal_id": n,
                "year": decided_on.year,
                "sequence": seq,
                "decided_on": decided_on,
                "title": title,
                "text": text,
                "outcome": rng.choice([o.value for o in Outcome] + ["adopted"] * 6),
                "kind": rng.choice([k.value for k in DecisionKind]),
                "effect": "",
                "record": {"presenter": None, "rounds": [], "objections": []},
                "previous_hash": previous,
                "hash": digest,
            }
        )
        previous = digest
    db.session.execute(insert(AgendaItem), items)
    db.session.execute(insert(Proposal), proposals)
    db.session.execute(insert(Decision), decisions)
    db.session.commit()


def timed(wanted: RegisterFilter, runs: int) -> tuple[list[float], int]:
    timings, total = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        _, total = queries.register(wanted, 1, PAGE)
        timings.append((time.perf_counter() - start) * 1000)
        db.session.remove()  # each search in its own session, as each request has
    return timings, total


def page_ms(app, wanted: RegisterFilter) -> float:  # type: ignore[no-untyped-def]
    """The whole page through the app (routing, query, rendering): the median of 5, warm."""
    args = {
        k: v
        for k, v in {
            "q": wanted.text,
            "group": wanted.group,
            "year": wanted.year,
            "kind": wanted.kind.value if wanted.kind else None,
            "outcome": wanted.outcome.value if wanted.outcome else None,
        }.items()
        if v
    }
    client = app.test_client()
    client.get("/decisions", query_string=args)
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        response = client.get("/decisions", query_string=args)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    return statistics.median(timings)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", help="keep the database in this folder (to look at it)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tablee-search-") as tmp:
        tmp = args.keep or tmp
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/search.db", "SECRET_KEY": "bench"}
        )
        return contextvars.Context().run(run, app, args.decisions, args.runs)


def run(app, count: int, runs: int) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        upgrade()
        start = time.perf_counter()
        fill(count)
        print(
            f"register    {count} decisions written and indexed in "
            f"{time.perf_counter() - start:.1f} s"
        )
        worst = 0.0
        print(f"{'query':<20} {'found':>6} {'median':>9} {'max':>9} {'page':>9}")
        for name, wanted in QUERIES:
            timings, total = timed(wanted, runs)
            whole = page_ms(app, wanted)
            worst = max(worst, statistics.median(timings), whole)
            print(
                f"{name:<20} {total:>6} {statistics.median(timings):>7.2f}ms "
                f"{max(timings):>7.2f}ms {whole:>7.2f}ms"
            )
        met = worst < TARGET_MS
        print(
            f"target      every search under {TARGET_MS:.0f} ms (medians, query and whole page): "
            f"{'ok' if met else 'MISSED'} (worst {worst:.1f} ms)"
        )
        print(f"decision_search: decisions={count} worst_ms={worst:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The register as open data: what of a decision anyone may read, as JSON, CSV and Atom.

A decision's frozen record also names who took part and who said what, for the members of the
group; none of that leaves here. Only the presenter is named: the group publishes them.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _

from governance import tabular
from governance.votes.models import Decision
from governance.web import STARTED, external_url

# The columns of the CSV file, in order (also the keys of the JSON, flattened).
CSV_COLUMNS = [
    "reference",
    "group_code",
    "group",
    "decided_on",
    "kind",
    "outcome",
    "title",
    "text",
    "effect",
    "review_on",
    "presenter",
    "url",
    "hash",
    "previous_hash",
]
ROUND_FIELDS = (
    "number",
    "kind",
    "version",
    "opened_at",
    "closed_at",
    "eligible",
    "present",
    "members",
    "quorum_required",
    "quorum_met",
    "tally",
)
OBJECTION_FIELDS = ("round", "argument", "status", "resolution", "version")


def permalink(decision: Decision) -> str:
    return external_url("votes.decision", reference=decision.reference)


def summary(decision: Decision) -> dict[str, Any]:
    """The fields of a decision that a list shows."""
    return {
        "reference": decision.reference,
        "url": permalink(decision),
        "group": {"code": decision.group.code, "name": decision.group.name},
        "decided_on": decision.decided_on.isoformat(),
        "kind": decision.kind.value,
        "outcome": decision.outcome.value,
        "title": decision.title,
        "effect": decision.effect,
        "review_on": decision.review_on.isoformat() if decision.review_on else None,
    }


def public_record(decision: Decision) -> dict[str, Any]:
    """Everything public about one decision: text, tallies, objections without their authors."""
    record = decision.record
    return {
        **summary(decision),
        "text": decision.text,
        "presenter": record.get("presenter"),
        "meeting": record.get("meeting"),
        "versions": [
            {"number": v["number"], "text": v["text"]} for v in record.get("versions", [])
        ],
        "rounds": [{key: r.get(key) for key in ROUND_FIELDS} for r in record.get("rounds", [])],
        "objections": [
            {key: o.get(key) for key in OBJECTION_FIELDS} for o in record.get("objections", [])
        ],
        "hash": decision.hash,
        "previous_hash": decision.previous_hash,
    }


def register_json(decisions: list[Decision]) -> dict[str, Any]:
    """The whole register, in the order of its hash chain."""
    return {
        "caisse": current_app.config["CAISSE_NAME"],
        "count": len(decisions),
        "head": decisions[-1].hash if decisions else None,
        "decisions": [public_record(d) for d in decisions],
    }


def register_csv(decisions: list[Decision]) -> str:
    return tabular.csv_text(
        CSV_COLUMNS,
        (
            [
                decision.reference,
                decision.group.code,
                decision.group.name,
                decision.decided_on.isoformat(),
                decision.kind.value,
                decision.outcome.value,
                decision.title,
                decision.text,
                decision.effect,
                decision.review_on.isoformat() if decision.review_on else "",
                decision.record.get("presenter") or "",
                permalink(decision),
                decision.hash,
                decision.previous_hash,
            ]
            for decision in decisions
        ),
    )


def register_atom(decisions: list[Decision], labels: dict[Any, Any]) -> bytes:
    """An Atom feed of the latest decisions (the newest first)."""
    from feedgen.feed import FeedGenerator

    caisse = current_app.config["CAISSE_NAME"]
    feed = FeedGenerator()
    feed.id(external_url("votes.decisions"))
    feed.title(_("Decisions — %(caisse)s", caisse=caisse))
    feed.author({"name": caisse})
    feed.link(href=external_url("votes.decisions"), rel="alternate")
    feed.link(href=external_url("votes.decisions_atom"), rel="self")
    feed.language(str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]))
    feed.updated(max((d.created_at for d in decisions), default=None) or STARTED)
    for decision in decisions:
        entry = feed.add_entry(order="append")
        entry.id(permalink(decision))
        entry.title(f"{decision.reference} — {decision.title}")
        entry.link(href=permalink(decision))
        entry.published(decision.created_at)
        entry.updated(decision.created_at)
        entry.author({"name": decision.group.name})
        entry.category(term=decision.outcome.value, label=str(labels[decision.outcome]))
        entry.summary(decision.text)
    return feed.atom_str(pretty=False)

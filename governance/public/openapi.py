"""The OpenAPI 3.1 document of the public API (served at ``/api/openapi.json``)."""

from __future__ import annotations

from typing import Any

from flask import current_app

from governance.conventionnement.models import PosKind
from governance.votes.models import DecisionKind, ObjectionStatus, Outcome

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_PER_PAGE = 100
REFERENCE = r"^[A-Za-z0-9-]{1,30}$"

DATE = {"type": "string", "format": "date"}
OPTIONAL_DATE = {"type": ["string", "null"], "format": "date"}
TEXT = {"type": "string"}


def _object(properties: dict[str, Any], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _errors() -> dict[str, Any]:
    return {
        "description": "A parameter is not valid; each one in error is explained.",
        "content": {
            "application/json": {
                "schema": _object(
                    {"errors": {"type": "object", "additionalProperties": {"type": "string"}}}
                )
            }
        },
    }


def _ok(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


SUMMARY = _object(
    {
        "reference": TEXT,
        "url": {"type": "string", "format": "uri"},
        "group": _object({"code": TEXT, "name": TEXT}),
        "decided_on": DATE,
        "kind": {"enum": [k.value for k in DecisionKind]},
        "outcome": {"enum": [o.value for o in Outcome]},
        "title": TEXT,
        "effect": TEXT,
        "review_on": OPTIONAL_DATE,
    }
)
ROUND = _object(
    {
        "number": {"type": "integer"},
        "kind": {"enum": ["consent", "fallback"]},
        "version": {"type": "integer"},
        "opened_at": {"type": ["string", "null"]},
        "closed_at": {"type": ["string", "null"]},
        "eligible": {"type": ["integer", "null"]},
        "present": {"type": ["integer", "null"]},
        "members": {"type": ["integer", "null"]},
        "quorum_required": {"type": ["integer", "null"]},
        "quorum_met": {"type": ["boolean", "null"]},
        "tally": {"type": ["object", "null"], "additionalProperties": {"type": "integer"}},
    }
)
OBJECTION = _object(
    {
        "round": {"type": "integer"},
        "argument": TEXT,
        "status": {"enum": [s.value for s in ObjectionStatus]},
        "resolution": {"type": ["string", "null"]},
        "version": {"type": ["integer", "null"]},
    }
)
DECISION = {
    "allOf": [
        _ref("DecisionSummary"),
        _object(
            {
                "text": TEXT,
                "presenter": {"type": ["string", "null"]},
                "meeting": {"type": ["object", "null"]},
                "versions": {
                    "type": "array",
                    "items": _object({"number": {"type": "integer"}, "text": TEXT}),
                },
                "rounds": {"type": "array", "items": _ref("Round")},
                "objections": {"type": "array", "items": _ref("Objection")},
                "hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                "previous_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            }
        ),
    ]
}
POINT = _object(
    {
        "name": TEXT,
        "kind": {"enum": [k.value for k in PosKind]},
        "neighbourhood": TEXT,
        "address": TEXT,
        "sells": TEXT,
        "approved_since": OPTIONAL_DATE,
        "review_on": OPTIONAL_DATE,
        "decision": {"type": ["string", "null"]},
        "decision_url": {"type": ["string", "null"], "format": "uri"},
        "group": TEXT,
        "opening_days": {
            "type": "array",
            "items": {"type": "integer", "minimum": 1, "maximum": 7},
            "description": "ISO weekday numbers: 1 is Monday, 7 is Sunday",
        },
    }
)


def _paths() -> dict[str, Any]:
    return {
        "/api/decisions": {
            "get": {
                "operationId": "listDecisions",
                "summary": "The register of decisions, searchable and filtered, by pages",
                "parameters": [
                    _query(
                        "q",
                        "Words to search (French stemming)",
                        {"type": "string", "maxLength": 200},
                    ),
                    _query("group", "A group's code (the first part of a reference)", TEXT),
                    _query(
                        "kind",
                        "Kind of decision (empty: all)",
                        {"enum": ["", *(k.value for k in DecisionKind)]},
                    ),
                    _query(
                        "year",
                        "Year of the decision",
                        {"type": "integer", "minimum": MIN_YEAR, "maximum": MAX_YEAR},
                    ),
                    _query(
                        "outcome",
                        "Outcome (empty: all)",
                        {"enum": ["", *(o.value for o in Outcome)]},
                    ),
                    _query(
                        "page", "Page number", {"type": "integer", "minimum": 1, "maximum": 100000}
                    ),
                    _query(
                        "per_page",
                        "Decisions per page",
                        {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
                    ),
                ],
                "responses": {
                    "200": _ok(
                        "One page of decisions, the latest (or the most relevant) first",
                        _object(
                            {
                                "total": {"type": "integer", "minimum": 0},
                                "page": {"type": "integer", "minimum": 1},
                                "pages": {"type": "integer", "minimum": 1},
                                "per_page": {"type": "integer", "minimum": 1},
                                "decisions": {"type": "array", "items": _ref("DecisionSummary")},
                            }
                        ),
                    ),
                    "422": _errors(),
                },
            }
        },
        "/api/decisions/{reference}": {
            "get": {
                "operationId": "getDecision",
                "summary": "One decision: text, tallies, objections and how they were resolved",
                "parameters": [
                    {
                        "name": "reference",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "pattern": REFERENCE},
                    }
                ],
                "responses": {
                    "200": _ok("The decision", _ref("Decision")),
                    "404": _ok("No decision has this reference", _object({"error": TEXT})),
                },
            }
        },
        "/api/points-de-vente": {
            "get": {
                "operationId": "listPointsOfSale",
                "summary": "The approved points of sale, where MonA can be spent",
                "parameters": [
                    _query(
                        "kind",
                        "Kind of point of sale (empty: all)",
                        {"enum": ["", *(k.value for k in PosKind)]},
                    ),
                    _query("neighbourhood", "Neighbourhood, exactly as listed", TEXT),
                    _query(
                        "territory",
                        "Id of a territory: the points approved there, with its decision "
                        "(empty: the whole caisse)",
                        {"type": "string", "pattern": "^[0-9]*$"},
                    ),
                ],
                "responses": {
                    "200": _ok(
                        "The approved points of sale",
                        _object(
                            {
                                "count": {"type": "integer", "minimum": 0},
                                "points": {"type": "array", "items": _ref("PointOfSale")},
                            }
                        ),
                    ),
                    "404": _ok("No territory has this id", _object({"error": TEXT})),
                    "422": _errors(),
                },
            }
        },
        "/api/registre": {
            "get": {
                "operationId": "checkRegister",
                "summary": "The hash chain of the register, checked now, and its head",
                "responses": {
                    "200": _ok(
                        "The result of the check",
                        _object(
                            {
                                "count": {"type": "integer", "minimum": 0},
                                "head": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                                "intact": {"type": "boolean"},
                                "broken_at": {"type": ["string", "null"]},
                            }
                        ),
                    )
                },
            }
        },
    }


def document() -> dict[str, Any]:
    caisse = current_app.config["CAISSE_NAME"]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"Tablée — {caisse}",
            "version": "1",
            "description": "Public data of the caisse: its decisions and its approved points of "
            "sale. No personal data: tallies only, no one's position; presenters are named.",
        },
        "paths": _paths(),
        "components": {
            "schemas": {
                "DecisionSummary": SUMMARY,
                "Decision": DECISION,
                "Round": ROUND,
                "Objection": OBJECTION,
                "PointOfSale": POINT,
            }
        },
    }

"""The questionnaires and analysis grids Tablée ships with, in French, drawn from the criteria
real caisses use (Montpellier's and Lyon's grids, the SSA's common principles). An admin
publishes new versions; these are only the first ones."""

from __future__ import annotations

from typing import Any


def _choice(
    code: str, text: str, options: list[tuple[str, str]], required: bool = True, help: str = ""
) -> dict[str, Any]:
    return {
        "code": code,
        "text": text,
        "type": "choice",
        "required": required,
        "help": help,
        "choices": [{"value": v, "label": label} for v, label in options],
    }


def _text(code: str, text: str, required: bool = False) -> dict[str, Any]:
    return {"code": code, "text": text, "type": "text", "required": required, "help": ""}


SHARE = [
    ("most", "Presque tout (plus de 75 %)"),
    ("half", "Environ la moitié"),
    ("some", "Un peu (moins d'un quart)"),
    ("none", "Rien ou presque"),
]
YES_NO = [("yes", "Oui"), ("no", "Non")]

_COMMON_END = [
    {
        "title": "Accueil et accès",
        "intro": "Comment les personnes sont reçues.",
        "questions": [
            _choice(
                "welcome",
                "Comment jugez-vous l'accueil de toutes et tous ?",
                [
                    ("good", "Chaleureux et ouvert à toutes et tous"),
                    ("fair", "Correct"),
                    ("poor", "Peu accueillant"),
                ],
            ),
            _choice(
                "prices",
                "Les prix sont-ils accessibles aux budgets modestes ?",
                [("low", "Oui, plutôt bas"), ("mid", "Dans la moyenne"), ("high", "Plutôt élevés")],
            ),
            _choice(
                "payment",
                "Le lieu accepte-t-il de recevoir la MonA ?",
                [
                    ("yes", "Oui, sans difficulté"),
                    ("maybe", "Oui, avec des réserves"),
                    ("no", "Non"),
                ],
            ),
            _text("welcome_notes", "Ce que vous avez remarqué (facultatif)"),
        ],
    },
    {
        "title": "Déchets et emballages",
        "intro": "",
        "questions": [
            _choice(
                "packaging",
                "Les produits sont-ils vendus en vrac ou peu emballés ?",
                [("mostly", "Surtout en vrac"), ("partly", "En partie"), ("rarely", "Rarement")],
            ),
            _text("final_notes", "Autre chose à dire au comité ? (facultatif)"),
        ],
    },
]

SHOP_QUESTIONNAIRE = {
    "title": "Questionnaire magasin",
    "sections": [
        {
            "title": "Le lieu",
            "intro": "Quelques questions pour commencer.",
            "questions": [
                _choice(
                    "chain",
                    "Ce lieu appartient-il à une grande chaîne non spécialisée "
                    "(hypermarché, restauration rapide) ?",
                    YES_NO,
                ),
                _choice(
                    "independent",
                    "Le magasin est-il indépendant ou coopératif ?",
                    [
                        ("coop", "Coopératif ou associatif"),
                        ("indep", "Indépendant"),
                        ("franchise", "Franchise d'un réseau"),
                    ],
                ),
                _choice(
                    "staff",
                    "Les conditions de travail semblent-elles bonnes ?",
                    [("good", "Oui"), ("fair", "Moyennes"), ("poor", "Non")],
                ),
            ],
        },
        {
            "title": "Les produits",
            "intro": "D'où viennent-ils, comment sont-ils faits ?",
            "questions": [
                _choice("local", "Quelle part des produits vient de moins de 150 km ?", SHARE),
                _choice("organic", "Quelle part est bio ou agroécologique ?", SHARE),
                _choice(
                    "fair_price",
                    "Les producteur·rices sont-ils payés un prix juste ?",
                    [
                        ("yes", "Oui, c'est affiché ou expliqué"),
                        ("partly", "En partie"),
                        ("unknown", "On ne sait pas"),
                    ],
                ),
            ],
        },
        *_COMMON_END,
    ],
}

PRODUCER_QUESTIONNAIRE = {
    "title": "Questionnaire producteur",
    "sections": [
        {
            "title": "La ferme",
            "intro": "Quelques questions pour commencer.",
            "questions": [
                _choice(
                    "chain",
                    "S'agit-il d'une exploitation industrielle ou d'un revendeur de "
                    "grande chaîne ?",
                    YES_NO,
                ),
                _choice(
                    "independent",
                    "Quelle est la taille de la ferme ?",
                    [
                        ("coop", "Petite ferme ou collectif paysan"),
                        ("indep", "Ferme moyenne"),
                        ("franchise", "Grande exploitation"),
                    ],
                ),
                _choice(
                    "staff",
                    "Les conditions de travail semblent-elles bonnes ?",
                    [("good", "Oui"), ("fair", "Moyennes"), ("poor", "Non")],
                ),
            ],
        },
        {
            "title": "La production",
            "intro": "Comment les produits sont-ils cultivés ?",
            "questions": [
                _choice("local", "Quelle part de ce qui est vendu est produite sur place ?", SHARE),
                _choice("organic", "Quelle part est bio ou en agroécologie ?", SHARE),
                _choice(
                    "fair_price",
                    "Le prix payé permet-il de vivre du métier ?",
                    [("yes", "Oui"), ("partly", "Tout juste"), ("unknown", "Non")],
                ),
            ],
        },
        *_COMMON_END,
    ],
}


def _criterion(
    code: str, label: str, weight: int, question: str, points: dict[str, int]
) -> dict[str, Any]:
    return {"code": code, "label": label, "weight": weight, "answers": {question: points}}


GRID = {
    "title": "Grille d'analyse",
    "criteria": [
        _criterion(
            "local", "Origine locale", 15, "local", {"most": 3, "half": 2, "some": 1, "none": 0}
        ),
        _criterion(
            "practices",
            "Pratiques agroécologiques ou bio",
            15,
            "organic",
            {"most": 3, "half": 2, "some": 1, "none": 0},
        ),
        _criterion(
            "fair_price",
            "Prix juste pour les producteur·rices",
            10,
            "fair_price",
            {"yes": 2, "partly": 1, "unknown": 0},
        ),
        _criterion("accessible", "Prix accessibles", 15, "prices", {"low": 2, "mid": 1, "high": 0}),
        _criterion("work", "Conditions de travail", 10, "staff", {"good": 2, "fair": 1, "poor": 0}),
        _criterion(
            "independence",
            "Taille et indépendance de l'agro-industrie",
            10,
            "independent",
            {"coop": 2, "indep": 1, "franchise": 0},
        ),
        _criterion(
            "welcome",
            "Accueil et ouverture à toutes et tous",
            10,
            "welcome",
            {"good": 2, "fair": 1, "poor": 0},
        ),
        _criterion(
            "waste",
            "Emballages et déchets",
            5,
            "packaging",
            {"mostly": 2, "partly": 1, "rarely": 0},
        ),
        _criterion(
            "payment",
            "Accepte le paiement de la caisse",
            10,
            "payment",
            {"yes": 2, "maybe": 1, "no": 0},
        ),
    ],
    "eliminatory": [
        {
            "question": "chain",
            "values": ["yes"],
            "label": "Grande chaîne non spécialisée ou restauration rapide",
        },
        {"question": "payment", "values": ["no"], "label": "Refuse le paiement de la caisse"},
    ],
    "bands": {"favourable": 65, "to_discuss": 45},
}

"""The survey Tablée ships with: food habits, asked at joining and again later (the questions
Couserans and Lyon ask in their baselines). In French: it is data, like the binômes'
questionnaires, and a caisse writes its own."""

from __future__ import annotations

from governance.conventionnement.defaults import _choice, _text

FOOD_HABITS = {
    "sections": [
        {
            "title": "Vos repas",
            "intro": "Pensez au mois qui vient de passer.",
            "questions": [
                _choice(
                    "fruits_veg",
                    "À quelle fréquence mangez-vous des fruits et des légumes ?",
                    [
                        ("daily", "Tous les jours"),
                        ("weekly", "Plusieurs fois par semaine"),
                        ("rarely", "Rarement"),
                    ],
                ),
                _choice(
                    "cooking",
                    "Cuisinez-vous des produits frais ?",
                    [
                        ("often", "La plupart des jours"),
                        ("sometimes", "Parfois"),
                        ("rarely", "Rarement"),
                    ],
                ),
                _choice(
                    "enough",
                    "Avez-vous assez à manger, chez vous ?",
                    [
                        ("always", "Toujours"),
                        ("mostly", "La plupart du temps"),
                        ("not_always", "Pas toujours"),
                    ],
                ),
            ],
        },
        {
            "title": "Vos achats",
            "intro": "",
            "questions": [
                _choice(
                    "where",
                    "Où faites-vous la plus grande partie de vos courses ?",
                    [
                        ("supermarket", "Au supermarché ou au hard-discount"),
                        ("local", "Dans des commerces de quartier ou au marché"),
                        ("producers", "Chez des producteurs, en AMAP"),
                        ("aid", "À l'aide alimentaire"),
                    ],
                ),
                _text("comment", "Voulez-vous ajouter quelque chose ?"),
            ],
        },
    ]
}

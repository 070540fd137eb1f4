"""How points of sale are named to people: labels that other packages show too (the public
directory, the treasurer's reports), without reaching into this package's forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from governance.conventionnement.models import PosKind

POS_KIND_LABELS = {
    PosKind.SHOP: _l("Shop"),
    PosKind.GROCERY: _l("Grocery (including solidarity grocery)"),
    PosKind.BAKERY: _l("Bakery"),
    PosKind.BUTCHER: _l("Butcher"),
    PosKind.RESTAURANT: _l("Restaurant"),
    PosKind.PRODUCER: _l("Producer or farm"),
    PosKind.MARKET: _l("Market stall"),
    PosKind.AMAP: _l("AMAP"),
}


def weekday_names() -> dict[int, str]:
    """ISO weekday number (1 Monday … 7 Sunday) → its name in the reader's language."""
    from babel.dates import get_day_names
    from flask_babel import get_locale

    names = get_day_names("wide", locale=get_locale())
    return {n + 1: names[n] for n in range(7)}


def opening_days(days: list[int]) -> str:
    """ "lundi, mercredi, samedi": the days a place is open, in the reader's language."""
    names = weekday_names()
    return ", ".join(names[d] for d in sorted(set(days)) if d in names)

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

"""Panels that higher packages show under the current item of the live room (a consent round,
a questionnaire report…). They register here; sessions never imports them.

The room and the console are two regions: a small *status* polled every few seconds (item,
timer, quorum), and the *panels*, where people choose, type and read. The status carries a key
of what the panels show; a phone fetches the panels again only when that key changes, and only
when the person is not in the middle of something (see ``static/js/tablee.js``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from markupsafe import Markup

from governance.people.models import Person
from governance.sessions.models import Meeting

# (meeting, viewer, place) → HTML or None; place is "room" (a member's phone) or "console".
Render = Callable[[Meeting, Person, str], Markup | None]
# (current item id, viewer id, place) → a short string that changes whenever what the panel
# shows this viewer changes.
Key = Callable[[int, int, str], str]
# current item id → the id of the round open on it, or None.
OpenRound = Callable[[int], int | None]


@dataclass(frozen=True)
class Panel:
    render: Render
    key: Key | None = None
    open_round: OpenRound | None = None


_PANELS: list[Panel] = []


def register(render: Render, key: Key | None = None, open_round: OpenRound | None = None) -> None:
    """Called by the package that owns the panel when the app is set up (once per app: a
    panel already known is kept once)."""
    panel = Panel(render, key, open_round)
    if panel not in _PANELS:
        _PANELS.append(panel)


def render(meeting: Meeting, viewer: Person, place: str) -> list[Markup]:
    if meeting.current_item is None:
        return []
    shown = (panel.render(meeting, viewer, place) for panel in _PANELS)
    return [html for html in shown if html is not None]


def key(item_id: int | None, viewer_id: int, place: str) -> str:
    if item_id is None:
        return ""
    return "-".join(panel.key(item_id, viewer_id, place) for panel in _PANELS if panel.key)


def open_round(item_id: int | None) -> int | None:
    if item_id is None:
        return None
    for panel in _PANELS:
        found = panel.open_round(item_id) if panel.open_round else None
        if found is not None:
            return found
    return None


# --- what higher packages attach to agenda items, read before the session ----------------


@dataclass(frozen=True)
class Attachment:
    """Something attached to an agenda item that members read before the meeting (a
    proposal…): its title, its text, the page that shows it, a few facts (term, value)."""

    title: str
    text: str
    url: str
    external_url: str
    facts: tuple[tuple[str, str], ...] = ()
    edit_url: str | None = None


@dataclass
class ItemExtras:
    attachments: list[Attachment] = field(default_factory=list)
    # (label, url) offered to whoever runs the meeting: "Attach a proposal"…
    actions: list[tuple[str, str]] = field(default_factory=list)


# meeting → {item id: what is attached to it}; one call per page, a few queries at most.
Extras = Callable[[Meeting], dict[int, ItemExtras]]
_EXTRAS: list[Extras] = []


def register_extras(extras: Extras) -> None:
    if extras not in _EXTRAS:
        _EXTRAS.append(extras)


def item_extras(meeting: Meeting) -> dict[int, ItemExtras]:
    merged: dict[int, ItemExtras] = {item.id: ItemExtras() for item in meeting.items}
    for extras in _EXTRAS:
        for item_id, found in extras(meeting).items():
            target = merged.setdefault(item_id, ItemExtras())
            target.attachments.extend(found.attachments)
            target.actions.extend(found.actions)
    return merged


def summary(text: str, limit: int = 400) -> str:
    """The start of a text, cut at a word, for a convocation: the link gives the rest."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[:limit].rsplit(" ", 1)[0] + " …"

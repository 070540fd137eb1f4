"""Panels that higher packages show under the current item of the live room (a consent round,
a questionnaire report…). They register here; sessions never imports them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from markupsafe import Markup

from governance.people.models import Person
from governance.sessions.models import Meeting

# (meeting, viewer, place) → HTML or None; place is "room" (a member's phone) or "console".
Render = Callable[[Meeting, Person, str], Markup | None]
# (current item id, viewer id) → a short string that changes when the viewer's panel changes
# for a reason the meeting's live version does not see (their own position, for example).
Etag = Callable[[int, int], str]


@dataclass(frozen=True)
class Panel:
    render: Render
    etag: Etag | None = None


_PANELS: list[Panel] = []


def register(render: Render, etag: Etag | None = None) -> None:
    _PANELS.append(Panel(render, etag))


def render(meeting: Meeting, viewer: Person, place: str) -> list[Markup]:
    if meeting.current_item is None:
        return []
    shown = (panel.render(meeting, viewer, place) for panel in _PANELS)
    return [html for html in shown if html is not None]


def etag(item_id: int | None, viewer_id: int) -> str:
    if item_id is None:
        return ""
    return "-".join(panel.etag(item_id, viewer_id) for panel in _PANELS if panel.etag)


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

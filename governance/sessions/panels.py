"""Panels that higher packages show under the current item of the live room (a consent round,
a questionnaire report…). They register here; sessions never imports them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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

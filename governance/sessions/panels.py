"""Panels that higher packages show under the current item of the live room (a consent round,
a questionnaire report…). They register here; sessions never imports them."""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup

from governance.people.models import Person
from governance.sessions.models import Meeting

Panel = Callable[[Meeting, Person], Markup | None]
_PANELS: list[Panel] = []


def register(panel: Panel) -> Panel:
    """Use as a decorator; a panel returns None when it has nothing to show."""
    _PANELS.append(panel)
    return panel


def render(meeting: Meeting, viewer: Person) -> list[Markup]:
    if meeting.current_item is None:
        return []
    shown = (panel(meeting, viewer) for panel in _PANELS)
    return [html for html in shown if html is not None]

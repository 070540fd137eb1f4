"""What higher packages show on a proposal's page, under its text (a contribution scale's
frozen simulation…). They register here where the app is set up; votes never imports them."""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup

from governance.votes.models import Proposal

# proposal → HTML, or None when the package has nothing to show for it.
Section = Callable[[Proposal], Markup | None]
_SECTIONS: list[Section] = []


def register(section: Section) -> None:
    if section not in _SECTIONS:
        _SECTIONS.append(section)


def render(proposal: Proposal) -> list[Markup]:
    shown = (section(proposal) for section in _SECTIONS)
    return [html for html in shown if html is not None]

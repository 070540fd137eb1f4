"""The contribution scale's part of a proposal's page: its frozen simulation, in plain words."""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup

from governance import formatting
from governance.budget import services
from governance.budget.forms import income_range
from governance.votes.models import Proposal


def who(adults: int, teens: int, children: int) -> str:
    """A household in words: "a person living alone", "a couple with 2 children"."""
    young = teens + children
    if adults == 1 and young == 0:
        return _("A person living alone")
    if adults == 1:
        return ngettext(
            "A single parent with %(num)s child", "A single parent with %(num)s children", young
        )
    if adults == 2 and young == 0:
        return _("A couple")
    if adults == 2:
        return ngettext("A couple with %(num)s child", "A couple with %(num)s children", young)
    return ngettext(
        "A household of %(num)s person", "A household of %(num)s people", adults + young
    )


def example_sentence(example: dict[str, int]) -> str:
    return _(
        "%(who)s, with %(income)s a month per consumption unit, receives %(allocation)s a month "
        "and contributes %(contribution)s.",
        who=who(example["adults"], example["teens"], example["children"]),
        income=income_range(example["bracket"]),
        allocation=formatting.mona(example["allocation"]),
        contribution=formatting.money(example["contribution"]),
    )


def proposal_section(proposal: Proposal) -> Markup | None:
    frozen = services.frozen_for_item(proposal.item_id)
    if frozen is None:
        return None
    return Markup(  # noqa: S704 — a template rendered with autoescape
        render_template(
            "budget/_frozen_simulation.html",
            frozen=frozen,
            sentences=[example_sentence(e) for e in frozen.examples],
        )
    )


def scenarios_section(proposal: Proposal) -> Markup | None:
    from governance.budget import scenario_links

    frozen = scenario_links.frozen_for(proposal)
    if frozen is None:
        return None
    return Markup(  # noqa: S704 — a template rendered with autoescape
        render_template("budget/_frozen_scenarios.html", frozen=frozen)
    )

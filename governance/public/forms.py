"""The public portal's filter forms: GET forms, bookmarkable, without a token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from governance.conventionnement.labels import POS_KIND_LABELS
from governance.forms import NOT_A_CHOICE


class PointsForm(FlaskForm):
    class Meta:
        csrf = False

    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice("", _l("All kinds"))]
        + [SelectChoice(k.value, label) for k, label in POS_KIND_LABELS.items()],
        validate_choice=False,
    )
    neighbourhood = SelectField(_l("Neighbourhood"), validate_choice=False)
    territory = SelectField(_l("Territory"), validate_choice=False)

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
        """Each list accepts only its own values (a hand-made address may carry others)."""
        valid = super().validate(extra_validators)
        for field in (self.kind, self.neighbourhood, self.territory):
            allowed = {c[0] if isinstance(c, tuple) else c.value for c in field.choices}
            if field.data and field.data not in allowed:
                field.errors = [*field.errors, NOT_A_CHOICE]
                valid = False
        return valid

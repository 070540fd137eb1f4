"""Forms of the consent decision."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from governance.fields import DateField
from governance.forms import NOT_A_CHOICE, REQUIRED, TOO_LONG, OnceForm
from governance.votes.models import DecisionKind, ObjectionStatus, Outcome, Stage, Value

VALUE_LABELS = {
    Value.CONSENT: _l("I consent"),
    Value.OBJECTION: _l("I object"),
    Value.CONCERN: _l("I have a concern"),
    Value.ABSTENTION: _l("I abstain"),
    Value.FOR: _l("For"),
    Value.AGAINST: _l("Against"),
}
VALUE_HINTS = {
    Value.CONSENT: _l("I can live with it and it does no harm to the caisse."),
    Value.OBJECTION: _l("It would do harm: say why. The group will look for a better version."),
    Value.CONCERN: _l("A reservation that is written down but does not block."),
    Value.ABSTENTION: _l("I do not take part in this decision."),
    Value.FOR: _l("I want this proposal adopted."),
    Value.AGAINST: _l("I do not want this proposal adopted."),
}
STAGE_LABELS = {
    Stage.PRESENTATION: _l("Presentation"),
    Stage.QUESTIONS: _l("Clarifying questions"),
    Stage.REACTIONS: _l("Reactions"),
    Stage.AMENDMENT: _l("Amendment"),
    Stage.CONSENT: _l("Consent round"),
    Stage.FALLBACK: _l("Fallback vote"),
    Stage.DONE: _l("Decided"),
}
OUTCOME_LABELS = {
    Outcome.ADOPTED: _l("adopted"),
    Outcome.REJECTED: _l("rejected"),
    Outcome.POSTPONED: _l("postponed to a later meeting"),
    Outcome.WITHDRAWN: _l("withdrawn"),
}
KIND_LABELS = {
    DecisionKind.GENERAL: _l("General"),
    DecisionKind.CONVENTIONNEMENT: _l("Approval of a point of sale"),
    DecisionKind.CONTRIBUTION_SCALE: _l("Contribution scale"),
    DecisionKind.BUDGET: _l("Budget"),
}
OBJECTION_LABELS = {
    ObjectionStatus.RAISED: _l("raised"),
    ObjectionStatus.INTEGRATED: _l("integrated in a new version"),
    ObjectionStatus.WITHDRAWN: _l("withdrawn by its author"),
    ObjectionStatus.NOT_BLOCKING: _l("found not blocking by the group"),
}


class ProposalForm(OnceForm):
    title = StringField(
        _l("Title of the proposal"),
        validators=[DataRequired(REQUIRED), Length(max=200, message=TOO_LONG)],
    )
    text = TextAreaField(
        _l("Text of the proposal"),
        description=_l("What would be decided, in plain words."),
        validators=[DataRequired(REQUIRED), Length(max=20000, message=TOO_LONG)],
    )
    presenter_id = SelectField(_l("Presented by"), coerce=int, default=0)
    kind = SelectField(
        _l("Kind of decision"),
        choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()],
        validators=[InputRequired(REQUIRED)],
    )
    effect = TextAreaField(
        _l("Effect, once adopted (optional)"),
        validators=[Optional(), Length(max=2000, message=TOO_LONG)],
    )
    review_on = DateField(_l("Review date (optional)"), validators=[Optional()])


class AmendForm(FlaskForm):
    text = TextAreaField(
        _l("New version of the text"),
        validators=[DataRequired(REQUIRED), Length(max=20000, message=TOO_LONG)],
        render_kw={"rows": 14},  # a whole proposal, readable on a phone without scrolling inside
    )


class PositionForm(FlaskForm):
    value = SelectField(
        _l("Your position"),
        choices=[SelectChoice(v.value, label) for v, label in VALUE_LABELS.items()],
        validators=[InputRequired(_l("Choose a position."))],
    )
    argument = TextAreaField(
        _l("Your reason"),
        description=_l("Needed for an objection; welcome for a concern."),
        validators=[Optional(), Length(max=2000, message=TOO_LONG)],
    )


class NotesForm(FlaskForm):
    notes = TextAreaField(
        _l("Questions and reactions noted by the secretary"),
        validators=[Optional(), Length(max=20000, message=TOO_LONG)],
    )


class ConflictForm(FlaskForm):
    reason = StringField(
        _l("Your link with this item (optional)"),
        validators=[Optional(), Length(max=500, message=TOO_LONG)],
    )


class ResolutionForm(FlaskForm):
    resolution = StringField(
        _l("How it was resolved (optional)"),
        validators=[Optional(), Length(max=2000, message=TOO_LONG)],
    )


class RegisterForm(FlaskForm):
    """The register's search and filters: a GET form, bookmarkable, without a token."""

    class Meta:
        csrf = False

    q = StringField(_l("Words to search for"), validators=[Length(max=200, message=TOO_LONG)])
    group = SelectField(_l("Group"), validate_choice=False)
    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice("", _l("All kinds"))]
        + [SelectChoice(k.value, label) for k, label in KIND_LABELS.items()],
        validate_choice=False,
    )
    year = SelectField(_l("Year"), validate_choice=False)
    outcome = SelectField(
        _l("Outcome"),
        choices=[SelectChoice("", _l("All outcomes"))]
        + [SelectChoice(o.value, label) for o, label in OUTCOME_LABELS.items()],
        validate_choice=False,
    )

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
        """Each list accepts only its own values (a hand-made address may carry others)."""
        valid = super().validate(extra_validators)
        for field in (self.group, self.kind, self.year, self.outcome):
            allowed = {
                choice[0] if isinstance(choice, tuple) else choice.value for choice in field.choices
            }
            if field.data and field.data not in allowed:
                field.errors = [*field.errors, NOT_A_CHOICE]
                valid = False
        return valid


def _days() -> IntegerField:
    return IntegerField(
        _l("Days to answer"),
        description=_l("Members may give their position until then (7 days is usual)."),
        default=7,
        validators=[
            InputRequired(_l("Please write a whole number.")),
            NumberRange(min=1, max=30, message=_l("Between %(min)s and %(max)s.")),
        ],
        render_kw={"inputmode": "numeric"},
    )


class OnlineForm(ProposalForm):
    """A proposal put to the group online, with its deadline."""

    days = _days()


class NextRoundForm(FlaskForm):
    days = _days()


class QuestionForm(FlaskForm):
    text = TextAreaField(
        _l("Your question"),
        validators=[DataRequired(REQUIRED), Length(max=2000, message=TOO_LONG)],
    )
    reply_to = HiddenField()

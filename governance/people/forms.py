"""Forms of the people pages; labels are lazily translated."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from governance.fields import DateField
from governance.forms import REQUIRED, TOO_LONG, ConfirmForm, OnceForm  # noqa: F401 — people's routes
from governance.people.models import GroupKind, QuorumKind, Role

ROLE_LABELS = {
    Role.MEMBER: _l("member"),
    Role.FACILITATOR: _l("facilitator"),
    Role.TREASURER: _l("treasurer"),
    Role.ADMIN: _l("administrator"),
    Role.EVALUATOR: _l("evaluator"),
}
GROUP_KIND_LABELS = {
    GroupKind.COMMITTEE: _l("Citizen committee"),
    GroupKind.WORKING_GROUP: _l("Working group"),
    GroupKind.LOCAL_COMMITTEE: _l("Local committee"),
}
QUORUM_KIND_LABELS = {
    QuorumKind.PERCENT: _l("A percentage of the members"),
    QuorumKind.COUNT: _l("A number of members"),
}


class LoginForm(FlaskForm):
    identifier = StringField(
        _l("E-mail address or username"),
        validators=[DataRequired(REQUIRED), Length(max=254, message=TOO_LONG)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    secret = PasswordField(
        _l("Password or 6-digit code"),
        validators=[DataRequired(REQUIRED), Length(max=200, message=TOO_LONG)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class CardLoginForm(FlaskForm):
    code = StringField(
        _l("Code written on your card"),
        description=_l("8 letters and digits, for example ABCD-2345."),
        validators=[DataRequired(REQUIRED), Length(max=20, message=TOO_LONG)],
        render_kw={
            "autocomplete": "one-time-code",
            "autocapitalize": "characters",
            "spellcheck": "false",
        },
    )


class CodeForm(FlaskForm):
    code = StringField(
        _l("The 6-digit code your app shows now"),
        description=_l("It changes every 30 seconds."),
        validators=[
            DataRequired(REQUIRED),
            Regexp(r"^\s*\d{3}\s*\d{3}\s*$", message=_l("The code must be exactly 6 digits.")),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 7},
    )


class ChoosePinForm(FlaskForm):
    pin = PasswordField(
        _l("Your new 6-digit code"),
        description=_l("You will type it with your username to log in. Keep it secret."),
        validators=[
            DataRequired(REQUIRED),
            Regexp(r"^\d{6}$", message=_l("The code must be exactly 6 digits.")),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "new-password", "maxlength": 6},
    )
    pin_again = PasswordField(
        _l("The same code again"),
        validators=[
            DataRequired(REQUIRED),
            EqualTo("pin", message=_l("The two codes are different. Type the same code twice.")),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "new-password", "maxlength": 6},
    )


class ChangePasswordForm(FlaskForm):
    current = PasswordField(
        _l("Current password or code"),
        validators=[DataRequired(REQUIRED), Length(max=200, message=TOO_LONG)],
        render_kw={"autocomplete": "current-password"},
    )
    new = PasswordField(
        _l("New password"),
        description=_l("At least 10 characters. A short sentence is easy to remember."),
        validators=[
            DataRequired(REQUIRED),
            Length(min=10, max=200, message=_l("Between %(min)d and %(max)d characters.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    new_again = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(REQUIRED),
            EqualTo("new", message=_l("The two passwords are different.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class PersonForm(OnceForm):
    display_name = StringField(
        _l("Name"),
        description=_l("As the person wants to be called in the group."),
        validators=[
            DataRequired(REQUIRED),
            Length(min=2, max=120, message=_l("Between %(min)d and %(max)d characters.")),
        ],
    )
    username = StringField(
        _l("Username"),
        description=_l("Used to log in without e-mail. Left empty, it is made from the name."),
        validators=[
            Optional(),
            Length(min=3, max=40, message=_l("Between %(min)d and %(max)d characters.")),
            Regexp(
                r"^[a-z0-9._-]+$",
                message=_l("Only lowercase letters without accents, digits, dots and dashes."),
            ),
        ],
        filters=[lambda v: v.strip().lower() if v else v],
        render_kw={"autocapitalize": "none", "spellcheck": "false"},
    )
    email = StringField(
        _l("E-mail address (optional)"),
        description=_l("Without e-mail, the person logs in with a printed card."),
        validators=[
            Optional(),
            Length(max=254, message=TOO_LONG),
            Email(
                message=_l("This does not look like an e-mail address."), check_deliverability=False
            ),
        ],
        render_kw={"type": "email", "autocomplete": "off"},
    )
    password = PasswordField(
        _l("New password (optional)"),
        description=_l("At least 10 characters. Leave empty to keep the current one."),
        validators=[
            Optional(),
            Length(min=10, max=200, message=_l("Between %(min)d and %(max)d characters.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class EraseForm(FlaskForm):
    confirm = BooleanField(
        _l("I understand: the name, e-mail and login of this person are removed for good."),
        validators=[DataRequired(_l("Tick the box to confirm the erasure."))],
    )


class ActiveForm(FlaskForm):
    active = BooleanField(_l("Account active"))


class GroupForm(OnceForm):
    name = StringField(
        _l("Name of the group"),
        validators=[
            DataRequired(REQUIRED),
            Length(min=2, max=120, message=_l("Between %(min)d and %(max)d characters.")),
        ],
    )
    kind = SelectField(
        _l("Kind of group"),
        choices=[SelectChoice(k.value, label) for k, label in GROUP_KIND_LABELS.items()],
        validators=[InputRequired(REQUIRED)],
    )
    description = TextAreaField(
        _l("What the group does (optional)"),
        validators=[Optional(), Length(max=2000, message=TOO_LONG)],
    )
    quorum_kind = RadioField(
        _l("Quorum: how many members must be present for a decision"),
        choices=[SelectChoice(k.value, label) for k, label in QUORUM_KIND_LABELS.items()],
        default=QuorumKind.PERCENT.value,
        validators=[InputRequired(REQUIRED)],
    )
    quorum_value = IntegerField(
        _l("Quorum value"),
        description=_l("For example 50 (percent of the members) or 15 (members)."),
        default=50,
        validators=[
            InputRequired(_l("Please write a whole number.")),
            NumberRange(min=0, max=10000, message=_l("Between %(min)s and %(max)s.")),
        ],
        render_kw={"inputmode": "numeric"},
    )


FALLBACK_CHOICES = [
    SelectChoice("", _l("No fallback vote: consent only")),
    SelectChoice("1/2", _l("Majority of the votes cast")),
    SelectChoice("3/5", _l("Three fifths of the votes cast")),
    SelectChoice("2/3", _l("Two thirds of the votes cast")),
    SelectChoice("3/4", _l("Three quarters of the votes cast")),
]


class GroupRuleForm(GroupForm):
    """A group and its decision rule, set by an admin."""

    code = StringField(
        _l("Short code, used in decision references"),
        description=_l(
            "For example CCA gives references like CCA-2026-014. Left empty, it is "
            "made from the name."
        ),
        validators=[
            Optional(),
            Length(min=2, max=12, message=_l("Between %(min)d and %(max)d characters.")),
            Regexp(r"^[A-Za-z0-9]+$", message=_l("Only letters and digits, without spaces.")),
        ],
        render_kw={"autocapitalize": "characters"},
    )
    allow_concern = BooleanField(
        _l("Members may express a concern (recorded, does not block)"), default=True
    )
    allow_abstention = BooleanField(_l("Members may abstain"), default=True)
    rounds_before_fallback = IntegerField(
        _l("Consent rounds before a fallback vote may be called"),
        default=2,
        validators=[
            InputRequired(_l("Please write a whole number.")),
            NumberRange(min=1, max=10, message=_l("Between %(min)s and %(max)s.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    fallback = SelectField(
        _l("Fallback vote, as a last resort"), choices=FALLBACK_CHOICES, default=""
    )
    allow_online_consent = BooleanField(
        _l("The group may decide online between sessions"),
        description=_l(
            "A facilitator then puts a proposal to the members online, with a deadline; "
            "the quorum counts those who answered."
        ),
        default=False,
    )
    decide_without_quorum = BooleanField(
        _l("The group may decide even without quorum"),
        description=_l("Left unticked, an item is postponed when the quorum is not reached."),
        default=False,
    )
    check_in_minutes_before = IntegerField(
        _l("Members can check in this many minutes before the start"),
        default=30,
        validators=[
            Optional(),
            NumberRange(min=0, max=240, message=_l("Between %(min)s and %(max)s.")),
        ],
        render_kw={"inputmode": "numeric"},
    )


class MembershipForm(OnceForm):
    person_id = SelectField(
        _l("Person"), coerce=int, validators=[InputRequired(REQUIRED)], validate_choice=True
    )
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(r.value, label) for r, label in ROLE_LABELS.items()],
        default=Role.MEMBER.value,
        validators=[InputRequired(REQUIRED)],
    )
    starts_on = DateField(
        _l("From"), validators=[InputRequired(_l("Please give a date, for example 2026-09-01."))]
    )
    ends_on = DateField(_l("Until (optional)"), validators=[Optional()])


class EndMembershipForm(FlaskForm):
    ends_on = DateField(
        _l("Last day"),
        validators=[InputRequired(_l("Please give a date, for example 2026-09-01."))],
    )


class LanguageForm(FlaskForm):
    lang = HiddenField(validators=[DataRequired(), Regexp(r"^(fr|en)$")])
    next = HiddenField()

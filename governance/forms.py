"""Form vocabulary every domain shares: the plain-language messages of common checks, and the
form of a button that changes something. Domains import these from here, never from each
other's forms."""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectMultipleField
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

REQUIRED = _l("Please fill in this field.")
TOO_LONG = _l("This is too long: at most %(max)d characters.")
NOT_A_CHOICE = _l("Choose one of the values in the list.")


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


class OnceForm(FlaskForm):
    """A form that creates something: each showing of it carries a nonce of its own
    (``{{ form.once }}`` beside the CSRF token), on which ``governance.once`` recognises the
    same form sent twice. Shown back after a refusal, it keeps its nonce: nothing was used."""

    once = HiddenField(default=new_nonce, validators=[Optional(), Length(max=64)])


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token to check."""


class AttachmentForm(FlaskForm):
    """A document or photo joined to what it belongs to; ``key`` makes a double tap keep it
    once."""

    file = FileField(_l("Document or photo"))
    public = BooleanField(
        _l("Public once published"),
        description=_l(
            "Everyone may read it once the decision or the minutes are published. "
            "Leave unticked for a document about a person or a household."
        ),
    )
    key = HiddenField()


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes (days of the week, places of a territory): shown in a
    fieldset by the ``field`` macro, usable with a thumb and without JavaScript."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

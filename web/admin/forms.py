"""The admin's forms (Flask-WTF: each carries its CSRF token and validates what it takes).

Labels and messages are lazily translated, so a form shows in the page's locale.
Product fields take an id; the pages' script fills them from a search as you type
(web/static/admin.js), and without the script an id typed by hand works the same.
"""

from __future__ import annotations

from typing import Any

from flask_babel import format_date, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from merchandising.accounts import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from merchandising.curation import MAX_BADGE_LENGTH, MAX_POSITION, MAX_PRODUCT_ID
from merchandising.rules import MAX_QUERY

from ..limits import EARLIEST_DAY, LATEST_DAY


def sane_date(form: Any, field: Any) -> None:
    """A date within the range every date of the admin must fall in (web/limits.py)."""
    if field.data is not None and not EARLIEST_DAY <= field.data <= LATEST_DAY:
        raise ValidationError(
            gettext(
                "Pick a date between %(first)s and %(last)s.",
                first=format_date(EARLIEST_DAY),
                last=format_date(LATEST_DAY),
            )
        )


class LoginForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])


class ActionForm(FlaskForm):
    """A button that changes something (remove, rebuild, sign out): only its CSRF token."""


class SpanForm(FlaskForm):
    """A product over a span of the country's local dates."""

    country = HiddenField(validators=[DataRequired()])
    product_id = StringField(_l("Product"), validators=[DataRequired(), Length(max=MAX_PRODUCT_ID)])
    starts = DateField(_l("From"), validators=[InputRequired(), sane_date])
    ends = DateField(_l("To"), validators=[InputRequired(), sane_date])

    def validate_ends(self, field: Any) -> None:
        if self.starts.data and field.data and field.data < self.starts.data:
            raise ValidationError(_l("The last day is before the first."))


class PinForm(SpanForm):
    position = IntegerField(
        _l("Position"), validators=[Optional(), NumberRange(min=1, max=MAX_POSITION)]
    )
    badge = StringField(_l("Badge"), validators=[Optional(), Length(max=MAX_BADGE_LENGTH)])


class ExclusionForm(SpanForm):
    pass


class RuleForm(FlaskForm):
    query = StringField(_l("Query"), validators=[DataRequired(), Length(max=MAX_QUERY)])
    locale = SelectField(_l("Language"), validators=[DataRequired()])
    country = SelectField(_l("Country"), validators=[Optional()])
    promote = TextAreaField(_l("Promote, in this order"))
    hide = TextAreaField(_l("Hide"))
    starts = DateField(_l("From"), validators=[Optional(), sane_date])
    ends = DateField(_l("To"), validators=[Optional(), sane_date])

    def validate_ends(self, field: Any) -> None:
        if self.starts.data and field.data and field.data < self.starts.data:
            raise ValidationError(_l("The last day is before the first."))

    def ids(self, field: Any) -> list[str]:
        """Product ids of a list field: one per line (or separated by commas or spaces)."""
        return [pid for pid in (field.data or "").replace(",", " ").split() if pid]


class SynonymsForm(FlaskForm):
    groups = TextAreaField(_l("Synonym groups"))


class AliasesForm(FlaskForm):
    aliases = TextAreaField(_l("Brand aliases"))


class AddSynonymForm(FlaskForm):
    """From a query that found nothing: make it mean a word the catalog has."""

    word = HiddenField(validators=[DataRequired(), Length(max=64)])
    synonym = StringField(_l("Means"), validators=[DataRequired(), Length(max=64)])


class UserForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=64)])
    role = SelectField(_l("Role"))  # choices: the roles, labelled in the page language
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH)],
    )

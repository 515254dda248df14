"""Sign-in, registration and account-creation forms."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than its stubs
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from core.auth.roles import ADMIN_CREATED_ROLES, ROLE_LABELS, Role
from core.auth.services import MIN_PASSWORD_LENGTH
from core.text import text_filter

ADMIN_ROLES_IN_ORDER = [role for role in Role if role in ADMIN_CREATED_ROLES]


def _email_field(required: Any, autocomplete: str) -> EmailField:
    return EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(required),
            Email(_l("Enter a valid e-mail address.")),
            Length(max=254),
        ],
        render_kw={"autocomplete": autocomplete},
    )


NEW_PASSWORD_HINT = _l(
    "At least %(count)d characters. Avoid common passwords.", count=MIN_PASSWORD_LENGTH
)


def new_password_field(label: Any = None, description: Any = NEW_PASSWORD_HINT) -> PasswordField:
    """A password being chosen (sign-up, invitation, an admin creating an account)."""
    return PasswordField(
        label or _l("Password"),
        description=description,
        validators=[DataRequired(_l("Choose a password."))],
        render_kw={"autocomplete": "new-password"},
    )


def repeat_password_field() -> PasswordField:
    """The chosen password again, which must match the ``password`` field."""
    return PasswordField(
        _l("Repeat the password"),
        validators=[
            DataRequired(_l("Repeat the password.")),
            EqualTo("password", _l("The two passwords differ.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class LoginForm(FlaskForm):
    # No format check here: a typo only ever gets "wrong e-mail address or password".
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(_l("Enter your e-mail address.")), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )


class RegisterForm(FlaskForm):
    full_name = StringField(
        _l("Full name"),
        filters=[text_filter],
        validators=[DataRequired(_l("Enter your name.")), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    email = _email_field(_l("Enter your e-mail address."), "email")
    password = new_password_field()
    confirm = repeat_password_field()


class CreateUserForm(FlaskForm):
    """An admin creates an official's or a lodging person's account."""

    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(role.value, ROLE_LABELS[role]) for role in ADMIN_ROLES_IN_ORDER],
        validators=[DataRequired(_l("Choose a role."))],
    )
    full_name = StringField(
        _l("Full name"),
        filters=[text_filter],
        validators=[DataRequired(_l("Enter the person's name.")), Length(max=200)],
    )
    email = _email_field(_l("Enter the e-mail address."), "off")
    password = new_password_field(
        _l("Initial password"),
        _l(
            "At least %(count)d characters. Give it to the person in private.",
            count=MIN_PASSWORD_LENGTH,
        ),
    )
    police_province = StringField(
        _l("Police: province"),
        description=_l("Only for police accounts: the province of their unit, e.g. Quảng Ninh."),
        filters=[text_filter],
        validators=[Optional(), Length(max=100)],
    )
    police_commune = StringField(
        _l("Police: ward or commune"),
        description=_l(
            "Only for a ward or commune police, e.g. Bãi Cháy. Leave empty for the province police."
        ),
        filters=[text_filter],
        validators=[Optional(), Length(max=100)],
    )

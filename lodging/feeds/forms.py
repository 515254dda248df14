"""The feeds' forms: the hand-over's file number, and a police unit's e-mail address.

The file number is the one a police portal gave for an uploaded batch (the desk's
hand-over); the address is set on ``lodging.feeds.unit_admin``.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from core.text import text_filter
from lodging.properties import geography


class FileNumberForm(FlaskForm):
    # Checked by the service (``handover_batches.clean_file_number``); this only bounds it.
    file_number = StringField(
        _l("The portal's file number (mã hồ sơ)"),
        description=_l("Type or scan it after you have uploaded the batch at the portal."),
        validators=[Length(max=200)],
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"},
    )
    batch = HiddenField()  # the batch the page showed as waiting for its number
    submit = SubmitField(_l("Record the hand-over"))


class UnitEmailForm(FlaskForm):
    """One unit's address: the province, the commune (empty: the province's own unit)."""

    province_code = SelectField(
        _l("Province"),
        coerce=int,
        validators=[DataRequired(_l("Choose the province."))],
    )
    commune_code = StringField(
        _l("Commune or ward code"),
        description=_l(
            "The commune's code, in digits (Phường Bãi Cháy is 6673). Leave it empty for the "
            "province's own unit, such as its immigration office."
        ),
        filters=[text_filter],
        validators=[
            Optional(),
            Regexp(
                r"^\d{1,6}$", message=_l("Enter the commune's code as digits, or leave it empty.")
            ),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    email = StringField(
        _l("E-mail address for stay notices"),
        description=_l("As the unit publishes it. Leave it empty to remove the address."),
        filters=[text_filter],
        render_kw={"autocomplete": "off", "inputmode": "email"},
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.province_code.choices = [(p.code, p.name) for p in geography.provinces()]

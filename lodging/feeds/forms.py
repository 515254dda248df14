"""The feeds' forms: a police unit's e-mail address (``lodging.feeds.unit_admin``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Optional, Regexp

from core.text import text_filter
from lodging.properties import geography


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

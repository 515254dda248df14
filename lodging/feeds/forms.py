"""The hand-over page's form: the file number a police portal gave for an uploaded batch."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, SubmitField
from wtforms.validators import Length


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

"""The back office where tourism officers write, translate and publish content.

Officers (and admins) create drafts in Vietnamese, translate them side by side with the
original (a translation made from an older original is flagged stale), add photos with
alt texts, and publish. Every action is audit-logged by the services.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than its stubs

from core.auth.access import roles_required, signed_in_user
from core.auth.roles import DEPARTMENT_ROLES
from core.clock import utcnow
from core.extensions import db
from core.form_errors import show_errors
from portal.destinations import catalogue, images, itineraries, services
from portal.destinations import itinerary_editing as day_forms
from portal.destinations.forms import (
    KIND_CHOICES,
    AltTextForm,
    DaysForm,
    ImageForm,
    ItemForm,
    ItineraryTranslationForm,
    TranslationForm,
    format_opening_hours,
    format_tickets,
    parse_opening_hours,
    parse_tickets,
)
from portal.destinations.media import media_dir
from portal.destinations.models import ContentItem, ContentStatus, ContentType, Recurrence

bp = Blueprint(
    "content_admin",
    __name__,
    template_folder="templates",
    url_prefix="/<locale:lang>/admin/content",
)
ITEM = "/<int:item_id>"


def _actor() -> services.Actor:
    user = signed_in_user()
    return services.Actor(user.id, user.email, request.remote_addr or "")


def _item(item_id: int) -> ContentItem:
    item = catalogue.get_item(db.session, item_id)
    if item is None:
        abort(404)
    return item


def _prepare(form: ItemForm, type_: ContentType) -> None:
    form.kind.choices = KIND_CHOICES.get(type_.value, [SelectChoice("", "—")])
    places = catalogue.list_items(db.session, ContentType.PLACE)
    form.place_id.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(p.id), p.original.title if p.original else str(p.id)) for p in places
    ]


def _facts(form: ItemForm) -> services.FactsInput:
    note = (form.accessibility_note.data or "").strip()
    accessibility: dict[str, Any] = {}
    if form.wheelchair.data:
        accessibility["wheelchair"] = form.wheelchair.data
    if note:
        accessibility["notes"] = {"vi": note}
    return services.FactsInput(
        kind=form.kind.data or "",
        province=(form.province.data or "").strip(),
        commune=(form.commune.data or "").strip(),
        latitude=form.latitude.data,
        longitude=form.longitude.data,
        opening_hours=parse_opening_hours(form.opening_hours.data or ""),
        tickets=parse_tickets(form.tickets.data or ""),
        accessibility=accessibility,
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        start_time=form.start_time.data,
        end_time=form.end_time.data,
        recurrence=Recurrence(form.recurrence.data or "none"),
        recurrence_until=form.recurrence_until.data,
        cancelled=bool(form.cancelled.data),
        place_id=int(form.place_id.data) if form.place_id.data else None,
        published_on=form.published_on.data,
    )


def _text(form: ItemForm | TranslationForm) -> services.TextInput:
    return services.TextInput(
        title=form.title.data or "",
        slug=form.slug.data or "",
        summary=form.summary.data or "",
        body=form.body.data or "",
    )


def _fill(form: ItemForm, item: ContentItem) -> None:
    """Put the item's current values in a form shown for the first time."""
    original = item.original
    if original is not None:
        for name in ("title", "slug", "summary", "body"):
            form[name].data = getattr(original, name)
    for name in ("kind", "province", "commune", "latitude", "longitude", "starts_on"):
        form[name].data = getattr(item, name)
    for name in ("ends_on", "start_time", "end_time", "recurrence_until", "cancelled"):
        form[name].data = getattr(item, name)
    form.recurrence.data = item.recurrence.value
    form.place_id.data = str(item.place_id) if item.place_id else ""
    form.published_on.data = item.published_on
    form.opening_hours.data = format_opening_hours(item.opening_hours)
    form.tickets.data = format_tickets(item.tickets)
    form.wheelchair.data = item.accessibility.get("wheelchair", "")
    form.accessibility_note.data = item.accessibility.get("notes", {}).get("vi", "")


@bp.route("/")
@roles_required(*DEPARTMENT_ROLES)
def list_content() -> ResponseReturnValue:
    wanted_type = request.args.get("type", "")
    wanted_status = request.args.get("status", "")
    type_ = ContentType(wanted_type) if wanted_type in set(ContentType) else None
    status = ContentStatus(wanted_status) if wanted_status in set(ContentStatus) else None
    found = catalogue.list_items(db.session, type_, status)
    return render_template("destinations/admin/list.html", items=found, type_=type_, status=status)


@bp.route("/new/<type_name>", methods=["GET", "POST"])
@roles_required(*DEPARTMENT_ROLES)
def new_item(type_name: str) -> ResponseReturnValue:
    if type_name not in set(ContentType):
        abort(404)
    type_ = ContentType(type_name)
    form = ItemForm()
    _prepare(form, type_)
    if form.validate_on_submit():
        try:
            item = services.create_draft(
                db.session, type_, _text(form), _facts(form), actor=_actor(), now=utcnow()
            )
        except services.ContentError as exc:
            db.session.rollback()
            show_errors(form, exc.errors, fallback="title")
        else:
            db.session.commit()
            flash(_("The draft is saved."), "success")
            return redirect(url_for(".edit_item", item_id=item.id))
    return render_template("destinations/admin/edit.html", form=form, type_=type_, item=None)


@bp.route(ITEM, methods=["GET", "POST"])
@roles_required(*DEPARTMENT_ROLES)
def edit_item(item_id: int) -> ResponseReturnValue:
    item = _item(item_id)
    form = ItemForm()
    _prepare(form, item.type)
    if request.method == "GET":
        _fill(form, item)
    elif form.validate_on_submit():
        try:
            services.edit_original(
                db.session, item, _text(form), _facts(form), actor=_actor(), now=utcnow()
            )
        except services.ContentError as exc:
            db.session.rollback()
            show_errors(form, exc.errors, fallback="title")
        else:
            db.session.commit()
            flash(_("The changes are saved."), "success")
            return redirect(url_for(".edit_item", item_id=item.id))
    return _edit_page(item, form)


def _edit_page(item: ContentItem, form: ItemForm, days_form: DaysForm | None = None) -> str:
    """The edit page: the item's form, its days (itineraries) and its photos."""
    if days_form is None and item.type is ContentType.ITINERARY:
        days_form = day_forms.days_form_for(
            item, catalogue.list_items(db.session, ContentType.PLACE)
        )
    alt_forms = {
        image.id: AltTextForm(
            formdata=None,
            prefix=f"image-{image.id}",
            data={f"alt_{code}": text for code, text in image.alt.items()},
        )
        for image in item.images
    }
    return render_template(
        "destinations/admin/edit.html",
        form=form,
        type_=item.type,
        item=item,
        days_form=days_form,
        image_form=ImageForm(formdata=None),
        alt_forms=alt_forms,
        languages=services.LANGUAGES,
    )


@bp.route(f"{ITEM}/days", methods=["POST"])
@roles_required(*DEPARTMENT_ROLES)
def edit_days(item_id: int) -> ResponseReturnValue:
    item = _item(item_id)
    if item.type is not ContentType.ITINERARY:
        abort(404)
    form = DaysForm()
    if form.validate_on_submit():
        try:
            itineraries.edit_itinerary_days(
                db.session, item, day_forms.day_edits(form), actor=_actor(), now=utcnow()
            )
        except services.ContentError as exc:
            db.session.rollback()
            for message in day_forms.show_day_errors(form, exc.errors):
                flash(message, "error")
        else:
            db.session.commit()
            flash(_("The days are saved."), "success")
            return redirect(url_for(".edit_item", item_id=item.id, _anchor="days"))
    places = catalogue.list_items(db.session, ContentType.PLACE)
    item_form = ItemForm(formdata=None)
    _prepare(item_form, item.type)
    _fill(item_form, item)
    return _edit_page(item, item_form, day_forms.prepare_days_form(form, places))


@bp.route(f"{ITEM}/translations/<code>", methods=["GET", "POST"])
@roles_required(*DEPARTMENT_ROLES)
def translate(item_id: int, code: str) -> ResponseReturnValue:
    item = _item(item_id)
    if code not in services.LANGUAGES or code == item.original_lang:
        abort(404)
    existing = item.translation(code)
    form = _translation_form(item, code)
    if form.validate_on_submit():
        try:
            if isinstance(form, ItineraryTranslationForm):
                itineraries.save_itinerary_translation(
                    db.session,
                    item,
                    code,
                    _text(form),
                    day_forms.day_texts(form),
                    actor=_actor(),
                    now=utcnow(),
                )
            else:
                services.save_translation(
                    db.session, item, code, _text(form), actor=_actor(), now=utcnow()
                )
        except services.ContentError as exc:
            db.session.rollback()
            show_errors(form, exc.errors, fallback="title")
        else:
            db.session.commit()
            flash(_("The translation is saved."), "success")
            return redirect(url_for(".edit_item", item_id=item.id))
    return render_template(
        "destinations/admin/translation.html",
        form=form,
        item=item,
        code=code,
        original=item.original,
        translation=existing,
        original_days={str(day.id): day for day in item.days},
    )


def _translation_form(item: ContentItem, code: str) -> TranslationForm:
    """The translation form, with the days' texts for an itinerary; filled on GET."""
    first_time = request.method == "GET"
    existing = item.translation(code) if first_time else None
    if item.type is not ContentType.ITINERARY:
        return TranslationForm(obj=existing)
    data = day_forms.translation_days(item, code) if first_time else None
    return ItineraryTranslationForm(obj=existing, data=data)


@bp.route(f"{ITEM}/<action>", methods=["POST"])
@roles_required(*DEPARTMENT_ROLES)
def change_status(item_id: int, action: str) -> ResponseReturnValue:
    if action not in {"publish", "unpublish"}:
        abort(404)
    item = _item(item_id)  # CSRF is checked for every POST (core's CSRFProtect)
    change = services.publish if action == "publish" else services.unpublish
    change(db.session, item, actor=_actor(), now=utcnow())
    db.session.commit()
    flash(_("Published.") if item.is_published else _("Withdrawn: now a draft."), "success")
    return redirect(url_for(".edit_item", item_id=item.id))


@bp.route(f"{ITEM}/images", methods=["POST"])
@roles_required(*DEPARTMENT_ROLES)
def upload_image(item_id: int) -> ResponseReturnValue:
    item = _item(item_id)
    form = ImageForm()
    if not form.validate_on_submit():
        flash(_("Choose a photo to upload."), "error")
        return redirect(url_for(".edit_item", item_id=item.id))
    alt = {code: form[f"alt_{code}"].data or "" for code in services.LANGUAGES}
    try:
        images.add_image(
            db.session,
            item,
            form.photo.data.read(images.MAX_BYTES + 1),
            alt,
            media_dir=media_dir(current_app),
            actor=_actor(),
            now=utcnow(),
        )
    except images.ImageRejectedError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        db.session.commit()
        flash(_("The photo is added."), "success")
    return redirect(url_for(".edit_item", item_id=item.id))


@bp.route(f"{ITEM}/images/<int:image_id>/alt", methods=["POST"])
@roles_required(*DEPARTMENT_ROLES)
def edit_alt_texts(item_id: int, image_id: int) -> ResponseReturnValue:
    item = _item(item_id)
    image = next((i for i in item.images if i.id == image_id), None)
    if image is None:
        abort(404)
    form = AltTextForm(prefix=f"image-{image.id}")
    if not form.validate_on_submit():
        flash(_("A description can have at most 300 characters."), "error")
        return redirect(url_for(".edit_item", item_id=item.id, _anchor=f"photo-{image.id}"))
    alt = {code: form[f"alt_{code}"].data or "" for code in services.LANGUAGES}
    images.set_alt_texts(db.session, image, alt, actor=_actor(), now=utcnow())
    db.session.commit()
    flash(_("The photo's descriptions are saved."), "success")
    return redirect(url_for(".edit_item", item_id=item.id, _anchor=f"photo-{image.id}"))


@bp.route(f"{ITEM}/images/<int:image_id>/remove", methods=["POST"])
@roles_required(*DEPARTMENT_ROLES)
def remove_image(item_id: int, image_id: int) -> ResponseReturnValue:
    item = _item(item_id)
    image = next((i for i in item.images if i.id == image_id), None)
    if image is None:
        abort(404)
    images.remove_image(db.session, image, actor=_actor(), now=utcnow())
    db.session.commit()
    flash(_("The photo is removed."), "success")
    return redirect(url_for(".edit_item", item_id=item.id))

"""Approved establishments as search documents (type ``lodging``).

Only approved establishments are found; a pending or suspended one gives no document,
so the indexing worker removes it. Names are not translated: the same name in every
language the site is written in, with the page of that language.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask
from sqlalchemy import select

from core.database import DbSession
from lodging.properties import geography
from lodging.properties.models import Establishment, EstablishmentStatus
from search.documents import DocumentType, GeoPoint, LocalizedText, SearchDocument
from search.indexing import register_document_source

LANGS = ("vi", "en")


def public_path(lang: str, establishment_id: int) -> str:
    """The public page of an establishment (``properties.public_establishment``)."""
    return f"/{lang}/lodgings/{establishment_id}"


def establishment_document(establishment: Establishment) -> SearchDocument | None:
    """The establishment as tourists find it, or None unless it is approved."""
    if establishment.status is not EstablishmentStatus.APPROVED:
        return None
    commune = geography.commune(establishment.commune_code).name
    location = (
        GeoPoint(establishment.latitude, establishment.longitude)
        if establishment.latitude is not None and establishment.longitude is not None
        else None
    )
    texts = {
        lang: LocalizedText(
            title=establishment.name,
            url=public_path(lang, establishment.id),
            summary=f"{establishment.street_address}, {commune}",
        )
        for lang in LANGS
    }
    approved = establishment.approved_at or establishment.created_at
    return SearchDocument(
        type=DocumentType.LODGING,
        id=str(establishment.id),
        # The indexing handler stamps its own version; this one orders direct calls.
        version=int(approved.timestamp() * 1_000_000),
        texts=texts,
        original_lang="vi",
        location=location,
        commune=commune,
        category=establishment.kind.value,
        stars=establishment.stars,
        amenities=tuple(establishment.amenities),
        price_from=None,  # comes with booking
    )


def load_lodging(session: DbSession, id_: str) -> SearchDocument | None:
    if not id_.isdigit():
        return None
    establishment = session.get(Establishment, int(id_))
    return None if establishment is None else establishment_document(establishment)


def approved_ids(session: DbSession) -> Iterable[str]:
    query = select(Establishment.id).where(Establishment.status == EstablishmentStatus.APPROVED)
    return [str(id_) for id_ in session.scalars(query.order_by(Establishment.id))]


def register_lodging_source(app: Flask) -> None:
    register_document_source(app, DocumentType.LODGING, load_lodging, approved_ids)

"""Photo uploads: checked by content, re-encoded, thumbnailed, stored under random names.

An upload is trusted for nothing: its name and declared type are ignored, its type is
read from its first bytes (JPEG, PNG or WebP only), its size and pixel count are
limited before anything is decoded, and what is stored is a fresh encoding of the
decoded pixels: metadata (EXIF with GPS, comments) and anything appended to the file
(a script after the PNG end) are gone.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError

from core.database import DbSession
from portal.destinations import services
from portal.destinations.models import ContentItem, Image

MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000
THUMBNAIL_BOX = (480, 480)
# Media type -> (Pillow format, file extension).
FORMATS = {
    "image/jpeg": ("JPEG", "jpg"),
    "image/png": ("PNG", "png"),
    "image/webp": ("WEBP", "webp"),
}
MEDIA_TYPES_BY_EXTENSION = {ext: media_type for media_type, (_fmt, ext) in FORMATS.items()}


class ImageRejectedError(ValueError):
    """An upload that is not stored; ``message`` says why, for the uploader."""

    def __init__(self, message: LazyString) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Encoded:
    data: bytes
    width: int
    height: int


@dataclass(frozen=True)
class ProcessedImage:
    media_type: str
    full: Encoded
    thumbnail: Encoded


def sniff(data: bytes) -> str | None:
    """The media type the first bytes announce, among those accepted."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


TOO_MANY_PIXELS = _l("This image has too many pixels (40 megapixels at most).")
DAMAGED = _l("This image is damaged and cannot be read.")


def _decode(data: bytes, media_type: str) -> PILImage.Image:
    """The decoded first frame, after the pixel count was checked from the header."""
    PILImage.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow's own guard, as a second line
    with warnings.catch_warnings():
        warnings.simplefilter("error", PILImage.DecompressionBombWarning)
        try:
            image = PILImage.open(io.BytesIO(data), formats=[FORMATS[media_type][0]])
        except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as exc:
            raise ImageRejectedError(TOO_MANY_PIXELS) from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
            raise ImageRejectedError(DAMAGED) from exc
        width, height = image.size  # read from the header; nothing decoded yet
        if width * height > MAX_PIXELS:
            raise ImageRejectedError(TOO_MANY_PIXELS)
        try:
            image.seek(0)
            image.load()
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise ImageRejectedError(DAMAGED) from exc
    return image


def _encode(image: PILImage.Image, media_type: str) -> Encoded:
    pil_format = FORMATS[media_type][0]
    if pil_format == "JPEG":
        image = image.convert("RGB")
    elif image.mode not in {"RGB", "RGBA", "L", "LA"}:
        image = image.convert("RGBA")
    clean = image.copy()
    clean.info = {}  # no EXIF, ICC profile, comments or text chunks are carried over
    out = io.BytesIO()
    options: dict[str, object] = {"optimize": True}
    if pil_format in {"JPEG", "WEBP"}:
        options["quality"] = 85
    clean.save(out, format=pil_format, **options)
    return Encoded(out.getvalue(), clean.width, clean.height)


def process_upload(data: bytes) -> ProcessedImage:
    """Check ``data`` and re-encode it; ``ImageRejectedError`` says what is wrong."""
    if len(data) > MAX_BYTES:
        raise ImageRejectedError(_l("This file is too large (8 MB at most)."))
    media_type = sniff(data)
    if media_type is None:
        raise ImageRejectedError(_l("This file is not a JPEG, PNG or WebP image."))
    image = ImageOps.exif_transpose(_decode(data, media_type))  # photos stay upright
    full = _encode(image, media_type)
    thumb = image.copy()
    thumb.thumbnail(THUMBNAIL_BOX)
    return ProcessedImage(media_type, full, _encode(thumb, media_type))


def _write(media_dir: Path, name: str, data: bytes) -> None:
    media_dir.mkdir(parents=True, exist_ok=True)
    temporary = media_dir / f".{name}.part"
    temporary.write_bytes(data)
    os.replace(temporary, media_dir / name)  # readers never see half a file


def add_image(
    session: DbSession,
    item: ContentItem,
    data: bytes,
    alt: dict[str, str],
    *,
    media_dir: Path,
    actor: services.Actor,
    now: dt.datetime,
) -> Image:
    """Store an upload's re-encoding and thumbnail, and attach them to ``item``.

    The files are written before the commit; a rolled-back upload leaves two files no
    row names, which are never served.
    """
    processed = process_upload(data)
    extension = FORMATS[processed.media_type][1]
    stem = secrets.token_hex(16)
    image = Image(
        file_name=f"{stem}.{extension}",
        thumbnail_name=f"{stem}-thumb.{extension}",
        media_type=processed.media_type,
        width=processed.full.width,
        height=processed.full.height,
        thumbnail_width=processed.thumbnail.width,
        thumbnail_height=processed.thumbnail.height,
        alt={lang: text.strip() for lang, text in alt.items() if text.strip()},
        position=max((i.position for i in item.images), default=0) + 1,
        created_at=now,
    )
    _write(media_dir, image.file_name, processed.full.data)
    _write(media_dir, image.thumbnail_name, processed.thumbnail.data)
    item.images.append(image)
    services.record_change(session, item, "add_image", actor, now, image=image.file_name)
    return image


def set_alt_texts(
    session: DbSession,
    image: Image,
    alt: dict[str, str],
    *,
    actor: services.Actor,
    now: dt.datetime,
) -> None:
    image.alt = {lang: text.strip() for lang, text in alt.items() if text.strip()}
    services.record_change(session, image.item, "edit_image", actor, now, image=image.file_name)


def remove_image(
    session: DbSession, image: Image, *, actor: services.Actor, now: dt.datetime
) -> None:
    """Detach the image; its files stay on disk but are no longer served."""
    item = image.item
    item.images.remove(image)
    services.record_change(session, item, "remove_image", actor, now, image=image.file_name)

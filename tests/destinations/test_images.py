from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image as PILImage
from sqlalchemy.orm import Session

from core.clock import utcnow
from portal.destinations import images
from portal.destinations.media import media_dir
from tests.destinations.content import ACTOR, make_item


def png_bytes(width: int = 40, height: int = 30, **save: object) -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (width, height), (10, 120, 200)).save(out, format="PNG", **save)
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    exif = PILImage.Exif()
    exif[0x010F] = "Camera maker"  # Make
    exif[0x8825] = {2: (20.0, 54.0, 36.0)}  # GPSInfo: latitude
    out = io.BytesIO()
    PILImage.new("RGB", (64, 48), (200, 10, 10)).save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def bomb_png(width: int = 100_000, height: int = 100_000) -> bytes:
    """A PNG whose header claims 10 gigapixels, with almost no data behind it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
        + chunk(b"IEND", b"")
    )


def test_png_with_a_script_appended_is_re_encoded_without_it() -> None:
    upload = png_bytes() + b"<script>alert(1)</script>"
    processed = images.process_upload(upload)
    assert processed.media_type == "image/png"
    assert b"<script>" not in processed.full.data
    assert processed.full.data.endswith(b"IEND\xaeB`\x82")
    assert (processed.full.width, processed.full.height) == (40, 30)


def test_exif_and_gps_are_stripped_from_photos() -> None:
    processed = images.process_upload(jpeg_with_gps())
    with PILImage.open(io.BytesIO(processed.full.data)) as stored:
        assert not stored.getexif()
    assert b"Camera maker" not in processed.full.data


def test_text_file_named_jpg_is_refused() -> None:
    with pytest.raises(images.ImageRejectedError) as caught:
        images.process_upload(b"<html><script>alert(1)</script></html>")
    assert "not a JPEG, PNG or WebP" in str(caught.value)


def test_decompression_bomb_is_refused_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    def must_not_decode(self: PILImage.Image) -> None:
        raise AssertionError("decoded a bomb")

    monkeypatch.setattr(PILImage.Image, "load", must_not_decode)
    with pytest.raises(images.ImageRejectedError) as caught:
        images.process_upload(bomb_png())
    assert "too many pixels" in str(caught.value)


def test_image_just_over_the_pixel_limit_is_refused() -> None:
    with pytest.raises(images.ImageRejectedError, match="too many pixels"):
        images.process_upload(bomb_png(8000, 5001))


def test_truncated_image_is_refused_as_damaged() -> None:
    with pytest.raises(images.ImageRejectedError, match="damaged"):
        images.process_upload(png_bytes(400, 300)[:120])


def test_oversized_upload_is_refused() -> None:
    with pytest.raises(images.ImageRejectedError, match="too large"):
        images.process_upload(b"\x89PNG\r\n\x1a\n" + b"\x00" * images.MAX_BYTES)


def test_stored_photo_is_served_as_an_image_and_nothing_else_is(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    item = make_item(db_session)
    image = images.add_image(
        db_session,
        item,
        png_bytes() + b"<script>x</script>",
        {"vi": "Vịnh", "en": "The bay"},
        media_dir=media_dir(app),
        actor=ACTOR,
        now=utcnow(),
    )
    db_session.commit()
    assert image.thumbnail_width <= images.THUMBNAIL_BOX[0]

    response = client.get(f"/media/{image.file_name}")
    served = response.get_data()
    response.close()  # send_file streams from the open file
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"] == "inline"
    assert served.startswith(b"\x89PNG")
    assert b"<script>" not in served
    thumbnail = client.get(f"/media/{image.thumbnail_name}")
    thumbnail.close()
    assert thumbnail.headers["Content-Type"] == "image/png"

    # A file in the media folder that no image row names is never served.
    stray = Path(media_dir(app)) / ("0" * 32 + ".png")
    stray.write_bytes(b"<script>alert(1)</script>")
    assert client.get(f"/media/{stray.name}").status_code == 404
    assert client.get("/media/..%2Finstance.db").status_code == 404

"""QR codes as inline SVG markup, for posters a page prints.

The SVG is one ``<path>`` with presentation attributes only (``fill``, ``stroke``): no
``style`` attribute and no ``<style>`` element, so the strict Content-Security-Policy
lets it through inline. It has no fixed size: the page's CSS sizes it.
"""

from __future__ import annotations

import qrcode
from markupsafe import Markup
from qrcode.constants import ERROR_CORRECT_M
from qrcode.image.svg import SvgPathImage

# Medium error correction survives a poster that is creased, faded or partly covered.
_BORDER_MODULES = 4  # the quiet zone scanners need around the code


def qr_svg(data: str, *, label: str) -> Markup:
    """``data`` as an inline ``<svg>`` QR code; ``label`` names it for screen readers."""
    code = qrcode.QRCode(
        error_correction=ERROR_CORRECT_M, border=_BORDER_MODULES, image_factory=SvgPathImage
    )
    code.add_data(data)
    code.make(fit=True)
    image = code.make_image()
    root = image.get_image()
    for fixed_size in ("width", "height"):
        root.attrib.pop(fixed_size, None)
    root.set("class", "qr-code")
    root.set("role", "img")
    root.set("aria-label", label)
    root.set("shape-rendering", "crispEdges")
    for path in root:
        path.attrib.pop("id", None)  # "qr-path" would repeat if a page showed two codes
    # ElementTree escapes every attribute value (the label included); the data itself is
    # only geometry in the path, never text.
    return Markup(image.to_string(encoding="unicode"))  # noqa: S704 - escaped above

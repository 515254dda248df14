"""schema.org JSON-LD in a page: the one safe way to write it into HTML."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

# Inside <script>, "</script>" would end the element whatever JSON thinks; escaping these
# three keeps the text valid JSON and inert HTML.
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def json_ld_tag(data: Mapping[str, Any]) -> Markup:
    """``<script type="application/ld+json">``: data, which the CSP does not execute."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_SAFE)
    return Markup('<script type="application/ld+json">%s</script>') % Markup(text)  # noqa: S704 - escaped above

"""Server-side HTML from the Jinja2 templates under bot/web/templates, escaped by default.

Autoescaping is always on (not only for .html names): FAQ text and citizens' questions may
contain markup, and the pages must show it as text. Undefined names fail loudly in tests
instead of rendering as empty strings.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

_ENV = Environment(
    loader=PackageLoader("bot.web", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
# Inside <script type="application/ld+json"> the HTML parser only looks for "</script" (and
# "<!--"); escaping <, > and & as JSON \u escapes keeps stored text from ever closing the element
# while the JSON still decodes to the same strings.
_JSON_IN_HTML = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def json_ld(data: Mapping[str, Any]) -> Markup:
    """Structured data ready to sit between <script type="application/ld+json"> tags."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_JSON_IN_HTML)
    # HTML-escaping would corrupt the JSON (script content is not entity-decoded); the JSON
    # escapes above are what makes it safe, so it is marked as ready here and nowhere else.
    return Markup(text)


def render(
    template: str,
    context: Mapping[str, Any],
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    html = _ENV.get_template(template).render(**context)
    return HTMLResponse(html, status_code=status_code, headers=dict(headers or {}))

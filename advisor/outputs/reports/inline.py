"""What an HTML report may carry inline: its own scripts (allowed by hash) and data blocks (escaped JSON).

Every HTML report is one file with a Content-Security-Policy that allows inline styles, `data:` images
and exactly the report's own inline scripts by their SHA-256 hashes: no other script, no request to
anywhere (`default-src 'none'`, no `connect-src`). Data a script needs sits in a
`<script type="application/json">` block, which the browser never runs; `json_block` escapes it so no
value can end the block or open a comment, whatever text it holds.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import importlib.resources
import json
from typing import Any

from markupsafe import Markup

from advisor.errors import KnowledgeBaseError

# Characters that could end a script block or start an HTML comment inside it, or end a JS line.
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def template_text(name: str) -> str:
    """A file of templates/reports as text, with line ends as an HTML parser keeps them (LF)."""
    where = f"advisor/templates/reports/{name}"
    try:
        text = (importlib.resources.files("advisor") / "templates" / "reports" / name).read_text("utf-8")
    except FileNotFoundError:
        raise KnowledgeBaseError(f"{where}: file is missing from the installation") from None
    return text.replace("\r\n", "\n")  # an HTML parser turns CRLF into LF; the hash must match what it keeps


@functools.cache
def inline_script(name: str) -> str:
    """A script of templates/reports, exactly as it is written into a page (and hashed for the CSP)."""
    text = template_text(name)
    if "</script" in text.lower() or "<!--" in text:
        raise KnowledgeBaseError(f"advisor/templates/reports/{name}: must not contain '</script' or '<!--'")
    return text


def script_hash(text: str) -> str:
    """The CSP source expression that allows an inline script whose text is exactly `text`."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def content_security_policy(*scripts: str) -> str:
    """Inline styles and `scripts` (by hash) only; no other script, no request to anywhere."""
    allowed = " ".join(script_hash(script) for script in scripts) or "'none'"
    return ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
            f"script-src {allowed}; base-uri 'none'; form-action 'none'")


def json_block(value: Any) -> Markup:
    """`value` as JSON for a `<script type="application/json">` block: `<`, `>`, `&` and the JS line
    separators are written as \\u escapes (JSON.parse reads them back), so the text can never hold
    `</script` or `<!--`. NaN and infinities are refused (JSON has none)."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    for character, escape in _JSON_ESCAPES.items():
        text = text.replace(character, escape)
    return Markup(text)

"""The one Jinja2 environment factory for every report (cookiecutter's StrictEnvironment, for reports).

Templates live in advisor/templates/reports. Every environment is strict (a missing value fails
loudly instead of rendering blank) and escapes every `{{ }}` for its target: HTML through Jinja2's
autoescaping, Markdown through `markdown_escape` applied as the environment's `finalize`. A value
that is already safe for the target is wrapped in `markupsafe.Markup` (HTML) or `MarkdownSafe`.
"""

from __future__ import annotations

import functools
import re
from typing import Any, Literal

import jinja2

from advisor.outputs.templating import make_environment
from advisor.profile.units import format_usd

Target = Literal["html", "markdown"]

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#!])")


class MarkdownSafe(str):
    """Text already written as Markdown by advisor itself (links to files it wrote): not escaped again."""

    __slots__ = ()


def markdown_escape(value: Any) -> str:
    """Text safe in Markdown, in a paragraph or a table cell: no raw HTML, no links, no emphasis or pipes.

    `<`, `>` and `&` become HTML entities (so no tag or autolink is ever written), Markdown's own
    punctuation is backslash-escaped, and line breaks become spaces so a value cannot start a block.
    """
    if isinstance(value, MarkdownSafe):
        return str(value)
    if value is None:
        return ""
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return " ".join(text.splitlines()).replace("\r", " ")


def markdown_code(value: Any) -> MarkdownSafe:
    """A Markdown code span: its text is shown literally, so only backticks and line breaks need care."""
    text = " ".join(str(value).replace("`", "'").splitlines())
    return MarkdownSafe(f"`{text}`")


def markdown_link(value: Any) -> MarkdownSafe:
    """A link destination for Markdown: percent-encoded so it cannot close the link or carry markup."""
    from urllib.parse import quote

    return MarkdownSafe(quote(str(value), safe="/%.-_~"))


def _finalize_markdown(value: Any) -> Any:
    return markdown_escape(value)


@functools.cache
def environment(target: Target) -> jinja2.Environment:
    """The Jinja2 environment for `target` ("html" or "markdown"), cached; the only place one is made."""
    if target not in ("html", "markdown"):
        raise ValueError(f"unknown report target {target!r}")
    html = target == "html"
    filters = {"money": format_usd, "number": number, "md": markdown_escape, "code": markdown_code,
               "md_link": markdown_link}
    return make_environment("reports", autoescape=html, filters=filters, finalize=None if html else _finalize_markdown)


def number(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"

"""The one factory for Jinja2 environments: reports (HTML, Markdown) and starter configs use it.

Templates load from the package folder `advisor/templates/<folder>` (a name with `..` or a leading
`/` is refused by the loader), every environment uses StrictUndefined so a missing value fails
loudly instead of rendering blank, and autoescaping is on exactly where the target is HTML.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2


def make_environment(folder: str, *, autoescape: bool, filters: Mapping[str, Callable[..., Any]],
                     finalize: Callable[[Any], Any] | None = None) -> jinja2.Environment:
    """A Jinja2 environment over `advisor/templates/<folder>` with the given escaping and filters."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("advisor", f"templates/{folder}"),
        undefined=jinja2.StrictUndefined,
        autoescape=autoescape,
        finalize=finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(filters)
    return env

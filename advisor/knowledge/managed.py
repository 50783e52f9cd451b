"""Well-known backing services and their AWS managed alternatives, read from models/managed_alternatives.yaml.

The importers use `product_for_image` to recognise a database, cache, broker or search engine in a
container image; the engine uses `product` to turn a profile's `backing_service` into the
`managed_alternative` output field. Both read the same data; code repeats none of it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from advisor.errors import KnowledgeBaseError
from advisor.knowledge.base import _as_of, read_model_file

FILE = "managed_alternatives.yaml"


@dataclass(frozen=True)
class ManagedAlternative:
    """The AWS managed service for a product, with a one-line rationale and its source."""

    service: str
    rationale: str
    source: str
    url: str
    as_of: str
    verified: str

    @property
    def citation(self) -> str:
        return f"{self.source} ({self.url}), as of {self.as_of}" if self.url else f"{self.source}, as of {self.as_of}"

    def to_dict(self) -> dict[str, str]:
        """The `managed_alternative` output object: {service, rationale, source}."""
        return {"service": self.service, "rationale": self.rationale, "source": self.citation}


@dataclass(frozen=True)
class Product:
    """A backing service the importers recognise in a container image."""

    key: str
    label: str
    images: tuple[re.Pattern[str], ...]
    port: int
    data_paths: tuple[str, ...]
    alternative: ManagedAlternative | None
    note: str = ""


def _product(key: str, entry: Any) -> Product:
    where = f"models/{FILE}: products.{key}"
    if not isinstance(entry, dict):
        raise KnowledgeBaseError(f"{where}: expected a mapping")
    images = entry.get("images")
    if not isinstance(images, list) or not images:
        raise KnowledgeBaseError(f"{where}.images: expected a non-empty list of regular expressions")
    try:
        patterns = tuple(re.compile(str(pattern)) for pattern in images)
    except re.error as exc:
        raise KnowledgeBaseError(f"{where}.images: not a valid regular expression ({exc})") from None
    port = entry.get("port")
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        raise KnowledgeBaseError(f"{where}.port: expected a TCP port number, got {port!r}")
    paths = entry.get("data_paths") or []
    if not isinstance(paths, list) or not all(isinstance(p, str) and p.startswith("/") for p in paths):
        raise KnowledgeBaseError(f"{where}.data_paths: expected a list of absolute paths")
    raw = entry.get("alternative")
    alternative = None
    if raw is not None:
        if not isinstance(raw, dict):
            raise KnowledgeBaseError(f"{where}.alternative: expected a mapping or null")
        for required in ("service", "rationale", "source", "as_of"):
            if not str(raw.get(required) or "").strip():
                raise KnowledgeBaseError(f"{where}.alternative: missing {required!r}")
        alternative = ManagedAlternative(
            service=str(raw["service"]), rationale=str(raw["rationale"]), source=str(raw["source"]),
            url=str(raw.get("url") or ""), as_of=_as_of(raw["as_of"], f"{where}.alternative"),
            verified=str(raw.get("verified") or "unconfirmed"))
    elif not str(entry.get("note") or "").strip():
        raise KnowledgeBaseError(f"{where}: alternative is null, so a note must say why")
    return Product(key, str(entry.get("label") or key), patterns, port,
                   tuple(p.rstrip("/") for p in paths), alternative, str(entry.get("note") or ""))


@functools.cache
def products() -> tuple[Product, ...]:
    """Every product of the data file, validated (a broken entry names the file and key)."""
    data = read_model_file(FILE)
    if not isinstance(data, dict) or not isinstance(data.get("products"), dict):
        raise KnowledgeBaseError(f"models/{FILE}: expected a top-level 'products' mapping")
    return tuple(_product(str(key), entry) for key, entry in data["products"].items())


def product(key: str) -> Product | None:
    """The product named `key` (as the profile's `backing_service` spells it), or None."""
    text = key.strip().lower()
    return next((p for p in products() if p.key == text), None)


def product_for_image(repository: str) -> Product | None:
    """The product a container image runs, from its repository path (no registry, no tag), or None."""
    text = repository.strip().lower()
    for candidate in products():
        if any(pattern.search(text) for pattern in candidate.images):
            return candidate
    return None

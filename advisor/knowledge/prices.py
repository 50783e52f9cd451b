"""Prices by AWS Region: one price book per Region, layered over us-east-1's.

A Region's price book is the knowledge base with its `price.*` facts replaced, in order of preference,
by (1) the price file `advisor prices update` wrote for that Region (dated by the AWS Price List offer
file it came from), (2) the bundled models/prices-<region>.yaml, and (3) for a price neither has,
us-east-1's bundled value, which the book records as borrowed so every result priced there can say so.

The EC2 catalogue (`price.ec2.instances`) is replaced type by type: a Region file lists the types it has a
price for (the specifications come from us-east-1's entry), marks a type the Region does not offer with
`available: false` (it leaves that Region's catalogue), and any other type keeps us-east-1's price and is
recorded as borrowed, as `price.ec2.instances[<type>]`.

Updated price files live in the directory named by the ADVISOR_PRICES_DIR environment variable, or
`$XDG_DATA_HOME/advisor/prices` (default `~/.local/share/advisor/prices`).
"""

from __future__ import annotations

import functools
import importlib.resources
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from advisor.errors import KnowledgeBaseError, UnknownRegionError
from advisor.knowledge.base import Fact, KnowledgeBase, _fact, knowledge, read_model_file

BASE_REGION = "us-east-1"
BASE_REGION_NAME = "US East (N. Virginia)"
PRICE_PREFIX = "price."
ENV_DIR = "ADVISOR_PRICES_DIR"
REGION_CODE = re.compile(r"^[a-z]{2,}(-[a-z]+)+-\d{1,2}$")  # as advisor.profile.fields.REGION_CODE
FILE_PATTERN = re.compile(r"^prices-([a-z0-9-]+)\.yaml$")
INSTANCES = "price.ec2.instances"
SPECS = ("vcpu", "memory_gib", "gpu", "arch", "local_nvme")
"""What an instance type is, the same in every Region: a Region file's entry takes these from us-east-1's."""


@dataclass(frozen=True)
class PriceFile:
    """One Region's price file: bundled under models/ or written by `advisor prices update`."""

    region: str
    name: str
    origin: str  # bundled | updated
    path: str
    facts: dict[str, Fact]
    published: str = ""  # the offer files' publication date (updated files)

    @property
    def as_of(self) -> str:
        return self.published or max((f.as_of for f in self.facts.values()), default="")


def user_price_dir() -> Path:
    """Where `advisor prices update` writes and later runs look: $ADVISOR_PRICES_DIR or the XDG data dir."""
    if os.environ.get(ENV_DIR):
        return Path(os.environ[ENV_DIR]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "advisor" / "prices"


def _parse_price_file(data: Any, label: str, origin: str, path: str, expect_region: str | None) -> PriceFile:
    if not isinstance(data, dict) or not isinstance(data.get("facts"), dict):
        raise KnowledgeBaseError(f"{label}: expected a mapping with 'region' and a 'facts' mapping")
    region = str(data.get("region") or "")
    if not REGION_CODE.match(region) or (expect_region is not None and region != expect_region):
        raise KnowledgeBaseError(f"{label}: region {region!r} does not match the file name "
                                 f"(expected {expect_region or 'a Region code'})")
    base = knowledge()
    facts: dict[str, Fact] = {}
    for key, entry in data["facts"].items():
        key = str(key)
        if not key.startswith(PRICE_PREFIX) or key not in base.facts:
            raise KnowledgeBaseError(f"{label}: {key} is not a price fact of models/prices.yaml; "
                                     "a Region file may only replace prices")
        facts[key] = _fact(key, entry, label)
        if key == INSTANCES:
            _check_instances(facts[key].value, base.value(INSTANCES), label)
    return PriceFile(region, str(data.get("name") or region), origin, path, facts, str(data.get("published") or ""))


def _check_instances(entries: Any, catalogue: list[dict[str, Any]], label: str) -> None:
    """A Region's EC2 entries: types of the packing catalogue, each with its own price, source and date, or
    marked `available: false` with the source that says so."""
    known = {str(e["type"]) for e in catalogue}
    if not isinstance(entries, list):
        raise KnowledgeBaseError(f"{label}: {INSTANCES} must be a list of instance types")
    for entry in entries:
        kind = entry.get("type") if isinstance(entry, dict) else None
        where = f"{label}: {INSTANCES}[{kind or '?'}]"
        if not isinstance(entry, dict) or kind not in known:
            raise KnowledgeBaseError(f"{where}: not an instance type of us-east-1's catalogue "
                                     f"({', '.join(sorted(known))})")
        missing = [k for k in ("source", "as_of") if not entry.get(k)]
        if entry.get("available", True) is not False and not isinstance(entry.get("usd_hour"), (int, float)):
            missing.append("usd_hour")
        if missing:
            raise KnowledgeBaseError(f"{where}: missing {', '.join(missing)}")


def _regional_instances(base: Fact, layers: list[PriceFile]) -> tuple[Fact | None, list[str]]:
    """The EC2 catalogue as priced in a Region, and the types whose price is still us-east-1's."""
    own = [layer.facts[INSTANCES] for layer in layers if INSTANCES in layer.facts]
    if not own:
        return None, []
    entries = {str(e["type"]): dict(e) for e in base.value}
    priced: set[str] = set()
    for fact in own:
        for entry in fact.value:
            kind = str(entry["type"])
            priced.add(kind)
            if entry.get("available", True) is False:
                entries.pop(kind, None)
            else:
                spec = {k: v for k, v in entries.get(kind, {}).items() if k in SPECS}
                entries[kind] = {"type": kind, **spec, **entry}
    borrowed = [str(e["type"]) for e in base.value if str(e["type"]) not in priced]
    return replace(own[-1], value=list(entries.values())), borrowed


@functools.cache
def bundled_price_files() -> dict[str, PriceFile]:
    """The Region files shipped in models/ (us-east-1's prices are models/prices.yaml itself)."""
    out: dict[str, PriceFile] = {}
    for item in sorted(importlib.resources.files("advisor.models").iterdir(), key=lambda p: p.name):
        match = FILE_PATTERN.match(item.name)
        if match:
            region = match.group(1)
            out[region] = _parse_price_file(read_model_file(item.name), f"models/{item.name}", "bundled",
                                            f"models/{item.name}", region)
    return out


def _dir_state(directory: Path) -> tuple[tuple[str, float], ...]:
    if not directory.is_dir():
        return ()
    return tuple(sorted((p.name, p.stat().st_mtime) for p in directory.iterdir() if FILE_PATTERN.match(p.name)))


def updated_price_files() -> dict[str, PriceFile]:
    """Price files `advisor prices update` wrote, by Region (re-read when the directory changes)."""
    directory = user_price_dir()
    return _updated(str(directory), _dir_state(directory))


@functools.lru_cache(maxsize=8)
def _updated(directory: str, state: tuple[tuple[str, float], ...]) -> dict[str, PriceFile]:
    out: dict[str, PriceFile] = {}
    for name, _ in state:
        path = Path(directory) / name
        region = FILE_PATTERN.match(name).group(1)  # type: ignore[union-attr]
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise KnowledgeBaseError(f"{path}: cannot read this price file ({exc}); delete it or run "
                                     "`advisor prices update` again") from None
        out[region] = _parse_price_file(data, str(path), "updated", str(path), region)
    return out


def known_regions() -> list[str]:
    """Every Region with prices: us-east-1, the bundled Region files and any updated ones."""
    return sorted({BASE_REGION, *bundled_price_files(), *updated_price_files()})


def check_region(region: str) -> str:
    """`region` if the advisor has prices for it; otherwise an UnknownRegionError naming the known ones."""
    if region not in known_regions():
        raise UnknownRegionError(f"unknown Region {region!r}: prices are known for {', '.join(known_regions())}")
    return region


class PriceBook(KnowledgeBase):
    """The knowledge base seen from one Region: its price facts replaced by the Region's own."""

    region: str
    name: str
    files: tuple[PriceFile, ...]
    borrowed: tuple[str, ...]
    borrowed_types: frozenset[str]  # packing-catalogue types priced at us-east-1's price here
    not_lent: frozenset[str]  # us-east-1 rates this Region has no own value for and must not use

    def __init__(self, region: str) -> None:
        base = knowledge()
        bundled = bundled_price_files().get(region)
        updated = updated_price_files().get(region)
        self.facts = dict(base.facts)
        files: list[PriceFile] = []
        for layer in (bundled, updated):
            if layer is not None:
                self.facts.update(layer.facts)
                files.append(layer)
        instances, borrowed_types = _regional_instances(base.fact(INSTANCES), files)
        if instances is not None:
            self.facts[INSTANCES] = instances
        self.region = region
        layer = updated or bundled
        self.name = layer.name if layer is not None else BASE_REGION_NAME
        self.files = tuple(files)
        replaced = set().union(*(f.facts for f in files)) if files else set()
        # Descriptions (notes, definitions, the worked example) are not rates; some facts hold everywhere; a
        # price us-east-1 does not know either (null) lends nothing.
        header = read_model_file("prices.yaml")
        everywhere = set(header.get("same_in_every_region") or ())
        # Rates that hold only in their own Region are never lent: the cost model then uses the shares.
        own_only = set(header.get("only_in_their_own_region") or ())
        self.not_lent = frozenset() if region == BASE_REGION else frozenset(own_only - replaced)
        everywhere |= own_only
        self.borrowed = () if region == BASE_REGION else tuple(
            k for k, f in base.facts.items() if k.startswith(PRICE_PREFIX) and k not in replaced
            and not isinstance(f.value, str) and f.value is not None and k not in everywhere) + tuple(
            f"{INSTANCES}[{kind}]" for kind in borrowed_types)
        self.borrowed_types = frozenset(borrowed_types)
        self._check_catalogues()

    @property
    def prices_as_of(self) -> str:
        """The updated file's publication date, else the newest as-of date among the price facts used."""
        updated = [f for f in self.files if f.origin == "updated"]
        if updated:
            return updated[0].as_of
        return max(f.as_of for k, f in self.facts.items() if k.startswith(PRICE_PREFIX))

    def summary(self) -> dict[str, Any]:
        """Where this Region's prices come from, for JSON, tables and reports."""
        updated = [f for f in self.files if f.origin == "updated"]
        return {
            "region": self.region,
            "name": self.name,
            "as_of": self.prices_as_of,
            "source": ("AWS Price List offer files published " + updated[0].published + f" ({updated[0].path})"
                       if updated else "bundled with the advisor"),
            "borrowed_from_us_east_1": list(self.borrowed),
        }


def price_book(region: str) -> PriceBook:
    """The price book of a known Region (cached until an updated price file changes)."""
    check_region(region)
    directory = user_price_dir()
    return _book(region, str(directory), _dir_state(directory))


@functools.lru_cache(maxsize=64)
def _book(region: str, directory: str, state: tuple[tuple[str, float], ...]) -> PriceBook:
    return PriceBook(region)

"""Read AWS Price List bulk offer files and write a Region price file that later runs prefer.

The offer files are AWS's public price lists (no credentials needed), one JSON file per service and
Region, in the documented format: `formatVersion`, `offerCode`, `version`, `publicationDate`,
`products` (sku -> productFamily, attributes) and `terms.OnDemand` (sku -> offer term ->
`priceDimensions` with `beginRange`, `endRange`, `unit` and `pricePerUnit.USD`). Which products give
which price fact is data: models/price_list.yaml.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from advisor.errors import PriceListError, PriceListUnreachable
from advisor.knowledge.base import knowledge, rules
from advisor.knowledge.prices import BASE_REGION, REGION_CODE, bundled_price_files, updated_price_files

MAP_FILE = "price_list.yaml"
REQUIRED = ("offerCode", "publicationDate", "products", "terms")


@dataclass(frozen=True)
class Offer:
    """One parsed offer file: its service, publication date and where it came from."""

    code: str
    published: str  # YYYY-MM-DD
    version: str
    origin: str  # URL or path
    data: dict[str, Any]


@dataclass(frozen=True)
class UpdatedRegion:
    """What `update_prices` wrote for one Region."""

    region: str
    path: Path
    published: str
    keys: tuple[str, ...]
    missing: tuple[str, ...]


def price_map() -> dict[str, Any]:
    data = rules(MAP_FILE)
    if not isinstance(data.get("offers"), dict):
        raise PriceListError(f"models/{MAP_FILE}: expected an 'offers' mapping")
    return data


def parse_offer(data: Any, origin: str) -> Offer:
    """Validate the top of an offer file and keep it; a file that is not one names itself."""
    if not isinstance(data, dict) or any(key not in data for key in REQUIRED):
        raise PriceListError(f"{origin}: not an AWS Price List offer file (needs {', '.join(REQUIRED)})")
    published = str(data["publicationDate"])[:10]
    try:
        dt.date.fromisoformat(published)
    except ValueError:
        raise PriceListError(f"{origin}: publicationDate {data['publicationDate']!r} is not a date") from None
    if not isinstance(data["products"], dict) or not isinstance(data["terms"], dict):
        raise PriceListError(f"{origin}: products and terms must be mappings")
    return Offer(str(data["offerCode"]), published, str(data.get("version") or ""), origin, data)


def read_offer_file(path: Path) -> Offer:
    try:
        with path.open(encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        raise PriceListError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PriceListError(f"{path}: cannot read it as JSON ({exc})") from None
    return parse_offer(data, str(path.resolve()))


def offers_from_path(path: Path) -> list[Offer]:
    """Every offer file in `path` (a file, or a directory searched recursively for *.json)."""
    if path.is_dir():
        files = sorted(p for p in path.rglob("*.json") if p.is_file())
        if not files:
            raise PriceListError(f"{path}: no .json offer files in this directory")
        offers = []
        for file in files:
            offers.append(read_offer_file(file))
        return offers
    if not path.exists():
        raise PriceListError(f"{path}: no such file or directory")
    return [read_offer_file(path)]


def download_offers(regions: Sequence[str], timeout: float = 60.0) -> list[Offer]:
    """Fetch each mapped service's offer file for each Region from AWS's public Price List endpoint."""
    mapping = price_map()
    template = str(mapping["offer_url"])
    offers = []
    for region in regions:
        for code in mapping["offers"]:
            url = template.format(offer=code, region=region)
            try:
                with urllib.request.urlopen(url, timeout=timeout) as response:
                    data = json.load(response)
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                raise PriceListUnreachable(f"cannot download {url} ({exc})") from None
            except json.JSONDecodeError as exc:
                raise PriceListError(f"{url}: not valid JSON ({exc})") from None
            offers.append(parse_offer(data, url))
    return offers


def _region_names() -> dict[str, str]:
    """Price List location names (e.g. 'EU (Ireland)') to Region codes, from the Region files."""
    names = {"US East (N. Virginia)": BASE_REGION}
    for region, file in bundled_price_files().items():
        names[file.name] = region
    return names


def _product_region(attributes: dict[str, Any], names: dict[str, str]) -> str | None:
    code = attributes.get("regionCode")
    if isinstance(code, str) and REGION_CODE.match(code):
        return code
    return names.get(str(attributes.get("location") or ""))


def _usage_matches(usagetype: str, suffix: str) -> bool:
    # Offer files prefix usage types with a Region tag (USE1-, EU-, APS1-...); us-east-1 sometimes has none.
    return re.fullmatch(rf"(?:[A-Z0-9]+-)?{re.escape(suffix)}", usagetype) is not None


def _dimensions(offer: Offer, sku: str) -> list[dict[str, Any]]:
    terms = (offer.data["terms"].get("OnDemand") or {}).get(sku) or {}
    dims: list[dict[str, Any]] = []
    for term in terms.values():
        dims.extend((term.get("priceDimensions") or {}).values())
    return sorted(dims, key=lambda d: float(d.get("beginRange") or 0))


def _usd(dimension: dict[str, Any], origin: str) -> float:
    try:
        return float(dimension["pricePerUnit"]["USD"])
    except (KeyError, TypeError, ValueError):
        raise PriceListError(f"{origin}: price dimension {dimension.get('rateCode', '?')} has no USD price") from None


def _tiers(dims: list[dict[str, Any]], unit_key: str, scale: float, origin: str) -> list[dict[str, Any]]:
    tiers = []
    for dim in dims:
        end = str(dim.get("endRange", "Inf"))
        upper = None if end in ("Inf", "") else float(end)
        tiers.append({unit_key: int(upper) if upper is not None and upper.is_integer() else upper,
                      "usd": round(_usd(dim, origin) * scale, 12)})
    if tiers and tiers[-1][unit_key] is not None:
        tiers[-1][unit_key] = None
    return tiers


def _entry(key: str, value: Any, offer: Offer, what: str) -> dict[str, Any]:
    base = knowledge().fact(key)
    return {"value": value, "unit": base.unit,
            "source": f"AWS Price List bulk API offer file {offer.code} (version {offer.version or 'n/a'}, "
                      f"published {offer.published}): {what}",
            "url": offer.origin, "as_of": offer.published, "verified": "aws_price_list"}


def extract(offers: Iterable[Offer], region: str) -> tuple[dict[str, dict[str, Any]], str]:
    """The price facts the offers give for `region`, as price-file entries, and their newest publication date."""
    mapping = price_map()
    names = _region_names()
    found: dict[str, dict[str, Any]] = {}
    published = ""
    instance_filter = {str(k): str(v) for k, v in (mapping.get("instance_filter") or {}).items()}
    for offer in offers:
        rows = mapping["offers"].get(offer.code)
        if not rows:
            continue
        products = [(sku, p) for sku, p in offer.data["products"].items()
                    if isinstance(p, dict) and _product_region(p.get("attributes") or {}, names) == region]
        if not products:
            continue
        published = max(published, offer.published)
        for row in rows:
            key = str(row["key"])
            if row.get("instances"):
                priced = _instances(offer, products, instance_filter, key)
                if priced:
                    found[key] = priced
                continue
            for sku, product in products:
                attributes = product.get("attributes") or {}
                if row.get("family") and product.get("productFamily") != row["family"]:
                    continue
                if not _usage_matches(str(attributes.get("usagetype") or ""), str(row["usagetype"])):
                    continue
                dims = _dimensions(offer, sku)
                if not dims:
                    continue
                scale = float(row.get("scale", 1))
                what = f"usage type {attributes.get('usagetype')}"
                if row.get("tiers"):
                    value: Any = _tiers(dims, str(row["tiers"]), scale, offer.origin)
                else:
                    value = round(_usd(dims[0], offer.origin) * scale, 12)
                found[key] = _entry(key, value, offer, what)
                break
    return found, published


def _instances(offer: Offer, products: list[tuple[str, dict[str, Any]]],
               instance_filter: dict[str, str], key: str = "price.ec2.instances") -> dict[str, Any] | None:
    """Hourly Linux on-demand prices for the instance types of catalogue `key` (the types the advisor packs,
    `price.ec2.instances`, or those placement constraints name, `price.ec2.named_instances`), from the EC2 offer."""
    kb = knowledge()
    hourly: dict[str, float] = {}
    for sku, product in products:
        attributes = product.get("attributes") or {}
        if product.get("productFamily") != "Compute Instance":
            continue
        if any(str(attributes.get(k)) != v for k, v in instance_filter.items()):
            continue
        dims = _dimensions(offer, sku)
        if dims:
            hourly[str(attributes.get("instanceType"))] = _usd(dims[0], offer.origin)
    if not hourly:
        return None
    entries = []
    for entry in kb.value(key):
        entry = dict(entry)
        if entry["type"] in hourly:
            entry.update(usd_hour=hourly[entry["type"]], url=offer.origin, as_of=offer.published,
                         verified="aws_price_list",
                         source=f"AWS Price List bulk API offer file {offer.code} (published {offer.published})",
                         note="Linux, shared tenancy, on-demand.")
        else:
            entry["note"] = (f"Not in the {offer.code} offer file read on update: us-east-1's bundled price kept. "
                             + str(entry.get("note") or ""))
        entries.append(entry)
    found = sum(1 for e in kb.value(key) if e["type"] in hourly)
    return _entry(key, entries, offer,
                  f"{found} of {len(entries)} instance types (BoxUsage, Linux, shared tenancy)")


def regions_in(offers: Iterable[Offer]) -> list[str]:
    names = _region_names()
    found = set()
    for offer in offers:
        for product in offer.data["products"].values():
            if isinstance(product, dict):
                region = _product_region(product.get("attributes") or {}, names)
                if region:
                    found.add(region)
    return sorted(found)


def write_price_file(directory: Path, region: str, name: str, published: str,
                     facts: dict[str, dict[str, Any]]) -> Path:
    """Write `prices-<region>.yaml` atomically into `directory` (created if needed)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"prices-{region}.yaml"
    header = (f"# Written by `advisor prices update` from AWS Price List offer files published {published}.\n"
              "# Later runs prefer these prices over the bundled ones for this Region; delete the file to go back.\n")
    body = yaml.safe_dump({"schema": 1, "region": region, "name": name, "published": published,
                           "facts": facts}, sort_keys=False, allow_unicode=True, width=120)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(header + body)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def update_prices(regions: Sequence[str], source: Path | None, directory: Path) -> list[UpdatedRegion]:
    """Read offer files (from `source`, or downloaded) and write one price file per Region."""
    for region in regions:
        if not REGION_CODE.match(region):
            raise PriceListError(f"{region!r} is not an AWS Region code (like eu-west-1)")
    offers = offers_from_path(source) if source is not None else download_offers(list(regions) or [BASE_REGION])
    wanted = list(regions) or regions_in(offers)
    if not wanted:
        raise PriceListError("the offer files name no AWS Region this advisor can map (regionCode or location)")
    names = {v: k for k, v in _region_names().items()}
    out = []
    mapped = [str(row["key"]) for rows in price_map()["offers"].values() for row in rows]
    for region in wanted:
        facts, published = extract(offers, region)
        if not facts:
            raise PriceListError(f"the offer files hold no prices the advisor uses for {region}")
        name = names.get(region) or (updated_price_files().get(region).name  # type: ignore[union-attr]
                                     if region in updated_price_files() else region)
        path = write_price_file(directory, region, name, published, facts)
        out.append(UpdatedRegion(region, path, published, tuple(facts),
                                 tuple(k for k in mapped if k not in facts)))
    return out

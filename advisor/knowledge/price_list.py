"""Read AWS Price List bulk offer files and write a Region price file that later runs prefer.

The offer files are AWS's public price lists (no credentials needed), one JSON file per service and
Region, in the documented format: `formatVersion`, `offerCode`, `version`, `publicationDate`,
`products` (sku -> productFamily, attributes) and `terms.OnDemand` (sku -> offer term ->
`priceDimensions` with `beginRange`, `endRange`, `unit` and `pricePerUnit.USD`). The Compute Savings
Plans file of a Region has its own documented format: `products` is a list (sku, productFamily,
attributes with purchaseOption and purchaseTerm) and `terms.savingsPlan` a list of plans, each with
`leaseContractLength` and `rates` (`discountedServiceCode`, `discountedUsageType`,
`discountedOperation`, `discountedRate.price`, `discountedRegionCode`). Which products give which
price fact is data: models/price_list.yaml.
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
SAVINGS_PLANS = "AWSComputeSavingsPlan"
"""The offer code the advisor gives a Savings Plans offer file (`terms.savingsPlan`), whatever it calls itself."""


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
    """Validate the top of an offer file and keep it; a file that is not one names itself.

    Two documented formats: a service's (`products` keyed by SKU, `terms.OnDemand`) and a Savings Plan's
    (`products` a list, `terms.savingsPlan` a list of plans with `rates`)."""
    if isinstance(data, dict) and isinstance(data.get("terms"), dict) and "savingsPlan" in data["terms"]:
        return _parse_savings_plan_offer(data, origin)
    if not isinstance(data, dict) or any(key not in data for key in REQUIRED):
        raise PriceListError(f"{origin}: not an AWS Price List offer file (needs {', '.join(REQUIRED)})")
    published = _published(data, origin)
    if not isinstance(data["products"], dict) or not isinstance(data["terms"], dict):
        raise PriceListError(f"{origin}: products and terms must be mappings")
    return Offer(str(data["offerCode"]), published, str(data.get("version") or ""), origin, data)


def _published(data: dict[str, Any], origin: str) -> str:
    if "publicationDate" not in data:
        raise PriceListError(f"{origin}: no publicationDate")
    published = str(data["publicationDate"])[:10]
    try:
        dt.date.fromisoformat(published)
    except ValueError:
        raise PriceListError(f"{origin}: publicationDate {data['publicationDate']!r} is not a date") from None
    return published


def _parse_savings_plan_offer(data: dict[str, Any], origin: str) -> Offer:
    if not isinstance(data["terms"]["savingsPlan"], list) or not isinstance(data.get("products"), list):
        raise PriceListError(f"{origin}: a Savings Plans offer file needs a products list and a terms.savingsPlan list")
    return Offer(SAVINGS_PLANS, _published(data, origin), str(data.get("version") or ""), origin, data)


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


ENV_BASE_URL = "ADVISOR_PRICE_LIST_URL"


def price_list_base_url() -> str:
    """Where the Price List lives: $ADVISOR_PRICE_LIST_URL (a mirror, or a local copy in the same layout),
    else AWS's public endpoint from models/price_list.yaml."""
    return (os.environ.get(ENV_BASE_URL) or str(price_map()["base_url"])).rstrip("/")


def _fetch_json(url: str, timeout: float) -> Any:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return json.load(response)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise PriceListUnreachable(f"cannot download {url} ({exc})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PriceListError(f"{url}: not valid JSON ({exc})") from None


def _link(base: str, index: Any, path: tuple[str, ...], url: str) -> str | None:
    """The URL an index file points to at `path` (absolute paths are joined to `base`), or None."""
    node = index
    for step in path:
        if not isinstance(node, dict) or step not in node:
            return None
        node = node[step]
    if not isinstance(node, str) or not node:
        raise PriceListError(f"{url}: {'.'.join(path)} is not a URL")
    return base + node if node.startswith("/") else node


def _region_file(base: str, region_index: Any, region: str, url: str) -> str | None:
    """The offer file for `region` in a region index: `regions` is a mapping of Region code to
    `currentVersionUrl` for services, a list of `regionCode` and `versionUrl` for Savings Plans."""
    regions = region_index.get("regions") if isinstance(region_index, dict) else None
    if isinstance(regions, dict):
        return _link(base, regions, (region, "currentVersionUrl"), url)
    if isinstance(regions, list):
        for entry in regions:
            if isinstance(entry, dict) and entry.get("regionCode") == region:
                return _link(base, entry, ("versionUrl",), url)
        return None
    raise PriceListError(f"{url}: not an AWS Price List region index (needs 'regions')")


def download_offers(regions: Sequence[str], base_url: str | None = None, timeout: float = 60.0) -> list[Offer]:
    """Fetch each mapped service's offer file, and the Compute Savings Plans file, for each Region, the way
    AWS documents it: the service index, each offer's current region index, then the Region's file.

    `base_url` (default price_list_base_url()) may point at a mirror or a local copy in the same layout.
    Every file is read before anything is written, so a failed download leaves no price file behind."""
    mapping = price_map()
    base = (base_url or price_list_base_url()).rstrip("/")
    index_url = base + str(mapping["index_path"])
    index = _fetch_json(index_url, timeout)
    if not isinstance(index, dict) or not isinstance(index.get("offers"), dict):
        raise PriceListError(f"{index_url}: not an AWS Price List service index (needs 'offers')")
    region_indexes: dict[str, tuple[str, Any]] = {}
    for code in mapping["offers"]:
        url = _link(base, index, ("offers", code, "currentRegionIndexUrl"), index_url)
        if url is not None:
            region_indexes[code] = (url, _fetch_json(url, timeout))
    plans = _link(base, index, ("offers", str(mapping["savings_plans"]["index_offer"]), "currentSavingsPlanIndexUrl"),
                  index_url)
    if plans is not None:
        region_indexes[SAVINGS_PLANS] = (plans, _fetch_json(plans, timeout))
    if not region_indexes:
        raise PriceListError(f"{index_url}: names none of the offers the advisor reads")
    offers = []
    for region in regions:
        for url, region_index in region_indexes.values():
            file_url = _region_file(base, region_index, region, url)
            if file_url is not None:
                offers.append(parse_offer(_fetch_json(file_url, timeout), file_url))
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
        if offer.code == SAVINGS_PLANS:
            rates = savings_plan_rates(offer, region)
            if rates:
                published = max(published, offer.published)
                key = str(mapping["savings_plans"]["key"])
                counted = sum(len(group) for term in rates.values() for group in term.values())
                found[key] = _entry(key, rates, offer, f"{counted} Compute Savings Plans rates, no upfront")
            continue
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
        if offer.code == SAVINGS_PLANS:
            code = offer.data.get("regionCode")
            if isinstance(code, str) and REGION_CODE.match(code):
                found.add(code)
            continue
        for product in offer.data["products"].values():
            if isinstance(product, dict):
                region = _product_region(product.get("attributes") or {}, names)
                if region:
                    found.add(region)
    return sorted(found)


def savings_plan_rates(offer: Offer, region: str) -> dict[str, dict[str, dict[str, float]]]:
    """Compute Savings Plans rates for `region` from a Savings Plans offer file, by pricing choice:
    {"savings-1y": {"ec2": {instance type: USD an hour}, "fargate": {...}, "lambda": {...}}, ...}.

    Only the plans models/price_list.yaml names (Compute Savings Plans, no upfront) and only the usage the
    advisor prices: the instance types it packs (Linux, shared tenancy), Fargate vCPU and memory, Lambda
    duration."""
    spec = price_map()["savings_plans"]
    products = {str(p.get("sku")): p for p in offer.data["products"] if isinstance(p, dict)}
    terms = {int(k): str(v) for k, v in spec["terms"].items()}
    wanted_types = {str(e["type"]) for e in knowledge().value("price.ec2.instances")}
    out: dict[str, dict[str, dict[str, float]]] = {}
    for plan in offer.data["terms"]["savingsPlan"]:
        if not isinstance(plan, dict):
            continue
        product = products.get(str(plan.get("sku"))) or {}
        attributes = product.get("attributes") or {}
        family = product.get("productFamily") or attributes.get("productFamily")
        if family != spec["product_family"] or attributes.get("purchaseOption") != spec["purchase_option"]:
            continue
        length = plan.get("leaseContractLength") or {}
        try:
            years = int(float(length["duration"]))
        except (KeyError, TypeError, ValueError):
            raise PriceListError(
                f"{offer.origin}: plan {plan.get('sku')} has no leaseContractLength.duration") from None
        if years not in terms:
            continue
        choice = out.setdefault(terms[years], {})
        for rate in plan.get("rates") or []:
            if not isinstance(rate, dict):
                continue
            where = rate.get("discountedRegionCode") or offer.data.get("regionCode")
            if where != region:
                continue
            service = str(rate.get("discountedServiceCode") or "")
            usage = str(rate.get("discountedUsageType") or "")
            try:
                price = float(rate["discountedRate"]["price"])
            except (KeyError, TypeError, ValueError):
                raise PriceListError(f"{offer.origin}: rate {rate.get('rateCode', '?')} has no discountedRate.price") \
                    from None
            if service == "AmazonEC2" and rate.get("discountedOperation") == spec["ec2_operation"]:
                kind = usage.rsplit(":", 1)[-1]
                if _usage_matches(usage, f"BoxUsage:{kind}") and kind in wanted_types:
                    choice.setdefault("ec2", {})[kind] = price
                continue
            for group, rows in spec["rates"].items():
                for row in rows:
                    if service == row["service"] and _usage_matches(usage, str(row["usagetype"])):
                        choice.setdefault(str(group), {})[str(row["name"])] = price
    return {choice: groups for choice, groups in out.items() if groups}


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


def update_prices(regions: Sequence[str], source: Path | None, directory: Path,
                  base_url: str | None = None) -> list[UpdatedRegion]:
    """Read offer files (from `source`, or downloaded from `base_url`, default price_list_base_url()) and
    write one price file per Region."""
    for region in regions:
        if not REGION_CODE.match(region):
            raise PriceListError(f"{region!r} is not an AWS Region code (like eu-west-1)")
    offers = (offers_from_path(source) if source is not None
              else download_offers(list(regions) or [BASE_REGION], base_url))
    wanted = list(regions) or regions_in(offers)
    if not wanted:
        raise PriceListError("the offer files name no AWS Region this advisor can map (regionCode or location)")
    names = {v: k for k, v in _region_names().items()}
    out = []
    mapped = [str(row["key"]) for rows in price_map()["offers"].values() for row in rows]
    mapped.append(str(price_map()["savings_plans"]["key"]))
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

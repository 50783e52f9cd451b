"""The knowledge base: facts (limits, capabilities, prices) and rules, read from models/ as data.

Every AWS fact carries a source and an as-of date; loading fails, naming the file and key, when one
does not. Files are read with `yaml.safe_load` only and cached for the life of the process.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.resources
import re
from dataclasses import dataclass
from typing import Any

import yaml

from advisor.errors import KnowledgeBaseError

FACT_FILES = ("runtimes.yaml", "prices.yaml", "assumptions.yaml", "starters.yaml")
STARTER_SECTION = {"lambda": "lambda", "ecs_fargate": "ecs", "ecs_ec2": "ecs", "eks": "eks"}
"""Which section of models/starters.yaml a runtime's starter configuration reads."""
PLACEHOLDER = re.compile(r"\{([a-z0-9_.]+)\}")


@dataclass(frozen=True)
class Fact:
    """One sourced fact about AWS: a limit, capability or price."""

    key: str
    value: Any
    source: str
    url: str
    as_of: str
    unit: str = ""
    verified: str = "aws_docs"
    note: str = ""
    file: str = ""

    @property
    def citation(self) -> str:
        """'Page title (url), as of date' for messages and reports."""
        where = f" ({self.url})" if self.url else ""
        return f"{self.source}{where}, as of {self.as_of}"


def read_model_file(name: str) -> Any:
    """Parse one YAML file from models/ with safe loading; a missing or broken file names itself."""
    try:
        text = (importlib.resources.files("advisor.models") / name).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KnowledgeBaseError(f"models/{name}: file is missing from the installation") from None
    try:
        # The C implementation of the safe loader when libyaml is there: same safety, much faster start-up.
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise KnowledgeBaseError(f"models/{name}: not valid YAML ({exc})") from None


def _as_of(value: Any, where: str) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    raise KnowledgeBaseError(f"{where}: as_of must be a date (YYYY-MM-DD), got {value!r}")


def _fact(key: str, entry: Any, file: str) -> Fact:
    where = f"models/{file}: {key}"
    if not isinstance(entry, dict):
        raise KnowledgeBaseError(f"{where}: expected a mapping with value, source and as_of")
    for required in ("value", "source", "as_of"):
        if required not in entry:
            raise KnowledgeBaseError(f"{where}: missing {required!r}")
    if not str(entry["source"]).strip():
        raise KnowledgeBaseError(f"{where}: empty source")
    return Fact(
        key=key,
        value=entry["value"],
        source=str(entry["source"]),
        url=str(entry.get("url") or ""),
        as_of=_as_of(entry["as_of"], where),
        unit=str(entry.get("unit") or ""),
        verified=str(entry.get("verified") or "aws_docs"),
        note=str(entry.get("note") or ""),
        file=file,
    )


class KnowledgeBase:
    """All facts by key plus the rule files, validated on load."""

    def __init__(self) -> None:
        self.facts: dict[str, Fact] = {}
        for file in FACT_FILES:
            data = read_model_file(file)
            if not isinstance(data, dict) or not isinstance(data.get("facts"), dict):
                raise KnowledgeBaseError(f"models/{file}: expected a top-level 'facts' mapping")
            for key, entry in data["facts"].items():
                if key in self.facts:
                    raise KnowledgeBaseError(f"models/{file}: {key} is also defined in {self.facts[key].file}")
                self.facts[key] = _fact(key, entry, file)
        self._check_catalogues()

    def _check_catalogues(self) -> None:
        """Validate each entry of the instance catalogues (`price.ec2.instances`, required, and
        `price.ec2.named_instances`) as a fact of its own: type, specs, price, source and as-of date."""
        for key, required in (("price.ec2.instances", True), ("price.ec2.named_instances", False)):
            if not required and key not in self.facts:
                continue
            entries = self.value(key)
            if not isinstance(entries, list) or not entries:
                raise KnowledgeBaseError(f"models/prices.yaml: {key} must be a non-empty list")
            for entry in entries:
                entry_key = f"{key}[{entry.get('type', '?') if isinstance(entry, dict) else '?'}]"
                _fact(entry_key, {**entry, "value": entry.get("usd_hour")} if isinstance(entry, dict) else entry,
                      "prices.yaml")
                for field_name in ("type", "vcpu", "memory_gib", "arch", "usd_hour"):
                    if field_name not in entry:
                        raise KnowledgeBaseError(f"models/prices.yaml: {entry_key}: missing {field_name!r}")

    def instance_catalogue(self) -> dict[str, dict[str, Any]]:
        """Every instance type the advisor can price, by name: the packing catalogue (`price.ec2.instances`)
        first, then the types placement constraints commonly name (`price.ec2.named_instances`)."""
        out: dict[str, dict[str, Any]] = {}
        for key in ("price.ec2.instances", "price.ec2.named_instances"):
            if key in self.facts:
                for entry in self.value(key):
                    out.setdefault(str(entry["type"]), dict(entry))
        return out

    def facts_for(self, runtime: str | None = None) -> list[Fact]:
        """Every fact, or those about one runtime: its limits (`RT.`), its prices (`price.RT.`, Fargate's
        under `price.fargate.`) and the facts its starter configuration uses (`starter.lambda.`,
        `starter.ecs.` for both ECS runtimes, `starter.eks.`)."""
        if runtime is None:
            return list(self.facts.values())
        prefixes = [f"{runtime}.", f"price.{runtime}.", f"starter.{STARTER_SECTION.get(runtime, runtime)}."]
        if runtime == "ecs_fargate":
            prefixes.append("price.fargate.")
        return [fact for fact in self.facts.values() if fact.key.startswith(tuple(prefixes))]

    def fact(self, key: str) -> Fact:
        """The fact named `key`; an unknown key is a knowledge-base error naming it."""
        try:
            return self.facts[key]
        except KeyError:
            raise KnowledgeBaseError(f"models/: no fact named {key!r}") from None

    def value(self, key: str) -> Any:
        return self.fact(key).value

    def number(self, key: str) -> float:
        value = self.value(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise KnowledgeBaseError(f"models/{self.fact(key).file}: {key} must be a number, got {value!r}")
        return float(value)

    def number_or(self, key: str, fallback: float) -> float:
        """A number fact, or `fallback` where the knowledge base records the value as unknown (null)."""
        return fallback if self.value(key) is None else self.number(key)

    def fill(self, text: str, extra: dict[str, str] | None = None) -> str:
        """Replace `{fact.key}` and `{name}` placeholders; an unknown placeholder is an error, never blank."""
        extra = extra or {}

        def replace(match: re.Match[str]) -> str:
            key = match.group(1)
            if key in extra:
                return extra[key]
            return format_fact(self.fact(key))

        return PLACEHOLDER.sub(replace, text)

    def as_of_dates(self) -> dict[str, str]:
        """The newest as-of date of each fact file, for reports and JSON."""
        out: dict[str, str] = {}
        for fact in self.facts.values():
            out[fact.file] = max(out.get(fact.file, ""), fact.as_of)
        return out


def format_fact(fact: Fact) -> str:
    """A fact's value in words for messages: '15 min', '10,240 MB', 'linux, windows' (seconds as durations)."""
    value = fact.value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, int | float) and fact.unit == "s":
        from advisor.profile.units import format_duration

        return format_duration(float(value))
    if isinstance(value, int | float):
        text = f"{value:,}" if float(value).is_integer() else f"{value:,.10g}"
        return f"{text} {fact.unit}".strip() if fact.unit and not fact.unit.startswith("usd") else text
    return str(value)


@functools.cache
def knowledge() -> KnowledgeBase:
    """The knowledge base, loaded once per process."""
    return KnowledgeBase()


@functools.cache
def rules(name: str) -> dict[str, Any]:
    """A rules file from models/ (feasibility.yaml, scoring.yaml, cost.yaml) as a mapping."""
    data = read_model_file(name)
    if not isinstance(data, dict):
        raise KnowledgeBaseError(f"models/{name}: expected a mapping at the top level")
    return data

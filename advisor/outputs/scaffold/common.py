"""What every starter-config writer shares: safe names per target, quoting filters, the one template
environment, AWS-valid rounding of sizes, the scaffold defaults file and atomic writes inside --out.

A profile's free text (name, description) never reaches a template as a plain string: it is wrapped
in `UserText`, which refuses to render unless a quoting filter (`yaml`, `toml`, `md`, `comment`) says
how to escape it for the target file. A template that forgets to quote fails loudly in the tests.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import math
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.errors import AdvisorError, KnowledgeBaseError, OutputExistsError, UsageError

if TYPE_CHECKING:
    import jinja2

    from advisor.knowledge.base import KnowledgeBase

PLACEHOLDER_PREFIX = "REPLACE_ME_"
"""Every value a user must fill in starts with this, in every file, so one grep finds them all."""

TEMPLATE_ROOT = "templates/scaffold"
FALLBACK_LABEL = "workload"


# --------------------------------------------------------------------------- user text and quoting


class UserText:
    """Free text from a profile. Rendering it without a quoting filter is an error, never an injection."""

    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value

    def __str__(self) -> str:
        raise UnquotedUserTextError("profile text reached a template without a quoting filter (yaml, toml, md)")

    __html__ = __str__

    def __repr__(self) -> str:
        return f"UserText({self.value!r})"


class UnquotedUserTextError(AdvisorError):
    """Raised when a template renders profile text without saying how to quote it (a bug in a template)."""


def _text(value: Any) -> str:
    return value.value if isinstance(value, UserText) else str(value)


def yaml_quote(value: Any) -> str:
    """A YAML double-quoted scalar that loads back as exactly `value`, whatever it contains."""
    import yaml

    dumped = yaml.safe_dump(_text(value), default_style='"', width=math.inf, allow_unicode=True)
    return str(dumped).rstrip("\n").removesuffix("\n...").rstrip("\n")


def toml_quote(value: Any) -> str:
    """A TOML basic string that loads back as exactly `value` (control characters escaped)."""
    text = json.dumps(_text(value), ensure_ascii=False)
    return re.sub(r"[\x7f\x80-\x9f]", lambda m: f"\\u{ord(m.group()):04X}", text)


def one_line(value: Any) -> str:
    """Text made safe for one line: every control, line or paragraph separator becomes a space."""
    text = "".join(ch if ch.isprintable() else " " for ch in _text(value))
    return re.sub(r"\s+", " ", text).strip()


def md_escape(value: Any) -> str:
    """Text for one line of Markdown prose: markup characters backslash-escaped, HTML as entities."""
    text = re.sub(r"([\\`*\[\]|~$])", r"\\\1", one_line(value))
    text = re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", r"\\_", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = re.sub(r"^(\d+)([.)])", r"\1\\\2", text)
    return "\\" + text if re.match(r"[#+\-=]", text) else text


# --------------------------------------------------------------------------- safe names per target


def _ascii_words(name: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.findall(r"[A-Za-z0-9]+", folded)


def dns_label(name: str, max_length: int = 63) -> str:
    """An RFC 1035 label (lower-case letters, digits, '-', starting with a letter) for Kubernetes names,
    stack names and image names; `max_length` leaves room for suffixes (CronJob names take 52)."""
    label = "-".join(word.lower() for word in _ascii_words(name))
    if not label:
        label = FALLBACK_LABEL
    if not label[0].isalpha():
        label = f"w-{label}"
    label = label[:max_length].rstrip("-")
    return label or FALLBACK_LABEL


def logical_id(name: str, max_length: int = 64) -> str:
    """A CloudFormation logical id (alphanumeric, starting with a letter) from a workload name."""
    words = _ascii_words(name)
    ident = "".join(word[:1].upper() + word[1:] for word in words) or "Workload"
    if not ident[0].isalpha():
        ident = f"W{ident}"
    return ident[:max_length]


def safe_file_name(name: str, max_length: int = 100) -> str:
    """A portable file or folder name (no separators, dots or reserved names) for a workload name."""
    return dns_label(name, max_length)


# --------------------------------------------------------------------------- defaults and rounding


@functools.cache
def scaffold_defaults() -> dict[str, Any]:
    """advisor/templates/scaffold/defaults.yaml: runtime ids, base images, ports and other starter choices."""
    import yaml

    path = f"{TEMPLATE_ROOT}/defaults.yaml"
    try:
        text = (importlib.resources.files("advisor") / path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KnowledgeBaseError(f"advisor/{path}: file is missing from the installation") from None
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise KnowledgeBaseError(f"advisor/{path}: expected a mapping at the top level")
    return data


def default(key: str) -> Any:
    """One value of defaults.yaml by dotted key; an unknown key names itself."""
    node: Any = scaffold_defaults()
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KnowledgeBaseError(f"advisor/{TEMPLATE_ROOT}/defaults.yaml: no value for {key!r}")
        node = node[part]
    if isinstance(node, dict) and "value" in node and "source" in node:
        return node["value"]
    return node


def number_words(value: float) -> str:
    """1024 -> '1,024'; 0.25 -> '0.25'."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.4g}"


@dataclass(frozen=True)
class FargateSize:
    """A valid Fargate task size: vCPU and memory in GB (GiB), plus the CPU units and MiB ECS wants."""

    vcpu: float
    memory_gb: float
    fits: bool

    @property
    def cpu_units(self) -> int:
        return round(self.vcpu * 1024)

    @property
    def memory_mib(self) -> int:
        return round(self.memory_gb * 1024)


def fargate_size(kb: KnowledgeBase, vcpu: float, memory_mb: float, os_name: str) -> FargateSize:
    """The smallest valid Fargate size with at least `vcpu` and `memory_mb`; the largest when none fits."""
    key = "ecs_fargate.sizes_windows" if os_name == "windows" else "ecs_fargate.sizes_linux"
    sizes = sorted((float(entry["vcpu"]), float(memory)) for entry in kb.value(key) for memory in entry["memory_gb"])
    if not sizes:
        raise KnowledgeBaseError(f"models/runtimes.yaml: {key} lists no sizes")
    need_gb = memory_mb / 1024.0
    for cpus, memory in sizes:
        if cpus >= vcpu - 1e-9 and memory >= need_gb - 1e-9:
            return FargateSize(cpus, memory, True)
    largest = max(sizes, key=lambda size: (size[0], size[1]))
    return FargateSize(largest[0], largest[1], False)


def clamp(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


def ceil_int(value: float) -> int:
    return math.ceil(value - 1e-9)


@dataclass(frozen=True)
class Schedule:
    """How often a job runs, from runs a month: an EventBridge rate() and a Kubernetes cron line."""

    minutes: int
    rate: str
    cron: str
    words: str


def schedule_for(runs_per_month: float) -> Schedule:
    """A schedule that runs about `runs_per_month` times in a 30-day month (at least once a month)."""
    month_minutes = 30 * 24 * 60
    runs = max(runs_per_month, 1.0)
    minutes = max(1, int(month_minutes // runs))
    if minutes >= month_minutes:
        return Schedule(month_minutes, "rate(30 days)", "0 3 1 * *", "once a month")
    if minutes >= 7 * 1440:
        return Schedule(7 * 1440, "rate(7 days)", "0 3 * * 1", "once a week")
    if minutes >= 1440:
        days = minutes // 1440
        rate = "rate(1 day)" if days == 1 else f"rate({days} days)"
        cron = "0 3 * * *" if days == 1 else f"0 3 */{days} * *"
        return Schedule(days * 1440, rate, cron, "once a day" if days == 1 else f"every {days} days")
    if minutes >= 60:
        hours = minutes // 60
        rate = "rate(1 hour)" if hours == 1 else f"rate({hours} hours)"
        cron = "0 * * * *" if hours == 1 else f"0 */{hours} * * *"
        return Schedule(hours * 60, rate, cron, "every hour" if hours == 1 else f"every {hours} hours")
    rate = "rate(1 minute)" if minutes == 1 else f"rate({minutes} minutes)"
    cron = "* * * * *" if minutes == 1 else f"*/{minutes} * * * *"
    return Schedule(minutes, rate, cron, "every minute" if minutes == 1 else f"every {minutes} minutes")


# --------------------------------------------------------------------------- templates


@functools.cache
def environment() -> jinja2.Environment:
    """The starter-config environment: no autoescape (YAML, TOML, Markdown, code), and a quoting
    filter per target; profile text must go through one of them (see `UserText`)."""
    from advisor.outputs.templating import make_environment

    return make_environment("scaffold", autoescape=False, filters={
        "yaml": yaml_quote, "toml": toml_quote, "md": md_escape, "comment": one_line,
        "json": lambda value: json.dumps(value, ensure_ascii=True, sort_keys=False), "num": number_words,
    })


def render(template: str, context: Mapping[str, Any]) -> str:
    """Render one template under advisor/templates/scaffold/ with `context`."""
    return environment().get_template(template).render(**context)


# --------------------------------------------------------------------------- writing inside --out


def resolve_inside(out_dir: Path, relative: str) -> Path:
    """`out_dir / relative`, refusing anything (.., absolute paths, symlinks) that lands outside out_dir."""
    root = out_dir.resolve()
    candidate = Path(relative)
    if candidate.is_absolute() or ".." in candidate.parts:
        raise UsageError(f"{relative}: refusing to write outside {out_dir}")
    target = (root / candidate).resolve()
    if target != root and root not in target.parents:
        raise UsageError(f"{out_dir / relative}: resolves to {target}, outside {out_dir}; refusing to write there")
    return target


def check_writable(out_dir: Path, files: Iterable[str], force: bool) -> list[Path]:
    """The target path of every file; raise OutputExistsError listing the ones that exist unless `force`."""
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"{out_dir}: exists and is not a folder")
    from advisor.files import refuse_input_overwrite

    targets = [resolve_inside(out_dir, name) for name in files]
    for target in targets:
        refuse_input_overwrite(target)
    existing = [path for path in targets if path.exists() or path.is_symlink()]
    if existing and not force:
        listing = "\n".join(f"  - {path}" for path in existing)
        raise OutputExistsError(f"{out_dir}: {len(existing)} file(s) would be overwritten (use --force):\n{listing}")
    for path in existing:
        if path.is_dir():
            raise UsageError(f"{path}: is a folder where a file should be written")
    return targets


def write_atomic(path: Path, text: str, executable: bool = False) -> None:
    """Write `text` to a temporary file beside `path`, then rename it over `path` (never a partial file)."""
    from advisor.files import refuse_input_overwrite

    refuse_input_overwrite(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.chmod(temp_name, 0o755 if executable else 0o644)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise

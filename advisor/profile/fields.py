"""Workload profile, version 1 (DESIGN.md): field definitions, parsing of human units, validation.

The field table below is the single definition every entry point (YAML profile, `--set`, CSV column,
questionnaire mapping) validates against; `parse_field` is the one parser for one value.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from advisor.errors import FieldProblem, ProfileError, UnitError, UsageError
from advisor.files import read_input_text
from advisor.profile.units import parse_count, parse_duration, parse_size

PROTOCOLS = ("http", "grpc", "tcp", "udp", "websocket")
LINUX_CAPABILITIES = (
    "ALL", "AUDIT_CONTROL", "AUDIT_READ", "AUDIT_WRITE", "BLOCK_SUSPEND", "BPF", "CHECKPOINT_RESTORE", "CHOWN",
    "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "IPC_LOCK", "IPC_OWNER", "KILL", "LEASE",
    "LINUX_IMMUTABLE", "MAC_ADMIN", "MAC_OVERRIDE", "MKNOD", "NET_ADMIN", "NET_BIND_SERVICE", "NET_BROADCAST",
    "NET_RAW", "PERFMON", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_ADMIN", "SYS_BOOT", "SYS_CHROOT",
    "SYS_MODULE", "SYS_NICE", "SYS_PACCT", "SYS_PTRACE", "SYS_RAWIO", "SYS_RESOURCE", "SYS_TIME",
    "SYS_TTY_CONFIG", "SYSLOG", "WAKE_ALARM",
)
"""Linux capability names (capabilities(7), as Docker's --cap-add and ECS KernelCapabilities spell them, without
CAP_); `ALL` is Docker's and ECS's word for every capability."""
REGION_CODE = re.compile(r"[a-z]{2,}(-[a-z]+)+-\d{1,2}")
INSTANCE_TYPE = re.compile(r"[a-z][a-z0-9-]*\.[a-z0-9-]+")
"""An EC2 instance type name as AWS spells it: family (with generation and options), a dot, the size."""
TRUE_WORDS = frozenset({"true", "yes", "y", "1", "on"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "off"})


@dataclass(frozen=True)
class FieldSpec:
    """How one profile field is typed, defaulted and bounded."""

    name: str
    kind: str  # string | enum | bool | number | integer | protocols | capabilities | instance_types | region
    default: Any
    help: str
    choices: tuple[str, ...] = ()
    unit: str = ""  # duration_s | duration_ms | size_mb | size_gb | count
    minimum: float | None = None
    exclusive_minimum: bool = False
    maximum: float | None = None
    nullable: bool = False
    bound_reason: str = ""  # why `maximum` is where it is (docs/profile.md, "Bounds"), shown when it is exceeded


def _enum(name: str, default: str, choices: str, help: str) -> FieldSpec:
    return FieldSpec(name, "enum", default, help, tuple(choices.split()))


def _flag(name: str, help: str) -> FieldSpec:
    return FieldSpec(name, "bool", False, help)


def _priority(axis: str) -> FieldSpec:
    return FieldSpec(f"priority_{axis}", "integer", 3, f"how much {axis} matters (0-5)", minimum=0, maximum=5,
                     bound_reason="priorities are weights from 0 (ignore) to 5 (decisive)")


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("name", "string", None, "identifier, unique within a portfolio"),
    FieldSpec("description", "string", "", "free text"),
    _enum("workload_type", "unknown",
          "http_api web_app event_handler queue_worker batch_job scheduled_job stream_processor "
          "ml_inference ml_training stateful_service unknown", "what kind of work it is"),
    _flag("containerized", "already ships as a container image"),
    _enum("os", "linux", "linux windows", "container / function OS"),
    _enum("arch", "any", "x86_64 arm64 any", "CPU architecture it can run on"),
    _enum("language", "unknown", "python node java go dotnet dotnet_framework ruby rust other unknown",
          "main runtime language"),
    FieldSpec("vcpu", "number", 1, "vCPUs one task / invocation needs", minimum=0, exclusive_minimum=True,
              maximum=4096, bound_reason="no EC2 instance comes near that many vCPUs"),
    FieldSpec("memory_mb", "number", 1024, "memory one task / invocation needs", unit="size_mb",
              minimum=0, exclusive_minimum=True, maximum=64 * 1024 * 1024,
              bound_reason="64 TB, twice the memory of the largest EC2 instance"),
    FieldSpec("gpu", "integer", 0, "GPUs one task needs", minimum=0, maximum=64,
              bound_reason="no EC2 instance has that many GPUs; more is a distributed job, not one task"),
    FieldSpec("ephemeral_storage_gb", "number", 1, "scratch disk one task needs", unit="size_gb", minimum=0,
              maximum=64 * 1024, bound_reason="64 TB, the size of the largest EBS volume"),
    FieldSpec("artifact_size_mb", "number", 200, "deployable size (image or package)", unit="size_mb", minimum=0,
              maximum=1024 * 1024, bound_reason="1 TB; an image that size is a data set, not an artifact"),
    FieldSpec("max_duration_s", "number", 30, "longest single request, event or job", unit="duration_s",
              minimum=0, exclusive_minimum=True, maximum=365 * 86400,
              bound_reason="a year; work that never ends is a service: give its longest request instead"),
    FieldSpec("avg_duration_ms", "number", 200, "mean time per request / invocation / run",
              unit="duration_ms", minimum=0, exclusive_minimum=True, maximum=365 * 86400 * 1000,
              bound_reason="a year, as for max_duration_s"),
    _flag("long_lived_connections", "holds connections for minutes (WebSocket, streams)"),
    FieldSpec("requests_per_month", "number", 1_000_000, "requests, events or job runs per month",
              unit="count", minimum=0, maximum=1e13,
              bound_reason="about 3.8 million a second all month long, beyond any single workload"),
    FieldSpec("peak_concurrency", "integer", 10, "requests or jobs in flight at the peak", unit="count", minimum=1,
              maximum=100_000_000, bound_reason="a hundred million in flight at once, beyond any single workload"),
    _enum("traffic_pattern", "diurnal", "steady diurnal spiky sporadic", "sporadic = idle most of the time"),
    FieldSpec("latency_slo_ms", "number", None, "p99 latency target, if any", unit="duration_ms",
              minimum=0, exclusive_minimum=True, nullable=True, maximum=86400 * 1000,
              bound_reason="a day; a longer target is a deadline, not a latency: leave it empty"),
    FieldSpec("protocols", "protocols", ("http",), "inbound protocols; in CSV separated by ;", choices=PROTOCOLS),
    _flag("privileged", "needs privileged containers"),
    FieldSpec("added_capabilities", "capabilities", (), "Linux capabilities added beyond the container default "
              "(upper case, without CAP_); in CSV separated by ;", choices=LINUX_CAPABILITIES),
    _flag("host_mounts", "bind-mounts host paths (Docker socket, /proc, /sys, /var/log...)"),
    _flag("host_devices", "needs host devices (/dev/...)"),
    _flag("host_pid", "shares the host's PID namespace"),
    _flag("host_networking", "needs the host's network namespace"),
    _flag("daemon_per_host", "must run one copy on every host (agents)"),
    _flag("kernel_tuning", "needs kernel modules or sysctls beyond the namespaced ones"),
    _enum("persistent_storage", "none", "none shared_fs block local_nvme", "durable storage it mounts"),
    FieldSpec("backing_service", "string", "",
              "a well-known data store, cache, broker or search engine it runs (postgres, redis, kafka...)"),
    _flag("dedicated_tenancy", "must run on single-tenant hardware"),
    _flag("specific_instance_type", "needs a particular EC2 family (network, Inferentia, storage-optimised)"),
    FieldSpec("instance_types", "instance_types", (), "EC2 instance types its tasks must run on (a placement "
              "constraint or node selector names them); ECS on EC2 and EKS are priced on the cheapest that fits; "
              "in CSV separated by ;"),
    _flag("kubernetes_native", "depends on the Kubernetes API (operators, CRDs, vendor Helm charts)"),
    _enum("ops_capacity", "limited", "none limited platform_team", "who can run infrastructure"),
    _enum("k8s_experience", "none", "none some expert", "the team's Kubernetes fluency"),
    _enum("existing_platform", "none", "none lambda ecs eks kubernetes", "what the organisation already runs"),
    _enum("hybrid", "aws_only", "aws_only on_prem edge multi_cloud",
          "where else it must run; on_prem and edge are hard requirements"),
    _flag("portability_required", "must stay movable between providers"),
    _enum("release_frequency", "weekly", "daily weekly monthly rarely", "how often it ships"),
    _flag("interruptible", "tolerates interruption (retries or checkpoints): Spot capacity may be used"),
    FieldSpec("region", "region", "us-east-1", "AWS Region code where it runs; prices are per Region"),
    _enum("network_egress", "nat_gateway", "nat_gateway public_ipv4 vpc_endpoints none",
          "how container tasks reach the internet and AWS APIs (Lambda outside a VPC needs none)"),
    _priority("simplicity"),
    _priority("flexibility"),
    _priority("agility"),
    _priority("hybridity"),
    FieldSpec("priority_cost", "integer", 3, "weight of estimated monthly cost (0-5)", minimum=0, maximum=5,
              bound_reason="priorities are weights from 0 (ignore) to 5 (decisive)"),
)
FIELD_BY_NAME: dict[str, FieldSpec] = {spec.name: spec for spec in FIELDS}
PRICE_ONLY_FIELDS: tuple[str, ...] = ("interruptible", "region", "network_egress", "instance_types")
"""Fields that change only how a runtime is priced (Spot, Region, egress path), not what it is: the
learned model does not read them (its cost-fit columns already carry their effect)."""
FIELD_NAMES: tuple[str, ...] = tuple(FIELD_BY_NAME)
PRIORITY_FIELDS: tuple[str, ...] = tuple(n for n in FIELD_NAMES if n.startswith("priority_"))


def cell_text(value: Any) -> str:
    """A value as the text of one CSV cell, the form `parse_field` reads back: true/false for yes/no, list
    items joined by `;`, a whole float without its `.0` (2.0 from a spreadsheet is "2"), blank for None.
    Used for profiles written as CSV and for XLSX and Parquet cells read as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ";".join(cell_text(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def is_missing(raw: object) -> bool:
    """True for values that mean "not given": None, NaN, an empty or blank string."""
    if raw is None:
        return True
    if isinstance(raw, float) and math.isnan(raw):
        return True
    return isinstance(raw, str) and raw.strip() == ""


NOT_FINITE = "not a finite number: NaN and infinity are never valid"
_NOT_FINITE_WORDS = frozenset(sign + word for sign in ("", "+", "-") for word in ("nan", "inf", "infinity"))


def format_bound(value: float) -> str:
    """A bound as people read it: 4,096, 67,108,864, 1e+13."""
    return f"{value:,.0f}" if float(value).is_integer() and abs(value) < 1e16 else f"{value:g}"


def _number(spec: FieldSpec, raw: object) -> float:
    if isinstance(raw, bool):
        raise ValueError("expected a number, got a yes/no value")
    if isinstance(raw, int | float):
        try:
            value = float(raw)
        except OverflowError:  # an integer beyond any float
            value = math.inf
    else:
        text = str(raw).strip()
        if text.lower() in _NOT_FINITE_WORDS:
            raise ValueError(NOT_FINITE)
        try:
            if spec.unit == "duration_s":
                value = parse_duration(text, "s")
            elif spec.unit == "duration_ms":
                value = parse_duration(text, "ms")
            elif spec.unit == "size_mb":
                value = parse_size(text, "mb")
            elif spec.unit == "size_gb":
                value = parse_size(text, "gb")
            elif spec.unit == "count":
                value = parse_count(text)
            else:
                value = float(text.replace(",", ""))
        except (UnitError, ValueError) as exc:
            raise ValueError(str(exc) if isinstance(exc, UnitError) else "expected a number") from None
    if not math.isfinite(value):
        raise ValueError(NOT_FINITE)
    if spec.minimum is not None:
        if spec.exclusive_minimum and value <= spec.minimum:
            raise ValueError(f"must be greater than {format_bound(spec.minimum)}")
        if not spec.exclusive_minimum and value < spec.minimum:
            raise ValueError(f"must be at least {format_bound(spec.minimum)}")
    if spec.maximum is not None and value > spec.maximum:
        reason = f" ({spec.bound_reason})" if spec.bound_reason else ""
        raise ValueError(f"must be at most {format_bound(spec.maximum)}{reason}")
    return value


def _did_you_mean(text: str, choices: Sequence[str]) -> str:
    """' (did you mean X?)' for the closest of `choices`, or ''."""
    close = difflib.get_close_matches(text, choices, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _list_items(raw: object) -> list[str]:
    """The items of a list field: a YAML or JSON list, or text separated by `;` (or `,`), stripped, blanks dropped."""
    items = raw if isinstance(raw, list | tuple) else str(raw).replace(",", ";").split(";")
    return [text for text in (str(item).strip() for item in items) if text]


def _names(raw: object, known: tuple[str, ...], canonical: Callable[[str], str],
           unknown: Callable[[str, str], str]) -> tuple[str, ...]:
    """A list, or `;`/`,`-separated text, of names from `known`: each in `canonical` form, blanks and
    duplicates dropped, in `known`'s order. `unknown(item, hint)` words the error for any other."""
    wanted: set[str] = set()
    for item in _list_items(raw):
        text = canonical(item)
        if text and text not in known:
            raise ValueError(unknown(item, _did_you_mean(text, known)))
        wanted.add(text)
    return tuple(name for name in known if name in wanted)


def _capability(item: str) -> str:
    """A capability name in canonical form: upper case, `_` for `-`, no CAP_ prefix."""
    text = item.upper().replace("-", "_")
    return text[4:] if text.startswith("CAP_") else text


def _capabilities(raw: object) -> tuple[str, ...]:
    """Capability names in canonical form, no duplicates, in table order."""
    return _names(raw, LINUX_CAPABILITIES, _capability,
                  lambda item, hint: f"unknown Linux capability {item!r}{hint}")


def _instance_types(raw: object) -> tuple[str, ...]:
    """Instance type names in canonical form: lower case, no duplicates, in the order given."""
    wanted: list[str] = []
    for item in _list_items(raw):
        text = item.lower()
        if not INSTANCE_TYPE.fullmatch(text):
            raise ValueError(f"{item!r} is not an EC2 instance type name such as g5.2xlarge")
        if text not in wanted:
            wanted.append(text)
    return tuple(wanted)


def parse_field(spec: FieldSpec, raw: object) -> Any:
    """Parse one raw value (typed or text) for `spec`; raises ValueError with a message for the user."""
    if spec.kind == "string":
        text = str(raw).strip() if not isinstance(raw, str) else raw.strip()
        if spec.name == "name" and not 1 <= len(text) <= 128:
            raise ValueError("must be 1 to 128 characters")
        return text
    if spec.kind == "region":
        text = str(raw).strip().lower()
        if not REGION_CODE.fullmatch(text):
            raise ValueError("expected an AWS Region code such as us-east-1 or eu-west-1")
        return text
    if spec.kind == "enum":
        text = str(raw).strip().lower().replace("-", "_")
        if text not in spec.choices:
            hint = _did_you_mean(text, spec.choices)
            raise ValueError(f"unknown value{hint}; choose one of {', '.join(spec.choices)}")
        return text
    if spec.kind == "bool":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, int | float) and raw in (0, 1):
            return bool(raw)
        text = str(raw).strip().lower()
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        raise ValueError("expected true/false, yes/no, y/n or 1/0")
    if spec.kind == "protocols":
        protocols = _names(raw, PROTOCOLS, str.lower,
                           lambda item, hint: f"unknown protocol {item.lower()!r}{hint}; use {', '.join(PROTOCOLS)}")
        if not protocols:
            raise ValueError("list at least one protocol")
        return protocols
    if spec.kind == "capabilities":
        return _capabilities(raw)
    if spec.kind == "instance_types":
        return _instance_types(raw)
    value = _number(spec, raw)
    if spec.kind == "integer":
        if not float(value).is_integer():
            raise ValueError("must be a whole number")
        return int(value)
    return int(value) if value.is_integer() else value


@dataclass(frozen=True)
class WorkloadProfile:
    """A validated workload profile v1. `assumed_defaults` names the fields that were not given.

    Built only by `build_profile` (and the frame reader), which fill every field: defaults live in
    one place, the FIELDS table above."""

    name: str
    description: str
    workload_type: str
    containerized: bool
    os: str
    arch: str
    language: str
    vcpu: float
    memory_mb: float
    gpu: int
    ephemeral_storage_gb: float
    artifact_size_mb: float
    max_duration_s: float
    avg_duration_ms: float
    long_lived_connections: bool
    requests_per_month: float
    peak_concurrency: int
    traffic_pattern: str
    latency_slo_ms: float | None
    protocols: tuple[str, ...]
    privileged: bool
    added_capabilities: tuple[str, ...]
    host_mounts: bool
    host_devices: bool
    host_pid: bool
    host_networking: bool
    daemon_per_host: bool
    kernel_tuning: bool
    persistent_storage: str
    backing_service: str
    dedicated_tenancy: bool
    specific_instance_type: bool
    instance_types: tuple[str, ...]
    kubernetes_native: bool
    ops_capacity: str
    k8s_experience: str
    existing_platform: str
    hybrid: str
    portability_required: bool
    release_frequency: str
    interruptible: bool
    region: str
    network_egress: str
    priority_simplicity: int
    priority_flexibility: int
    priority_agility: int
    priority_hybridity: int
    priority_cost: int
    assumed_defaults: tuple[str, ...] = field(default=(), compare=False)

    def to_dict(self, include_assumed: bool = False) -> dict[str, Any]:
        """The profile as canonical numbers and lists, in field order (for YAML, JSON and CSV)."""
        out: dict[str, Any] = {}
        for name in FIELD_NAMES:
            value = getattr(self, name)
            out[name] = list(value) if isinstance(value, tuple) else value
        if include_assumed:
            out["assumed_defaults"] = list(self.assumed_defaults)
        return out

    def replace(self, **changes: Any) -> WorkloadProfile:
        """A copy with `changes` validated and applied; changed fields are no longer assumed."""
        data = {name: getattr(self, name) for name in FIELD_NAMES}
        data.update(changes)
        given = set(FIELD_NAMES) - set(self.assumed_defaults) | set(changes)
        return build_profile({k: v for k, v in data.items() if k in given}, source="profile")


assert {f.name for f in fields(WorkloadProfile)} - {"assumed_defaults"} == set(FIELD_NAMES)


def suggest_field(name: str) -> str:
    """' (did you mean X?)' for a misspelt field name, or ''."""
    return _did_you_mean(name.strip().lower(), FIELD_NAMES)


def build_profile(data: Mapping[str, Any], source: str = "profile") -> WorkloadProfile:
    """Validate a mapping of field names to raw values into a profile; every problem is reported at once."""
    problems: list[FieldProblem] = []
    values: dict[str, Any] = {}
    assumed: list[str] = []
    for key in data:
        if key not in FIELD_BY_NAME:
            problems.append(FieldProblem(str(key), data[key], f"unknown field{suggest_field(str(key))}"))
    for spec in FIELDS:
        raw = data.get(spec.name)
        if isinstance(raw, float) and math.isnan(raw):  # NaN given as a value is not "not given"
            problems.append(FieldProblem(spec.name, raw, NOT_FINITE))
            continue
        if is_missing(raw):
            if spec.name == "name":
                problems.append(FieldProblem("name", raw, "is required"))
            else:
                assumed.append(spec.name)
                values[spec.name] = tuple(spec.default) if isinstance(spec.default, list) else spec.default
            continue
        try:
            values[spec.name] = parse_field(spec, raw)
        except ValueError as exc:
            problems.append(FieldProblem(spec.name, raw, str(exc)))
    if problems:
        raise ProfileError(problems, source)
    if values["instance_types"]:
        # Naming the instance types is the strongest form of needing a particular one, even beside an explicit
        # `specific_instance_type: false` (profile.frame does the same for a portfolio's rows).
        values["specific_instance_type"] = True
        if "specific_instance_type" in assumed:
            assumed.remove("specific_instance_type")
    return WorkloadProfile(**values, assumed_defaults=tuple(assumed))


def parse_assignments(assignments: list[str]) -> dict[str, str]:
    """Turn `--set field=value` options into a mapping; a malformed one is a usage error."""
    out: dict[str, str] = {}
    for item in assignments:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"{item!r}: expected field=value, for example max_duration_s=2h", option="set")
        out[key.strip()] = value.strip()
    return out


def read_profile_data(path: str, text: str | None = None, encoding: str | None = None) -> dict[str, Any]:
    """Read a profile mapping from a YAML or JSON file (`-` with `text` for stdin), with safe loading only.

    Duplicate keys, NaN and infinity are refused with their line (advisor.files.load_user_data).
    """
    from advisor.files import load_user_data

    label = "<stdin>" if path == "-" else path
    if text is None:
        text = read_input_text(path, encoding)
    as_json = label.lower().endswith(".json") or (path == "-" and text.lstrip().startswith("{"))
    data = load_user_data(text, label, "json" if as_json else "yaml")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise UsageError(f"{label}: a profile must be a mapping of field: value, got {type(data).__name__}")
    return {str(k): v for k, v in data.items()}

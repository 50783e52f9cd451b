"""Unit conversions and the small heuristics every reader shares (ports, images, host paths, schedules).

Each converter takes a value as a descriptor spells it and returns the canonical profile unit, or
raises ValueError with a message for the user; the reader turns that into a problem naming the file
and path. No AWS limit or price is repeated here: these are the descriptors' own unit rules.
"""

from __future__ import annotations

import math
import re
from typing import Any

MIB = 1024 * 1024


class Unresolved:
    """A value the file does not settle by itself: `${VAR}` with no default, `!If`, `!ImportValue`."""

    def __init__(self, original: str, reason: str) -> None:
        self.original = original
        self.reason = reason

    def __repr__(self) -> str:
        return self.original


class Interpolated(str):
    """A compose string after `${VAR:-default}` interpolation; `.original` keeps the file's spelling."""

    original: str

    def __new__(cls, value: str, original: str) -> Interpolated:
        obj = super().__new__(cls, value)
        obj.original = original
        return obj


def original_text(value: Any) -> Any:
    """The value as the file spelled it, for messages (`${MEM:-512M}` rather than `512M`)."""
    original = getattr(value, "original", None)
    return str(original) if original is not None else value


def scalar(value: Any) -> Any:
    """The value itself, or ValueError when it is unresolved or an unrendered template."""
    if isinstance(value, Unresolved):
        raise ValueError(value.reason)
    if isinstance(value, str) and "{{" in value:
        raise ValueError("unrendered Helm/Go template expression")
    if isinstance(value, dict | list):
        raise ValueError(f"expected a single value, got a {'mapping' if isinstance(value, dict) else 'list'}")
    return value


def lower_text(value: Any) -> str:
    """A scalar as stripped lower-case text, to compare with known words; "" when it is unreadable."""
    try:
        return str(scalar(value)).strip().lower()
    except ValueError:
        return ""


def tidy(number: float) -> float | int:
    """Whole numbers as int, others rounded to 4 significant decimals (512M decimal -> 488.2812)."""
    if abs(number - round(number)) < 1e-9:
        return round(number)
    return round(number, 4)


_NUMBER = r"[+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_K8S_QUANTITY = re.compile(rf"^({_NUMBER})(Ki|Mi|Gi|Ti|Pi|Ei|m|k|K|M|G|T|P|E)?$")
_K8S_FACTORS = {
    None: 1.0, "m": 1e-3, "k": 1e3, "K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18,
    "Ki": 1024.0, "Mi": 1024.0**2, "Gi": 1024.0**3, "Ti": 1024.0**4, "Pi": 1024.0**5, "Ei": 1024.0**6,
}


def k8s_quantity(value: Any) -> float:
    """A Kubernetes resource quantity as a plain number: `500m` -> 0.5, `512Mi` -> 536870912."""
    value = scalar(value)
    if isinstance(value, bool):
        raise ValueError("expected a quantity")
    if isinstance(value, int | float):
        return float(value)
    match = _K8S_QUANTITY.match(str(value).strip())
    if not match:
        raise ValueError("not a Kubernetes quantity (like 500m, 2, 512Mi, 1G)")
    return float(match.group(1)) * _K8S_FACTORS[match.group(2)]


def k8s_cpu(value: Any) -> float | int:
    """Kubernetes CPU to vCPU: `500m` -> 0.5, `2` -> 2."""
    return tidy(k8s_quantity(value))


def k8s_memory_mb(value: Any) -> float | int:
    """Kubernetes memory to MB (MiB): `512Mi` -> 512, `1G` -> 953.6743, `134217728` -> 128."""
    return tidy(k8s_quantity(value) / MIB)


def k8s_storage_gb(value: Any) -> float | int:
    """Kubernetes ephemeral-storage to GB (GiB): `20Gi` -> 20."""
    return tidy(k8s_quantity(value) / 1024**3)


_COMPOSE_SIZE = re.compile(rf"^({_NUMBER})\s*([bkmg]b?)?$", re.IGNORECASE)
_COMPOSE_FACTORS = {"": 1.0, "b": 1.0, "k": 1024.0, "m": 1024.0**2, "g": 1024.0**3}


def compose_memory_mb(value: Any) -> float | int:
    """Compose byte values to MB (MiB): `512M`/`512m` -> 512, `1.5g` -> 1536, `1073741824` -> 1024."""
    value = scalar(value)
    if isinstance(value, bool):
        raise ValueError("expected a size")
    if isinstance(value, int | float):
        return tidy(value / MIB)
    match = _COMPOSE_SIZE.match(str(value).strip())
    if not match:
        raise ValueError("not a compose size (like 512M, 1.5g, 2048k or a byte count)")
    unit = (match.group(2) or "").lower().rstrip("b") if (match.group(2) or "").lower() != "b" else "b"
    return tidy(float(match.group(1)) * _COMPOSE_FACTORS[unit] / MIB)


def plain_number(value: Any) -> float | int:
    """A plain number written as a number or a numeric string (`"0.5"`, `2`)."""
    value = scalar(value)
    if isinstance(value, bool):
        raise ValueError("expected a number")
    try:
        number = float(str(value).strip())
    except ValueError:
        raise ValueError("expected a number") from None
    if not math.isfinite(number):
        raise ValueError("expected a finite number")
    return tidy(number)


_ECS_CPU = re.compile(rf"^({_NUMBER})\s*(vcpus?)?$", re.IGNORECASE)
_ECS_MEMORY = re.compile(rf"^({_NUMBER})\s*(gb|gib|mb|mib)?$", re.IGNORECASE)


def _ecs_amount(value: Any, pattern: re.Pattern[str], unit: str, examples: str) -> tuple[float, str]:
    """The number and the unit (or "") of an ECS CPU or memory value; ValueError saying what it expects."""
    value = scalar(value)
    if isinstance(value, bool):
        raise ValueError(f"expected {unit}")
    match = pattern.match(str(value).strip())
    if not match:
        raise ValueError(f"not {examples}")
    return float(match.group(1)), (match.group(2) or "").lower()


def ecs_cpu_vcpu(value: Any) -> float | int:
    """ECS CPU to vCPU: `"1024"` CPU units -> 1, `"0.5 vCPU"` -> 0.5 (1 vCPU = 1024 CPU units)."""
    number, unit = _ecs_amount(value, _ECS_CPU, "CPU units", "ECS CPU units (like 256, 1024) or vCPU (like 1 vCPU)")
    return tidy(number if unit else number / 1024)


def ecs_memory_mb(value: Any) -> float | int:
    """ECS memory to MB (MiB): `"2048"` -> 2048, `"2 GB"` -> 2048."""
    number, unit = _ecs_amount(value, _ECS_MEMORY, "MiB", "ECS memory (like 512, 2048 or 2 GB)")
    return tidy(number * 1024 if unit.startswith("g") else number)


def as_bool(value: Any) -> bool:
    """YAML/JSON booleans and their string spellings (`"true"`, `"True"`)."""
    value = scalar(value)
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "on", "1"):
        return True
    if text in ("false", "no", "off", "0", ""):
        return False
    raise ValueError("expected true or false")


# --- ports and protocols -------------------------------------------------------------------------

HTTP_PORTS = frozenset({80, 443, 3000, 4000, 5000, 8000, 8008, 8080, 8081, 8443, 8888})
GRPC_PORTS = frozenset({50051})
_HTTP_NAMES = re.compile(r"(^|[-_])(https?|web|api|metrics|http2|h2c)($|[-_])")
_WS_NAMES = re.compile(r"(^|[-_])(wss?|websockets?)($|[-_])")
_APP_PROTOCOLS = {
    "http": "http", "https": "http", "http2": "http", "h2c": "http", "kubernetes.io/h2c": "http",
    "grpc": "grpc", "ws": "websocket", "wss": "websocket", "kubernetes.io/ws": "websocket",
    "kubernetes.io/wss": "websocket", "websocket": "websocket", "tcp": "tcp", "udp": "udp",
}


def port_protocol(number: Any, transport: Any = "tcp", name: Any = None, app_protocol: Any = None,
                  http_probe: bool = False) -> str:
    """The inbound protocol a port serves: UDP from the transport; gRPC, WebSocket or HTTP from hints
    (application protocol, port name, an HTTP probe, a well-known port); TCP otherwise."""
    transport_text = str(scalar(transport) or "tcp").strip().lower()
    if transport_text == "udp":
        return "udp"
    if transport_text not in ("tcp", ""):
        raise ValueError(f"transport {transport_text!r} is not TCP or UDP")
    hint = str(scalar(app_protocol) or "").strip().lower()
    if hint in _APP_PROTOCOLS:
        return _APP_PROTOCOLS[hint]
    label = str(scalar(name) or "").strip().lower()
    if "grpc" in label:
        return "grpc"
    if _WS_NAMES.search(label):
        return "websocket"
    if http_probe or _HTTP_NAMES.search(label):
        return "http"
    try:
        port = int(str(scalar(number)).strip()) if number is not None else None
    except ValueError:
        port = None
    if port in GRPC_PORTS:
        return "grpc"
    if port in HTTP_PORTS:
        return "http"
    return "tcp"


_PORT_RANGE = re.compile(r"^[0-9]+(?:-[0-9]+)?$")


def compose_port(spec: str) -> tuple[str, str | None, str]:
    """A compose short port syntax `[[IP:]HOST:]CONTAINER[/PROTO]` as (target, published, transport).

    Parsed from the right as Compose does: the last part is the container port, the one before the
    published port (empty: any free host port), the rest the host IP (empty: all interfaces, which is
    what an unset variable or an empty default such as `${IP-}` leaves).
    """
    text = spec.strip()
    transport = "tcp"
    if "/" in text:
        text, transport = text.rsplit("/", 1)
        if not re.fullmatch(r"[a-zA-Z]+", transport):
            raise ValueError("not a compose port ([IP:][HOST:]CONTAINER[/PROTOCOL])")
    parts = text.rsplit(":", 2) if not text.startswith("[") else _ipv6_port_parts(text)
    target = parts[-1]
    published = parts[-2] if len(parts) > 1 else None
    host_ip = parts[-3] if len(parts) > 2 else ""
    if not _PORT_RANGE.match(target) or (published and not _PORT_RANGE.match(published)) \
            or (host_ip and not re.fullmatch(r"\[[0-9a-fA-F:.]*\]|[0-9.]+|[0-9a-fA-F:]+", host_ip)):
        raise ValueError("not a compose port ([IP:][HOST:]CONTAINER[/PROTOCOL])")
    return target, published or None, transport.lower()


def _ipv6_port_parts(text: str) -> list[str]:
    """`[::1]:8080:80` as ["[::1]", "8080", "80"]."""
    end = text.find("]")
    if end < 0:
        raise ValueError("not a compose port: unclosed [ in the host IP")
    rest = text[end + 1:].lstrip(":")
    return [text[:end + 1], *rest.split(":", 1)]


# --- images --------------------------------------------------------------------------------------

_LANGUAGE_IMAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), language) for pattern, language in (
        (r"(^|/)dotnet/framework/", "dotnet_framework"),
        (r"(^|/)dotnet/(aspnet|runtime|sdk|runtime-deps)$", "dotnet"),
        (r"(^|/)lambda/python$", "python"),
        (r"(^|/)lambda/nodejs$", "node"),
        (r"(^|/)lambda/java$", "java"),
        (r"(^|/)lambda/dotnet$", "dotnet"),
        (r"(^|/)lambda/ruby$", "ruby"),
        (r"(^|/)lambda/provided$", "other"),
        (r"(^|/)(python|pypy)$", "python"),
        (r"(^|/)node(js)?$", "node"),
        (r"(^|/)(openjdk|eclipse-temurin|amazoncorretto|ibm-semeru-runtimes|tomcat|jetty|maven|gradle|java)$",
         "java"),
        (r"(^|/)distroless/java[0-9-]*(debian[0-9]+)?$", "java"),
        (r"(^|/)distroless/python3(-debian[0-9]+)?$", "python"),
        (r"(^|/)distroless/nodejs[0-9]*(-debian[0-9]+)?$", "node"),
        (r"(^|/)golang$", "go"),
        (r"(^|/)ruby$", "ruby"),
        (r"(^|/)rust$", "rust"),
    ))
# Windows base images by family, not by exact path: the Windows base images themselves
# (mcr.microsoft.com/windows/servercore, nanoserver, server, and everything built on them such as
# windows/servercore/iis), the older Docker Hub names (microsoft/iis, microsoft/windowsservercore,
# microsoft/nanoserver, microsoft/aspnet, microsoft/dotnet-framework...), .NET Framework images, and
# any tag naming a Windows base (windowsservercore-ltsc2019, nanoserver-1809, ltsc2022, 1709...).
_WINDOWS_IMAGE = re.compile(
    r"(^|/)windows(/|$)"
    r"|(^|/)(windowsservercore|nanoserver|servercore)(/|$)"
    r"|^microsoft/(iis|aspnet|dotnet-framework|dotnet-framework-build|wcf|windowsservercore|nanoserver"
    r"|mssql-server-windows[\w-]*|powershell:nanoserver)($|/)"
    r"|(^|/)dotnet/framework/"
    r"|(^|/)[\w.-]*-windows(servercore)?$")
_WINDOWS_TAG = re.compile(r"(^|[-_.])(nanoserver|windowsservercore|servercore|windows|ltsc20\d\d)($|[-_.])")


def split_image(image: str) -> tuple[str, str]:
    """`registry/repo/name:tag@digest` as (repository path without registry, tag)."""
    reference = image.strip().split("@", 1)[0]
    parts = reference.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]
    last = parts[-1]
    tag = ""
    if ":" in last:
        last, tag = last.split(":", 1)
    repository = "/".join([*parts[:-1], last]).lower()
    if repository.startswith("library/"):
        repository = repository[len("library/"):]
    return repository, tag.lower()


def image_parts(image: Any) -> tuple[str, str] | None:
    """(repository, tag) of a descriptor's image value, or None when it is not an image name."""
    try:
        text = scalar(image)
    except ValueError:
        return None
    if not isinstance(text, str) or not text.strip():
        return None
    return split_image(text)


def image_language(image: Any) -> str | None:
    """The main language an official base image implies (`python:3.12-slim` -> python), else None."""
    parts = image_parts(image)
    if parts is None:
        return None
    repository, _tag = parts
    for pattern, language in _LANGUAGE_IMAGES:
        if pattern.search(repository):
            return language
    return None


_WINDOWS_PATH = re.compile(r"^[A-Za-z]:[\\/]")


def is_windows_path(path: Any) -> bool:
    """True for a path with a drive letter (`C:\\data`, `C:/data/`): a path only a Windows container has."""
    return isinstance(path, str) and bool(_WINDOWS_PATH.match(path.strip()))


def image_is_windows(image: Any) -> bool:
    """True for Windows base images (servercore, nanoserver, .NET Framework) and Windows tags."""
    parts = image_parts(image)
    if parts is None:
        return False
    repository, tag = parts
    return bool(_WINDOWS_IMAGE.search(repository) or _WINDOWS_TAG.search(tag))


_LAMBDA_RUNTIMES: tuple[tuple[str, str], ...] = (
    ("python", "python"), ("nodejs", "node"), ("java", "java"), ("dotnetcore", "dotnet"),
    ("dotnet", "dotnet"), ("ruby", "ruby"), ("go1", "go"), ("provided", "other"),
)


def lambda_runtime_language(runtime: Any) -> str | None:
    """Lambda's `Runtime` to a language: python3.12 -> python, nodejs20.x -> node, provided.al2 -> other."""
    text = str(scalar(runtime)).strip().lower()
    for prefix, language in _LAMBDA_RUNTIMES:
        if text.startswith(prefix):
            return language
    return None


# --- kernel, capabilities, host paths ------------------------------------------------------------

KERNEL_CAPABILITIES = frozenset({"SYS_MODULE", "SYS_RAWIO", "SYS_BOOT"})
_NAMESPACED_SYSCTL = re.compile(r"^(net\.|kernel\.shm|kernel\.msg|kernel\.sem$|fs\.mqueue\.)")


def default_capabilities() -> frozenset[str]:
    """The capabilities every container has unless dropped (models/assumptions.yaml): adding one of
    these back after `cap_drop: ALL` asks for nothing beyond the default."""
    from advisor.knowledge.base import knowledge

    return frozenset(str(c).upper() for c in knowledge().value("assume.container_default_capabilities"))


def capability_name(value: Any) -> str:
    """`CAP_NET_ADMIN` and `net_admin` both as NET_ADMIN."""
    text = str(scalar(value)).strip().upper()
    return text[4:] if text.startswith("CAP_") else text


def sysctl_is_namespaced(name: Any) -> bool:
    """True for the sysctls a container may set in its own namespace (net.*, kernel.shm*, ...)."""
    return bool(_NAMESPACED_SYSCTL.match(str(scalar(name)).strip()))


_SYSTEM_PATHS = ("/proc", "/sys", "/dev", "/run", "/var/run", "/var/log", "/var/lib/docker",
                 "/var/lib/containerd", "/var/lib/kubelet", "/etc", "/lib/modules", "/usr", "/boot",
                 "/tmp", "/opt/cni", "/sys/fs/cgroup", "/var/lib/cni", "/lib", "/bin", "/sbin", "/root")
# Paths only a Kubernetes node has: the kubelet's plugin and pod folders (device plugins, CSI node
# plugins), the CNI configuration and binaries. An agent that mounts them talks to the kubelet.
_KUBERNETES_NODE_PATHS = ("/var/lib/kubelet", "/etc/kubernetes", "/etc/cni", "/opt/cni", "/var/lib/cni",
                          "/var/log/pods", "/run/flannel", "/var/run/calico", "/var/lib/calico")


def _under(text: str, prefixes: tuple[str, ...]) -> bool:
    return any(text == prefix or text.startswith(prefix + "/") for prefix in prefixes)


def host_path_kind(path: Any) -> str:
    """What a host path gives a container: `device` (/dev...), `kubernetes_node` (kubelet and CNI
    folders), `system` (/proc, /sys, the docker socket, host logs...), or `data` (anything else)."""
    text = str(scalar(path)).strip().rstrip("/") or "/"
    if text == "/":
        return "system"
    if _under(text, ("/dev",)):
        return "device"
    if _under(text, _KUBERNETES_NODE_PATHS):
        return "kubernetes_node"
    if _under(text, _SYSTEM_PATHS):
        return "system"
    return "data"


def unconfined_security_option(value: Any) -> bool:
    """True for a Docker security option that turns confinement off (`seccomp:unconfined`,
    `apparmor=unconfined`, `systempaths=unconfined`, `label:disable`)."""
    text = str(scalar(value)).strip().lower().replace("=", ":")
    return text in ("seccomp:unconfined", "apparmor:unconfined", "systempaths:unconfined", "label:disable")


# --- backing services ----------------------------------------------------------------------------

def backing_product(image: Any) -> Any:
    """The well-known database, cache, broker or search engine an image runs (a
    `advisor.knowledge.managed.Product`), or None."""
    from advisor.knowledge.managed import product_for_image

    parts = image_parts(image)
    return None if parts is None else product_for_image(parts[0])


# Folders that hold a service's state whatever the product: a read-write mount there is storage the
# service needs, not a development mount of the source tree.
_DATA_TARGETS = ("/data", "/var/lib", "/var/opt", "/bitnami", "/srv/data", "/opt/data")


def is_data_target(target: Any, product: Any = None) -> bool:
    """True when a container path is where a service keeps state (a product's data folder, /data, /var/lib/...)."""
    try:
        text = str(scalar(target)).strip().rstrip("/")
    except ValueError:
        return False
    if product is not None and _under(text, tuple(product.data_paths)):
        return True
    return _under(text, _DATA_TARGETS)


# --- schedules -----------------------------------------------------------------------------------

DAYS_PER_MONTH = 365.25 / 12
_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minutes?|hours?|days?)\s*\)$", re.IGNORECASE)
_MACROS = {"@yearly": 1 / 12, "@annually": 1 / 12, "@monthly": 1.0, "@weekly": DAYS_PER_MONTH / 7,
           "@daily": DAYS_PER_MONTH, "@midnight": DAYS_PER_MONTH, "@hourly": DAYS_PER_MONTH * 24}
_NAMES = {name: i for i, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_DAY_NAMES = {name: i for i, name in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}


def _cron_count(field_text: str, low: int, high: int, names: dict[str, int] | None = None) -> int | None:
    """How many values a cron field selects, or None for "every value" (`*`, `?`)."""
    text = field_text.strip().lower()
    if text in ("*", "?"):
        return None
    selected: set[int] = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = int(step_text)
            if step < 1:
                raise ValueError("cron step must be at least 1")
        if part in ("*", "?", ""):
            first, last = low, high
        elif any(c in part for c in "lw#"):
            selected.add(-len(selected) - 1)  # last day, weekday, nth weekday: one run per period
            continue
        elif "-" in part:
            a, b = part.split("-", 1)
            first, last = _cron_value(a, names), _cron_value(b, names)
        else:
            first = last = _cron_value(part, names)
            if step > 1:
                last = high
        selected.update(range(first, last + 1, step))
    return len(selected)


def _cron_value(text: str, names: dict[str, int] | None) -> int:
    if names and text[:3] in names:
        return names[text[:3]]
    return int(text)


def schedule_runs_per_month(expression: Any) -> float | int:
    """Runs per month of a schedule: `rate(5 minutes)`, `cron(0 2 * * ? *)`, `*/15 * * * *`, `@daily`.

    Approximate by design (a month is 365.25/12 days; `L`, `W` and `#` count once per period); the
    original expression stays in the provenance for a reviewer.
    """
    text = str(scalar(expression)).strip()
    rate = _RATE.match(text)
    if rate:
        every = int(rate.group(1))
        if every < 1:
            raise ValueError("rate must be at least 1")
        minutes = every * {"m": 1, "h": 60, "d": 1440}[rate.group(2)[0].lower()]
        return tidy(round(DAYS_PER_MONTH * 1440 / minutes, 1))
    if text.lower() in _MACROS:
        return tidy(round(_MACROS[text.lower()], 1))
    if text.lower().startswith("cron(") and text.endswith(")"):
        fields = text[5:-1].split()
        if len(fields) != 6:
            raise ValueError("an EventBridge cron() has 6 fields")
        fields = fields[:5]  # minute hour day-of-month month day-of-week (year ignored)
    else:
        fields = text.split()
        if len(fields) != 5:
            raise ValueError("not a schedule (rate(...), cron(...) or a 5-field cron line)")
    try:
        minutes = _cron_count(fields[0], 0, 59) or 60
        hours = _cron_count(fields[1], 0, 23) or 24
        days_of_month = _cron_count(fields[2], 1, 31)
        months = _cron_count(fields[3], 1, 12, _NAMES)
        days_of_week = _cron_count(fields[4], 0, 7, _DAY_NAMES)
    except ValueError:
        raise ValueError("not a cron expression this reader understands") from None
    if days_of_month is None and days_of_week is None:
        days = DAYS_PER_MONTH
    elif days_of_week is None:
        days = float(min(days_of_month or 0, 31))
    elif days_of_month is None:
        days = min(days_of_week, 7) * DAYS_PER_MONTH / 7
    else:
        days = min(DAYS_PER_MONTH, days_of_month + min(days_of_week, 7) * DAYS_PER_MONTH / 7)
    month_share = (months or 12) / 12
    return tidy(round(minutes * hours * days * month_share, 1))

"""Where each derived profile field came from, and the draft a reader fills in field by field.

A reader never writes a profile field directly: it calls `Draft.set(field, value, path, original)`,
which validates the value with the same `parse_field` every other entry point uses and records the
provenance (file, path inside the document, original value). A value that does not validate is
reported as a problem naming the file, path and value, and skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from advisor.profile.fields import FIELD_BY_NAME, FIELD_NAMES, parse_field

SOURCE_KINDS = ("compose", "kubernetes", "ecs_task_definition", "cloudformation")

@dataclass(frozen=True)
class Provenance:
    """Where one derived field came from: the file, the path inside the document and the original value."""

    file: str
    path: str
    original: Any
    implied: str = ""  # why the descriptor implies the value (not stated by it); a value the user gives wins


@dataclass(frozen=True)
class ImportedProfile:
    """One workload read from a descriptor: the derived profile fields and where each came from."""

    name: str
    data: dict[str, Any]
    provenance: dict[str, Provenance]
    unknown: tuple[str, ...]
    source_kind: str


@dataclass(frozen=True)
class ImportResult:
    """Every profile read from a path, and the parts that could not be read (each names file and path)."""

    profiles: tuple[ImportedProfile, ...]
    problems: tuple[str, ...]
    notes: tuple[str, ...] = ()  # objects and files read but not imported, each with the reason and what to do


_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def join_path(base: str, key: str | int) -> str:
    """`spec.containers[0].resources.limits["nvidia.com/gpu"]`: dotted keys, [i] for list items."""
    if isinstance(key, int):
        return f"{base}[{key}]"
    text = str(key)
    if _PLAIN_KEY.match(text):
        return f"{base}.{text}" if base else text
    quoted = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{base}[{quoted}]"


def original_of(value: Any) -> Any:
    """The value as the file spelled it (before `${VAR:-default}` interpolation), as plain data."""
    original = getattr(value, "original", None)
    if original is not None:
        return str(original)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, dict):
        return {str(k): original_of(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [original_of(v) for v in value]
    return value


# Most constraining last: a workload that mounts both EFS and a host path needs the host path.
STORAGE_ORDER = ("none", "shared_fs", "block", "local_nvme")

# When several hints name a workload type, the more specific one wins (a CronJob with an HTTP port
# is still a scheduled job).
TYPE_RANK = {
    "http_api": 1, "web_app": 1, "event_handler": 2, "queue_worker": 3, "stream_processor": 3,
    "batch_job": 4, "scheduled_job": 5, "stateful_service": 5, "ml_inference": 6, "ml_training": 6,
}


@dataclass
class Draft:
    """The profile of one workload while a reader fills it in."""

    name: str
    file: str
    source_kind: str
    name_path: str
    values: dict[str, Any] = field(default_factory=dict)
    provenance: dict[str, Provenance] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    protocol_sources: dict[str, Provenance] = field(default_factory=dict)
    capability_sources: list[Provenance] = field(default_factory=list)
    type_rank: int = 0

    def problem(self, path: str, message: str, file: str | None = None) -> None:
        """Record a part of the file that was skipped, naming the file and the path."""
        self.problems.append(f"{file or self.file}: {path}: {message}")

    def set(self, name: str, value: Any, path: str, original: Any, file: str | None = None) -> bool:
        """Validate and record one field; a value that does not validate is reported and skipped."""
        spec = FIELD_BY_NAME[name]
        try:
            parsed = parse_field(spec, value)
        except ValueError as exc:
            self.problem(path, f"{original_of(original)!r} does not give a valid {name} ({exc}); skipped", file)
            return False
        if isinstance(parsed, tuple):
            parsed = list(parsed)
        self.values[name] = parsed
        self.provenance[name] = Provenance(file or self.file, path, original_of(original))
        return True

    def convert(self, name: str, converter: Any, value: Any, path: str, file: str | None = None) -> bool:
        """Set one field from a descriptor's spelling, read by a `hints` converter (`"2 GB"` -> 2048); a
        value the converter refuses is reported and skipped. Every reader shares this."""
        from advisor.importers import hints

        try:
            converted = converter(value)
        except ValueError as exc:
            self.problem(path, f"{hints.original_text(value)!r}: {exc}; skipped", file)
            return False
        return self.set(name, converted, path, value, file)

    def set_flag(self, name: str, path: str, original: Any, file: str | None = None) -> None:
        """Set a boolean requirement (privileged, host_networking, ...) to true; the first evidence is kept."""
        if self.values.get(name) is not True:
            self.set(name, True, path, original, file)

    def set_max(self, name: str, value: float, path: str, original: Any, file: str | None = None) -> None:
        """Keep the largest value seen for `name` (the most demanding container, port or mount)."""
        current = self.values.get(name)
        if current is None or value > current:
            self.set(name, value, path, original, file)

    def set_workload_type(self, workload_type: str, path: str, original: Any, file: str | None = None) -> None:
        """Keep the most specific workload type among the hints."""
        rank = TYPE_RANK.get(workload_type, 0)
        if rank > self.type_rank and self.set("workload_type", workload_type, path, original, file):
            self.type_rank = rank

    def set_storage(self, kind: str, path: str, original: Any, file: str | None = None) -> None:
        """Keep the most constraining storage among the mounts (local_nvme > block > shared_fs)."""
        current = self.values.get("persistent_storage", "none")
        if STORAGE_ORDER.index(kind) > STORAGE_ORDER.index(current):
            self.set("persistent_storage", kind, path, original, file)

    def add_protocol(self, protocol: str, path: str, original: Any, file: str | None = None) -> None:
        """Add one inbound protocol; the provenance of `protocols` lists every port it came from."""
        if protocol in self.protocol_sources:
            return
        self.protocol_sources[protocol] = Provenance(file or self.file, path, original_of(original))
        protocols = [p for p in ("http", "grpc", "tcp", "udp", "websocket") if p in self.protocol_sources]
        self.values["protocols"] = protocols
        sources = [self.protocol_sources[p] for p in protocols]
        if len(sources) == 1:
            self.provenance["protocols"] = sources[0]
        else:
            self.provenance["protocols"] = Provenance(
                self.file, "; ".join(s.path for s in sources), [s.original for s in sources])

    def add_capability(self, value: Any, path: str, file: str | None = None) -> None:
        """An added Linux capability: one beyond the container default joins `added_capabilities`;
        kernel-level ones also set kernel_tuning; an unreadable one is reported and skipped.
        Compose, Kubernetes and ECS readers share this."""
        from advisor.importers import hints

        try:
            capability = hints.capability_name(value)
        except ValueError as exc:
            self.problem(path, f"{hints.original_text(value)!r}: {exc}; skipped", file=file)
            return
        if capability in hints.KERNEL_CAPABILITIES:
            self.set_flag("kernel_tuning", path, value, file=file)
        if capability in hints.default_capabilities():
            self.note(f"adds back the default capability {capability}")
            return
        current = list(self.values.get("added_capabilities", []))
        if capability in current:
            return
        sources = [*self.capability_sources, Provenance(file or self.file, path, original_of(value))]
        if self.set("added_capabilities", [*current, capability], path, value, file=file):
            self.capability_sources = sources
            if len(sources) > 1:
                self.provenance["added_capabilities"] = Provenance(
                    sources[0].file, "; ".join(s.path for s in sources), [s.original for s in sources])

    def add_instance_types(self, names: list[Any], path: str, original: Any, file: str | None = None) -> None:
        """EC2 instance types the workload is pinned to (an ECS placement constraint, a Kubernetes node
        selector or affinity): `specific_instance_type`, and the exact names join `instance_types` so EC2
        capacity is priced on them. A wildcard or family (`g5.*`) pins the family but names no type."""
        from advisor.profile.fields import INSTANCE_TYPE

        self.set_flag("specific_instance_type", path, original, file=file)
        current = list(self.values.get("instance_types", []))
        exact = [str(n).strip().lower() for n in names if INSTANCE_TYPE.fullmatch(str(n).strip().lower())]
        partial = [str(n).strip() for n in names if str(n).strip() and str(n).strip().lower() not in exact]
        if partial:
            self.note(f"placed on EC2 instance types matching {', '.join(partial)} ({path}): no single type is "
                      "named, so EC2 capacity is priced on the general catalogue")
        added = [n for n in exact if n not in current]
        if added:
            self.set("instance_types", [*current, *added], path, original, file=file)

    def host_path(self, host: Any, path: str, original: Any, read_only: bool, file: str | None = None) -> str:
        """A host path mounted into the container: host access (`host_mounts`, `host_devices`, and
        `kubernetes_native` for kubelet and CNI folders); a read-write data folder is also local storage.
        Returns the kind of path (see `hints.host_path_kind`), or "" when unreadable (reported)."""
        from advisor.importers import hints

        try:
            kind = hints.host_path_kind(host)
        except ValueError as exc:
            self.problem(path, f"{hints.original_text(original)!r}: {exc}; skipped", file=file)
            return ""
        self.set_flag("host_mounts", path, original, file=file)
        if kind == "device":
            self.set_flag("host_devices", path, original, file=file)
        elif kind == "kubernetes_node":
            self.set_flag("kubernetes_native", path, original, file=file)
            self.note(f"mounts the Kubernetes node path {host}: it works only beside a kubelet")
        elif kind == "data" and not read_only:
            self.set_storage("local_nvme", path, original, file=file)
        return kind

    def backing_service(self, product: Any, path: str, original: Any, file: str | None = None) -> None:
        """A well-known backing service (a `Product`): a stateful TCP service, whatever its ports say."""
        self.set("backing_service", product.key, path, original, file=file)
        self.set_workload_type("stateful_service", path, original, file=file)
        self.add_protocol("tcp", path, f"{product.label} (port {product.port})", file=file)

    def imply(self, name: str, value: Any, path: str, original: Any, reason: str, file: str | None = None) -> None:
        """Record what the descriptor implies without stating it, with the reason; a value the user
        gives wins (the provenance marks it implied)."""
        if self.set(name, value, path, original, file=file):
            source = self.provenance[name]
            self.provenance[name] = Provenance(source.file, source.path, source.original, reason)

    def note(self, text: str) -> None:
        """A fact worth a reviewer's eye that has no profile field (added Linux capabilities, host PID)."""
        if text not in self.notes:
            self.notes.append(text)

    def finish(self, kind_label: str) -> ImportedProfile:
        """The imported profile: name, derived fields, a description naming the source, the unknowns."""
        description = f"Imported from {self.file} ({kind_label} {self.name})."
        if self.notes:
            description += " Notes: " + "; ".join(self.notes) + "."
        self.set("description", description, self.name_path, f"{kind_label} {self.name}")
        name_spec = FIELD_BY_NAME["name"]
        name = parse_field(name_spec, self.name[:128]) if self.name.strip() else "workload"
        data: dict[str, Any] = {"name": name}
        for field_name in FIELD_NAMES:
            if field_name in self.values:
                data[field_name] = self.values[field_name]
        provenance = {"name": Provenance(self.file, self.name_path, self.name)}
        provenance.update({k: v for k, v in self.provenance.items() if k in data})
        unknown = tuple(f for f in FIELD_NAMES if f not in data)
        return ImportedProfile(name, data, provenance, unknown, self.source_kind)

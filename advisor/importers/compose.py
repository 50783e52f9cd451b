"""docker-compose files: one profile per service.

Reads `deploy.resources` (and the older `cpus`, `mem_limit`, `mem_reservation`), GPU device
reservations, `privileged`, `network_mode: host`, `cap_add`, `sysctls`, ports and `expose`,
volumes, `platform` and `deploy.mode: global`. `extends` (same file or another local file) is
followed; `${VAR:-default}` is interpolated with its default only: neither the environment nor a
`.env` file is read, so the result does not depend on the machine it runs on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from advisor.importers import hints
from advisor.importers.documents import DescriptorFile, read_file
from advisor.importers.provenance import Draft, ImportedProfile, join_path
from advisor.importers.yamlsafe import OverrideDict, OverrideList

MAX_EXTENDS_DEPTH = 10

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BRACED = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>.*))?$", re.DOTALL)


def _closing_brace(text: str, start: int) -> int:
    """Index of the `}` that closes the `${` opened just before `start` (defaults may nest `${...}`)."""
    depth = 1
    i = start
    while i < len(text):
        if text.startswith("${", i):
            depth += 1
            i += 2
            continue
        if text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def interpolate_text(text: str, warnings: list[str] | None = None) -> str | hints.Unresolved:
    """`${VAR:-default}` with the default, as Compose resolves it with no environment: a variable with
    no default becomes an empty string (Compose warns; so do we, into `warnings`), `${VAR:?message}`
    is an error (unresolved), `$$` is a literal `$`. Neither the environment nor `.env` is read, so
    the result does not depend on the machine it runs on."""
    out: list[str] = []
    problems: list[str] = []
    unset: list[str] = []
    i = 0
    while i < len(text):
        if text[i] != "$":
            out.append(text[i])
            i += 1
            continue
        if text.startswith("$$", i):
            out.append("$")
            i += 2
            continue
        if text.startswith("${", i):
            end = _closing_brace(text, i + 2)
            if end < 0:
                problems.append(f"{text[i:]} has no closing brace")
                break
            out.append(_braced(text[i + 2:end], problems, unset))
            i = end + 1
            continue
        bare = _NAME.match(text, i + 1)
        if bare:
            unset.append(f"${bare.group(0)}")
            i = bare.end()
            continue
        out.append("$")
        i += 1
    if problems:
        return hints.Unresolved(text, problems[0])
    if warnings is not None:
        warnings.extend(f"{name} is not set and has no default: Compose substitutes an empty string "
                        f"(the environment and .env are not read)" for name in unset)
    return "".join(out)


def _braced(inner: str, problems: list[str], unset: list[str]) -> str:
    braced = _BRACED.match(inner)
    if not braced:
        problems.append(f"${{{inner}}} is not a valid interpolation")
        return ""
    op, arg = braced.group("op"), braced.group("arg") or ""
    if op in (":-", "-"):
        nested: list[str] = []
        value = interpolate_text(arg, nested)
        unset.extend(w.split(" ", 1)[0] for w in nested)
        if isinstance(value, hints.Unresolved):
            problems.append(value.reason)
            return ""
        return value
    if op in (":+", "+"):
        return ""  # the variable is unset here, so the alternative does not apply
    if op in (":?", "?"):
        problems.append(f"${{{braced.group('name')}}} must be set ({arg or 'required'}); the environment is not read")
        return ""
    unset.append(f"${{{braced.group('name')}}}")
    return ""


def interpolate(data: Any, memo: dict[int, Any] | None = None, warnings: list[str] | None = None) -> Any:
    """Interpolate every string value (not keys); shared YAML aliases are visited once."""
    memo = {} if memo is None else memo
    key = id(data)
    if key in memo:
        return memo[key]
    if isinstance(data, dict):
        out: Any = type(data)()  # keeps OverrideDict (`!override`) for `extends`
        memo[key] = out
        for k, v in data.items():
            out[k] = interpolate(v, memo, warnings)
    elif isinstance(data, list):
        out = type(data)()
        memo[key] = out
        out.extend(interpolate(v, memo, warnings) for v in data)
    elif isinstance(data, str) and "$" in data:
        value = interpolate_text(data, warnings)
        out = value if isinstance(value, hints.Unresolved) else hints.Interpolated(value, data)
    else:
        out = data
    return out


@dataclass(frozen=True)
class Layer:
    """One service definition in an `extends` chain: which file, where, and its mapping."""

    file: str
    path: str
    service: dict[str, Any]


class ServiceView:
    """A service with its `extends` chain: the most derived layer wins for a key; lists add up."""

    def __init__(self, layers: list[Layer]) -> None:
        self.layers = layers

    def get(self, *keys: str) -> tuple[Any, str, str] | None:
        """(value, file, path) of the first layer that has the nested key."""
        for layer in self.layers:
            node: Any = layer.service
            path = layer.path
            for key in keys:
                if not isinstance(node, dict) or key not in node:
                    break
                node = node[key]
                path = join_path(path, key)
            else:
                return node, layer.file, path
        return None

    def items(self, *keys: str) -> Iterator[tuple[Any, str, str]]:
        """Every list item (or mapping entry, as (key, value)) under `keys`, across all layers."""
        for layer in self.layers:
            node: Any = layer.service
            path = layer.path
            for key in keys:
                if not isinstance(node, dict) or key not in node:
                    node = None
                    break
                node = node[key]
                path = join_path(path, key)
            if isinstance(node, list):
                for i, item in enumerate(node):
                    yield item, layer.file, join_path(path, i)
            elif isinstance(node, dict):
                for k, v in node.items():
                    yield (k, v), layer.file, join_path(path, str(k))
            if isinstance(node, OverrideList | OverrideDict):
                return  # `!reset` / `!override`: what the base services hold no longer applies


class ComposeReader:
    """Turns one compose document into profiles, following `extends` to other local files."""

    def __init__(self, descriptor: DescriptorFile, data: dict[str, Any]) -> None:
        self.descriptor = descriptor
        self.label = descriptor.label
        warnings: list[str] = []
        self.data = interpolate(data, warnings=warnings)
        self.notes = [f"{descriptor.label}: {w}" for w in dict.fromkeys(warnings)]
        self.problems: list[str] = []
        self._other_files: dict[Path, dict[str, Any] | None] = {}

    def read(self) -> list[ImportedProfile]:
        services = self.data.get("services")
        profiles: list[ImportedProfile] = []
        if "include" in self.data:
            self.problems.append(f"{self.label}: include: included files are not followed; import them separately")
        if not isinstance(services, dict):
            return profiles
        for name, service in services.items():
            path = join_path("services", str(name))
            if not isinstance(service, dict):
                if service is not None:
                    self.problems.append(f"{self.label}: {path}: a service must be a mapping; skipped")
                continue
            start = {(str(self.descriptor.path.resolve()), str(name))}
            layers = self._chain(Layer(self.label, path, service), self.descriptor.path, str(name), 0, start)
            draft = Draft(str(name), self.label, "compose", path)
            self._read_service(draft, ServiceView(layers), self.data)
            profiles.append(draft.finish("compose service"))
            self.problems.extend(draft.problems)
        return profiles

    # --- extends -------------------------------------------------------------------------------

    def _chain(self, layer: Layer, file_path: Path, name: str, depth: int, seen: set[tuple[str, str]]) -> list[Layer]:
        layers = [layer]
        extends = layer.service.get("extends")
        if extends is None:
            return layers
        where = join_path(layer.path, "extends")
        if depth >= MAX_EXTENDS_DEPTH:
            self.problems.append(f"{layer.file}: {where}: extends nested deeper than {MAX_EXTENDS_DEPTH}; stopped")
            return layers
        if isinstance(extends, str):
            base_name, base_file = extends, None
        elif isinstance(extends, dict) and isinstance(extends.get("service"), str):
            base_name, base_file = extends["service"], extends.get("file")
        else:
            self.problems.append(f"{layer.file}: {where}: expected a service name or {{service, file}}; skipped")
            return layers
        if base_file is None:
            services = self.data["services"] if file_path == self.descriptor.path else \
                (self._other_files.get(file_path) or {}).get("services", {})
            target_file, target_label = file_path, layer.file
        else:
            if isinstance(base_file, hints.Unresolved) or not isinstance(base_file, str):
                self.problems.append(f"{layer.file}: {where}.file: {base_file!r} cannot be resolved; skipped")
                return layers
            target_file = (file_path.parent / base_file)
            target_label = str(Path(layer.file).parent / base_file)
            other = self._load_other(target_file, target_label, where, layer.file)
            if other is None:
                return layers
            services = other.get("services", {})
        key = (str(target_file.resolve()), base_name)
        if key in seen:
            self.problems.append(f"{layer.file}: {where}: extends goes round in a circle at {base_name!r}; stopped")
            return layers
        base = services.get(base_name) if isinstance(services, dict) else None
        if not isinstance(base, dict):
            self.problems.append(f"{layer.file}: {where}: no service {base_name!r} to extend; skipped")
            return layers
        base_layer = Layer(target_label, join_path("services", base_name), base)
        return layers + self._chain(base_layer, target_file, base_name, depth + 1, seen | {key})

    def _load_other(self, path: Path, label: str, where: str, file: str) -> dict[str, Any] | None:
        if path in self._other_files:
            return self._other_files[path]
        loaded: dict[str, Any] | None = None
        if path.suffix.lower() not in (".yml", ".yaml") or not path.is_file():
            self.problems.append(f"{file}: {where}.file: {label} is not a readable compose file; skipped")
        else:
            other = read_file(path, label)
            self.problems.extend(other.problems)
            if other.documents and isinstance(other.documents[0].data, dict):
                loaded = interpolate(other.documents[0].data)
        self._other_files[path] = loaded
        return loaded

    # --- one service ---------------------------------------------------------------------------

    def _read_service(self, draft: Draft, view: ServiceView, data: dict[str, Any]) -> None:
        image = view.get("image")
        build = view.get("build")
        if image is not None or build is not None:
            value, file, path = image if image is not None else build  # type: ignore[misc]
            draft.set("containerized", True, path, value, file=file)
        if image is not None:
            value, file, path = image
            language = hints.image_language(value)
            if language:
                draft.set("language", language, path, value, file=file)
            if hints.image_is_windows(value):
                draft.set("os", "windows", path, value, file=file)
        product = hints.backing_product(image[0]) if image is not None else None
        self._resources(draft, view)
        self._gpu(draft, view)
        self._security(draft, view)
        self._ports(draft, view)
        self._volumes(draft, view, data, product)
        if product is not None and image is not None:
            draft.backing_service(product, image[2], image[0], file=image[1])
        platform = view.get("platform")
        if platform is not None:
            _read_platform(draft, *platform)
        mode = view.get("deploy", "mode")
        if mode is not None and hints.lower_text(mode[0]) == "global":
            draft.set_flag("daemon_per_host", mode[2], mode[0], file=mode[1])
        protocols = draft.values.get("protocols", [])
        if "http" in protocols or "grpc" in protocols:
            source = draft.provenance["protocols"]
            draft.set_workload_type("http_api", source.path, source.original, file=source.file)

    def _first(self, draft: Draft, view: ServiceView, *candidates: tuple[str, ...]) -> tuple[Any, str, str] | None:
        """The first of `candidates` set in the most derived layer that sets any of them."""
        for layer in view.layers:
            found = ServiceView([layer])
            for keys in candidates:
                value = found.get(*keys)
                if value is not None and value[0] is not None:
                    return value
        return None

    def _resources(self, draft: Draft, view: ServiceView) -> None:
        cpus = self._first(draft, view, ("deploy", "resources", "limits", "cpus"), ("cpus",),
                           ("deploy", "resources", "reservations", "cpus"))
        if cpus is not None:
            value, file, path = cpus
            draft.convert("vcpu", hints.plain_number, value, path, file)
        memory = self._first(draft, view, ("deploy", "resources", "limits", "memory"), ("mem_limit",),
                             ("deploy", "resources", "reservations", "memory"), ("mem_reservation",))
        if memory is not None:
            value, file, path = memory
            draft.convert("memory_mb", hints.compose_memory_mb, value, path, file)

    def _gpu(self, draft: Draft, view: ServiceView) -> None:
        total = 0
        sources: list[tuple[str, str, Any]] = []
        for device, file, path in view.items("deploy", "resources", "reservations", "devices"):
            if not isinstance(device, dict):
                continue
            capabilities = [str(c).lower() for c in device.get("capabilities") or [] if isinstance(c, str)]
            driver = str(device.get("driver") or "").lower()
            if "gpu" not in capabilities and driver != "nvidia":
                continue
            count = device.get("count")
            ids = device.get("device_ids")
            if isinstance(ids, list) and ids:
                total += len(ids)
                sources.append((file, join_path(path, "device_ids"), ids))
            elif count is None or hints.lower_text(count) == "all":
                total += 1
                draft.note(f"{path} reserves all the host's GPUs (counted as at least 1)")
                sources.append((file, join_path(path, "count"), count if count is not None else "all"))
            else:
                try:
                    total += int(hints.plain_number(count))
                    sources.append((file, join_path(path, "count"), count))
                except ValueError as exc:
                    draft.problem(join_path(path, "count"), f"{count!r}: {exc}; skipped", file=file)
        gpus = view.get("gpus")
        if gpus is not None and not sources:
            value, file, path = gpus
            total = len(value) if isinstance(value, list) else 1
            if not isinstance(value, list):
                draft.note(f"{path}: {hints.original_text(value)} reserves the host's GPUs (counted as at least 1)")
            sources.append((file, path, value))
        if sources:
            file, path, original = sources[0] if len(sources) == 1 else (
                sources[0][0], "; ".join(s[1] for s in sources), [s[2] for s in sources])
            draft.set("gpu", total, path, original, file=file)

    def _security(self, draft: Draft, view: ServiceView) -> None:
        privileged = view.get("privileged")
        if privileged is not None:
            _flag(draft, "privileged", *privileged)
        network = view.get("network_mode")
        if network is not None:
            mode = hints.lower_text(network[0])
            if mode == "host":
                draft.set_flag("host_networking", network[2], network[0], file=network[1])
            elif mode.startswith(("service:", "container:")):
                draft.note(f"shares the network namespace of {mode.split(':', 1)[1]}")
        pid = view.get("pid")
        if pid is not None and hints.lower_text(pid[0]) == "host":
            draft.set_flag("host_pid", pid[2], pid[0], file=pid[1])
        ipc = view.get("ipc")
        if ipc is not None and hints.lower_text(ipc[0]) == "host":
            draft.note(f"uses the host's IPC namespace ({ipc[2]}: host)")
        for option, file, path in view.items("security_opt"):
            try:
                unconfined = hints.unconfined_security_option(option)
            except ValueError as exc:
                draft.problem(path, f"{hints.original_text(option)!r}: {exc}; skipped", file=file)
                continue
            if unconfined:  # Fargate takes no Docker security options; confinement off is host-level trust
                draft.set_flag("privileged", path, option, file=file)
        for device, file, path in view.items("devices"):
            draft.set_flag("host_devices", path, device, file=file)
        for value, file, path in view.items("cap_add"):
            draft.add_capability(value, path, file=file)
        for entry, file, path in view.items("sysctls"):
            name = entry[0] if isinstance(entry, tuple) else str(entry).split("=", 1)[0]
            _sysctl(draft, name, file, path, entry[1] if isinstance(entry, tuple) else entry)

    def _ports(self, draft: Draft, view: ServiceView) -> None:
        for key in ("ports", "expose"):
            for port, file, path in view.items(key):
                try:
                    if isinstance(port, dict):
                        target = hints.scalar(port.get("target"))
                        protocol = hints.port_protocol(target, port.get("protocol") or "tcp", port.get("name"),
                                                       port.get("app_protocol"))
                    else:
                        target, _published, transport = hints.compose_port(str(hints.scalar(port)))
                        number = target.split("-", 1)[0]
                        protocol = hints.port_protocol(number, transport)
                except ValueError as exc:
                    draft.problem(path, f"{hints.original_text(port)!r}: {exc}; skipped", file=file)
                    continue
                draft.add_protocol(protocol, path, port, file=file)
        test = view.get("healthcheck", "test")
        if test is not None and re.search(r"https?://", str(test[0])) and "protocols" in draft.values \
                and "http" not in draft.values["protocols"]:
            draft.add_protocol("http", test[2], test[0], file=test[1])

    def _volumes(self, draft: Draft, view: ServiceView, data: dict[str, Any], product: Any) -> None:
        declared = data.get("volumes") if isinstance(data.get("volumes"), dict) else {}
        for volume, file, path in view.items("volumes"):
            try:
                if isinstance(volume, dict):
                    kind = hints.lower_text(volume.get("type") or "volume")
                    source = hints.scalar(volume.get("source"))
                    target = hints.scalar(volume.get("target"))
                    read_only = bool(volume.get("read_only"))
                else:
                    kind, source, target, read_only = _short_volume(str(hints.scalar(volume)))
            except ValueError as exc:
                draft.problem(path, f"{hints.original_text(volume)!r}: {exc}; skipped", file=file)
                continue
            if kind == "bind" and source is not None:
                text = str(source)
                if text.startswith("/"):
                    draft.host_path(text, path, volume, read_only, file=file)
                elif not read_only and hints.is_data_target(target, product):
                    # ./data:/var/lib/postgresql/data: the service's state kept in a folder beside the file
                    draft.set_storage("block", path, volume, file=file)
                # other relative binds (./src:/app, ./nginx.conf:/etc/nginx/...): the checkout, not storage
            elif kind == "volume" and source:
                definition = declared.get(str(source)) if isinstance(declared, dict) else None
                draft.set_storage(_named_volume_kind(definition), path, volume, file=file)
            elif kind in ("volume", "anonymous") and hints.is_data_target(target, product):
                draft.set_storage("block", path, volume, file=file)  # an anonymous volume holding state


def _short_volume(spec: str) -> tuple[str, str | None, str | None, bool]:
    """`src:dst[:mode]` as (bind|volume|anonymous, source, target, read_only); a lone `dst` is an
    anonymous volume. An empty source (`:/media`, left by an unset variable) is an error, as in Compose."""
    parts = spec.split(":")
    if len(parts) == 1:
        return "anonymous", None, parts[0], False
    source = parts[0]
    if not source.strip():
        raise ValueError("the volume source is empty (an unset variable leaves nothing before the colon)")
    read_only = len(parts) > 2 and "ro" in parts[2].split(",")
    kind = "bind" if source.startswith(("/", ".", "~")) else "volume"
    return kind, source, parts[1], read_only


def _named_volume_kind(definition: Any) -> str:
    """A named volume: NFS/EFS driver options mean a shared file system, anything else a block volume."""
    if not isinstance(definition, dict):
        return "block"
    driver = str(definition.get("driver") or "").lower()
    options = definition.get("driver_opts")
    kind = str(options.get("type") or "").lower() if isinstance(options, dict) else ""
    if "nfs" in kind or "efs" in driver or "nfs" in driver or "efs" in kind:
        return "shared_fs"
    return "block"


def _flag(draft: Draft, field: str, value: Any, file: str, path: str) -> None:
    try:
        if hints.as_bool(value):
            draft.set_flag(field, path, value, file=file)
    except ValueError as exc:
        draft.problem(path, f"{hints.original_text(value)!r}: {exc}; skipped", file=file)


def _sysctl(draft: Draft, name: Any, file: str, path: str, original: Any) -> None:
    try:
        namespaced = hints.sysctl_is_namespaced(name)
    except ValueError as exc:
        draft.problem(path, f"{hints.original_text(original)!r}: {exc}; skipped", file=file)
        return
    if not namespaced:
        draft.set_flag("kernel_tuning", path, original, file=file)


def _read_platform(draft: Draft, value: Any, file: str, path: str) -> None:
    """`platform: linux/arm64` -> os and arch."""
    text = hints.lower_text(value)
    if not text:
        return
    parts = text.split("/")
    if parts[0] in ("linux", "windows"):
        draft.set("os", parts[0], path, value, file=file)
    arch = {"amd64": "x86_64", "x86_64": "x86_64", "arm64": "arm64", "aarch64": "arm64"}.get(
        parts[1] if len(parts) > 1 else "")
    if arch:
        draft.set("arch", arch, path, value, file=file)


def read_compose(descriptor: DescriptorFile) -> tuple[list[ImportedProfile], list[str], list[str]]:
    """Every service of a compose file as a profile, the problems met and notes (unset variables)."""
    for document in descriptor.documents:
        if isinstance(document.data, dict) and isinstance(document.data.get("services"), dict):
            reader = ComposeReader(descriptor, document.data)
            profiles = reader.read()
            return profiles, reader.problems, reader.notes
    return [], [f"{descriptor.label}: no services mapping; nothing to import"], []

"""ECS task definitions: the register-task-definition JSON (or YAML), the describe-task-definition
output, and the Properties of an `AWS::ECS::TaskDefinition` in a CloudFormation template.

Keys are matched without regard to case, so `containerDefinitions` (the API) and
`ContainerDefinitions` (CloudFormation) are read by the same code. One profile per task
definition: the task is the unit ECS places, sizes and bills.
"""

from __future__ import annotations

import re
from typing import Any

from advisor.importers import hints
from advisor.importers.documents import DescriptorFile
from advisor.importers.provenance import Draft, ImportedProfile, join_path
from advisor.profile.fields import INSTANCE_TYPE


def field_of(mapping: Any, key: str) -> tuple[str, Any] | None:
    """(actual key, value) for `key` matched without case, or None."""
    if not isinstance(mapping, dict):
        return None
    if key in mapping:
        return key, mapping[key]
    lowered = key.lower()
    for actual, value in mapping.items():
        if isinstance(actual, str) and actual.lower() == lowered:
            return actual, value
    return None


def value_of(mapping: Any, key: str, default: Any = None) -> Any:
    found = field_of(mapping, key)
    return default if found is None else found[1]


def read_task_definition(draft: Draft, task: dict[str, Any], base: str,
                         port_hints: dict[str, str] | None = None) -> None:
    """Fill `draft` from one task definition mapping found at `base` in the document.

    `port_hints` maps a container port to the protocol a load balancer in front of it speaks.
    """
    containers_found = field_of(task, "containerDefinitions")
    containers = containers_found[1] if containers_found and isinstance(containers_found[1], list) else []
    containers_path = join_path(base, containers_found[0] if containers_found else "containerDefinitions")
    container_items = [(join_path(containers_path, i), c) for i, c in enumerate(containers) if isinstance(c, dict)]
    if container_items:
        first_path, first = container_items[0]
        image_key = field_of(first, "image")
        draft.set("containerized", True, join_path(first_path, image_key[0]) if image_key else first_path,
                  image_key[1] if image_key else "containerDefinitions")
    _size(draft, task, base, container_items)
    _platform(draft, task, base, container_items)
    compat = field_of(task, "requiresCompatibilities")
    if compat and isinstance(compat[1], list):
        launch_types = [_upper(c) for c in compat[1] if _upper(c)]
        if "EXTERNAL" in launch_types:
            draft.set("hybrid", "on_prem", join_path(base, compat[0]), compat[1])
        if launch_types:
            # The launch types ECS validated the task definition for: what the team runs it on today.
            draft.note(f"the task definition is registered for {' and '.join(launch_types)} "
                       f"({join_path(base, compat[0])})")
    network = field_of(task, "networkMode")
    if network and _upper(network[1]) == "HOST":
        draft.set_flag("host_networking", join_path(base, network[0]), network[1])
    pid = field_of(task, "pidMode")
    if pid and _upper(pid[1]) == "HOST":
        draft.set_flag("host_pid", join_path(base, pid[0]), pid[1])
    ipc = field_of(task, "ipcMode")
    if ipc and _upper(ipc[1]) == "HOST":
        draft.note(f"uses the host's IPC namespace ({ipc[0]}: host)")
    storage = field_of(task, "ephemeralStorage")
    if storage and isinstance(storage[1], dict):
        size = field_of(storage[1], "sizeInGiB")
        if size:
            draft.convert("ephemeral_storage_gb", hints.plain_number, size[1],
                          join_path(join_path(base, storage[0]), size[0]))
    _volumes(draft, task, base, container_items)
    found = field_of(task, "placementConstraints")
    if found and isinstance(found[1], list):
        for i, constraint in enumerate(found[1]):
            placement_constraint(draft, constraint, join_path(join_path(base, found[0]), i))
    gpu_total = 0
    gpu_sources: list[tuple[str, Any]] = []
    for path, container in container_items:
        _container(draft, container, path, port_hints or {})
        requirements = field_of(container, "resourceRequirements")
        if requirements and isinstance(requirements[1], list):
            for j, requirement in enumerate(requirements[1]):
                if _upper(value_of(requirement, "type")) != "GPU":
                    continue
                value_path = join_path(join_path(path, requirements[0]), j)
                try:
                    gpu_total += int(hints.plain_number(value_of(requirement, "value")))
                    gpu_sources.append((value_path, value_of(requirement, "value")))
                except ValueError as exc:
                    original = hints.original_text(value_of(requirement, "value"))
                    draft.problem(value_path, f"{original!r}: {exc}; skipped")
    if gpu_sources:
        path, original = gpu_sources[0] if len(gpu_sources) == 1 else (
            "; ".join(s[0] for s in gpu_sources), [s[1] for s in gpu_sources])
        draft.set("gpu", gpu_total, path, original)
    protocols = draft.values.get("protocols", [])
    if "http" in protocols or "grpc" in protocols:
        source = draft.provenance["protocols"]
        draft.set_workload_type("http_api", source.path, source.original)


def _upper(value: Any) -> str:
    try:
        return str(hints.scalar(value)).strip().upper()
    except ValueError:
        return ""


def _size(draft: Draft, task: dict[str, Any], base: str, containers: list[tuple[str, dict[str, Any]]]) -> None:
    """Task-level cpu and memory when set (Fargate requires them), else the containers' sum."""
    for field, key, converter in (("vcpu", "cpu", hints.ecs_cpu_vcpu), ("memory_mb", "memory", hints.ecs_memory_mb)):
        found = field_of(task, key)
        if found is not None and found[1] not in (None, ""):
            draft.convert(field, converter, found[1], join_path(base, found[0]))
            continue
        total = 0.0
        sources: list[tuple[str, Any]] = []
        for path, container in containers:
            keys = (key,) if key == "cpu" else ("memory", "memoryReservation")
            for container_key in keys:
                value = field_of(container, container_key)
                if value is None or value[1] in (None, "", 0):
                    continue
                value_path = join_path(path, value[0])
                try:
                    total += float(converter(value[1]) if key == "memory" else hints.plain_number(value[1]) / 1024)
                except ValueError as exc:
                    draft.problem(value_path, f"{hints.original_text(value[1])!r}: {exc}; skipped")
                    break
                sources.append((value_path, value[1]))
                break
        if sources:
            path, original = sources[0] if len(sources) == 1 else (
                "; ".join(s[0] for s in sources), [s[1] for s in sources])
            draft.set(field, hints.tidy(total), path, original)


_OS_FAMILIES = {"LINUX": "linux"}


def _platform(draft: Draft, task: dict[str, Any], base: str, containers: list[tuple[str, dict[str, Any]]]) -> None:
    platform = field_of(task, "runtimePlatform")
    if platform and isinstance(platform[1], dict):
        platform_path = join_path(base, platform[0])
        family = field_of(platform[1], "operatingSystemFamily")
        if family:
            text = _upper(family[1])
            os_name = "windows" if text.startswith("WINDOWS") else _OS_FAMILIES.get(text)
            if os_name:
                draft.set("os", os_name, join_path(platform_path, family[0]), family[1])
            elif text:
                draft.problem(join_path(platform_path, family[0]), f"{text!r} is not a known OS family; skipped")
        architecture = field_of(platform[1], "cpuArchitecture")
        if architecture:
            arch = {"X86_64": "x86_64", "ARM64": "arm64"}.get(_upper(architecture[1]))
            if arch:
                draft.set("arch", arch, join_path(platform_path, architecture[0]), architecture[1])
            else:
                draft.problem(join_path(platform_path, architecture[0]),
                              f"{hints.original_text(architecture[1])!r} is not X86_64 or ARM64; skipped")
    if containers and "os" not in draft.values:
        path, container = containers[0]
        image = field_of(container, "image")
        if image and hints.image_is_windows(image[1]):
            draft.set("os", "windows", join_path(path, image[0]), image[1])
    if "os" not in draft.values:
        # A container path with a drive letter (C:\data, C:/data/) exists only inside a Windows container.
        for path, container in containers:
            points = field_of(container, "mountPoints")
            if points is None or not isinstance(points[1], list):
                continue
            for i, point in enumerate(points[1]):
                target = value_of(point, "containerPath")
                if hints.is_windows_path(target):
                    draft.set("os", "windows", join_path(join_path(join_path(path, points[0]), i), "containerPath"),
                              target)
                    return


def _container(draft: Draft, container: dict[str, Any], path: str, port_hints: dict[str, str]) -> None:
    image = field_of(container, "image")
    product = hints.backing_product(image[1]) if image else None
    if product is not None and image is not None and "backing_service" not in draft.values:
        draft.backing_service(product, join_path(path, image[0]), image[1])
    if image and "language" not in draft.values:
        language = hints.image_language(image[1])
        if language:
            draft.set("language", language, join_path(path, image[0]), image[1])
    privileged = field_of(container, "privileged")
    if privileged:
        try:
            if hints.as_bool(privileged[1]):
                draft.set_flag("privileged", join_path(path, privileged[0]), privileged[1])
        except ValueError as exc:
            draft.problem(join_path(path, privileged[0]), f"{hints.original_text(privileged[1])!r}: {exc}; skipped")
    linux = field_of(container, "linuxParameters")
    if linux and isinstance(linux[1], dict):
        linux_path = join_path(path, linux[0])
        capabilities = field_of(linux[1], "capabilities")
        if capabilities and isinstance(capabilities[1], dict):
            add = field_of(capabilities[1], "add")
            if add and isinstance(add[1], list):
                add_path = join_path(join_path(linux_path, capabilities[0]), add[0])
                for i, value in enumerate(add[1]):
                    draft.add_capability(value, join_path(add_path, i))
        devices = field_of(linux[1], "devices")
        if devices and isinstance(devices[1], list) and devices[1]:
            draft.set_flag("host_devices", join_path(linux_path, devices[0]), devices[1])
    options = field_of(container, "dockerSecurityOptions")
    if options and isinstance(options[1], list):
        for i, option in enumerate(options[1]):
            option_path = join_path(join_path(path, options[0]), i)
            try:
                if hints.unconfined_security_option(option):
                    draft.set_flag("privileged", option_path, option)
            except ValueError as exc:
                draft.problem(option_path, f"{hints.original_text(option)!r}: {exc}; skipped")
    controls = field_of(container, "systemControls")
    if controls and isinstance(controls[1], list):
        for i, control in enumerate(controls[1]):
            namespace = value_of(control, "namespace")
            control_path = join_path(join_path(path, controls[0]), i)
            try:
                if not hints.sysctl_is_namespaced(namespace):
                    draft.set_flag("kernel_tuning", control_path, namespace)
            except ValueError as exc:
                draft.problem(control_path, f"{hints.original_text(namespace)!r}: {exc}; skipped")
    health = field_of(container, "healthCheck")
    http_health = bool(health and re.search(r"https?://", str(value_of(health[1], "command", ""))))
    mappings = field_of(container, "portMappings")
    if mappings and isinstance(mappings[1], list):
        for i, mapping in enumerate(mappings[1]):
            mapping_path = join_path(join_path(path, mappings[0]), i)
            try:
                port = value_of(mapping, "containerPort")
                protocol = port_hints.get(str(port)) or hints.port_protocol(
                    port, value_of(mapping, "protocol", "tcp"), value_of(mapping, "name"),
                    value_of(mapping, "appProtocol"), http_probe=http_health)
            except ValueError as exc:
                draft.problem(mapping_path, f"{hints.original_text(mapping)!r}: {exc}; skipped")
                continue
            draft.add_protocol(protocol, mapping_path, mapping)


_INSTANCE_TYPE = re.compile(r"ecs\.instance-type\s*(==|=~|\bin\b|\bmatches\b)\s*"
                            r"(\[[^\]]*\]|\([^)]*\)|['\"]?[A-Za-z0-9.*-]+['\"]?)", re.IGNORECASE)


def placement_constraint(draft: Draft, constraint: Any, path: str) -> None:
    """A `memberOf` constraint on `attribute:ecs.instance-type` (`==`, `in [...]`, `=~`) pins the task to
    EC2 instance types: the runtime must offer them (not Fargate, not Lambda), and the named types size
    and price the EC2 capacity."""
    expression = str(value_of(constraint, "expression", "") or "")
    match = _INSTANCE_TYPE.search(expression)
    if match is None:
        return
    names = [t.strip().strip("'\"") for t in match.group(2).strip("[]() ").split(",")]
    names = [t for t in names if t]
    draft.add_instance_types(names, path, expression)
    exact = [n for n in names if INSTANCE_TYPE.fullmatch(n.lower())]
    if exact:
        draft.note(f"placed only on EC2 instance type {', '.join(exact)} ({path}): size the EC2 capacity on that type")


def _volumes(draft: Draft, task: dict[str, Any], base: str, containers: list[tuple[str, dict[str, Any]]]) -> None:
    volumes = field_of(task, "volumes")
    if not volumes or not isinstance(volumes[1], list):
        return
    read_only = _read_only_volumes(containers)
    for i, volume in enumerate(volumes[1]):
        path = join_path(join_path(base, volumes[0]), i)
        if not isinstance(volume, dict):
            continue
        if field_of(volume, "efsVolumeConfiguration") or field_of(volume, "fsxWindowsFileServerVolumeConfiguration"):
            draft.set_storage("shared_fs", path, volume)
        elif hints.as_bool(value_of(volume, "configuredAtLaunch", False)):
            draft.set_storage("block", path, volume)  # an EBS volume attached when the task starts
        elif field_of(volume, "dockerVolumeConfiguration"):
            config = value_of(volume, "dockerVolumeConfiguration")
            driver = str(value_of(config, "driver", "")).lower()
            options = value_of(config, "driverOpts", {}) or {}
            shared = "nfs" in driver or "efs" in driver or "nfs" in str(value_of(options, "type", "")).lower()
            draft.set_storage("shared_fs" if shared else "block", path, volume)
        else:
            host = value_of(volume, "host")
            source = value_of(host, "sourcePath") if isinstance(host, dict) else None
            if source is None:
                continue  # a bind-mount volume with no host path: scratch space inside the task
            draft.host_path(source, path, volume, str(value_of(volume, "name", "")) in read_only)


def _read_only_volumes(containers: list[tuple[str, dict[str, Any]]]) -> set[str]:
    """Names of the volumes every container that mounts them mounts read-only."""
    modes: dict[str, bool] = {}
    for _path, container in containers:
        points = value_of(container, "mountPoints")
        for point in points if isinstance(points, list) else []:
            name = value_of(point, "sourceVolume")
            if isinstance(name, str):
                modes[name] = modes.get(name, True) and value_of(point, "readOnly") is True
    return {name for name, only in modes.items() if only}


def task_name(task: dict[str, Any], fallback: str) -> tuple[str, str]:
    """(name, key) of the task definition: its family, else `fallback`."""
    found = field_of(task, "family")
    if found and isinstance(found[1], str) and found[1].strip() and "{{" not in found[1]:
        return found[1].strip(), found[0]
    return fallback, ""


def read_ecs(descriptor: DescriptorFile) -> tuple[list[ImportedProfile], list[str]]:
    """One profile per task definition document (JSON or YAML)."""
    profiles: list[ImportedProfile] = []
    problems: list[str] = []
    for document in descriptor.documents:
        data = document.data
        base = descriptor.doc_path(document)
        if isinstance(data, dict) and isinstance(data.get("taskDefinition"), dict):
            data = data["taskDefinition"]
            base = join_path(base, "taskDefinition")
        if not isinstance(data, dict) or not isinstance(value_of(data, "containerDefinitions"), list):
            continue
        fallback = descriptor.path.stem or "task-definition"
        name, key = task_name(data, fallback)
        name_path = join_path(base, key) if key else base or "(file name)"
        draft = Draft(name, descriptor.label, "ecs_task_definition", name_path)
        draft.imply("existing_platform", "ecs", join_path(base, "containerDefinitions"), "ECS task definition",
                    "the workload is described as an ECS task definition")
        read_task_definition(draft, data, base)
        profiles.append(draft.finish("ECS task definition"))
        problems.extend(draft.problems)
    return profiles, problems

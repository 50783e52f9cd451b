"""Kubernetes manifests: one profile per workload (Deployment, StatefulSet, DaemonSet, Job, CronJob,
Pod, ReplicaSet, and custom kinds that carry a pod template such as Argo Rollouts).

All manifests of a file or directory are read together, so a Service, a PersistentVolumeClaim, a
StorageClass, a RoleBinding or a custom resource in one file informs the workloads of another.
The objects, their pod templates and how objects relate live in `kube_objects`."""

from __future__ import annotations

from typing import Any

from advisor.importers import hints
from advisor.importers.documents import DescriptorFile
from advisor.importers.kube_objects import (
    ACCELERATOR_RESOURCES,
    ARCH_LABELS,
    ARCHES,
    ARGO_WORKFLOW_KINDS,
    BLOCK_VOLUME_TYPES,
    CORE_GROUPS,
    GPU_RESOURCES,
    INSTANCE_LABELS,
    INSTANCE_TYPE_LABELS,
    KEDA_JOB_KINDS,
    KNATIVE_SERVING_GROUP,
    KSERVE_KINDS,
    OBSERVING_GROUPS,
    OS_LABELS,
    PROBE_PORT_NAMES,
    SHARED_CSI_DRIVERS,
    SHARED_VOLUME_TYPES,
    SUPPORTING_KINDS,
    TRAINING_GROUP,
    KubeObject,
    _container_resource,
    _containers,
    _dig,
    _generated_name,
    _list,
    _manifest_k8s_experience,
    _mapping,
    _pod_templates,
    _read_only_volumes,
    _relation,
    _selects,
    _template_meta,
    _template_size,
    collect_objects,
)
from advisor.importers.provenance import Draft, ImportedProfile, join_path


class KubernetesReader:
    """Reads every workload of a set of manifests with the objects that inform them."""

    def __init__(self, objects: list[KubeObject]) -> None:
        self.objects = [o for o in objects if not o.is_build_config]
        self.problems: list[str] = []
        self.claims = {(o.metadata.get("namespace"), o.name): o for o in self.objects
                       if o.kind == "PersistentVolumeClaim" and o.name}
        self.storage_classes = {o.name: o for o in self.objects if o.kind == "StorageClass" and o.name}
        self.services = [o for o in self.objects if o.kind == "Service"]
        # Custom resources other than custom workloads (a Rollout is a workload of its own; a
        # ScaledObject or a ServiceMonitor is something that may select the workloads beside it).
        self.custom = [o for o in self.objects if o.group not in CORE_GROUPS and _pod_templates(o) is None]
        self.used_custom: set[int] = set()
        self.bound_accounts = self._bound_service_accounts()
        self.notes: list[str] = []
        for obj in objects:
            if obj.is_build_config:
                self.notes.append(
                    f"skipped {obj.file}: {obj.path or 'document'}: {obj.kind} ({obj.api_version}) configures a "
                    f"build tool, it is not a workload: run `kubectl kustomize` (or the tool) on its folder and "
                    f"import the rendered manifests")

    def _bound_service_accounts(self) -> dict[tuple[Any, str], KubeObject]:
        bound: dict[tuple[Any, str], KubeObject] = {}
        for obj in self.objects:
            if obj.kind not in ("RoleBinding", "ClusterRoleBinding"):
                continue
            for subject in _list(obj.data.get("subjects")):
                if isinstance(subject, dict) and subject.get("kind") == "ServiceAccount" and subject.get("name"):
                    bound[(subject.get("namespace") or obj.metadata.get("namespace"), str(subject["name"]))] = obj
        return bound

    def read(self) -> list[ImportedProfile]:
        profiles: list[ImportedProfile] = []
        counters: dict[str, int] = {}
        for obj in self.objects:
            found = _pod_templates(obj)
            if found is None:
                continue
            templates, reason = found
            if not templates:
                self.problems.append(f"{obj.file}: {obj.path or 'document'}: {obj.kind} {reason}; skipped")
                continue
            counters[obj.kind] = counters.get(obj.kind, 0) + 1
            generated = None if obj.name else _generated_name(obj)
            name = obj.name or generated
            name_path = join_path(join_path(obj.path, "metadata"), "generateName" if generated else "name")
            if name is None:
                name = f"{obj.kind.lower()}-{counters[obj.kind]}"
                self.problems.append(f"{obj.file}: {name_path}: no usable name "
                                     f"({obj.metadata.get('name')!r}); named it {name!r}")
            draft = Draft(name, obj.file, "kubernetes", name_path)
            self._read_workload(draft, obj, templates)
            profiles.append(draft.finish(f"Kubernetes {obj.kind}"))
            self.problems.extend(draft.problems)
        for obj in self.objects:
            if obj.group in CORE_GROUPS and obj.kind not in SUPPORTING_KINDS and _pod_templates(obj) is None:
                what = "defines a custom kind" if obj.kind == "CustomResourceDefinition" else \
                    "not a workload (configuration, access or routing the workloads use)"
                self.notes.append(f"skipped {obj.file}: {obj.path or 'document'}: {obj.kind} {obj.name or ''} "
                                  f"({obj.api_version}): {what}")
        for i, custom in enumerate(self.custom):
            if i in self.used_custom:
                continue
            spec = _mapping(custom.data.get("spec"))
            runs_pods = any(key in spec for key in ("replicas", "image", "version", "podTemplate", "template"))
            what = "defines a custom kind" if custom.kind == "CustomResourceDefinition" else (
                "monitoring or routing configuration, not a workload"
                if custom.group in OBSERVING_GROUPS and not runs_pods else
                "a custom resource whose pods its operator creates; the file holds no pod template this reader "
                "knows, so nothing here can be sized (import the operator's rendered pods instead)")
            self.notes.append(f"skipped {custom.file}: {custom.path or 'document'}: {custom.kind} "
                              f"{custom.name or ''} ({custom.api_version}): {what}; it selects no imported workload")
        return profiles

    # --- one workload --------------------------------------------------------------------------

    def _read_workload(self, draft: Draft, obj: KubeObject, templates: list[tuple[dict[str, Any], str]]) -> None:
        kind_path = join_path(obj.path, "kind")
        kind_original = f"{obj.api_version} {obj.kind}"
        draft.imply("existing_platform", "kubernetes", kind_path, kind_original,
                    "the workload is described as a Kubernetes manifest")
        draft.imply("k8s_experience", _manifest_k8s_experience(), kind_path, kind_original,
                    "a team that keeps Kubernetes manifests knows some Kubernetes (models/assumptions.yaml)")
        every: list[tuple[str, dict[str, Any]]] = []
        for pod, pod_path in templates:
            every += _containers(pod, pod_path)
        if every:
            path, first = every[0]
            draft.set("containerized", True, join_path(path, "image"), first.get("image", "container"))
            language = hints.image_language(first.get("image"))
            if language:
                draft.set("language", language, join_path(path, "image"), first.get("image"))
        if obj.kind == "DaemonSet":
            draft.set_flag("daemon_per_host", kind_path, kind_original)
        elif obj.kind == "StatefulSet":
            draft.set_workload_type("stateful_service", kind_path, kind_original)
        elif obj.kind == "Job":
            draft.set_workload_type("batch_job", kind_path, kind_original)
        elif obj.kind in ("CronJob", "CronWorkflow"):
            draft.set_workload_type("scheduled_job", kind_path, kind_original)
            schedule, schedule_path = _dig(obj.data, obj.path, "spec", "schedule")
            if schedule is None:
                schedules, schedules_path = _dig(obj.data, obj.path, "spec", "schedules")
                if isinstance(schedules, list) and schedules:
                    schedule, schedule_path = schedules[0], join_path(schedules_path, 0)
            if schedule is not None:
                draft.convert("requests_per_month", hints.schedule_runs_per_month, schedule, schedule_path)
        elif obj.group == TRAINING_GROUP and obj.kind.endswith("Job"):
            draft.set_workload_type("ml_training", kind_path, kind_original)
        elif obj.kind in KSERVE_KINDS:
            draft.set_workload_type("ml_inference", kind_path, kind_original)
        elif obj.kind in ARGO_WORKFLOW_KINDS:
            draft.set_workload_type("batch_job", kind_path, kind_original)
        elif obj.kind in KEDA_JOB_KINDS:
            draft.set_workload_type("queue_worker", kind_path, kind_original)
        for keys in (("spec", "activeDeadlineSeconds"), ("spec", "jobTemplate", "spec", "activeDeadlineSeconds")):
            deadline, deadline_path = _dig(obj.data, obj.path, *keys)
            if deadline is not None:
                draft.convert("max_duration_s", hints.plain_number, deadline, deadline_path)
        pod, pod_path = templates[0]
        if "max_duration_s" not in draft.values and pod.get("activeDeadlineSeconds") is not None:
            draft.convert("max_duration_s", hints.plain_number, pod["activeDeadlineSeconds"],
                          join_path(pod_path, "activeDeadlineSeconds"))
        # The most demanding pod template sizes the workload (a training job's workers, not its launcher).
        sized = max(templates, key=lambda t: _template_size(t[0], t[1]))
        self._resources(draft, sized[0], sized[1], _containers(*sized))
        for pod, pod_path in templates:
            containers = _containers(pod, pod_path)
            self._security(draft, pod, pod_path, containers)
            self._scheduling(draft, pod, pod_path, containers)
            self._volumes(draft, obj, pod, pod_path, containers)
        self._ports(draft, obj, templates[0][0], every)
        self._kubernetes_native(draft, obj, templates[0][0])
        self._backing_service(draft, every)
        protocols = draft.values.get("protocols", [])
        serves = obj.kind in ("Deployment", "ReplicaSet", "ReplicationController", "Pod") \
            or (obj.group not in CORE_GROUPS and draft.type_rank == 0)
        if serves and ("http" in protocols or "grpc" in protocols):
            source = draft.provenance["protocols"]
            draft.set_workload_type("http_api", source.path, source.original, file=source.file)

    def _backing_service(self, draft: Draft, containers: list[tuple[str, dict[str, Any]]]) -> None:
        for path, container in containers:
            product = hints.backing_product(container.get("image"))
            if product is not None:
                draft.backing_service(product, join_path(path, "image"), container.get("image"))
                return

    def _resources(self, draft: Draft, pod: dict[str, Any], pod_path: str,
                   containers: list[tuple[str, dict[str, Any]]]) -> None:
        """Pod-level `spec.resources` when set (Kubernetes 1.32+: a budget for the whole pod); else per
        container the limit, else the request, summed over the containers."""
        pod_resources = _mapping(pod.get("resources"))
        for field, resources, converter in (
                ("vcpu", ("cpu",), hints.k8s_cpu),
                ("memory_mb", ("memory",), hints.k8s_memory_mb),
                ("ephemeral_storage_gb", ("ephemeral-storage",), hints.k8s_storage_gb),
                ("gpu", GPU_RESOURCES, hints.k8s_cpu)):
            pod_level = _container_resource({"resources": pod_resources}, pod_path, resources)
            if pod_level is not None:
                value, value_path = pod_level
                try:
                    draft.set(field, converter(value), value_path, value)
                    continue
                except ValueError as exc:
                    draft.problem(value_path, f"{value!r}: {exc}; skipped")
            total = 0.0
            sources: list[tuple[str, Any]] = []
            for path, container in containers:
                found = _container_resource(container, path, resources)
                if found is None:
                    continue
                value, value_path = found
                try:
                    total += float(converter(value))
                except ValueError as exc:
                    draft.problem(value_path, f"{value!r}: {exc}; skipped")
                    continue
                sources.append((value_path, value))
            if sources:
                path, original = sources[0] if len(sources) == 1 else (
                    "; ".join(s[0] for s in sources), [s[1] for s in sources])
                draft.set(field, hints.tidy(total), path, original)
        for path, container in containers:
            found = _container_resource(container, path, ACCELERATOR_RESOURCES)
            if found is not None:
                draft.set_flag("specific_instance_type", found[1], found[0])

    def _security(self, draft: Draft, pod: dict[str, Any], pod_path: str,
                  containers: list[tuple[str, dict[str, Any]]]) -> None:
        for key, field in (("hostNetwork", "host_networking"),):
            if pod.get(key) is not None:
                self._flag(draft, field, pod[key], join_path(pod_path, key))
        if pod.get("hostPID") is not None:
            self._flag(draft, "host_pid", pod["hostPID"], join_path(pod_path, "hostPID"))
        if pod.get("hostIPC") is True:
            draft.note("uses the host's IPC namespace (hostIPC: true)")
        pod_security, pod_security_path = _dig(pod, pod_path, "securityContext")
        self._unconfined(draft, _mapping(pod_security), pod_security_path)
        for i, sysctl in enumerate(_list(_mapping(pod_security).get("sysctls"))):
            path = join_path(join_path(join_path(pod_security_path, "sysctls"), i), "name")
            name = _mapping(sysctl).get("name")
            try:
                if name is not None and not hints.sysctl_is_namespaced(name):
                    draft.set_flag("kernel_tuning", path, name)
            except ValueError as exc:
                draft.problem(path, f"{name!r}: {exc}; skipped")
        for path, container in containers:
            security = _mapping(container.get("securityContext"))
            security_path = join_path(path, "securityContext")
            if security.get("privileged") is not None:
                self._flag(draft, "privileged", security["privileged"], join_path(security_path, "privileged"))
            self._unconfined(draft, security, security_path)
            add_path = join_path(join_path(security_path, "capabilities"), "add")
            for i, capability in enumerate(_list(_mapping(security.get("capabilities")).get("add"))):
                draft.add_capability(capability, join_path(add_path, i))

    def _unconfined(self, draft: Draft, security: dict[str, Any], path: str) -> None:
        """An Unconfined seccomp or AppArmor profile turns confinement off: host-level trust, like privileged."""
        for key in ("seccompProfile", "appArmorProfile"):
            kind = _mapping(security.get(key)).get("type")
            if isinstance(kind, str) and kind.strip().lower() == "unconfined":
                draft.set_flag("privileged", join_path(join_path(path, key), "type"), kind)

    def _flag(self, draft: Draft, field: str, value: Any, path: str) -> None:
        try:
            if hints.as_bool(value):
                draft.set_flag(field, path, value)
        except ValueError as exc:
            draft.problem(path, f"{value!r}: {exc}; skipped")

    def _scheduling(self, draft: Draft, pod: dict[str, Any], pod_path: str,
                    containers: list[tuple[str, dict[str, Any]]]) -> None:
        selector = _mapping(pod.get("nodeSelector"))
        selector_path = join_path(pod_path, "nodeSelector")
        for label in OS_LABELS:
            if label in selector:
                self._set_choice(draft, "os", selector[label], join_path(selector_path, label),
                                 {"linux": "linux", "windows": "windows"})
                break
        for label in ARCH_LABELS:
            if label in selector:
                self._set_choice(draft, "arch", selector[label], join_path(selector_path, label), ARCHES)
                break
        for label in INSTANCE_LABELS:
            if label in selector:
                value = selector[label]
                names = [value] if label in INSTANCE_TYPE_LABELS and isinstance(value, str) else []
                draft.add_instance_types(names, join_path(selector_path, label), value)
        compute_type = selector.get("eks.amazonaws.com/compute-type")
        if isinstance(compute_type, str) and compute_type.strip().lower() == "hybrid":
            draft.set("hybrid", "on_prem", join_path(selector_path, "eks.amazonaws.com/compute-type"), compute_type)
        terms, terms_path = _dig(pod, pod_path, "affinity", "nodeAffinity",
                                 "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms")
        for i, term in enumerate(_list(terms)):
            for j, expression in enumerate(_list(_mapping(term).get("matchExpressions"))):
                expression = _mapping(expression)
                key, operator, values = expression.get("key"), expression.get("operator"), expression.get("values")
                if operator != "In" or not isinstance(values, list) or not values:
                    continue
                path = join_path(join_path(join_path(join_path(terms_path, i), "matchExpressions"), j), "values")
                if key in OS_LABELS and "os" not in draft.values and len(values) == 1:
                    self._set_choice(draft, "os", values[0], path, {"linux": "linux", "windows": "windows"})
                elif key in ARCH_LABELS and "arch" not in draft.values:
                    arches = {ARCHES.get(str(v).strip().lower()) for v in values}
                    if None not in arches:
                        draft.set("arch", arches.pop() if len(arches) == 1 else "any", path, values)
                elif key in INSTANCE_LABELS:
                    names = [v for v in values if isinstance(v, str)] if key in INSTANCE_TYPE_LABELS else []
                    draft.add_instance_types(names, path, values)
        if "os" not in draft.values and containers:
            path, first = containers[0]
            if hints.image_is_windows(first.get("image")):
                draft.set("os", "windows", join_path(path, "image"), first.get("image"))

    def _set_choice(self, draft: Draft, field: str, value: Any, path: str, choices: dict[str, str]) -> None:
        try:
            text = str(hints.scalar(value)).strip().lower()
        except ValueError as exc:
            draft.problem(path, f"{value!r}: {exc}; skipped")
            return
        if text in choices:
            draft.set(field, choices[text], path, value)
        else:
            draft.problem(path, f"{value!r} is not one of {', '.join(sorted(choices))}; skipped")

    def _ports(self, draft: Draft, obj: KubeObject, pod: dict[str, Any],
               containers: list[tuple[str, dict[str, Any]]]) -> None:
        http_ports: set[Any] = set()
        grpc_ports: set[Any] = set()
        knative = obj.group == KNATIVE_SERVING_GROUP and obj.kind == "Service"
        if knative and not any(_list(c.get("ports")) for _path, c in containers) and containers:
            # No port declared: Knative sends HTTP requests to the container's default port (8080).
            draft.add_protocol("http", join_path(containers[0][0], "image"), "Knative Service (HTTP)")
        for _path, container in containers:
            for probe_key in ("readinessProbe", "livenessProbe", "startupProbe"):
                probe = _mapping(container.get(probe_key))
                if isinstance(probe.get("httpGet"), dict):
                    http_ports.add(probe["httpGet"].get("port"))
                if isinstance(probe.get("grpc"), dict):
                    grpc_ports.add(probe["grpc"].get("port"))
        for path, container in containers:
            for i, port in enumerate(_list(container.get("ports"))):
                if not isinstance(port, dict):
                    continue
                port_path = join_path(join_path(path, "ports"), i)
                number, name = port.get("containerPort"), port.get("name")
                if isinstance(name, str) and PROBE_PORT_NAMES.match(name):
                    continue  # a port only the kubelet's probes use: no inbound traffic
                try:
                    if number in grpc_ports or (name is not None and name in grpc_ports):
                        protocol = "grpc"
                    elif knative:
                        # Knative Serving routes only HTTP to a Service's container port; a port named
                        # h2c takes HTTP/2 cleartext, which is how gRPC reaches it.
                        protocol = "grpc" if str(name or "").lower() == "h2c" else "http"
                    else:
                        protocol = hints.port_protocol(number, port.get("protocol", "TCP"), name,
                                                       port.get("appProtocol"),
                                                       http_probe=number in http_ports or name in http_ports)
                except ValueError as exc:
                    draft.problem(port_path, f"{port!r}: {exc}; skipped")
                    continue
                draft.add_protocol(protocol, port_path, port)
                if port.get("hostPort") is not None:
                    draft.set_flag("host_networking", join_path(port_path, "hostPort"), port["hostPort"])
        labels = _mapping(_mapping(_dig(obj.data, "", *_template_meta(obj))[0]).get("labels"))
        namespace = obj.metadata.get("namespace")
        for service in self.services:
            spec = _mapping(service.data.get("spec"))
            selector = _mapping(spec.get("selector"))
            if not selector or service.metadata.get("namespace") != namespace:
                continue
            if any(labels.get(k) != v for k, v in selector.items()):
                continue
            for i, port in enumerate(_list(spec.get("ports"))):
                if not isinstance(port, dict):
                    continue
                port_path = join_path(join_path(join_path(service.path, "spec"), "ports"), i)
                target = port.get("targetPort", port.get("port"))
                try:
                    protocol = hints.port_protocol(target if isinstance(target, int) else port.get("port"),
                                                   port.get("protocol", "TCP"), port.get("name"),
                                                   port.get("appProtocol"),
                                                   http_probe=target in http_ports)
                except ValueError as exc:
                    draft.problem(port_path, f"{port!r}: {exc}; skipped", file=service.file)
                    continue
                draft.add_protocol(protocol, port_path, port, file=service.file)

    def _volumes(self, draft: Draft, obj: KubeObject, pod: dict[str, Any], pod_path: str,
                 containers: list[tuple[str, dict[str, Any]]]) -> None:
        namespace = obj.metadata.get("namespace")
        read_only = _read_only_volumes(containers)
        scratch_gb = 0.0
        scratch: list[tuple[str, Any]] = []
        for i, volume in enumerate(_list(pod.get("volumes"))):
            if not isinstance(volume, dict):
                continue
            path = join_path(join_path(pod_path, "volumes"), i)
            csi_driver = str(_mapping(volume.get("csi")).get("driver", "")).lower()
            if isinstance(volume.get("persistentVolumeClaim"), dict):
                claim_name = volume["persistentVolumeClaim"].get("claimName")
                claim = self.claims.get((namespace, claim_name))
                kind = self._claim_kind(claim.data.get("spec") if claim else None)
                draft.set_storage(kind, join_path(path, "persistentVolumeClaim"), volume["persistentVolumeClaim"])
            elif any(key in volume for key in SHARED_VOLUME_TYPES) or (
                    csi_driver and any(name in csi_driver for name in SHARED_CSI_DRIVERS)):
                draft.set_storage("shared_fs", path, volume)
            elif any(key in volume for key in BLOCK_VOLUME_TYPES) or csi_driver:
                draft.set_storage("block", path, volume)
            elif isinstance(volume.get("hostPath"), dict):
                host = volume["hostPath"].get("path")
                host_path = join_path(join_path(path, "hostPath"), "path")
                draft.host_path(host, host_path, host, volume.get("name") in read_only)
            elif "local" in volume:
                draft.set_storage("local_nvme", path, volume)
            elif isinstance(volume.get("emptyDir"), dict) and volume["emptyDir"].get("sizeLimit") is not None \
                    and volume["emptyDir"].get("medium") != "Memory":
                size_path = join_path(join_path(path, "emptyDir"), "sizeLimit")
                try:
                    scratch_gb += float(hints.k8s_storage_gb(volume["emptyDir"]["sizeLimit"]))
                    scratch.append((size_path, volume["emptyDir"]["sizeLimit"]))
                except ValueError as exc:
                    draft.problem(size_path, f"{volume['emptyDir']['sizeLimit']!r}: {exc}; skipped")
        if scratch and "ephemeral_storage_gb" not in draft.values:
            path, original = scratch[0] if len(scratch) == 1 else (
                "; ".join(s[0] for s in scratch), [s[1] for s in scratch])
            draft.set("ephemeral_storage_gb", hints.tidy(scratch_gb), path, original)
        if obj.kind == "StatefulSet":
            templates, templates_path = _dig(obj.data, obj.path, "spec", "volumeClaimTemplates")
            for i, template in enumerate(_list(templates)):
                if isinstance(template, dict):
                    draft.set_storage(self._claim_kind(template.get("spec")), join_path(templates_path, i),
                                      _mapping(template.get("metadata")).get("name", f"volumeClaimTemplates[{i}]"))

    def _claim_kind(self, spec: Any) -> str:
        """A claim: shared_fs when ReadWriteMany, ReadOnlyMany or an EFS/NFS class, block otherwise."""
        spec = _mapping(spec)
        modes = [str(m) for m in _list(spec.get("accessModes"))]
        class_name = str(spec.get("storageClassName") or "")
        storage_class = self.storage_classes.get(class_name)
        provisioner = str(storage_class.data.get("provisioner", "")) if storage_class else ""
        text = f"{class_name} {provisioner}".lower()
        # Many pods on many nodes mounting one volume (read-write or read-only) is a shared file system.
        if "ReadWriteMany" in modes or "ReadOnlyMany" in modes or "efs" in text or "nfs" in text \
                or "filestore" in text:
            return "shared_fs"
        return "block"

    def _kubernetes_native(self, draft: Draft, obj: KubeObject, pod: dict[str, Any]) -> None:
        """Only what binds this workload to the Kubernetes API counts: being a custom resource, an owner
        reference to one, a custom object that selects it (namespace plus labels) or targets it by
        name, or a role binding of its service account. Monitoring and routing objects that select it
        are a note, not a dependency."""
        if obj.group not in CORE_GROUPS:
            draft.set_flag("kubernetes_native", join_path(obj.path, "apiVersion"), obj.api_version)
        for i, owner in enumerate(_list(obj.metadata.get("ownerReferences"))):
            group = str(_mapping(owner).get("apiVersion", "")).rsplit("/", 1)[0]
            if "/" in str(_mapping(owner).get("apiVersion", "")) and group not in CORE_GROUPS:
                draft.set_flag("kubernetes_native", join_path(join_path(join_path(obj.path, "metadata"),
                                                                        "ownerReferences"), i), owner)
        labels = _mapping(_mapping(_dig(obj.data, "", *_template_meta(obj))[0]).get("labels"))
        namespace = obj.metadata.get("namespace") or "default"
        service_labels = [_mapping(s.metadata.get("labels")) for s in self.services
                          if (s.metadata.get("namespace") or "default") == namespace
                          and _selects(_mapping(_mapping(s.data.get("spec")).get("selector")), labels)]
        for i, custom in enumerate(self.custom):
            how = _relation(custom, obj.name, obj.kind, namespace, labels, service_labels)
            if how is None:
                continue
            self.used_custom.add(i)
            if custom.group in OBSERVING_GROUPS:
                draft.note(f"{custom.kind} {custom.name or ''} ({custom.group}) {how}: re-create that monitoring "
                           f"or routing with the target platform's tooling")
                continue
            draft.set_flag("kubernetes_native", join_path(custom.path, "apiVersion"),
                           f"{custom.api_version} {custom.kind} {how}", file=custom.file)
        account = pod.get("serviceAccountName") or pod.get("serviceAccount")
        binding = self.bound_accounts.get((obj.metadata.get("namespace"), str(account))) if account else None
        if binding is not None:
            draft.set_flag("kubernetes_native", join_path(binding.path, "subjects"),
                           f"{binding.kind} {binding.name} binds service account {account}", file=binding.file)


def read_kubernetes(descriptors: list[DescriptorFile]) -> tuple[list[ImportedProfile], list[str], list[str]]:
    """Every workload of a set of manifest files as a profile, the problems met, and the objects skipped
    (each named, with the reason)."""
    reader = KubernetesReader(list(collect_objects(descriptors)))
    profiles = reader.read()
    return profiles, reader.problems, reader.notes

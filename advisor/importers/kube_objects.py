"""Kubernetes objects as the manifest reader sees them: which kinds and API groups mean what, the pod
templates inside workloads and common custom resources (Kubeflow training jobs, KServe, Argo, KEDA,
Knative), and whether an object selects or binds a workload (labels, owner references)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from advisor.importers import hints
from advisor.importers.documents import DescriptorFile
from advisor.importers.provenance import join_path

# API groups served by every Kubernetes API server; any other group comes from a CRD (an operator,
# a vendor chart) and makes the workloads beside it depend on the Kubernetes API.
CORE_GROUPS = frozenset({
    "", "apps", "batch", "autoscaling", "policy", "networking.k8s.io", "rbac.authorization.k8s.io",
    "storage.k8s.io", "scheduling.k8s.io", "coordination.k8s.io", "discovery.k8s.io", "node.k8s.io",
    "admissionregistration.k8s.io", "certificates.k8s.io", "events.k8s.io", "flowcontrol.apiserver.k8s.io",
    "apiregistration.k8s.io", "authentication.k8s.io", "authorization.k8s.io", "resource.k8s.io",
    "apiextensions.k8s.io", "extensions", "internal.apiserver.k8s.io", "storagemigration.k8s.io",
})
# Files that configure a build tool rather than the cluster: not workloads, not custom resources.
BUILD_TOOL_GROUPS = ("kustomize.config.k8s.io", "config.kubernetes.io", "kpt.dev", "skaffold", "eksctl.io")

WORKLOAD_KINDS = {
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "Pod": ("spec",),
}
# Custom resources that carry pod templates somewhere other than spec.template.spec, with the
# workload type the kind implies. Kubeflow training jobs hold one template per replica type under
# spec.<x>ReplicaSpecs; KServe puts the model server in spec.predictor; Argo Workflows list one
# container per step template; KEDA's ScaledJob wraps a Job template.
TRAINING_GROUP = "kubeflow.org"
KSERVE_KINDS = ("InferenceService",)
ARGO_WORKFLOW_KINDS = ("Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow")
KEDA_JOB_KINDS = ("ScaledJob",)
# A Knative Serving Service runs its containers behind Knative's HTTP routing: a request-serving workload.
KNATIVE_SERVING_GROUP = "serving.knative.dev"
KSERVE_MODEL_KEYS = ("model", "sklearn", "xgboost", "tensorflow", "pytorch", "triton", "onnx", "pmml", "lightgbm",
                     "paddle", "huggingface", "mlflow")
# Objects that only observe or route to a workload: they never make it depend on the Kubernetes API
# (the monitoring or routing is re-created with the target's tooling); they are a note at most.
OBSERVING_GROUPS = ("monitoring.coreos.com", "monitoring.googleapis.com", "networking.istio.io",
                    "security.istio.io", "traefik.io", "traefik.containo.us", "projectcontour.io",
                    "gateway.networking.k8s.io", "getambassador.io", "configuration.konghq.com", "cert-manager.io",
                    "externaldns.k8s.io", "policy.linkerd.io", "linkerd.io", "split.smi-spec.io")
# Core objects read for what they tell about the workloads beside them (ports, claims, storage
# classes, service-account bindings); every other non-workload object is named in a note.
SUPPORTING_KINDS = ("Service", "PersistentVolumeClaim", "StorageClass", "RoleBinding", "ClusterRoleBinding")
# Key of a pod assembled from a custom resource (Argo step, KServe model) that lists where each of its
# containers is in the document, so provenance points at the file's own path.
CONTAINER_PATHS = "\x00container_paths"
OS_LABELS = ("kubernetes.io/os", "beta.kubernetes.io/os")
ARCH_LABELS = ("kubernetes.io/arch", "beta.kubernetes.io/arch")
INSTANCE_LABELS = ("node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type",
                   "karpenter.k8s.aws/instance-family", "karpenter.k8s.aws/instance-category",
                   "eks.amazonaws.com/instance-type")
# The labels whose value is one EC2 instance type name (the others name a family or a category).
INSTANCE_TYPE_LABELS = ("node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type")
PROBE_PORT_NAMES = re.compile(r"^(health|healthz|healthcheck|liveness|readiness|probes?)$", re.IGNORECASE)
ARCHES = {"amd64": "x86_64", "x86_64": "x86_64", "arm64": "arm64", "aarch64": "arm64"}
GPU_RESOURCES = ("nvidia.com/gpu", "amd.com/gpu")
ACCELERATOR_RESOURCES = ("aws.amazon.com/neuron", "aws.amazon.com/neuroncore", "aws.amazon.com/neurondevice")
# In-tree volume types by what they give the pod: a network file system many pods share, or a disk
# attached to one node.
SHARED_VOLUME_TYPES = ("nfs", "azureFile", "cephfs", "glusterfs", "quobyte")
BLOCK_VOLUME_TYPES = ("awsElasticBlockStore", "gcePersistentDisk", "azureDisk", "cinder", "rbd", "iscsi", "fc",
                      "portworxVolume", "vsphereVolume", "scaleIO", "storageos", "photonPersistentDisk", "flocker",
                      "flexVolume")
SHARED_CSI_DRIVERS = ("efs", "nfs", "filestore", "file.csi", "azurefile", "fsx", "cephfs", "s3", "smb")


@dataclass(frozen=True)
class KubeObject:
    """One Kubernetes object: where it is (file and path) and what it holds."""

    file: str
    path: str
    data: dict[str, Any]

    @property
    def kind(self) -> str:
        return str(self.data.get("kind", ""))

    @property
    def api_version(self) -> str:
        return str(self.data.get("apiVersion", ""))

    @property
    def group(self) -> str:
        return self.api_version.rsplit("/", 1)[0] if "/" in self.api_version else ""

    @property
    def metadata(self) -> dict[str, Any]:
        meta = self.data.get("metadata")
        return meta if isinstance(meta, dict) else {}

    @property
    def name(self) -> str | None:
        name = self.metadata.get("name")
        return name.strip() if isinstance(name, str) and name.strip() and "{{" not in name else None

    @property
    def is_build_config(self) -> bool:
        return self.group.startswith(BUILD_TOOL_GROUPS) or self.api_version.startswith(BUILD_TOOL_GROUPS)


def _dig(node: Any, path: str, *keys: str) -> tuple[Any, str]:
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
        path = join_path(path, key)
    return node, path


def _mapping(node: Any) -> dict[str, Any]:
    return node if isinstance(node, dict) else {}


def _list(node: Any) -> list[Any]:
    return node if isinstance(node, list) else []


def collect_objects(descriptors: list[DescriptorFile]) -> Iterator[KubeObject]:
    """Every object of every Kubernetes document; `kind: List` is opened into its items."""
    for descriptor in descriptors:
        for document in descriptor.documents:
            data = document.data
            if not isinstance(data, dict) or not isinstance(data.get("kind"), str):
                continue
            base = descriptor.doc_path(document)
            if data["kind"].endswith("List") and isinstance(data.get("items"), list):
                for i, item in enumerate(data["items"]):
                    if isinstance(item, dict) and isinstance(item.get("kind"), str):
                        yield KubeObject(descriptor.label, join_path(join_path(base, "items"), i), item)
                continue
            yield KubeObject(descriptor.label, base, data)


def _prefix(path: str, key: str) -> str:
    return join_path(path, key)


def _selects(selector: dict[str, Any], labels: dict[str, Any]) -> bool:
    """A non-empty label selector (plain map or matchLabels) that the labels satisfy."""
    match = _mapping(selector.get("matchLabels")) if "matchLabels" in selector or "matchExpressions" in selector \
        else selector
    if not match or not all(isinstance(v, str | int | bool) for v in match.values()):
        return False
    return all(str(labels.get(k)) == str(v) for k, v in match.items())


def _relation(custom: KubeObject, name: str | None, kind: str, namespace: str, labels: dict[str, Any],
              service_labels: list[dict[str, Any]]) -> str | None:
    """How a custom object refers to a workload ("selects it", "targets it"), or None."""
    spec = _mapping(custom.data.get("spec"))
    for key in ("scaleTargetRef", "targetRef", "workloadRef"):
        ref = _mapping(spec.get(key))
        if ref.get("name") and ref.get("name") == name and ref.get("kind", kind) == kind \
                and (custom.metadata.get("namespace") or "default") == namespace:
            return f"targets it ({key})"
    selector = _mapping(spec.get("selector")) or _mapping(spec.get("podSelector"))
    if not selector:
        return None
    namespaces = _list(_mapping(spec.get("namespaceSelector")).get("matchNames"))
    in_scope = namespace in namespaces if namespaces else (
        _mapping(spec.get("namespaceSelector")).get("any") is True
        or (custom.metadata.get("namespace") or "default") == namespace)
    if not in_scope:
        return None
    if _selects(selector, labels) or any(_selects(selector, s) for s in service_labels):
        return "selects it"
    return None


def _manifest_k8s_experience() -> str:
    from advisor.knowledge.base import knowledge

    return str(knowledge().value("assume.manifest_k8s_experience"))


def _generated_name(obj: KubeObject) -> str | None:
    """`generateName: hello-world-` as hello-world (Argo Workflows and Jobs are often named so)."""
    generate = obj.metadata.get("generateName")
    if isinstance(generate, str) and generate.strip("-. ") and "{{" not in generate:
        return generate.strip().rstrip("-.")
    return None


def _containers(pod: dict[str, Any], pod_path: str) -> list[tuple[str, dict[str, Any]]]:
    """The containers that run for the pod's life: its containers and native sidecars."""
    if CONTAINER_PATHS in pod:  # a pod assembled from a custom resource: each container's own path
        return [(path, c) for path, c in zip(pod[CONTAINER_PATHS], _list(pod.get("containers")), strict=False)
                if isinstance(c, dict)]
    found = [(join_path(join_path(pod_path, "containers"), i), c)
             for i, c in enumerate(_list(pod.get("containers"))) if isinstance(c, dict)]
    found += [(join_path(join_path(pod_path, "initContainers"), i), c)
              for i, c in enumerate(_list(pod.get("initContainers")))
              if isinstance(c, dict) and c.get("restartPolicy") == "Always"]
    return found


def _template_size(pod: dict[str, Any], pod_path: str) -> tuple[float, float]:
    """(vCPU, memory) a pod template asks for, to pick the most demanding one; unreadable counts as 0."""
    totals = [0.0, 0.0]
    for index, (resource, converter) in enumerate((("cpu", hints.k8s_cpu), ("memory", hints.k8s_memory_mb))):
        for path, container in _containers(pod, pod_path):
            found = _container_resource(container, path, (resource,))
            if found is not None:
                with contextlib.suppress(ValueError):  # reported when the chosen template is read
                    totals[index] += float(converter(found[0]))
    return totals[0], totals[1]


def _read_only_volumes(containers: list[tuple[str, dict[str, Any]]]) -> set[str]:
    """Names of the volumes every container that mounts them mounts read-only."""
    modes: dict[str, bool] = {}
    for _path, container in containers:
        for mount in _list(container.get("volumeMounts")):
            mount = _mapping(mount)
            name = mount.get("name")
            if isinstance(name, str):
                modes[name] = modes.get(name, True) and mount.get("readOnly") is True
    return {name for name, read_only in modes.items() if read_only}


def _pod_templates(obj: KubeObject) -> tuple[list[tuple[dict[str, Any], str]], str] | None:
    """The pod templates of a workload object, with the reason when it has none; None for objects
    that are no workload (a Service, a ConfigMap, a ServiceMonitor...)."""
    template = WORKLOAD_KINDS.get(obj.kind) if obj.group in CORE_GROUPS else None
    if template is not None:
        pod, pod_path = _dig(obj.data, obj.path, *template)
        ok = isinstance(pod, dict) and isinstance(pod.get("containers"), list)
        return ([(pod, pod_path)] if ok else [], "without a pod template")
    if obj.group in CORE_GROUPS:
        return None
    spec, spec_path = _dig(obj.data, obj.path, "spec")
    spec = _mapping(spec)
    if obj.group == TRAINING_GROUP:
        found: list[tuple[dict[str, Any], str]] = []
        for key, replicas in spec.items():
            if isinstance(key, str) and key.endswith("ReplicaSpecs") and isinstance(replicas, dict):
                for role, replica in replicas.items():
                    pod, pod_path = _dig(replica, join_path(join_path(spec_path, key), str(role)), "template", "spec")
                    if isinstance(pod, dict) and isinstance(pod.get("containers"), list):
                        found.append((pod, pod_path))
        if found or any(str(k).endswith("ReplicaSpecs") for k in spec):
            return found, "has no replica with a pod template"
    if obj.kind in KSERVE_KINDS:
        return _kserve_predictor(spec, spec_path)
    if obj.kind in ARGO_WORKFLOW_KINDS:
        workflow, workflow_path = (spec.get("workflowSpec"), join_path(spec_path, "workflowSpec")) \
            if obj.kind == "CronWorkflow" else (spec, spec_path)
        workflow = _mapping(workflow)
        found = []
        for i, step in enumerate(_list(workflow.get("templates"))):
            step_path = join_path(join_path(workflow_path, "templates"), i)
            for key in ("container", "script"):
                container = _mapping(step).get(key)
                if isinstance(container, dict):
                    found.append(({"containers": [container], "volumes": workflow.get("volumes"),
                                   CONTAINER_PATHS: [join_path(step_path, key)]}, step_path))
        return found, "has no step with a container (workflowTemplateRef steps are defined elsewhere)"
    if obj.kind in KEDA_JOB_KINDS:
        pod, pod_path = _dig(spec, spec_path, "jobTargetRef", "template", "spec")
        ok = isinstance(pod, dict) and isinstance(pod.get("containers"), list)
        return ([(pod, pod_path)] if ok else [], "without a job template")
    pod, pod_path = _dig(spec, spec_path, "template", "spec")
    if isinstance(pod, dict) and isinstance(pod.get("containers"), list):
        return [(pod, pod_path)], ""
    return None


def _kserve_predictor(spec: dict[str, Any], spec_path: str) -> tuple[list[tuple[dict[str, Any], str]], str]:
    """KServe's predictor: its own containers, or the model server KServe runs for a model format."""
    predictor, path = _dig(spec, spec_path, "predictor")
    predictor = _mapping(predictor)
    if isinstance(predictor.get("containers"), list):
        return [(predictor, path)], ""
    for key in KSERVE_MODEL_KEYS:
        model = predictor.get(key)
        if isinstance(model, dict):
            container = {"name": key, "image": model.get("image") or model.get("runtime") or f"kserve-{key}-server",
                         "resources": model.get("resources") or {}}
            # Model servers for a format are KServe's own images: containerized, sized by the resources given.
            return [({"containers": [container], "nodeSelector": predictor.get("nodeSelector"),
                      CONTAINER_PATHS: [join_path(path, key)]}, path)], ""
    return [], "has no predictor this reader knows (containers or a model format)"


def _template_meta(obj: KubeObject) -> tuple[str, ...]:
    template = WORKLOAD_KINDS.get(obj.kind, ("spec", "template", "spec"))
    return (*template[:-1], "metadata") if obj.kind != "Pod" else ("metadata",)


def _container_resource(container: dict[str, Any], path: str, names: tuple[str, ...]) -> tuple[Any, str] | None:
    resources = _mapping(container.get("resources"))
    for section in ("limits", "requests"):
        values = _mapping(resources.get(section))
        for name in names:
            if values.get(name) is not None:
                return values[name], join_path(join_path(join_path(path, "resources"), section), name)
    return None

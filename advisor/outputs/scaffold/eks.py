"""Amazon EKS starter: an eksctl cluster.yaml (Auto Mode for small teams, GPU node group when needed)
and kustomize manifests for the workload (Deployment, DaemonSet, Job or CronJob, with Service, HPA,
PodDisruptionBudget, NetworkPolicy and an ALB Ingress where they apply)."""

from __future__ import annotations

from typing import Any

from advisor.outputs.scaffold.common import ceil_int, default, dns_label, number_words, render
from advisor.outputs.scaffold.container import dockerfiles
from advisor.outputs.scaffold.readme import Step
from advisor.outputs.scaffold.workload import Notes, Port, Workload

ARCH = {"x86_64": "amd64", "arm64": "arm64"}


def _workload_kind(w: Workload) -> str:
    if w.kind == "daemon":
        return "DaemonSet"
    if w.kind == "job":
        return "Job" if w.profile.workload_type == "ml_training" else "CronJob"
    return "Deployment"


def _auto_mode(w: Workload, notes: Notes) -> bool:
    p = w.profile
    if p.ops_capacity not in default("eks.auto_mode_ops_capacity"):
        return False
    blockers = [reason for flag, reason in (
        (w.windows, "Windows nodes"), (p.kernel_tuning, "kernel tuning"),
        (p.dedicated_tenancy, "dedicated tenancy")) if flag]
    if blockers:
        notes.adjust(f"EKS Auto Mode would suit ops_capacity {p.ops_capacity}, but it does not support "
                     f"{' or '.join(blockers)}: the cluster uses managed node groups instead.")
        return False
    return True


def _probe(w: Workload) -> dict[str, Any] | None:
    """The container probe: HTTP on the health port, else gRPC health, else a TCP connect (none for jobs)."""
    if w.kind == "job":
        return None
    grpc = next((p for p in w.ports if p.protocol == "grpc"), None)
    http = next((p for p in w.ports if p.protocol in ("http", "websocket")), None)
    tcp = next((p for p in w.ports if p.protocol == "tcp"), None)
    if grpc and not http:
        return {"type": "grpc", "fields": {"port": grpc.number}}
    if tcp and not http and not grpc:
        return {"type": "tcpSocket", "fields": {"port": tcp.number}}
    return {"type": "httpGet", "fields": {"path": default("containers.health_path"), "port": w.health_port}}


def plan(w: Workload, notes: Notes) -> dict[str, Any]:
    """Cluster shape and pod settings for the profile, with what had to change."""
    p = w.profile
    kind = _workload_kind(w)
    auto_mode = _auto_mode(w, notes)
    privileged = p.privileged and not w.windows
    host_network = p.host_networking and not w.windows
    if w.windows and (p.privileged or p.host_networking):
        notes.adjust("privileged / host_networking: Windows pods support neither (HostProcess containers aside); "
                     "the pod runs without them.")
    restricted = not (privileged or host_network or w.windows)
    gpu = 0 if w.windows else p.gpu
    if p.gpu and w.windows:
        notes.adjust("gpu on Windows: EKS GPU nodes are Linux; the pod runs without GPUs.")
    probe = _probe(w)
    ports = list(w.ports)
    if probe and probe["type"] == "httpGet" and all(port.number != w.health_port for port in ports):
        ports.append(Port(name="health", number=w.health_port, protocol="http", transport="TCP"))
    cpu_m = ceil_int(p.vcpu * 1000)
    memory_mi = ceil_int(p.memory_mb)
    if memory_mi != p.memory_mb:
        notes.adjust(f"memory_mb {number_words(p.memory_mb)} rounded up to {memory_mi}Mi (whole MiB).")
    ephemeral_gi = max(1, ceil_int(p.ephemeral_storage_gb))
    if p.arch == "any" and not w.windows:
        notes.adjust("arch any: pods are not pinned to an architecture; build a multi-arch image (linux/amd64 and "
                     "linux/arm64) so they can also run on cheaper Graviton nodes.")
    instance_type = w.instance_types.get("eks") or default("eks.system_node_instance_type")
    node_groups: list[dict[str, Any]] = []
    if not auto_mode:
        if w.windows:
            node_groups.append({"name": "system", "instance_type": default("eks.system_node_instance_type"),
                                "ami": "AmazonLinux2023", "min": 2, "max": 3, "desired": 2, "taints": [],
                                "labels": {"advisor.aws/node-group": "system"}, "volume": 80})
        if not gpu:
            node_groups.append({
                "name": "windows" if w.windows else "app", "instance_type": instance_type,
                "ami": "WindowsServer2022FullContainer" if w.windows else "AmazonLinux2023",
                "min": max(1, min(w.min_count, 2)), "max": max(w.max_count, 2), "desired": max(1, min(w.min_count, 2)),
                "taints": [], "labels": {"advisor.aws/node-group": "windows" if w.windows else "app"},
                "volume": 80 + ephemeral_gi,
            })
    if gpu:
        node_groups.append({
            "name": "gpu", "instance_type": instance_type, "ami": "AmazonLinux2023",
            "min": 0 if w.kind == "job" else 1, "max": max(w.max_count, 1), "desired": 0 if w.kind == "job" else 1,
            "taints": [{"key": "nvidia.com/gpu", "value": "true", "effect": "NoSchedule"}],
            "labels": {"advisor.aws/node-group": "gpu"}, "volume": 100 + ephemeral_gi,
        })
        if not auto_mode:
            node_groups.insert(0, {"name": "system", "instance_type": default("eks.system_node_instance_type"),
                                   "ami": "AmazonLinux2023", "min": 2, "max": 3, "desired": 2, "taints": [],
                                   "labels": {"advisor.aws/node-group": "system"}, "volume": 80})
    if p.hybrid in ("on_prem", "edge"):
        notes.warn(f"hybrid {p.hybrid}: join your own machines with EKS Hybrid Nodes; cluster.yaml has a commented "
                   "remoteNetworkConfig block and README.md the steps.")
    if p.hybrid == "multi_cloud":
        notes.warn("hybrid multi_cloud: EKS Hybrid Nodes do not run in other clouds; keep the manifests portable "
                   "(no AWS-only annotations outside ingress) to run them on other Kubernetes clusters.")
    if p.persistent_storage != "none":
        notes.warn(f"persistent_storage {p.persistent_storage}: add a PersistentVolumeClaim (EBS for block, EFS "
                   "for shared_fs, instance-store nodes for local_nvme) and mount it; the manifests use emptyDir "
                   "scratch space only.")
    job_deadline = ceil_int(p.max_duration_s)
    return {
        "kind": kind,
        "auto_mode": auto_mode,
        "node_groups": node_groups,
        "privileged": privileged,
        "host_network": host_network,
        "restricted": restricted,
        "gpu": gpu,
        "ports": ports,
        "cpu": f"{cpu_m}m",
        "memory": f"{memory_mi}Mi",
        "ephemeral": f"{ephemeral_gi}Gi",
        "tmp_size": f"{ephemeral_gi}Gi",
        "probe": probe,
        "os": "windows" if w.windows else "linux",
        "arch": ARCH.get(p.arch, ""),
        "version": default("eks.kubernetes_version"),
        "log_types": default("eks.log_types"),
        "hpa_target": default("eks.hpa_cpu_target_percent"),
        "job_deadline": job_deadline,
        "cron_name": dns_label(w.profile.name, 52),
        "ingress_class": "alb",
        "ingress_controller": default("eks.ingress_class_auto_mode"),
        "nlb_class": default("eks.nlb_class_auto_mode"),
        "idle_timeout": default("containers.long_connection_idle_timeout_s"),
        # Long requests get time to finish when a pod stops (Kubernetes' default 30 s, at most 10 min).
        "grace_period": min(max(30, ceil_int(p.max_duration_s)), 600) if kind == "Deployment" else 30,
    }


def _manifests(w: Workload, eks: dict[str, Any]) -> list[tuple[str, str]]:
    kind = eks["kind"]
    manifests = [("namespace.yaml", "eks/k8s/namespace.yaml.j2"),
                 ("serviceaccount.yaml", "eks/k8s/serviceaccount.yaml.j2")]
    manifests.append((f"{kind.lower()}.yaml", "eks/k8s/workload.yaml.j2"))
    if w.inbound and w.ports:
        manifests.append(("service.yaml", "eks/k8s/service.yaml.j2"))
    if w.inbound and w.l7_ports:
        if eks["auto_mode"]:
            manifests.append(("ingressclass.yaml", "eks/k8s/ingressclass.yaml.j2"))
        manifests.append(("ingress.yaml", "eks/k8s/ingress.yaml.j2"))
    if kind == "Deployment":
        manifests.append(("hpa.yaml", "eks/k8s/hpa.yaml.j2"))
        manifests.append(("pdb.yaml", "eks/k8s/pdb.yaml.j2"))
    manifests.append(("networkpolicy.yaml", "eks/k8s/networkpolicy.yaml.j2"))
    return manifests


def starter(w: Workload, notes: Notes) -> tuple[dict[str, str], list[Step], dict[str, str]]:
    """Every file of the EKS starter except README.md (path -> text), the deploy steps, file purposes."""
    eks = plan(w, notes)
    manifests = _manifests(w, eks)
    context = {**w.context(), "eks": eks, "manifests": [name for name, _ in manifests]}
    files = {"cluster.yaml": render("eks/cluster.yaml.j2", context)}
    for name, template in manifests:
        files[f"k8s/{name}"] = render(template, context)
    files["k8s/kustomization.yaml"] = render("eks/k8s/kustomization.yaml.j2", context)
    files.update(dockerfiles(w, notes))
    nodes = "EKS Auto Mode" if eks["auto_mode"] else "managed node groups"
    if eks["gpu"]:
        nodes += " plus a GPU node group"
    purposes = {
        "cluster.yaml": f"eksctl cluster: Kubernetes {eks['version']}, {nodes}, control-plane logging",
        "k8s/kustomization.yaml": "kustomize entry point: namespace, image name and tag, the manifests below",
        "k8s/namespace.yaml": "namespace with the Pod Security Standard it meets",
        "k8s/serviceaccount.yaml": "service account for EKS Pod Identity (no token mounted by default)",
        f"k8s/{eks['kind'].lower()}.yaml": f"the {eks['kind']}: resources, probes, non-root read-only security "
                                           "context, topology spread",
        "k8s/service.yaml": "Service for the container ports",
        "k8s/ingress.yaml": "Ingress for an internet-facing Application Load Balancer",
        "k8s/ingressclass.yaml": "IngressClass for EKS Auto Mode's built-in load balancing",
        "k8s/hpa.yaml": "HorizontalPodAutoscaler (autoscaling/v2) on CPU",
        "k8s/pdb.yaml": "PodDisruptionBudget that keeps replicas up during node upgrades",
        "k8s/networkpolicy.yaml": "NetworkPolicy: only the app ports in; DNS and HTTPS out",
    }
    platform = "windows/amd64" if w.windows else ("linux/arm64" if w.arm64 else "linux/amd64,linux/arm64")
    registry = "REPLACE_ME_ACCOUNT_ID.dkr.ecr.REPLACE_ME_AWS_REGION.amazonaws.com"
    steps = [
        Step("Set the Region in cluster.yaml, then create the cluster (15-20 minutes).",
             "eksctl create cluster -f cluster.yaml"),
        Step("Create an image repository that scans on push, build the image from your application's folder "
             "(copy the Dockerfile and .dockerignore there) and push it.",
             f"aws ecr create-repository --repository-name {w.label} --image-tag-mutability IMMUTABLE \\\n"
             "  --image-scanning-configuration scanOnPush=true\n"
             f"aws ecr get-login-password | docker login --username AWS --password-stdin {registry}\n"
             f"docker buildx build --platform {platform} -t {registry}/{w.label}:REPLACE_ME_IMAGE_TAG --push ."),
    ]
    if not eks["auto_mode"] and w.inbound and w.ports:
        steps.append(Step("Install the AWS Load Balancer Controller (Helm chart eks/aws-load-balancer-controller) so "
                          "the Ingress and LoadBalancer Service get an ALB and NLB; Auto Mode has this built in."))
    steps.append(Step("Set the image in k8s/kustomization.yaml, check the manifests and apply them.",
                      "kubectl kustomize k8s/ | kubectl apply --dry-run=server -f -\nkubectl apply -k k8s/"))
    steps.append(Step("Watch the rollout.", f"kubectl -n {w.label} get pods,events --watch"))
    if w.profile.hybrid in ("on_prem", "edge"):
        steps.append(Step(
            "To run on your own machines, uncomment remoteNetworkConfig in cluster.yaml before creating the cluster "
            "(your node and pod CIDRs and a transit or virtual private gateway), then join each machine with "
            "`nodeadm install` and `nodeadm init` using SSM hybrid activations or IAM Roles Anywhere. Hybrid nodes "
            "need reliable connectivity to the Region; for disconnected sites use EKS Anywhere."))
    return files, steps, purposes

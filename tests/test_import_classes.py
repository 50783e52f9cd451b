"""The classes of issue 14 on small hand-written descriptors, for the forms the real corpus
(tests/data/descriptors/real) has no licensed instance of: an inf1 placement constraint, compose port
forms with variables, a KEDA ScaledJob with a job template, ReadOnlyMany claims, compose devices; and
for variants of forms it has (Knative on h2c or with no port, a Windows path in an ECS task)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from advisor.importers import hints, import_profiles


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def one(path: Path) -> dict[str, object]:
    result = import_profiles(path)
    assert len(result.profiles) == 1, result
    return result.profiles[0].data


def test_compose_ports_resolve_variables_as_compose_does(tmp_path: Path) -> None:
    path = write(tmp_path / "compose.yaml", """\
services:
  photos:
    image: ghcr.io/immich-app/immich-server:release
    ports: ['${IMMICH_PORT-:2283:2283}', '$UNSET:80/tcp', '127.0.0.1::9000']
""")
    result = import_profiles(path)
    assert result.problems == ()
    assert result.profiles[0].data["protocols"] == ["http", "tcp"]
    assert result.notes == (f"{path}: $UNSET is not set and has no default: Compose substitutes an empty string "
                            f"(the environment and .env are not read)",)


def test_compose_host_access_and_storage(tmp_path: Path) -> None:
    data = one(write(tmp_path / "compose.yaml", """\
services:
  agent:
    image: example/agent
    cap_drop: [ALL]
    cap_add: [CHOWN, NET_ADMIN, CAP_SYS_ADMIN]
    security_opt: ['seccomp:unconfined']
    pid: host
    devices: ['/dev/fuse:/dev/fuse']
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock:ro
      - ./src:/app
      - ./pgdata:/var/lib/postgresql/data
      - /app/node_modules
"""))
    assert data["added_capabilities"] == ["NET_ADMIN", "SYS_ADMIN"], "CHOWN is a default capability"
    assert data["privileged"] is True and data["host_pid"] is True and data["host_devices"] is True
    assert data["host_mounts"] is True
    assert data["persistent_storage"] == "block", "a data folder bound from beside the file is storage"


def test_compose_development_mounts_are_not_storage(tmp_path: Path) -> None:
    data = one(write(tmp_path / "compose.yaml", """\
services:
  web:
    image: node:20
    volumes: ['./src:/app', '/app/node_modules', './nginx.conf:/etc/nginx/nginx.conf:ro']
"""))
    assert "persistent_storage" not in data and "host_mounts" not in data


@pytest.mark.parametrize(("image", "windows"), [
    ("microsoft/iis", True), ("mcr.microsoft.com/windows/servercore/iis", True),
    ("mcr.microsoft.com/windows/servercore/iis:windowsservercore-ltsc2022", True),
    ("mcr.microsoft.com/windows/nanoserver:ltsc2022", True), ("mcr.microsoft.com/windows/server:ltsc2022", True),
    ("microsoft/windowsservercore:1709", True), ("microsoft/nanoserver", True), ("microsoft/aspnet:4.7", True),
    ("mcr.microsoft.com/dotnet/framework/aspnet:4.8", True),
    ("mcr.microsoft.com/dotnet/aspnet:8.0-nanoserver-ltsc2022", True), ("python:3.12-windowsservercore", True),
    ("mcr.microsoft.com/azure-sql-edge:1.0.4", False), ("mcr.microsoft.com/dotnet/aspnet:8.0", False),
    ("nginx:1.27", False), ("mcr.microsoft.com/mssql/server:2022-latest", False),
])
def test_windows_images_are_recognised_by_family(image: str, windows: bool) -> None:
    assert hints.image_is_windows(image) is windows


@pytest.mark.parametrize(("path", "kind"), [
    ("/var/run/docker.sock", "system"), ("/proc", "system"), ("/", "system"), ("/dev/fuse", "device"),
    ("/dev", "device"), ("/var/lib/kubelet/device-plugins", "kubernetes_node"), ("/etc/cni/net.d", "kubernetes_node"),
    ("/opt/cni/bin", "kubernetes_node"), ("/mnt/data", "data"), ("/srv/media", "data"),
])
def test_host_paths_by_what_they_give(path: str, kind: str) -> None:
    assert hints.host_path_kind(path) == kind


def test_an_instance_type_placement_constraint_pins_the_ec2_family(tmp_path: Path) -> None:
    path = write(tmp_path / "inference-taskdef.json", """{
  "family": "ecs-inference-task-def",
  "requiresCompatibilities": ["EC2"],
  "placementConstraints": [{"type": "memberOf", "expression": "attribute:ecs.instance-type == inf1.xlarge"}],
  "containerDefinitions": [{"name": "bert", "image": "example/bert-neuron", "memory": 4096, "cpu": 2048}]
}""")
    profile = import_profiles(path).profiles[0]
    assert profile.data["specific_instance_type"] is True
    assert profile.provenance["specific_instance_type"].path == "placementConstraints[0]"
    assert "placed only on EC2 instance type inf1.xlarge" in profile.data["description"]
    assert "registered for EC2" in profile.data["description"]
    assert profile.provenance["existing_platform"].implied


def test_keda_scaled_jobs_and_knative_services_are_read(tmp_path: Path) -> None:
    path = write(tmp_path / "crs.yaml", """\
apiVersion: keda.sh/v1alpha1
kind: ScaledJob
metadata: {name: image-processor}
spec:
  jobTargetRef:
    template:
      spec:
        containers: [{name: p, image: example/proc, resources: {limits: {cpu: "2", memory: 2Gi}}}]
  triggers: [{type: aws-sqs-queue, metadata: {queueURL: q}}]
---
apiVersion: serving.knative.dev/v1
kind: Service
metadata: {name: hello}
spec:
  template:
    spec:
      containers: [{image: example/hello, ports: [{containerPort: 8080}]}]
---
apiVersion: example.com/v1
kind: Mystery
metadata: {name: m}
spec: {replicas: 3}
""")
    result = import_profiles(path)
    profiles = {p.name: p.data for p in result.profiles}
    assert profiles["image-processor"]["workload_type"] == "queue_worker"
    assert profiles["image-processor"]["vcpu"] == 2 and profiles["image-processor"]["memory_mb"] == 2048
    assert profiles["hello"]["workload_type"] == "http_api"
    assert all(p["kubernetes_native"] is True for p in profiles.values())
    assert result.notes == (f"skipped {path}: documents[2]: Mystery m (example.com/v1): a custom resource whose pods "
                            f"its operator creates; the file holds no pod template this reader knows, so nothing "
                            f"here can be sized (import the operator's rendered pods instead); it selects no "
                            f"imported workload",)


def test_read_only_many_claims_and_volume_types_beyond_claims(tmp_path: Path) -> None:
    path = write(tmp_path / "app.yaml", """\
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: models}
spec: {accessModes: [ReadOnlyMany], resources: {requests: {storage: 10Gi}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: reader}
spec:
  template:
    spec:
      containers: [{name: a, image: x, volumeMounts: [{name: m, mountPath: /models}]}]
      volumes: [{name: m, persistentVolumeClaim: {claimName: models}}]
---
apiVersion: v1
kind: Pod
metadata: {name: openstack}
spec:
  containers: [{name: a, image: x}]
  volumes: [{name: d, cinder: {volumeID: abc}}]
---
apiVersion: v1
kind: Pod
metadata: {name: logs}
spec:
  containers: [{name: a, image: x, volumeMounts: [{name: l, mountPath: /data, readOnly: true}]}]
  volumes: [{name: l, hostPath: {path: /srv/app-logs}}]
""")
    profiles = {p.name: p.data for p in import_profiles(path).profiles}
    assert profiles["reader"]["persistent_storage"] == "shared_fs"
    assert profiles["openstack"]["persistent_storage"] == "block"
    assert profiles["logs"]["host_mounts"] is True and "persistent_storage" not in profiles["logs"]


def test_pod_level_resources_win_over_the_containers(tmp_path: Path) -> None:
    data = one(write(tmp_path / "pod.yaml", """\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  resources: {requests: {cpu: "3", memory: 3Gi}}
  containers: [{name: a, image: x, resources: {limits: {cpu: "1", memory: 1Gi}}}]
"""))
    assert data["vcpu"] == 3 and data["memory_mb"] == 3072


def test_kubelet_paths_and_unconfined_profiles(tmp_path: Path) -> None:
    data = one(write(tmp_path / "csi.yaml", """\
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: csi-node}
spec:
  template:
    spec:
      securityContext: {seccompProfile: {type: Unconfined}}
      containers: [{name: a, image: x}]
      volumes: [{name: k, hostPath: {path: /var/lib/kubelet/plugins/ebs.csi.aws.com}}]
"""))
    assert data["kubernetes_native"] is True and data["privileged"] is True and data["host_mounts"] is True


def test_a_knative_service_serves_http_whatever_its_port_and_grpc_on_h2c(tmp_path: Path) -> None:
    """Knative Serving routes only HTTP to a Service's container port (8080 when none is declared); a port
    named h2c takes HTTP/2 cleartext, gRPC's transport (the real knative/docs sample covers port 8881)."""
    service = "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {{name: {}}}\n" \
              "spec: {{template: {{spec: {{containers: [{}]}}}}}}\n"
    path = write(tmp_path / "kn.yaml", "---\n".join((
        service.format("grpc-ping", "{image: example/grpc-ping, ports: [{name: h2c, containerPort: 8080}]}"),
        service.format("no-port", "{image: example/hello}"))))
    profiles = {p.name: p.data for p in import_profiles(path).profiles}
    assert profiles["grpc-ping"]["protocols"] == ["grpc"] and profiles["grpc-ping"]["workload_type"] == "http_api"
    assert profiles["no-port"]["protocols"] == ["http"] and profiles["no-port"]["workload_type"] == "http_api"


def test_a_drive_letter_container_path_makes_an_ecs_task_windows(tmp_path: Path) -> None:
    def task(name: str, container_path: str) -> Path:
        return write(tmp_path / f"{name}.json", json.dumps({
            "family": name, "volumes": [{"name": "v"}],
            "containerDefinitions": [{"name": "a", "image": "example/app", "memory": 512,
                                      "mountPoints": [{"sourceVolume": "v", "containerPath": container_path}]}]}))

    profile = import_profiles(task("win-data", "C:\\data")).profiles[0]
    assert profile.data["os"] == "windows"
    assert profile.provenance["os"].path == "containerDefinitions[0].mountPoints[0].containerPath"
    assert "os" not in import_profiles(task("linux-data", "/data")).profiles[0].data

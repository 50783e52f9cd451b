"""Amazon ECS starters (Fargate and EC2): one CloudFormation template with the cluster, ECR repository,
task definition, service or scheduled task, auto scaling, load balancer, roles and security groups."""

from __future__ import annotations

from typing import Any

from advisor.outputs.scaffold.common import ceil_int, clamp, default, fargate_size, number_words, render
from advisor.outputs.scaffold.container import dockerfiles, image_language
from advisor.outputs.scaffold.readme import Step
from advisor.outputs.scaffold.workload import Notes, Workload


def _health_command(w: Workload) -> list[str] | None:
    commands = default("containers.health_commands")
    url = f"http://localhost:{w.health_port}{default('containers.health_path')}"
    key = "windows" if w.windows else image_language(w)
    if key not in commands:
        return None
    return [part.replace("{url}", url) for part in commands[key]]


def _spot(w: Workload) -> bool:
    """Interruptible work (jobs, queue workers) on Linux runs on Fargate Spot."""
    kb = w.kb
    arch = "arm64" if w.arm64 else "x86_64"
    return (w.profile.workload_type in default("ecs.interruptible_workload_types") and not w.windows
            and arch in kb.value("ecs_fargate.spot_arch") and w.kind != "daemon")


def _common(w: Workload, notes: Notes, launch: str) -> dict[str, Any]:
    p = w.profile
    if p.arch == "any" and not w.windows:
        notes.adjust("arch any: tasks run on x86_64 as priced; set the CPU architecture to ARM64 (Graviton) for "
                     "a lower price once the image builds for arm64.")
    if w.windows and p.arch == "arm64":
        notes.adjust("arch arm64: Windows containers run only on x86_64, so the task uses X86_64.")
    health = _health_command(w)
    if health is None and w.kind in ("worker", "daemon"):
        notes.warn("The image has no interpreter for a container health check (a compiled or distroless image) and "
                   "no load balancer checks it: add a health-check command to the task definition (for example a "
                   "small binary that calls the health endpoint).")
    read_only = not w.windows and not p.privileged
    if w.windows:
        notes.adjust("os windows: the read-only root file system, a non-root user and dropped Linux capabilities "
                     "are Linux-only task settings, so the Windows task leaves them out (the Dockerfile sets the "
                     "user).")
    if p.persistent_storage == "block":
        notes.warn("persistent_storage block: attach an Amazon EBS volume to each task (service "
                   "VolumeConfigurations with an ECS infrastructure role); the template leaves it out.")
    if p.persistent_storage == "local_nvme" and launch == "fargate":
        notes.warn("persistent_storage local_nvme: Fargate has no instance storage; the task gets ephemeral storage "
                   "only.")
    scaling = w.kind in ("service", "worker")
    if w.inbound and len(w.l7_ports) > 1:
        notes.warn(f"The load balancer forwards to the {w.l7_ports[0].protocol} port {w.l7_ports[0].number}; add a "
                   "listener rule and target group for each other HTTP-family port.")
    alb = w.inbound and bool(w.l7_ports)
    nlb = w.inbound and bool(w.l4_ports)
    udp_health = nlb and any(port.transport == "UDP" for port in w.l4_ports)
    idle_timeout = (default("containers.long_connection_idle_timeout_s")
                    if p.long_lived_connections or "websocket" in p.protocols else None)
    return {
        "launch": launch,
        "cpu_architecture": "ARM64" if w.arm64 and not w.windows else "X86_64",
        "os_family": default("ecs.windows_platform") if w.windows else "LINUX",
        "health_command": health,
        "read_only": read_only,
        "scaling": scaling,
        "alb": alb,
        "nlb": nlb,
        "udp_health": udp_health,
        "idle_timeout": idle_timeout,
        "deregistration_delay": default("containers.deregistration_delay_s"),
        "cpu_target": default("ecs.cpu_target_percent"),
        "scale_in_cooldown": default("ecs.scale_in_cooldown_s"),
        "scale_out_cooldown": default("ecs.scale_out_cooldown_s"),
        "ecr_keep": default("ecs.ecr_keep_images"),
        "ecr_untagged_days": default("ecs.ecr_untagged_days"),
        "efs": p.persistent_storage == "shared_fs" and not w.windows,
        "queue": p.workload_type == "queue_worker",
        "job_retries": default("ecs.job_retry_attempts"),
        "job_timeout_minutes": ceil_int(p.max_duration_s / 60),
        "max_receive_count": default("lambda.max_receive_count"),
        "visibility_timeout": ceil_int(min(p.max_duration_s * default("lambda.sqs_visibility_timeout_multiple"),
                                           default("lambda.sqs_max_visibility_timeout_s"))),
    }


def _fargate_plan(w: Workload, notes: Notes) -> dict[str, Any]:
    kb = w.kb
    p = w.profile
    size = fargate_size(kb, p.vcpu, p.memory_mb, p.os)
    wanted = f"{number_words(p.vcpu)} vCPU / {number_words(p.memory_mb / 1024)} GB"
    chosen = f"{number_words(size.vcpu)} vCPU / {number_words(size.memory_gb)} GB"
    if not size.fits:
        notes.adjust(f"Task size {wanted} is larger than any Fargate size for {p.os}: lowered to the largest, "
                     f"{chosen}.")
    elif size.vcpu != p.vcpu or abs(size.memory_gb * 1024 - p.memory_mb) > 1e-6:
        notes.adjust(f"Task size {wanted} rounded up to the nearest valid Fargate size, {chosen}.")
    ephemeral = None
    default_gb = kb.number("ecs_fargate.ephemeral_storage_default_gb")
    max_gb = kb.number("ecs_fargate.ephemeral_storage_max_gb")
    if p.ephemeral_storage_gb > default_gb:
        if w.windows:
            notes.adjust(f"ephemeral_storage_gb {number_words(p.ephemeral_storage_gb)}: Windows tasks on Fargate "
                         f"keep the default {number_words(default_gb)} GiB; use Amazon FSx or S3 for more.")
        else:
            ephemeral = ceil_int(clamp(p.ephemeral_storage_gb, default("ecs.fargate_min_ephemeral_gib"), max_gb))
            if p.ephemeral_storage_gb > max_gb:
                notes.adjust(f"ephemeral_storage_gb {number_words(p.ephemeral_storage_gb)} lowered to the Fargate "
                             f"maximum of {number_words(max_gb)} GiB.")
            elif ephemeral != p.ephemeral_storage_gb:
                notes.adjust(f"ephemeral_storage_gb {number_words(p.ephemeral_storage_gb)} rounded up to "
                             f"{ephemeral} GiB (whole GiB).")
    for flag, words in (("privileged", "privileged containers"), ("host_networking", "host networking"),
                        ("daemon_per_host", "daemon services"), ("kernel_tuning", "kernel tuning")):
        if getattr(p, flag):
            notes.adjust(f"{flag}: Fargate has no {words}; the task runs without it.")
    if p.gpu:
        notes.adjust(f"gpu {p.gpu}: Fargate has no GPUs; the task runs on CPU only.")
    spot = _spot(w)
    return {
        "cpu_units": size.cpu_units,
        "memory_mib": size.memory_mib,
        "size_words": chosen,
        "ephemeral_gib": ephemeral,
        "spot": spot,
        "stop_timeout": default("ecs.fargate_max_stop_timeout_s") if spot else None,
        "network_mode": "awsvpc",
        "privileged": False,
        "gpu": 0,
        "daemon": False,
    }


def _instance_type(w: Workload, notes: Notes) -> str:
    chosen = w.instance_types.get("ecs_ec2") or ""
    if chosen:
        return chosen
    kb = w.kb
    arch = "arm64" if w.arm64 else "x86_64"
    candidates = [e for e in kb.value("price.ec2.instances")
                  if e["arch"] == arch and (int(e.get("gpu") or 0) > 0) == (w.profile.gpu > 0)]
    candidates = candidates or list(kb.value("price.ec2.instances"))
    largest = max(candidates, key=lambda e: (int(e.get("gpu") or 0), float(e["vcpu"]), float(e["memory_gib"])))
    notes.adjust(f"No instance type in the price list fits one task; the template starts with the largest, "
                 f"{largest['type']}; change the InstanceType parameter.")
    return str(largest["type"])


def _ec2_plan(w: Workload, notes: Notes) -> dict[str, Any]:
    p = w.profile
    kb = w.kb
    instance_type = _instance_type(w, notes)
    instance = kb.instance_catalogue().get(instance_type)  # a named type (instance_types) is priced there too
    cpu_units = ceil_int(p.vcpu * 1024)
    memory = ceil_int(p.memory_mb)
    if memory != p.memory_mb:
        notes.adjust(f"memory_mb {number_words(p.memory_mb)} rounded up to {memory} MiB (whole MiB).")
    if cpu_units != p.vcpu * 1024:
        notes.adjust(f"vcpu {number_words(p.vcpu)} rounded up to {cpu_units} CPU units (1 vCPU = 1,024 units).")
    if p.gpu and w.windows:
        notes.adjust("gpu on Windows: ECS GPU support is for Linux container instances; the task runs without it.")
    gpu = 0 if w.windows else p.gpu
    if w.windows:
        ami = "windows"
    elif gpu:
        ami = "linux_gpu"
    else:
        ami = "linux_arm64" if w.arm64 else "linux_x86_64"
    if gpu and w.arm64:
        notes.adjust("gpu with arm64: the ECS GPU-optimised AMI is x86_64, so the hosts are x86_64 GPU instances.")
    daemon = p.daemon_per_host
    network_mode = "host" if p.host_networking and not w.windows else "awsvpc"
    if p.host_networking and w.windows:
        notes.adjust("host_networking on Windows: ECS Windows tasks do not use the host network mode; awsvpc is "
                     "used.")
    root_gib = int(default("ecs.ec2_root_volume_gib")) + ceil_int(p.ephemeral_storage_gb)
    spot = _spot(w)
    if p.hybrid in ("on_prem", "edge"):
        notes.warn(f"hybrid {p.hybrid}: register your own servers with ECS Anywhere (EXTERNAL launch type); "
                   "README.md has the steps. The template creates the AWS side.")
    max_hosts = max(w.max_count, 2)
    return {
        "instance_type": instance_type,
        "instance_gpus": int(instance.get("gpu") or 0) if instance else 0,
        "ami_parameter": default("ecs.ec2_ami_parameters")[ami],
        "cpu_units": cpu_units,
        "memory_mib": memory,
        "size_words": f"{number_words(p.vcpu)} vCPU / {number_words(memory)} MiB on {instance_type}",
        "ephemeral_gib": None,
        "root_volume_gib": root_gib,
        "spot": spot,
        "stop_timeout": None,
        "network_mode": network_mode,
        "privileged": p.privileged and not w.windows,
        "gpu": gpu,
        "daemon": daemon,
        "min_hosts": 0 if w.kind == "job" else max(1, min(w.min_count, max_hosts)),
        "anywhere": p.hybrid in ("on_prem", "edge"),
        "max_hosts": max_hosts,
    }


def _files(w: Workload, notes: Notes, launch: str, plan: dict[str, Any]) -> dict[str, str]:
    ecs = {**_common(w, notes, launch), **plan}
    context = {**w.context(), "ecs": ecs}
    files = {"template.yaml": render("ecs/template.yaml.j2", context)}
    files.update(dockerfiles(w, notes))
    return files


def _steps(w: Workload, launch: str) -> list[Step]:
    ecs_lb = w.inbound and bool(w.ports)
    first = (f"aws cloudformation deploy --stack-name {w.label} --template-file template.yaml \\\n"
             "  --capabilities CAPABILITY_IAM \\\n"
             "  --parameter-overrides VpcId=REPLACE_ME_VPC_ID SubnetIds=REPLACE_ME_PRIVATE_SUBNET_IDS")
    if ecs_lb:
        first += " \\\n    PublicSubnetIds=REPLACE_ME_PUBLIC_SUBNET_IDS"
    platform = "windows/amd64" if w.windows else ("linux/arm64" if w.arm64 else "linux/amd64")
    push = (f"REPO=$(aws cloudformation describe-stacks --stack-name {w.label} \\\n"
            "  --query \"Stacks[0].Outputs[?OutputKey=='RepositoryUri'].OutputValue\" --output text)\n"
            "aws ecr get-login-password | docker login --username AWS --password-stdin \"${REPO%%/*}\"\n"
            f"docker buildx build --platform {platform} -t \"$REPO:REPLACE_ME_IMAGE_TAG\" --push .")
    second = (f"aws cloudformation deploy --stack-name {w.label} --template-file template.yaml \\\n"
              "  --capabilities CAPABILITY_IAM \\\n"
              "  --parameter-overrides DeployService=true ImageTag=REPLACE_ME_IMAGE_TAG")
    what = "scheduled task" if w.kind == "job" else "service"
    return [
        Step("Lint the template (optional; `pip install cfn-lint`).", "cfn-lint template.yaml"),
        Step("Create the cluster, ECR repository, roles and network pieces (the " + what
             + " waits until an image exists).", first),
        Step("Build the image from your application's folder (copy the Dockerfile and .dockerignore there) "
             "and push it to the new repository.", push),
        Step(f"Start the {what} with the image you pushed; later releases only change ImageTag.", second),
    ]


def _purposes(w: Workload, launch: str, ecs_size: str) -> dict[str, str]:
    words = ["CloudFormation template: ECS cluster with Container Insights", "ECR repository (scan on push, "
             "lifecycle policy)", f"task definition ({ecs_size}, awslogs)"]
    if w.kind == "job":
        words.append("EventBridge Scheduler schedule that runs the task " + w.schedule.words)
    elif w.kind == "daemon":
        words.append("DAEMON service (one task on every instance)")
    else:
        words.append("service with deployment circuit breaker and rollback, target-tracking auto scaling")
    if w.inbound and w.l7_ports:
        words.append("Application Load Balancer")
    if w.inbound and w.l4_ports:
        words.append("Network Load Balancer")
    if launch == "ec2":
        words.append("launch template, Auto Scaling group and capacity provider with managed scaling")
    words.append("least-privilege roles and security groups")
    return {"template.yaml": ", ".join(words)}


def express_fits(w: Workload, plan: dict[str, Any]) -> bool:
    """ECS Express Mode builds one HTTP service behind an Application Load Balancer on Linux Fargate:
    offer it when that is the whole workload (no other ports, no shared or block storage, no Spot)."""
    p = w.profile
    return (w.kind == "service" and w.inbound and len(w.l7_ports) == 1 and not w.l4_ports and not w.windows
            and p.persistent_storage == "none" and not plan["spot"])


def _express(w: Workload, plan: dict[str, Any]) -> dict[str, str]:
    fact = w.kb.fact("ecs_fargate.express_mode")
    express = {"cpu_units": plan["cpu_units"], "memory_mib": plan["memory_mib"], "port": w.l7_ports[0].number,
               "min_tasks": max(1, w.min_count), "max_tasks": max(w.max_count, w.min_count, 1),
               "cpu_target": default("ecs.cpu_target_percent"), "source_url": fact.url}
    return {"express.yaml": render("ecs/express.yaml.j2", {**w.context(), "express": express})}


def fargate_starter(w: Workload, notes: Notes) -> tuple[dict[str, str], list[Step], dict[str, str]]:
    """Every file of the ECS on Fargate starter except README.md, the deploy steps and file purposes.

    A single HTTP service also gets express.yaml: the same service through ECS Express Mode, the
    simplest way AWS offers to run it (and its recommendation for those who would have used App Runner).
    """
    plan = _fargate_plan(w, notes)
    files, steps, purposes = _files(w, notes, "fargate", plan), _steps(w, "fargate"), \
        _purposes(w, "fargate", plan["size_words"])
    if express_fits(w, plan):
        files.update(_express(w, plan))
        purposes["express.yaml"] = ("the same service through ECS Express Mode instead: one "
                                    "AWS::ECS::ExpressGatewayService plus its two roles; ECS creates the load "
                                    "balancer, HTTPS URL, security groups and auto scaling")
        steps.append(Step(
            "Or, instead of template.yaml: let ECS Express Mode build the service (load balancer, HTTPS URL, "
            "scaling) from the pushed image in one stack.",
            f"aws cloudformation deploy --stack-name {w.label}-express --template-file express.yaml \\\n"
            "  --capabilities CAPABILITY_IAM \\\n"
            "  --parameter-overrides ImageUri=REPLACE_ME_IMAGE_URI"))
    return files, steps, purposes


def ec2_starter(w: Workload, notes: Notes) -> tuple[dict[str, str], list[Step], dict[str, str]]:
    """Every file of the ECS on EC2 starter except README.md, the deploy steps and file purposes."""
    plan = _ec2_plan(w, notes)
    steps = _steps(w, "ec2")
    if w.profile.hybrid in ("on_prem", "edge"):
        steps.append(Step(
            "Run the same task definition on your own servers with ECS Anywhere: create an SSM activation, run "
            "the ECS Anywhere install script on each server, then start tasks with the EXTERNAL launch type "
            "(awsvpc and load balancers are not available there; use bridge or host networking).",
            f"OUT=\"aws cloudformation describe-stacks --stack-name {w.label} --output text --query\"\n"
            "CLUSTER=$($OUT \"Stacks[0].Outputs[?OutputKey=='ClusterName'].OutputValue\")\n"
            "ROLE=$($OUT \"Stacks[0].Outputs[?OutputKey=='AnywhereRoleName'].OutputValue\")\n"
            "aws ssm create-activation --iam-role \"$ROLE\" --registration-limit 10\n"
            "# then on each server, as root, with the activation id and code printed above:\n"
            "curl --proto https -o /tmp/ecs-anywhere-install.sh \\\n"
            "  https://amazon-ecs-agent.s3.amazonaws.com/ecs-anywhere-install-latest.sh\n"
            "bash /tmp/ecs-anywhere-install.sh --region REPLACE_ME_AWS_REGION --cluster \"$CLUSTER\" \\\n"
            "  --activation-id \"$ACTIVATION_ID\" --activation-code \"$ACTIVATION_CODE\""))
    return _files(w, notes, "ec2", plan), steps, _purposes(w, "ec2", plan["size_words"])

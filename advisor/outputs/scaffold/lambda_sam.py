"""AWS Lambda starter: an AWS SAM template whose event source fits the workload type, samconfig.toml,
and a handler stub in the profile's language (or a container image when the workload ships one)."""

from __future__ import annotations

from typing import Any

from advisor.outputs.scaffold.common import ceil_int, clamp, default, number_words, render
from advisor.outputs.scaffold.container import dockerfiles
from advisor.outputs.scaffold.readme import Step
from advisor.outputs.scaffold.workload import Notes, Workload

HANDLER_FILES: dict[str, dict[str, str]] = {
    # language -> {path in the starter folder: template}
    "python": {"src/app.py": "lambda/handlers/python/app.py.j2",
               "src/requirements.txt": "lambda/handlers/python/requirements.txt.j2"},
    "node": {"src/app.mjs": "lambda/handlers/node/app.mjs.j2",
             "src/package.json": "lambda/handlers/node/package.json.j2"},
    "java": {"src/pom.xml": "lambda/handlers/java/pom.xml.j2",
             "src/src/main/java/starter/Handler.java": "lambda/handlers/java/Handler.java.j2"},
    "dotnet": {"src/Function.csproj": "lambda/handlers/dotnet/Function.csproj.j2",
               "src/Function.cs": "lambda/handlers/dotnet/Function.cs.j2"},
    "ruby": {"src/app.rb": "lambda/handlers/ruby/app.rb.j2", "src/Gemfile": "lambda/handlers/ruby/Gemfile.j2"},
    "go": {"src/main.go": "lambda/handlers/go/main.go.j2", "src/go.mod": "lambda/handlers/go/go.mod.j2"},
    "rust": {"src/Cargo.toml": "lambda/handlers/rust/Cargo.toml.j2",
             "src/src/main.rs": "lambda/handlers/rust/main.rs.j2"},
}
HANDLERS = {
    "python": "app.handler", "node": "app.handler", "java": "starter.Handler::handleRequest",
    "dotnet": "Function::Starter.Function::Handler", "ruby": "app.handler", "go": "bootstrap", "rust": "bootstrap",
}
BUILD_METHODS = {"go": "go1.x", "rust": "rust-cargolambda"}


def event_source(w: Workload) -> str:
    """The Lambda event source that fits the workload type."""
    workload_type = w.profile.workload_type
    if workload_type == "queue_worker":
        return "sqs"
    if workload_type == "stream_processor":
        return "kinesis"
    if workload_type == "event_handler":
        return "s3_eventbridge"
    if workload_type in ("scheduled_job", "ml_training"):
        return "schedule"
    if workload_type == "batch_job":
        return "schedule" if w.profile.requests_per_month <= default("lambda.schedule_batch_max_runs") else "sqs"
    return "http_api"


def _language(w: Workload, notes: Notes) -> str:
    language = w.profile.language
    supported = default("lambda.handler_languages")
    if language in supported:
        return language
    if language == "dotnet_framework":
        notes.warn("Lambda runs modern .NET, not .NET Framework: wrote a .NET (dotnet10) handler stub; port the "
                   "code to modern .NET or choose ecs_ec2 with Windows containers.")
        return "dotnet"
    if language == "other":
        return "other"
    notes.warn("The profile's language is unknown: wrote a Python handler stub; set `language` in the profile "
               "to get a stub in your language.")
    return "python"


def plan(w: Workload, notes: Notes) -> dict[str, Any]:
    """Memory, timeout, storage and packaging made valid for Lambda, with what had to change."""
    kb = w.kb
    p = w.profile
    low, high = kb.number("lambda.memory_min_mb"), kb.number("lambda.memory_max_mb")
    mb_per_vcpu = kb.number("lambda.mb_per_vcpu")
    wanted = float(p.memory_mb)
    if p.vcpu * mb_per_vcpu > wanted:  # Lambda gives one vCPU per mb_per_vcpu MB: size for the vCPU asked
        cpu_memory = p.vcpu * mb_per_vcpu
        if cpu_memory > wanted:
            notes.adjust(f"vcpu {number_words(p.vcpu)} needs {number_words(ceil_int(cpu_memory))} MB on Lambda "
                         f"(about one vCPU per {number_words(mb_per_vcpu)} MB): memory raised from "
                         f"{number_words(wanted)} MB.")
            wanted = cpu_memory
    memory = ceil_int(clamp(wanted, low, high))
    if wanted < low:
        notes.adjust(f"memory_mb {number_words(p.memory_mb)} raised to the Lambda minimum of {number_words(low)} MB.")
    elif wanted > high:
        notes.adjust(f"memory {number_words(ceil_int(wanted))} MB lowered to the Lambda maximum of "
                     f"{number_words(high)} MB; the workload needs more than Lambda offers.")
    elif memory != wanted and wanted == p.memory_mb:
        notes.adjust(f"memory_mb {number_words(p.memory_mb)} rounded up to {memory} MB (whole megabytes).")
    timeout_max = kb.number("lambda.timeout_s")
    timeout = ceil_int(clamp(p.max_duration_s, 1, timeout_max))
    if p.max_duration_s > timeout_max:
        notes.adjust(f"max_duration_s {number_words(p.max_duration_s)} s lowered to the Lambda timeout limit of "
                     f"{number_words(timeout_max)} s; split longer work into steps (Step Functions) or pick a "
                     "container runtime.")
    elif timeout != p.max_duration_s:
        notes.adjust(f"max_duration_s {number_words(p.max_duration_s)} s rounded up to a {timeout} s timeout "
                     "(whole seconds).")
    tmp_default = kb.number("lambda.ephemeral_storage_default_mb")
    tmp_max = kb.number("lambda.ephemeral_storage_max_mb")
    tmp_wanted = p.ephemeral_storage_gb * 1024
    assumed = "ephemeral_storage_gb" in p.assumed_defaults
    ephemeral = ceil_int(clamp(tmp_wanted, tmp_default, tmp_max)) if tmp_wanted > tmp_default and not assumed else None
    if tmp_wanted > tmp_max:
        notes.adjust(f"ephemeral_storage_gb {number_words(p.ephemeral_storage_gb)} lowered to the Lambda /tmp "
                     f"maximum of {number_words(tmp_max)} MB.")
    if p.arch == "any":
        notes.adjust("arch any: the function runs on x86_64 as priced; switch Architectures to arm64 (Graviton) "
                     "for a lower price per GB-second once your dependencies build for it.")
    if p.os == "windows":
        notes.adjust("os windows: Lambda runs only on Amazon Linux, so the function is a Linux function.")
    language = _language(w, notes)
    image = p.containerized or language == "other"
    if language == "other" and not p.containerized:
        notes.warn("Lambda has no managed runtime for language 'other': the function is packaged as a container "
                   "image on the OS-only base image; put your binary or runtime in the Dockerfile.")
    source = event_source(w)
    visibility = ceil_int(min(timeout * default("lambda.sqs_visibility_timeout_multiple"),
                              default("lambda.sqs_max_visibility_timeout_s")))
    if "websocket" in p.protocols and source == "http_api":
        notes.warn("WebSocket clients need an API Gateway WebSocket API, which this starter does not create; "
                   "the HTTP API handles plain HTTP only.")
    if p.persistent_storage != "none":
        notes.warn(f"persistent_storage {p.persistent_storage}: mount Amazon EFS with FileSystemConfigs (needs the "
                   "function in a VPC); Lambda has no block or local NVMe storage.")
    return {
        "memory": memory,
        "timeout": timeout,
        "ephemeral_mb": ephemeral,
        "architecture": "arm64" if w.arm64 else "x86_64",
        "language": language,
        "image": image,
        "runtime_id": default("lambda.runtime_ids").get(language, ""),
        "handler": HANDLERS.get(language, ""),
        "build_method": BUILD_METHODS.get(language, ""),
        "source": source,
        "visibility_timeout": visibility,
        "batch_size": default("lambda.sqs_batch_size"),
        "max_receive_count": default("lambda.max_receive_count"),
        "stream_retry_attempts": default("lambda.stream_retry_attempts"),
        "async_retry_attempts": default("lambda.async_retry_attempts"),
        "base_image": default("lambda.base_images").get(language, default("lambda.base_images")["other"]),
    }


def starter(w: Workload, notes: Notes) -> tuple[dict[str, str], list[Step], dict[str, str]]:
    """Every file of the Lambda starter except README.md (path -> text), the deploy steps, file purposes."""
    lam = plan(w, notes)
    context = {**w.context(), "lam": lam}
    files = {"template.yaml": render("lambda/template.yaml.j2", context),
             "samconfig.toml": render("lambda/samconfig.toml.j2", context)}
    language = lam["language"]
    for path, template in HANDLER_FILES.get(language, {}).items():
        files[path] = render(template, context)
    if lam["image"]:
        files.update(dockerfiles(w, notes, lambda_image=lam))
    source_words = {
        "http_api": "an HTTP API (API Gateway) in front of the function",
        "sqs": "an SQS queue with a dead-letter queue (redrive after "
               f"{lam['max_receive_count']} receives) and partial batch responses",
        "kinesis": "an on-demand Kinesis stream with batch bisection and an SQS on-failure destination",
        "schedule": f"an EventBridge Scheduler schedule ({w.schedule.words}) with retries",
        "s3_eventbridge": "an S3 bucket whose object-created events reach the function through EventBridge",
    }[lam["source"]]
    purposes = {
        "template.yaml": f"AWS SAM template: the function ({lam['memory']} MB, {lam['timeout']} s, "
                         f"{lam['architecture']}, X-Ray tracing, JSON logs with retention), {source_words}, "
                         "least-privilege permissions",
        "samconfig.toml": "AWS SAM CLI settings: stack name, build caching, deploy confirmation",
    }
    steps = [
        Step("Check the template and build the function"
             + (" image" if lam["image"] else "") + " (needs the AWS SAM CLI"
             + (" and Docker)." if lam["image"] else ")."),
             "sam validate --lint\nsam build"),
        Step("Deploy; the first run asks for the Region and saves the answers in samconfig.toml.",
             "sam deploy --guided"),
        Step("Watch the logs while you test.", f"sam logs --stack-name {w.label} --tail"),
    ]
    return files, steps, purposes

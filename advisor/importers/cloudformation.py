"""SAM and CloudFormation templates: Lambda functions and ECS task definitions, with the resources
around them that tell how they are triggered (events, schedules, event source mappings, function
URLs, ECS services).

Intrinsic functions are resolved only from the template itself: `!Ref` to a parameter with a
default, `!FindInMap` with literal keys, `!Join`, `!Select` and `!Sub` over those. Everything known
only at deploy time (`!If`, `!ImportValue`, `!GetAtt`, pseudo parameters) is reported where a field
needs it and skipped. Nothing is ever fetched.
"""

from __future__ import annotations

import json
import re
from typing import Any

from advisor.importers import hints
from advisor.importers.documents import DescriptorFile
from advisor.importers.ecs_taskdef import field_of, placement_constraint, read_task_definition, value_of
from advisor.importers.provenance import Draft, ImportedProfile, join_path

FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")
TASK_TYPES = ("AWS::ECS::TaskDefinition",)
# Compute this reader has no mapping for: reported so a reviewer knows they were not read.
UNREAD_COMPUTE_TYPES = (
    "AWS::EKS::Cluster", "AWS::EKS::Nodegroup", "AWS::EKS::FargateProfile", "AWS::Batch::JobDefinition",
    "AWS::EC2::Instance", "AWS::AutoScaling::AutoScalingGroup", "AWS::AppRunner::Service",
    "AWS::ElasticBeanstalk::Environment", "AWS::Lightsail::Container", "AWS::Serverless::Application",
    "AWS::CloudFormation::Stack",
)
# SAM event types, by the workload type they imply; the most specific wins (provenance.TYPE_RANK).
SAM_EVENT_TYPES = {
    "Api": "http_api", "HttpApi": "http_api",
    "Schedule": "scheduled_job", "ScheduleV2": "scheduled_job",
    "SQS": "queue_worker", "MQ": "queue_worker",
    "Kinesis": "stream_processor", "DynamoDB": "stream_processor", "MSK": "stream_processor",
    "SelfManagedKafka": "stream_processor", "DocumentDB": "stream_processor",
    "S3": "event_handler", "SNS": "event_handler", "EventBridgeRule": "event_handler",
    "CloudWatchEvent": "event_handler", "CloudWatchLogs": "event_handler", "IoTRule": "event_handler",
    "AlexaSkill": "event_handler", "Cognito": "event_handler",
}
SOURCE_TYPES = {
    "AWS::SQS::Queue": "queue_worker", "AWS::AmazonMQ::Broker": "queue_worker",
    "AWS::Kinesis::Stream": "stream_processor", "AWS::DynamoDB::Table": "stream_processor",
    "AWS::MSK::Cluster": "stream_processor", "AWS::DocDB::DBCluster": "stream_processor",
}
ARN_SERVICES = {"sqs": "queue_worker", "mq": "queue_worker", "kinesis": "stream_processor",
                "dynamodb": "stream_processor", "kafka": "stream_processor"}
PERMISSION_PRINCIPALS = {
    "apigateway.amazonaws.com": "http_api", "elasticloadbalancing.amazonaws.com": "http_api",
    "s3.amazonaws.com": "event_handler", "sns.amazonaws.com": "event_handler",
    "logs.amazonaws.com": "event_handler", "iot.amazonaws.com": "event_handler",
}
PSEUDO = re.compile(r"^AWS::")


def render_intrinsic(value: Any) -> str:
    """The short form a reviewer recognises: `!Ref MemorySize`, `!FindInMap ["Sizes", "prod", "Mem"]`."""
    if isinstance(value, dict) and len(value) == 1:
        (key, argument), = value.items()
        short = "Ref" if key == "Ref" else str(key).removeprefix("Fn::")
        if isinstance(argument, str):
            return f"!{short} {argument}"
        return f"!{short} {json.dumps(argument, default=str)}"
    return json.dumps(value, default=str)


def _is_intrinsic(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and (
        "Ref" in value or next(iter(value)).startswith("Fn::"))


class TemplateResolver:
    """Resolves what a template settles by itself; the rest becomes `hints.Unresolved`."""

    def __init__(self, template: dict[str, Any]) -> None:
        self.parameters: dict[str, Any] = _section(template, "Parameters")
        self.mappings: dict[str, Any] = _section(template, "Mappings")
        self.resources: dict[str, Any] = _section(template, "Resources")

    def resolve(self, value: Any, memo: dict[int, Any] | None = None) -> Any:
        """A copy of `value` with intrinsics replaced by their value or an Unresolved marker."""
        memo = {} if memo is None else memo
        key = id(value)
        if key in memo:
            return memo[key]
        if _is_intrinsic(value):
            out = self._intrinsic(value)
        elif isinstance(value, dict):
            out = {}
            memo[key] = out
            for k, v in value.items():
                resolved = self.resolve(v, memo)
                if resolved is not _NO_VALUE:
                    out[k] = resolved
        elif isinstance(value, list):
            out = []
            memo[key] = out
            out.extend(r for r in (self.resolve(v, memo) for v in value) if r is not _NO_VALUE)
        else:
            out = value
        memo[key] = out
        return out

    def _intrinsic(self, value: dict[str, Any]) -> Any:
        (function, argument), = value.items()
        original = render_intrinsic(value)
        try:
            resolved = self._evaluate(function, argument)
        except _CannotResolve as exc:
            return hints.Unresolved(original, str(exc))
        if resolved is _NO_VALUE:
            return _NO_VALUE
        if isinstance(resolved, list):
            return resolved
        return hints.Interpolated(str(resolved).lower() if isinstance(resolved, bool) else str(resolved), original)

    def _literal(self, value: Any) -> Any:
        resolved = self.resolve(value)
        if isinstance(resolved, hints.Unresolved):
            raise _CannotResolve(resolved.reason)
        if isinstance(resolved, list):
            return [self._literal(v) for v in resolved]
        if isinstance(resolved, dict):
            raise _CannotResolve("a mapping where a value was expected")
        return str(resolved) if isinstance(resolved, hints.Interpolated) else resolved

    def _evaluate(self, function: str, argument: Any) -> Any:
        if function == "Ref":
            name = str(argument)
            if name == "AWS::NoValue":
                return _NO_VALUE
            if PSEUDO.match(name):
                raise _CannotResolve(f"!Ref {name} is known only at deploy time")
            if name in self.parameters:
                parameter = self.parameters[name]
                if isinstance(parameter, dict) and "Default" in parameter:
                    default = parameter["Default"]
                    return ",".join(map(str, default)) if isinstance(default, list) else default
                raise _CannotResolve(f"parameter {name} has no default, so its value is known only at deploy time")
            if name in self.resources:
                raise _CannotResolve(f"!Ref {name} is a resource known only after deployment")
            raise _CannotResolve(f"!Ref {name} names no parameter or resource")
        if function == "Fn::FindInMap":
            if not isinstance(argument, list) or len(argument) < 3:
                raise _CannotResolve("!FindInMap needs a map name and two keys")
            map_name, first, second = (self._literal(a) for a in argument[:3])
            try:
                return self.mappings[map_name][first][second]
            except (KeyError, TypeError):
                raise _CannotResolve(f"!FindInMap finds no {map_name}.{first}.{second}") from None
        if function == "Fn::Join":
            if not isinstance(argument, list) or len(argument) != 2:
                raise _CannotResolve("!Join needs a delimiter and a list")
            delimiter, items = self._literal(argument[0]), self._literal(argument[1])
            if not isinstance(items, list):
                raise _CannotResolve("!Join needs a list")
            return str(delimiter).join(str(i) for i in items)
        if function == "Fn::Select":
            if not isinstance(argument, list) or len(argument) != 2:
                raise _CannotResolve("!Select needs an index and a list")
            index, items = self._literal(argument[0]), self._literal(argument[1])
            try:
                return items[int(index)]
            except (ValueError, IndexError, TypeError):
                raise _CannotResolve("!Select index is out of range") from None
        if function == "Fn::Sub":
            text, variables = (argument, {}) if isinstance(argument, str) else (
                argument if isinstance(argument, list) and len(argument) == 2 else (None, None))
            if not isinstance(text, str) or not isinstance(variables, dict):
                raise _CannotResolve("!Sub needs a string, or a string and a mapping")
            return re.sub(r"\$\{([^}]*)\}", lambda m: self._substitute(m.group(1), variables), text)
        short = function.removeprefix("Fn::")
        if function == "Fn::If":
            raise _CannotResolve("!If depends on a condition decided at deploy time")
        raise _CannotResolve(f"!{short} is known only at deploy time")

    def _substitute(self, name: str, variables: dict[str, Any]) -> str:
        if name.startswith("!"):
            return "${" + name[1:] + "}"
        if name in variables:
            return str(self._literal(variables[name]))
        return str(self._evaluate("Ref", name)) if "." not in name else self._evaluate("Fn::GetAtt", name)


def _section(template: dict[str, Any], key: str) -> dict[str, Any]:
    value = template.get(key)
    return value if isinstance(value, dict) else {}


class _CannotResolve(ValueError):
    pass


_NO_VALUE = object()


def referenced_resource(value: Any) -> str | None:
    """The logical id `!Ref X`, `!GetAtt X.Arn` or `!Sub ${X.Arn}` points at, else None."""
    if isinstance(value, dict) and len(value) == 1:
        (function, argument), = value.items()
        if function == "Ref" and isinstance(argument, str):
            return argument
        if function == "Fn::GetAtt":
            if isinstance(argument, list) and argument and isinstance(argument[0], str):
                return argument[0]
            if isinstance(argument, str):
                return argument.split(".", 1)[0]
        if function == "Fn::Sub":
            text = argument if isinstance(argument, str) else (argument[0] if isinstance(argument, list) and argument
                                                                else "")
            match = re.fullmatch(r"\$\{([A-Za-z0-9]+)(?:\.[A-Za-z.]+)?\}", str(text))
            if match:
                return match.group(1)
    return None


class TemplateReader:
    """One profile per Lambda function and per ECS task definition of a template."""

    def __init__(self, descriptor: DescriptorFile, template: dict[str, Any], base: str) -> None:
        self.label = descriptor.label
        self.template = template
        self.base = base
        self.resolver = TemplateResolver(template)
        self.resources: dict[str, Any] = self.resolver.resources
        self.problems: list[str] = []
        self.drafts: dict[str, tuple[Draft, str]] = {}

    def _path(self, *keys: str | int) -> str:
        path = join_path(self.base, "Resources") if self.base else "Resources"
        for key in keys:
            path = join_path(path, key)
        return path

    def read(self) -> list[ImportedProfile]:
        for logical_id, resource in self.resources.items():
            if not isinstance(resource, dict):
                continue
            kind = resource.get("Type")
            if kind in FUNCTION_TYPES:
                self._function(str(logical_id), resource)
            elif kind in TASK_TYPES:
                self._task(str(logical_id), resource)
            elif kind in UNREAD_COMPUTE_TYPES and str(logical_id) not in self._ecs_capacity():
                self.problems.append(f"{self.label}: {self._path(str(logical_id))}: {kind} is not read "
                                     f"(no mapping to a workload profile); skipped")
        for logical_id, resource in self.resources.items():
            if isinstance(resource, dict):
                self._links(str(logical_id), resource)
        profiles = []
        for draft, label in self.drafts.values():
            for protocol_field in ("http", "grpc"):
                if protocol_field in draft.values.get("protocols", []):
                    source = draft.provenance["protocols"]
                    draft.set_workload_type("http_api", source.path, source.original)
                    break
            profiles.append(draft.finish(label))
            self.problems.extend(draft.problems)
        return profiles

    def _ecs_capacity(self) -> set[str]:
        """Auto Scaling groups that an ECS capacity provider uses: capacity for the tasks, not a workload."""
        used: set[str] = set()
        for resource in self.resources.values():
            if isinstance(resource, dict) and resource.get("Type") == "AWS::ECS::CapacityProvider":
                provider = _section(_section(resource, "Properties"), "AutoScalingGroupProvider")
                if (group := referenced_resource(provider.get("AutoScalingGroupArn"))) is not None:
                    used.add(group)
        return used

    def _properties(self, logical_id: str, resource: dict[str, Any]) -> dict[str, Any]:
        properties = resource.get("Properties")
        if properties is None:
            return {}
        if not isinstance(properties, dict):
            self.problems.append(f"{self.label}: {self._path(logical_id, 'Properties')}: not a mapping; skipped")
            return {}
        resolved = self.resolver.resolve(properties)
        return resolved if isinstance(resolved, dict) else {}

    def _name(self, logical_id: str, properties: dict[str, Any], key: str) -> tuple[str, str]:
        """The resource's own name (FunctionName, Family) when the template settles it, else its logical id."""
        value = properties.get(key)
        if isinstance(value, str) and value.strip() and "{{" not in value:
            return value.strip(), self._path(logical_id, "Properties", key)
        return logical_id, self._path(logical_id)

    # --- Lambda --------------------------------------------------------------------------------

    def _function(self, logical_id: str, resource: dict[str, Any]) -> None:
        properties = self._properties(logical_id, resource)
        sources: dict[str, tuple[Any, str]] = {
            str(k): (v, self._path(logical_id, "Properties", str(k))) for k, v in properties.items()}
        if resource.get("Type") == "AWS::Serverless::Function":
            globals_ = self.template.get("Globals")
            function_globals = globals_.get("Function") if isinstance(globals_, dict) else None
            if isinstance(function_globals, dict):
                resolved_globals = self.resolver.resolve(function_globals)
                for key, value in resolved_globals.items():
                    sources.setdefault(str(key), (value, join_path(join_path("Globals", "Function"), str(key))))
        name, name_path = self._name(logical_id, properties, "FunctionName")
        draft = Draft(name, self.label, "cloudformation", name_path)
        type_path = self._path(logical_id, "Type")
        draft.imply("existing_platform", "lambda", type_path, resource["Type"],
                    "the workload is described as a Lambda function")
        draft.set("os", "linux", type_path, resource["Type"])
        if condition := resource.get("Condition"):
            draft.note(f"created only when the template condition {condition} holds")
        package = sources.get("PackageType")
        image = sources.get("ImageUri") or (
            (value_of(sources["Code"][0], "ImageUri"), join_path(sources["Code"][1], "ImageUri"))
            if "Code" in sources and value_of(sources["Code"][0], "ImageUri") is not None else None)
        if package is not None and hints.lower_text(package[0]) == "image":
            draft.set("containerized", True, package[1], package[0])
        elif image is not None:
            draft.set("containerized", True, image[1], image[0])
        else:
            evidence = sources.get("Runtime") or sources.get("PackageType") or sources.get("CodeUri") \
                or sources.get("InlineCode") or sources.get("Handler")
            draft.set("containerized", False, evidence[1] if evidence else type_path,
                      evidence[0] if evidence else resource["Type"])
        if "Runtime" in sources and not draft.values.get("containerized"):
            value, path = sources["Runtime"]
            try:
                language = hints.lambda_runtime_language(value)
            except ValueError as exc:
                draft.problem(path, f"{hints.original_text(value)!r}: {exc}; skipped")
                language = None
            if language:
                draft.set("language", language, path, value)
        elif image is not None and hints.image_language(image[0]):
            draft.set("language", hints.image_language(image[0]), image[1], image[0])
        for key, field, converter in (("MemorySize", "memory_mb", hints.plain_number),
                                      ("Timeout", "max_duration_s", hints.plain_number)):
            if key in sources:
                draft.convert(field, converter, *sources[key])
        if "EphemeralStorage" in sources:
            value, path = sources["EphemeralStorage"]
            size = field_of(value, "Size")
            if size is not None:
                draft.convert("ephemeral_storage_gb", lambda v: hints.tidy(hints.plain_number(v) / 1024),
                              size[1], join_path(path, size[0]))
        if "Architectures" in sources:
            value, path = sources["Architectures"]
            items = value if isinstance(value, list) else [value]
            arches = {hints.lower_text(v) for v in items}
            arch = {"arm64": "arm64", "x86_64": "x86_64"}.get(next(iter(arches))) if len(arches) == 1 else None
            if arch:
                draft.set("arch", arch, path, value)
            else:
                draft.problem(path, f"{hints.original_text(value)!r} is not arm64 or x86_64; skipped")
        if "FunctionUrlConfig" in sources:
            value, path = sources["FunctionUrlConfig"]
            draft.set_workload_type("http_api", path, "FunctionUrlConfig")
            draft.add_protocol("http", path, "FunctionUrlConfig")
        if "Events" in sources and isinstance(sources["Events"][0], dict):
            events, events_path = sources["Events"]
            for event_name, event in events.items():
                self._sam_event(draft, str(event_name), event, join_path(events_path, str(event_name)))
        self.drafts[logical_id] = (draft, "Lambda function")

    def _sam_event(self, draft: Draft, name: str, event: Any, path: str) -> None:
        spelled = value_of(event, "Type") if isinstance(event, dict) else None
        kind = next((k for k in SAM_EVENT_TYPES if k.lower() == hints.lower_text(spelled)), str(spelled))
        workload_type = SAM_EVENT_TYPES.get(kind)
        if workload_type is None:
            draft.problem(join_path(path, "Type"), f"event type {hints.original_text(spelled)!r} is not read; skipped")
            return
        draft.set_workload_type(workload_type, join_path(path, "Type"), kind)
        if workload_type == "http_api":
            draft.add_protocol("http", join_path(path, "Type"), kind)
        if workload_type == "scheduled_job":
            schedule = field_of(value_of(event, "Properties"), "Schedule") or \
                field_of(value_of(event, "Properties"), "ScheduleExpression")
            if schedule is not None:
                draft.convert("requests_per_month", hints.schedule_runs_per_month, schedule[1],
                              join_path(join_path(path, "Properties"), schedule[0]))

    # --- ECS -----------------------------------------------------------------------------------

    def _task(self, logical_id: str, resource: dict[str, Any]) -> None:
        properties = self._properties(logical_id, resource)
        port_hints = self._load_balanced_ports(logical_id)
        name, name_path = self._name(logical_id, properties, "Family")
        draft = Draft(name, self.label, "cloudformation", name_path)
        draft.imply("existing_platform", "ecs", self._path(logical_id, "Type"), resource["Type"],
                    "the workload is described as an ECS task definition")
        if condition := resource.get("Condition"):
            draft.note(f"created only when the template condition {condition} holds")
        read_task_definition(draft, properties, self._path(logical_id, "Properties"), port_hints)
        self.drafts[logical_id] = (draft, "ECS task definition")

    # --- what triggers the functions and tasks ------------------------------------------------

    def _links(self, logical_id: str, resource: dict[str, Any]) -> None:
        kind = resource.get("Type")
        raw: dict[str, Any] = _section(resource, "Properties")
        properties_path = self._path(logical_id, "Properties")
        if kind == "AWS::ECS::Service":
            target = self.drafts.get(referenced_resource(raw.get("TaskDefinition")) or "")
            if target is None:
                return
            draft = target[0]
            properties = self.resolver.resolve(raw)
            # A service keeps its tasks running (replaced when they stop): a long-running process.
            if "max_duration_s" not in draft.values:
                draft.imply("max_duration_s", _service_task_lifetime_s(), self._path(logical_id, "Type"), kind,
                            "an ECS service keeps its tasks running; counted as a long-running process "
                            "(models/assumptions.yaml)")
            launch_type = hints.lower_text(properties.get("LaunchType"))
            if launch_type in ("fargate", "ec2"):
                draft.note(f"the ECS service runs it with launch type {launch_type.upper()} "
                           f"({join_path(properties_path, 'LaunchType')})")
            for i, constraint in enumerate(properties.get("PlacementConstraints") or []):
                constraint_path = join_path(join_path(properties_path, "PlacementConstraints"), i)
                placement_constraint(draft, constraint, constraint_path)
            strategy = properties.get("SchedulingStrategy")
            if hints.lower_text(strategy) == "daemon":
                draft.set_flag("daemon_per_host", join_path(properties_path, "SchedulingStrategy"), strategy)
            if hints.lower_text(properties.get("LaunchType")) == "external":
                draft.set("hybrid", "on_prem", join_path(properties_path, "LaunchType"), properties["LaunchType"])
            for i, balancer in enumerate(properties.get("LoadBalancers") or []):
                if isinstance(balancer, dict) and balancer.get("ContainerPort") is not None:
                    continue  # read with the task's port mappings (_load_balanced_ports)
                path = join_path(join_path(properties_path, "LoadBalancers"), i)
                draft.add_protocol(self._target_group_protocol(raw["LoadBalancers"][i]), path, balancer)
        elif kind in ("AWS::Events::Rule", "AWS::Scheduler::Schedule"):
            properties = self.resolver.resolve(raw)
            targets = raw.get("Targets") if kind == "AWS::Events::Rule" else [raw.get("Target")]
            schedule = properties.get("ScheduleExpression")
            for i, target in enumerate(targets if isinstance(targets, list) else []):
                if not isinstance(target, dict):
                    continue
                target_path = join_path(join_path(properties_path, "Targets"), i) if kind == "AWS::Events::Rule" \
                    else join_path(properties_path, "Target")
                ecs = _section(target, "EcsParameters")
                linked = referenced_resource(ecs.get("TaskDefinitionArn")) or referenced_resource(target.get("Arn"))
                if linked not in self.drafts:
                    continue
                draft = self.drafts[linked][0]
                if schedule is not None:
                    schedule_path = join_path(properties_path, "ScheduleExpression")
                    draft.set_workload_type("scheduled_job", schedule_path, schedule)
                    draft.convert("requests_per_month", hints.schedule_runs_per_month, schedule, schedule_path)
                else:
                    draft.set_workload_type("event_handler", join_path(target_path, "Arn"),
                                            render_intrinsic(target.get("Arn")))
        elif kind == "AWS::Lambda::EventSourceMapping":
            linked = referenced_resource(raw.get("FunctionName"))
            if linked not in self.drafts:
                return
            source = raw.get("EventSourceArn")
            source_id = referenced_resource(source)
            source_type = self.resources.get(source_id, {}).get("Type") if source_id else None
            workload_type = SOURCE_TYPES.get(str(source_type))
            if workload_type is None and isinstance(source, str) and source.startswith("arn:"):
                workload_type = ARN_SERVICES.get(source.split(":")[2] if source.count(":") >= 2 else "")
            if workload_type is None and (raw.get("SelfManagedEventSource") or raw.get("Topics")):
                workload_type = "stream_processor"
            if workload_type:
                self.drafts[linked][0].set_workload_type(
                    workload_type, join_path(properties_path, "EventSourceArn"),
                    render_intrinsic(source) if isinstance(source, dict) else source)
        elif kind == "AWS::Lambda::Url":
            linked = referenced_resource(raw.get("TargetFunctionArn"))
            if linked in self.drafts:
                draft = self.drafts[linked][0]
                draft.set_workload_type("http_api", self._path(logical_id, "Type"), kind)
                draft.add_protocol("http", self._path(logical_id, "Type"), kind)
        elif kind == "AWS::Lambda::Permission":
            linked = referenced_resource(raw.get("FunctionName"))
            principal = hints.lower_text(self.resolver.resolve(raw.get("Principal")))
            workload_type = PERMISSION_PRINCIPALS.get(principal)
            if linked in self.drafts and workload_type:
                draft = self.drafts[linked][0]
                path = join_path(properties_path, "Principal")
                draft.set_workload_type(workload_type, path, principal)
                if workload_type == "http_api":
                    draft.add_protocol("http", path, principal)

    def _load_balanced_ports(self, task_id: str) -> dict[str, str]:
        """Container port -> protocol of the load balancers of the ECS services that run `task_id`."""
        found: dict[str, str] = {}
        for resource in self.resources.values():
            if not isinstance(resource, dict) or resource.get("Type") != "AWS::ECS::Service":
                continue
            raw = _section(resource, "Properties")
            if referenced_resource(raw.get("TaskDefinition")) != task_id:
                continue
            for balancer in raw.get("LoadBalancers") or []:
                if isinstance(balancer, dict) and balancer.get("ContainerPort") is not None:
                    found[str(self.resolver.resolve(balancer["ContainerPort"]))] = self._target_group_protocol(balancer)
        return found

    def _target_group_protocol(self, balancer: Any) -> str:
        """HTTP behind an ALB target group; the target group's protocol when the template says it."""
        group_id = referenced_resource(balancer.get("TargetGroupArn")) if isinstance(balancer, dict) else None
        group = self.resources.get(group_id, {}) if group_id else {}
        properties = self.resolver.resolve(group.get("Properties") or {}) if isinstance(group, dict) else {}
        if hints.lower_text(properties.get("ProtocolVersion")) == "grpc":
            return "grpc"
        protocol = hints.lower_text(properties.get("Protocol"))
        return {"tcp": "tcp", "tls": "tcp", "udp": "udp", "tcp_udp": "udp"}.get(protocol, "http")


def _service_task_lifetime_s() -> float:
    from advisor.knowledge.base import knowledge

    return knowledge().number("assume.service_task_lifetime_s")


def read_cloudformation(descriptor: DescriptorFile) -> tuple[list[ImportedProfile], list[str]]:
    """Every Lambda function and ECS task definition of a template, and the problems met."""
    for document in descriptor.documents:
        if isinstance(document.data, dict) and isinstance(document.data.get("Resources"), dict):
            reader = TemplateReader(descriptor, document.data, descriptor.doc_path(document))
            profiles = reader.read()
            return profiles, reader.problems
    return [], [f"{descriptor.label}: no Resources mapping; nothing to import"]

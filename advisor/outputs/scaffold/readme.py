"""README.md of a starter folder: the decision and its reasons, how to deploy, every placeholder to
fill (found by scanning the generated files), what was adjusted, and a best-practice checklist."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from advisor.outputs.scaffold.common import PLACEHOLDER_PREFIX, UserText, render
from advisor.outputs.scaffold.workload import Notes, Workload

PLACEHOLDER = re.compile(rf"\b{PLACEHOLDER_PREFIX}[A-Z0-9_]*[A-Z0-9]")

PLACEHOLDER_HELP: dict[str, str] = {
    "REPLACE_ME_BUILD_IMAGE_DIGEST": "sha256 digest of the build-stage base image: "
                                     "`docker buildx imagetools inspect IMAGE:TAG`.",
    "REPLACE_ME_RUN_IMAGE_DIGEST": "sha256 digest of the final-stage base image (same command).",
    "REPLACE_ME_APP_MODULE": "the Python module that starts your server, for example `myapp.server`.",
    "REPLACE_ME_ENTRYPOINT_FILE": "the script that starts your server, for example `server.js`.",
    "REPLACE_ME_ASSEMBLY_NAME": "your project's assembly name (the .dll `dotnet publish` writes).",
    "REPLACE_ME_BINARY_NAME": "the binary name from your Cargo.toml.",
    "REPLACE_ME_BUILD_COMMAND": "the command that builds your application in the build stage.",
    "REPLACE_ME_BUILD_OUTPUT": "the path of the build output to copy into the final image.",
    "REPLACE_ME_ENTRYPOINT": "the command that starts your application.",
    "REPLACE_ME_PROCESS_EVENT": "your code: what the function does with each event.",
    "REPLACE_ME_PROCESS_RECORD": "your code: what the function does with each record of a batch.",
    "REPLACE_ME_VPC_ID": "the VPC to run in (`aws ec2 describe-vpcs`).",
    "REPLACE_ME_PRIVATE_SUBNET_IDS": "comma-separated private subnets in two or more Availability Zones, with a "
                                     "NAT gateway or VPC endpoints for ECR, CloudWatch Logs and STS.",
    "REPLACE_ME_PUBLIC_SUBNET_IDS": "comma-separated public subnets for the internet-facing load balancer.",
    "REPLACE_ME_IMAGE_TAG": "the image tag you pushed (a version or commit id; tags are immutable).",
    "REPLACE_ME_IMAGE_URI": "the full URI of the image you pushed, `REGISTRY/REPOSITORY:TAG` (ECS Express Mode "
                            "pulls it with the task execution role; an ECR image in the same account works as is).",
    "REPLACE_ME_AWS_REGION": "the AWS Region to deploy to, for example `eu-west-1`.",
    "REPLACE_ME_ACCOUNT_ID": "your 12-digit AWS account id (`aws sts get-caller-identity`).",
    "REPLACE_ME_EFS_FILE_SYSTEM_ID": "the Amazon EFS file system to mount (`fs-...`).",
    "REPLACE_ME_POLICY_ARN": "an IAM policy that allows only what the app calls (optional).",
    "REPLACE_ME_GATEWAY_ID": "the transit or virtual private gateway that connects your sites (hybrid nodes).",
    "REPLACE_ME_NODE_CIDR": "the CIDR of your on-premises or edge machines (hybrid nodes).",
    "REPLACE_ME_POD_CIDR": "the CIDR for pods on those machines (hybrid nodes).",
}


@dataclass(frozen=True)
class Step:
    """One deploy step: what it does, and the shell commands."""

    text: str
    commands: str = ""


def placeholders(texts: Mapping[str, str]) -> dict[str, list[str]]:
    """Every REPLACE_ME_ token in `texts` (path -> text), with the files it appears in."""
    found: dict[str, list[str]] = {}
    for path, text in texts.items():
        for token in PLACEHOLDER.findall(text):
            files = found.setdefault(token, [])
            if path not in files:
                files.append(path)
    return dict(sorted(found.items()))


def readme(w: Workload, files: Mapping[str, str], notes: Notes, steps: list[Step],
           purposes: Mapping[str, str]) -> str:
    """README.md for the starter folder holding `files`."""
    deploy_text = "\n".join(step.commands for step in steps)
    found = placeholders({**files, "README.md": deploy_text})
    missing = [token for token in found if token not in PLACEHOLDER_HELP]
    if missing:
        raise KeyError(f"placeholders without help text in readme.PLACEHOLDER_HELP: {', '.join(missing)}")
    context = {
        **w.context(),
        "steps": steps,
        "files": [(path, purposes.get(path, _purpose(path))) for path in [*files, "README.md"]],
        "placeholders": [(token, PLACEHOLDER_HELP[token], paths) for token, paths in found.items()],
        "adjustments": [UserText(a) for a in notes.adjustments],
        "warnings": [UserText(m) for m in notes.warnings],
        "image": "Dockerfile" in files,
    }
    return render("readme/README.md.j2", context)


def _purpose(path: str) -> str:
    if path == "README.md":
        return "this guide"
    if path == "Dockerfile":
        return "multi-stage image build: small base pinned by digest, non-root user"
    if path == ".dockerignore":
        return "keeps the build context small and secrets out of the image"
    if path.endswith(("requirements.txt", "package.json", "pom.xml", "Gemfile", "go.mod", "Cargo.toml", ".csproj")):
        return "build manifest of the handler: add its dependencies here"
    if path.startswith("src/"):
        return "handler stub in your language"
    return ""

"""The Dockerfile and .dockerignore every container starter carries: multi-stage, a small base image
pinned by a digest placeholder, a non-root user."""

from __future__ import annotations

from typing import Any

from advisor.outputs.scaffold.common import default, render
from advisor.outputs.scaffold.workload import Notes, Workload

LINUX_LANGUAGES = ("python", "node", "java", "go", "rust", "dotnet", "ruby")


def image_language(w: Workload) -> str:
    """The language whose build the Dockerfile follows ('other' when the profile does not say)."""
    language = w.profile.language
    if w.windows:
        return language if language in ("dotnet_framework", "dotnet") else "other"
    if language == "dotnet_framework":
        return "dotnet"
    return language if language in LINUX_LANGUAGES else "other"


def dockerfiles(w: Workload, notes: Notes, lambda_image: dict[str, Any] | None = None) -> dict[str, str]:
    """Dockerfile and .dockerignore for `w` (a Lambda base-image build when `lambda_image` is given)."""
    context = w.context()
    if lambda_image is not None:
        context.update(lam=lambda_image, build_images=default("lambda.build_images"))
        dockerfile = render("container/Dockerfile.lambda.j2", context)
    else:
        language = image_language(w)
        table = default("containers.windows_images") if w.windows else default("containers.images")
        context.update(language=language, images=table.get(language, table["other"]))
        if w.profile.language == "dotnet_framework" and not w.windows:
            notes.warn(".NET Framework needs Windows containers: the Dockerfile builds modern .NET on Linux; set "
                       "os: windows in the profile to get a Windows Dockerfile.")
        if language == "other":
            notes.warn("No Dockerfile recipe for this language: the Dockerfile has REPLACE_ME_BUILD_COMMAND and "
                       "REPLACE_ME_ENTRYPOINT placeholders to fill.")
        dockerfile = render("container/Dockerfile.j2", context)
    return {"Dockerfile": dockerfile, ".dockerignore": render("container/dockerignore.j2", context)}

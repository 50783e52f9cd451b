"""Profiles from what teams already have: compose files, Kubernetes manifests, ECS task definitions,
SAM/CloudFormation templates.

`import_profiles(path)` reads a file or a directory and returns one `ImportedProfile` per workload:
the profile fields the descriptor settles, where each came from (`Provenance`), and the fields it
cannot tell (`unknown`: traffic, team, priorities...), which stay at their defaults so an interview
can ask exactly those. Files are only read: nothing is executed, fetched or rendered. A part that
cannot be read is reported in `ImportResult.problems` (naming the file and the path) and skipped.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from advisor.errors import UsageError
from advisor.importers.documents import (
    DESCRIPTOR_SUFFIXES,
    DescriptorFile,
    classify,
    looks_like_compose_name,
    read_file,
)
from advisor.importers.provenance import ImportedProfile, ImportResult, Provenance

__all__ = [
    "ImportResult",
    "ImportedProfile",
    "Provenance",
    "import_profiles",
    "is_descriptor",
    "profile_data_from_descriptor",
    "rendering_advice",
]

MAX_DIRECTORY_FILES = 2000
SKIPPED_DIRECTORIES = frozenset({"node_modules", "__pycache__", ".git", ".terraform", "vendor"})


def _label(path: Path) -> str:
    return str(path)


def _directory_files(root: Path) -> list[Path]:
    """Descriptor-looking files under `root`, sorted, hidden and dependency folders left out."""
    found: list[Path] = []
    for folder, directories, files in os.walk(root):
        directories[:] = sorted(d for d in directories if not d.startswith(".") and d not in SKIPPED_DIRECTORIES)
        for name in sorted(files):
            if name.startswith(".") or not name.lower().endswith(DESCRIPTOR_SUFFIXES):
                continue
            found.append(Path(folder) / name)
            if len(found) >= MAX_DIRECTORY_FILES:
                return found
    return found


_HELM_VALUES_NAME = re.compile(r"^(values|[\w.-]+[.-]values|values[.-][\w.-]+)\.ya?ml$", re.IGNORECASE)
_KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "kustomization")


def rendering_advice(path: Path) -> str | None:
    """For a file that only becomes workloads once a tool renders it (a Helm chart's values file, a
    kustomization), what it is and what to run; None for any other file.

    A Helm values file is named values*.yaml (or sits beside a Chart.yaml) and holds no descriptor;
    a kustomization is named kustomization.yaml or declares `kind: Kustomization`.
    """
    path = Path(path)
    if not path.is_file():
        return None
    name = path.name.lower()
    if name == "chart.yaml" or name == "chart.yml":
        return (f"{path}: a Helm chart's metadata (Chart.yaml), not a workload: render the chart with "
                f"`helm template RELEASE {path.parent}` and import the output")
    kustomization = name in _KUSTOMIZATION_NAMES
    helm_values = bool(_HELM_VALUES_NAME.match(name)) or (
        name.endswith((".yaml", ".yml")) and (path.parent / "Chart.yaml").is_file() and name != "chart.yaml")
    if not (kustomization or helm_values):
        return None
    descriptor = read_file(path, _label(path))
    documents = [d.data for d in descriptor.documents]
    if any(isinstance(d, dict) and d.get("kind") == "Kustomization" for d in documents):
        kustomization = True
    elif _kinds(descriptor):
        return None  # a real descriptor that happens to be called values.yaml
    if kustomization:
        return (f"{path}: a kustomization, not rendered manifests: run `kubectl kustomize {path.parent}` "
                f"(or `kustomize build`), save the output and import that file")
    return (f"{path}: a Helm chart's values file (settings for templates, not workloads): render the chart "
            f"with `helm template RELEASE CHART -f {path}`, save the output and import that file")


def _kinds(descriptor: DescriptorFile) -> set[str]:
    return {kind for document in descriptor.documents if (kind := classify(document.data)) is not None}


def is_descriptor(path: Path) -> bool:
    """True for a compose file, Kubernetes manifests (a file or a directory of them), an ECS task
    definition or a SAM/CloudFormation template; False for a plain advisor profile."""
    path = Path(path)
    if path.is_dir():
        return any(is_descriptor(file) for file in _directory_files(path)[:200])
    if not path.is_file():
        return False
    if rendering_advice(path) is not None:
        return True  # importing it explains what it is and what to run
    if looks_like_compose_name(path):
        return True
    if path.suffix.lower() not in DESCRIPTOR_SUFFIXES:
        return False
    return bool(_kinds(read_file(path, _label(path))))


def import_profiles(path: Path) -> ImportResult:
    """Every workload of a descriptor file or directory, as profiles with provenance.

    Raises UsageError when the path does not exist, or is a file that is no descriptor at all.
    """
    from advisor.importers.cloudformation import read_cloudformation
    from advisor.importers.compose import read_compose
    from advisor.importers.ecs_taskdef import read_ecs
    from advisor.importers.kubernetes import read_kubernetes

    path = Path(path)
    if not path.exists():
        raise UsageError(f"{path}: no such file or directory")
    single = not path.is_dir()
    files = [path] if single else _directory_files(path)
    if not single and not files:
        raise UsageError(f"{path}: no .yaml, .yml or .json files in this directory")
    problems: list[str] = []
    notes: list[str] = []
    profiles: list[ImportedProfile] = []
    kubernetes_files: list[DescriptorFile] = []
    for file in files:
        advice = rendering_advice(file)
        if advice is not None:
            if single:
                raise UsageError(advice)
            notes.append(f"skipped {advice}")
            continue
        descriptor = read_file(file, _label(file))
        problems.extend(descriptor.problems)
        kinds = _kinds(descriptor)
        if not kinds:
            # In a directory, other data files (package.json, dashboards) are simply not descriptors.
            if single and descriptor.documents and not descriptor.problems:
                raise UsageError(
                    f"{descriptor.label}: not a compose file, Kubernetes manifest, ECS task definition or "
                    f"CloudFormation/SAM template (a workload profile is read by `advisor recommend`)")
            continue
        if "kubernetes" in kinds:
            kubernetes_files.append(descriptor)
        if "compose" in kinds:
            found, found_problems, found_notes = read_compose(descriptor)
            profiles.extend(found)
            problems.extend(found_problems)
            notes.extend(found_notes)
        for kind, reader in (("ecs_task_definition", read_ecs), ("cloudformation", read_cloudformation)):
            if kind in kinds:
                found, found_problems = reader(descriptor)
                profiles.extend(found)
                problems.extend(found_problems)
    if kubernetes_files:
        found, found_problems, found_notes = read_kubernetes(kubernetes_files)
        profiles.extend(found)
        problems.extend(found_problems)
        notes.extend(found_notes)
    unique, renamed = _unique_names(profiles)
    return ImportResult(tuple(unique), tuple(dict.fromkeys(problems + renamed)), tuple(dict.fromkeys(notes)))


def _unique_names(profiles: list[ImportedProfile]) -> tuple[list[ImportedProfile], list[str]]:
    """Names are unique within a portfolio: a repeated name gets `-2`, `-3`, ... and a note."""
    from dataclasses import replace

    seen: set[str] = set()
    out: list[ImportedProfile] = []
    notes: list[str] = []
    for profile in profiles:
        name = profile.name
        number = 2
        while name in seen:
            suffix = f"-{number}"
            name = profile.name[: 128 - len(suffix)] + suffix
            number += 1
        seen.add(name)
        if name != profile.name:
            origin = profile.provenance["name"]
            notes.append(f"{origin.file}: {origin.path}: the name {profile.name!r} is already used; "
                         f"imported as {name!r}")
            profile = replace(profile, name=name, data={**profile.data, "name": name})
        out.append(profile)
    return out, notes


def profile_data_from_descriptor(path: Path, service: str | None = None) -> ImportedProfile:
    """Exactly one profile from a descriptor: the named service, or the only one.

    Raises UsageError when the service is not there or several are and none was named; the message
    lists the services.
    """
    result = import_profiles(Path(path))
    names = [p.name for p in result.profiles]
    if not names:
        detail = "; ".join(result.problems[:5])
        raise UsageError(f"{path}: no workload found to import" + (f" ({detail})" if detail else ""))
    if service is None:
        if len(names) == 1:
            return result.profiles[0]
        raise UsageError(f"{path}: holds {len(names)} workloads ({', '.join(names)}); choose one by name",
                         option="service")
    for profile in result.profiles:
        if profile.name == service:
            return profile
    raise UsageError(f"{path}: no workload named {service!r}; it holds: {', '.join(names)}")


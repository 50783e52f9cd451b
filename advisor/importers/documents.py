"""Read a descriptor file into documents and tell what each document is.

JSON is read with `json`; YAML with `yamlsafe.DescriptorLoader`, one document at a time. A document
with Helm leftovers (`{{ ... }}` lines that break the YAML) is read a second time with the template
lines blanked and the template values quoted, so everything else in it can still be used; values
that are still templates are refused where a field is derived from them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from advisor.errors import InputFileError, YamlReadError
from advisor.files import decode_input, read_input_bytes
from advisor.importers.yamlsafe import load_text, split_documents

MAX_FILE_BYTES = 10 * 1024 * 1024
DESCRIPTOR_SUFFIXES = (".yaml", ".yml", ".json")
COMPOSE_NAME = re.compile(r"^(docker-)?compose(\.[\w.-]+)?\.ya?ml$", re.IGNORECASE)

KIND_LABELS = {
    "compose": "compose file",
    "kubernetes": "Kubernetes manifest",
    "ecs_task_definition": "ECS task definition",
    "cloudformation": "CloudFormation/SAM template",
}


@dataclass
class Loaded:
    """One document of a file: its index in the stream, its first line, the data read."""

    index: int
    line: int
    data: Any


@dataclass
class DescriptorFile:
    """A file read into documents, with the problems met while reading it."""

    label: str
    path: Path
    documents: list[Loaded] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    multi: bool = False

    def doc_path(self, document: Loaded) -> str:
        """The prefix of paths inside this document: `documents[2]` in a stream, empty otherwise."""
        return f"documents[{document.index}]" if self.multi else ""


_TEMPLATE_LINE = re.compile(r"^\s*(-\s*)?\{\{.*\}\}\s*$")
_KEY_VALUE = re.compile(r"^(\s*(?:-\s+)?[^\s#'\"{][^:#]*:\s+)(.*\{\{.*)$")
_LIST_ITEM = re.compile(r"^(\s*-\s+)(.*\{\{.*)$")


def blank_templates(text: str) -> str:
    """Helm leftovers made readable: template-only lines blanked, template values quoted."""
    lines = []
    for line in text.splitlines():
        code = line.split(" #", 1)[0] if not line.lstrip().startswith("#") else ""
        if "{{" not in code:
            lines.append(line)
            continue
        if _TEMPLATE_LINE.match(code):
            lines.append("")
            continue
        match = _KEY_VALUE.match(code) or _LIST_ITEM.match(code)
        if match and match.group(2).lstrip().startswith(("'", '"')):
            lines.append(line)  # already a quoted string: YAML reads it as text
        elif match:
            value = match.group(2).strip().replace("'", "''")
            lines.append(f"{match.group(1)}'{value}'")
        else:
            lines.append("")
    return "\n".join(lines)


def read_file(path: Path, label: str) -> DescriptorFile:
    """Read every document of `path`; unreadable documents become problems naming the file and line."""
    result = DescriptorFile(label, path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            result.problems.append(f"{label}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; skipped")
            return result
        text = decode_input(read_input_bytes(path), label)
    except InputFileError as exc:  # the input opener's words: no such file, a folder, unreadable, encoding
        result.problems.append(f"{label}: {exc.problem}; skipped")
        return result
    except OSError as exc:
        result.problems.append(f"{label}: cannot be read ({exc.strerror or exc}); skipped")
        return result
    if path.suffix.lower() == ".json":
        try:
            result.documents.append(Loaded(0, 1, json.loads(text)))
            return result
        except (json.JSONDecodeError, RecursionError) as exc:
            if not isinstance(exc, json.JSONDecodeError):
                result.problems.append(f"{label}: nested too deeply; skipped")
                return result
            result.problems.append(f"{label}: line {exc.lineno}: not valid JSON ({exc.msg}); skipped")
            return result
    documents = split_documents(text)
    result.multi = len(documents) > 1
    for document in documents:
        where = f"documents[{document.index}] (line {document.line})" if result.multi else "document"
        try:
            result.documents.append(Loaded(document.index, document.line, load_text(document.text, document.line)))
            continue
        except YamlReadError as exc:
            error = str(exc)
        if "{{" in document.text:
            try:
                data = load_text(blank_templates(document.text), document.line)
            except YamlReadError:
                pass
            else:
                result.documents.append(Loaded(document.index, document.line, data))
                result.problems.append(
                    f"{label}: {where}: unrendered Helm template lines were left out and template values "
                    f"read as text (render the chart with `helm template` for a complete import)")
                continue
        result.problems.append(f"{label}: {where}: not valid YAML ({error}); skipped")
    return result


def classify(data: Any) -> str | None:
    """Which kind of descriptor one document is, or None (a plain profile, values.yaml, ...)."""
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("apiVersion"), str) and isinstance(data.get("kind"), str):
        return "kubernetes"
    if isinstance(data.get("services"), dict):
        return "compose"
    if isinstance(data.get("containerDefinitions"), list) or (
            isinstance(data.get("taskDefinition"), dict)
            and isinstance(data["taskDefinition"].get("containerDefinitions"), list)):
        return "ecs_task_definition"
    if isinstance(data.get("Resources"), dict) or "AWSTemplateFormatVersion" in data:
        return "cloudformation"
    transform = data.get("Transform")
    if isinstance(transform, str | list) and "Serverless" in str(transform):
        return "cloudformation"
    return None


def looks_like_compose_name(path: Path) -> bool:
    """docker-compose.yml, compose.yaml, docker-compose.prod.yml, ..."""
    return bool(COMPOSE_NAME.match(path.name))

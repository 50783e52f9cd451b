"""Safe YAML reading for descriptors: CloudFormation short tags, unknown tags, one broken document at a time.

`DescriptorLoader` is a `yaml.SafeLoader` subclass: it builds plain dicts, lists and scalars only,
so nothing is ever instantiated or executed. CloudFormation short tags (`!Ref X`, `!GetAtt A.B`,
`!Sub ...`) become the long form a JSON template would hold (`{"Ref": "X"}`,
`{"Fn::GetAtt": ["A", "B"]}`); any other tag (`!Vault`, `!!python/object/apply:os.system`) is
tolerated and read as the plain value under it.

`split_documents` cuts a multi-document stream on its `---` lines so that one unreadable document
(a Helm leftover, a typo) is reported and skipped while the others are still read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from advisor.errors import YamlReadError

CFN_SHORT_TAGS: dict[str, str] = {
    "Ref": "Ref",
    "Condition": "Condition",
    "Sub": "Fn::Sub",
    "GetAtt": "Fn::GetAtt",
    "If": "Fn::If",
    "Join": "Fn::Join",
    "Select": "Fn::Select",
    "Split": "Fn::Split",
    "FindInMap": "Fn::FindInMap",
    "ImportValue": "Fn::ImportValue",
    "Base64": "Fn::Base64",
    "Cidr": "Fn::Cidr",
    "GetAZs": "Fn::GetAZs",
    "Equals": "Fn::Equals",
    "And": "Fn::And",
    "Or": "Fn::Or",
    "Not": "Fn::Not",
    "Transform": "Fn::Transform",
    "Length": "Fn::Length",
    "ToJsonString": "Fn::ToJsonString",
}

MAX_DEPTH = 200
"""Deeper nesting than this is not a real descriptor; it is refused instead of exhausting the stack."""


class DescriptorLoader(yaml.SafeLoader):
    """SafeLoader that understands CloudFormation short tags and tolerates every other tag."""


def _plain(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)  # type: ignore[arg-type]


def _cfn(long_name: str) -> Any:
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
        value = _plain(loader, node)
        if long_name == "Fn::GetAtt" and isinstance(value, str):
            # `!GetAtt Resource.Attribute` is the short spelling of ["Resource", "Attribute"].
            value = value.split(".", 1)
        return {long_name: value}

    return construct


def _unknown_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    return _plain(loader, node)


def _undefined(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    return _plain(loader, node)


class OverrideList(list[Any]):
    """A compose `!reset` / `!override` sequence: replaces what `extends` would have added to."""


class OverrideDict(dict[Any, Any]):
    """A compose `!reset` / `!override` mapping: replaces what `extends` would have merged into."""


def _override(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    value = _plain(loader, node)
    if isinstance(value, list):
        return OverrideList(value)
    if isinstance(value, dict):
        return OverrideDict(value)
    return None if value == "" else value


DescriptorLoader.add_constructor("!reset", _override)
DescriptorLoader.add_constructor("!override", _override)
for _short, _long in CFN_SHORT_TAGS.items():
    DescriptorLoader.add_constructor(f"!{_short}", _cfn(_long))
DescriptorLoader.add_multi_constructor("!", _unknown_tag)
# Global tags the safe loader does not know (`!!python/object/...`, `tag:example.com,2000:x`): read
# the plain value under them. The safe loader's own tags (str, int, map, ...) keep their meaning.
DescriptorLoader.add_multi_constructor("tag:", _unknown_tag)
DescriptorLoader.add_constructor(None, _undefined)


@dataclass(frozen=True)
class Document:
    """One document of a YAML stream: its 0-based index, first line (1-based) and text."""

    index: int
    line: int
    text: str


_SEPARATOR = re.compile(r"^---(?:[ \t].*)?$")
_END = re.compile(r"^\.\.\.[ \t]*$")
_DIRECTIVE = re.compile(r"^%")


def split_documents(text: str) -> list[Document]:
    """Cut a YAML stream into documents on `---` lines; empty documents are dropped."""
    documents: list[Document] = []
    current: list[str] = []
    start = 1
    for number, line in enumerate(text.splitlines(), start=1):
        if _SEPARATOR.match(line) or _END.match(line):
            documents.append(Document(len(documents), start, "\n".join(current)))
            # Content after `--- ` on the same line (`--- !Tag` or `--- {a: 1}`) belongs to the next one.
            rest = line[3:].strip() if line.startswith("---") else ""
            current = [rest] if rest and not rest.startswith("#") else []
            start = number if current else number + 1
            continue
        if _DIRECTIVE.match(line) and not current:
            continue
        current.append(line)
    documents.append(Document(len(documents), start, "\n".join(current)))
    kept = [d for d in documents if _has_content(d.text)]
    return [Document(i, d.line, d.text) for i, d in enumerate(kept)]


def _has_content(text: str) -> bool:
    return any(line.strip() and not line.lstrip().startswith("#") for line in text.splitlines())



def load_text(text: str, first_line: int = 1) -> Any:
    """Parse one YAML document with `DescriptorLoader`; errors give the line within the file."""
    loader = None
    try:
        loader = DescriptorLoader(text)  # the reader refuses control characters already here
        _check_depth(text)
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = f"line {mark.line + first_line}" if mark is not None else f"from line {first_line}"
        raise YamlReadError(f"{line}: {exc.problem or exc.context or 'not valid YAML'}") from None
    except yaml.YAMLError as exc:
        raise YamlReadError(f"from line {first_line}: {exc}") from None
    except RecursionError:
        raise YamlReadError(f"from line {first_line}: nested too deeply to be a descriptor") from None
    finally:
        if loader is not None:
            loader.dispose()


def _check_depth(text: str) -> None:
    """Refuse pathologically nested input before the recursive constructor meets it."""
    depth = 0
    for token in _tokens(text):
        if isinstance(token, yaml.BlockMappingStartToken | yaml.BlockSequenceStartToken
                      | yaml.FlowMappingStartToken | yaml.FlowSequenceStartToken):
            depth += 1
            if depth > MAX_DEPTH:
                raise RecursionError
        elif isinstance(token, yaml.BlockEndToken | yaml.FlowMappingEndToken | yaml.FlowSequenceEndToken):
            depth -= 1


def _tokens(text: str) -> Iterator[yaml.Token]:
    scanner = DescriptorLoader(text)
    try:
        while scanner.check_token():
            yield scanner.get_token()
    finally:
        scanner.dispose()


def read_yaml_documents(text: str) -> Iterator[tuple[Document, Any, str | None]]:
    """Every document of a stream as (document, data or None, error message or None)."""
    for document in split_documents(text):
        try:
            yield document, load_text(document.text, document.line), None
        except YamlReadError as exc:
            yield document, None, str(exc)

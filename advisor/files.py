"""Reading a user's YAML file (answers, column mappings): safe loading and messages that name the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from advisor.errors import UsageError


def read_yaml_file(path: str | Path, kind: str) -> Any:
    """Parse `path` with `yaml.safe_load`; a missing, unreadable or malformed file is a UsageError
    naming the file and the `kind` of file it should have been ("answers file", "mapping file")."""
    import yaml

    label = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"{label}: no such {kind}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{label}: cannot read the {kind} ({exc})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise UsageError(f"{label}: not valid YAML ({exc})") from None

"""Writing report files safely: all-or-nothing, never over an existing file without `force`."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from advisor.errors import OutputExistsError, UsageError


def check_writable(paths: Sequence[Path], force: bool) -> None:
    """Fail before writing anything if a folder is missing or a file exists and `force` is off."""
    from advisor.files import refuse_input_overwrite

    for path in paths:
        refuse_input_overwrite(path)
        folder = path.parent
        if not folder.is_dir():
            raise UsageError(f"{path}: the folder {folder} does not exist")
        if path.is_dir():
            raise UsageError(f"{path}: is a folder, not a file")
        if path.exists() and not force:
            raise OutputExistsError(f"{path} already exists; use --force to overwrite it")


def atomic_write(path: Path, text: str) -> None:
    """Write `text` to a temporary file in the same folder, then rename it over `path`."""
    from advisor.files import refuse_input_overwrite

    refuse_input_overwrite(path)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes the file private (0600); a report gets the usual permissions instead.
        os.chmod(temporary, 0o666 & ~_umask())
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_files(files: Mapping[Path, str], force: bool) -> list[Path]:
    """Check every file first (nothing is written if one is refused), then write each atomically."""
    paths = list(files)
    check_writable(paths, force)
    try:
        for path in paths:
            atomic_write(path, files[path])
    except OSError as exc:
        raise UsageError(f"cannot write {exc.filename or paths[0]}: {exc.strerror or exc}") from None
    return paths

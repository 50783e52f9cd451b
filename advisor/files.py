"""Files, one way each: atomic writes, output-path checks, safe file names, reading a user's YAML file.

Every command writes through `AtomicFile` / `write_text_atomic` (a temporary file beside the target,
renamed over it: never a partial file), checks its outputs with `check_output_path` /
`check_output_files` before writing anything, and names files after workloads with `safe_file_name`.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from advisor.errors import OutputExistsError, UsageError

FALLBACK_NAME = "workload"
"""The file name used when nothing of a workload's name survives sanitising."""


# --------------------------------------------------------------------------------- atomic writes


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


class AtomicFile:
    """A temporary file beside `path` that replaces it on `commit` and disappears on `abort`.

    The result gets the mode of the file it replaces, or the usual mode for a new file (0666 less the
    umask; 0755 less the umask when `executable`); mkstemp alone would leave it private (0600).
    """

    def __init__(self, path: str | os.PathLike[str], executable: bool = False) -> None:
        self.path = Path(path)
        self.executable = executable
        folder = self.path.parent if str(self.path.parent) else Path(".")
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{self.path.name}.", suffix=".part")
        os.close(descriptor)
        self.temporary = Path(temporary)

    def commit(self) -> None:
        if self.executable:
            mode = 0o777 & ~_umask()
        elif self.path.exists():
            mode = self.path.stat().st_mode & 0o777
        else:
            mode = 0o666 & ~_umask()
        os.chmod(self.temporary, mode)
        os.replace(self.temporary, self.path)

    def abort(self) -> None:
        with contextlib.suppress(OSError):
            self.temporary.unlink()


def write_text_atomic(path: str | os.PathLike[str], text: str, *, executable: bool = False,
                      newline: str | None = "\n") -> Path:
    """Write `text` (UTF-8) to `path` atomically, creating its folder; never leaves a partial file."""
    target = Path(path)
    if str(target.parent):
        target.parent.mkdir(parents=True, exist_ok=True)
    atomic = AtomicFile(target, executable=executable)
    try:
        with atomic.temporary.open("w", encoding="utf-8", newline=newline) as stream:
            stream.write(text)
        atomic.commit()
    except BaseException:
        atomic.abort()
        raise
    return target


# --------------------------------------------------------------------------------- output checks


def check_output_path(path: str | os.PathLike[str], force: bool, what: str = "output file") -> Path:
    """Fail before anything is written: `path` is a folder, its folder is missing, or it exists and
    `force` is off (OutputExistsError)."""
    target = Path(path)
    if target.is_dir():
        raise UsageError(f"{what} {target}: is a folder; give a file name")
    if (target.exists() or target.is_symlink()) and not force:
        raise OutputExistsError([target], what)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"{what} {target}: the folder {folder} does not exist")
    return target


def check_output_files(paths: Iterable[Path], force: bool, what: str = "file", *,
                       folders_must_exist: bool = True) -> list[Path]:
    """`check_output_path` for several files at once, listing every existing one in one error.
    With `folders_must_exist` off, missing folders are fine (the writer creates them)."""
    targets = list(paths)
    for target in targets:
        if target.is_dir():
            raise UsageError(f"{target}: is a folder where a {what} should be written")
        folder = target.parent if str(target.parent) else Path(".")
        if folders_must_exist and not folder.is_dir():
            raise UsageError(f"{target}: the folder {folder} does not exist")
    existing = [target for target in targets if target.exists() or target.is_symlink()]
    if existing and not force:
        raise OutputExistsError(existing, what)
    return targets


def resolve_inside(out_dir: Path, relative: str) -> Path:
    """`out_dir / relative`, refusing anything (.., absolute paths, symlinks) that lands outside out_dir."""
    root = out_dir.resolve()
    candidate = Path(relative)
    if candidate.is_absolute() or ".." in candidate.parts:
        raise UsageError(f"{relative}: refusing to write outside {out_dir}")
    target = (root / candidate).resolve()
    if target != root and root not in target.parents:
        raise UsageError(f"{out_dir / relative}: resolves to {target}, outside {out_dir}; refusing to write there")
    return target


def check_output_folder(out_dir: Path, names: Iterable[str], force: bool, what: str = "file") -> list[Path]:
    """The target of every file to be written under `out_dir` (each checked to stay inside it); raises
    before anything is written if `out_dir` is a file or, unless `force`, any target exists."""
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"{out_dir}: exists and is not a folder")
    targets = [resolve_inside(out_dir, name) for name in names]
    return check_output_files(targets, force, what, folders_must_exist=False)


def write_files(files: Mapping[Path, str], force: bool, what: str = "file", *,
                folders_must_exist: bool = True, executable: Iterable[Path] = ()) -> list[Path]:
    """Check every file first (nothing is written if one is refused), then write each atomically."""
    paths = check_output_files(list(files), force, what, folders_must_exist=folders_must_exist)
    run = set(executable)
    try:
        for path in paths:
            write_text_atomic(path, files[path], executable=path in run)
    except OSError as exc:
        raise UsageError(f"cannot write {exc.filename or paths[0]}: {exc.strerror or exc}") from None
    return paths


# --------------------------------------------------------------------------------- safe names


def name_words(name: str) -> list[str]:
    """The ASCII letters-and-digits words of a name (accents folded, everything else a separator)."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.findall(r"[A-Za-z0-9]+", folded)


def safe_file_name(name: str, used: set[str] | None = None, max_length: int = 63) -> str:
    """A portable file or folder name for a workload: lower-case `[a-z0-9-]`, at most `max_length`
    characters, never empty, hidden, a path or a reserved device name; unique within `used` (which
    it updates) by a `-2`, `-3`... suffix."""
    base = "-".join(word.lower() for word in name_words(name))[:max_length].strip("-") or FALLBACK_NAME
    if base.split("-", 1)[0] in _RESERVED:
        base = f"{base}-{FALLBACK_NAME}"[:max_length]
    candidate, number = base, 1
    while used is not None and candidate in used:
        number += 1
        suffix = f"-{number}"
        candidate = base[: max_length - len(suffix)].rstrip("-") + suffix
    if used is not None:
        used.add(candidate)
    return candidate


_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                       *(f"lpt{i}" for i in range(1, 10))})
"""Windows device names that cannot be file names whatever their extension."""


# --------------------------------------------------------------------------------- reading inputs


def read_input_text(path: str | Path, kind: str = "file", encoding: str = "utf-8-sig") -> str:
    """The text of a file a user gave; a missing, unreadable or undecodable one is a UsageError naming
    the file and the `kind` of file it should have been."""
    label = str(path)
    try:
        return Path(path).read_text(encoding=encoding)
    except FileNotFoundError:
        raise UsageError(f"{label}: no such {kind}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{label}: cannot read the {kind} ({exc})") from None



def read_yaml_file(path: str | Path, kind: str) -> Any:
    """Parse `path` with `yaml.safe_load`; a missing, unreadable or malformed file is a UsageError
    naming the file and the `kind` of file it should have been ("answers file", "mapping file")."""
    import yaml

    label = str(path)
    text = read_input_text(path, kind)
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise UsageError(f"{label}: not valid YAML ({exc})") from None

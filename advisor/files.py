"""Files, one way each: atomic writes, output-path checks, safe file names, and opening a user's input.

Every command writes through `AtomicFile` / `write_text_atomic` (a temporary file beside the target,
renamed over it: never a partial file), checks its outputs with `check_output_path` /
`check_output_files` before writing anything, and names files after workloads with `safe_file_name`.
Every command opens its input files through `open_input` / `read_input_text`, so a missing file, a
folder, an unreadable file or the wrong encoding reads the same everywhere and names the path. The
inputs a command has opened (or declared with `note_inputs`) are remembered for that command, and
`refuse_input_overwrite` (called by every output check and atomic write) refuses to replace one of
them, with or without force.
"""

from __future__ import annotations

import codecs
import contextlib
import json
import json.decoder
import json.scanner
import math
import os
import re
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import IO, Any

from advisor.errors import (
    InputEncodingError,
    InputFileError,
    InputSyntaxError,
    OutputExistsError,
    OutputIsInputError,
    UnknownEncodingError,
    UsageError,
)

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
        refuse_input_overwrite(self.path)
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
    refuse_input_overwrite(target)
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


def write_new_text(path: str | os.PathLike[str], text: str, force: bool, what: str = "file") -> Path:
    """One output file: checked (an existing file only with `force`, never an input), then written
    atomically, its folder created; a write that fails is a UsageError naming the file."""
    check_output_files([Path(path)], force, what, folders_must_exist=False)
    try:
        return write_text_atomic(path, text)
    except OSError as exc:
        raise UsageError(f"{path}: cannot write the {what} ({exc.strerror or exc})") from None


# --------------------------------------------------------------------------------- output checks


def check_output_path(path: str | os.PathLike[str], force: bool, what: str = "output file") -> Path:
    """Fail before anything is written: `path` is a folder, its folder is missing, or it exists and
    `force` is off (OutputExistsError)."""
    target = Path(path)
    refuse_input_overwrite(target)
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
        refuse_input_overwrite(target)
        if target.is_dir():
            raise UsageError(f"{target}: is a folder; give a file name")
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


DEFAULT_ENCODING = "utf-8"
STDIN = "-"

# ----------------------------------------------------------------------------- the inputs of a command

_INPUTS: ContextVar[list[Path] | None] = ContextVar("advisor_inputs", default=None)
_ENCODING: ContextVar[str | None] = ContextVar("advisor_input_encoding", default=None)


@contextlib.contextmanager
def command_inputs() -> Iterator[list[Path]]:
    """Remember the input files opened while the block runs (one command), to refuse writing over them;
    an encoding set with `use_encoding` inside the block lasts until it ends."""
    token = _INPUTS.set([])
    encoding_token = _ENCODING.set(None)
    try:
        yield _INPUTS.get() or []
    finally:
        _ENCODING.reset(encoding_token)
        _INPUTS.reset(token)


def use_encoding(encoding: str | None) -> None:
    """Decode every input file of the current command as `encoding` unless a reader names another."""
    if encoding is not None:
        check_encoding(encoding)
    _ENCODING.set(encoding)


def note_inputs(*paths: str | Path | None) -> None:
    """Declare input files before they are opened (a command checks its outputs first)."""
    inputs = _INPUTS.get()
    if inputs is None:
        return
    for path in paths:
        if path is not None and str(path) != STDIN:
            inputs.append(Path(path))


def release_input(path: str | Path) -> None:
    """Let the current command write `path` although it read it: the one file that is both (the answers
    file an interview resumes from and saves back to)."""
    inputs = _INPUTS.get()
    if inputs is not None:
        inputs[:] = [p for p in inputs if not _same_file(p, Path(path))]


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


def refuse_input_overwrite(target: str | Path, allowed: str | Path | None = None) -> None:
    """Raise OutputIsInputError if `target` is (or lies inside a folder that is) not allowed: one of the
    current command's inputs. `allowed` names an input the command may replace on purpose (the answers
    file an interview resumes from is its own save file)."""
    if str(target) == STDIN:
        return
    path = Path(target)
    for source in _INPUTS.get() or []:
        if allowed is not None and _same_file(source, Path(allowed)):
            continue
        if _same_file(path, source):
            raise OutputIsInputError(str(target), str(source))


# ----------------------------------------------------------------------------- opening an input


def check_encoding(encoding: str | None) -> str:
    """The codec to decode with: `encoding`, or UTF-8 (a byte-order mark is skipped)."""
    name = (encoding or _ENCODING.get() or DEFAULT_ENCODING).strip()
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        raise UnknownEncodingError(name) from None
    return "utf-8-sig" if codec in ("utf-8", "utf-8-sig") else codec


def encoding_label(codec: str) -> str:
    return "UTF-8" if codec.startswith("utf-8") else codec


def open_input(path: str | Path) -> IO[bytes]:
    """Open an input file for reading bytes, or stdin for `-`; the one place inputs are opened."""
    if str(path) == STDIN:
        return sys.stdin.buffer
    target = Path(path)
    label = str(path)
    if target.is_dir():
        raise InputFileError(label, "is a folder, not a file")
    try:
        handle = target.open("rb")
    except FileNotFoundError:
        raise InputFileError(label, "no such file") from None
    except PermissionError:
        raise InputFileError(label, "cannot read the file (permission denied)") from None
    except OSError as exc:
        raise InputFileError(label, f"cannot read the file ({exc.strerror or exc})") from None
    note_inputs(target)
    return handle


def decode_input(data: bytes, label: str, encoding: str | None = None) -> str:
    """`data` as text in `encoding` (UTF-8 by default); InputEncodingError names the line of the first bad byte."""
    codec = check_encoding(encoding)
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputEncodingError(label, encoding_label(codec), line, data[exc.start]) from None


def read_input_bytes(path: str | Path) -> bytes:
    handle = open_input(path)
    try:
        return handle.read()
    except OSError as exc:
        raise InputFileError(str(path), f"cannot read the file ({exc.strerror or exc})") from None
    finally:
        if handle is not sys.stdin.buffer:
            handle.close()


def read_input_text(path: str | Path, encoding: str | None = None) -> str:
    """The text of an input file (or stdin for `-`), decoded as `encoding` (UTF-8 by default)."""
    label = "<stdin>" if str(path) == STDIN else str(path)
    return decode_input(read_input_bytes(path), label, encoding)


# ----------------------------------------------------------------------------- YAML and JSON from users


def load_user_data(text: str, label: str, kind: str = "yaml") -> Any:
    """Parse a user's YAML (safe loading only) or JSON text; a syntax error, a key given twice, NaN or
    infinity is an InputSyntaxError naming `label` and the line."""
    return _load_json(text, label) if kind == "json" else _load_yaml(text, label)


def read_yaml_file(path: str | Path, kind: str = "file", encoding: str | None = None) -> Any:
    """Read and parse a user's YAML file (answers, column mappings, questionnaires) through the one
    input opener and the strict loader. `kind` is kept for callers that name what they read."""
    del kind
    return load_user_data(read_input_text(path, encoding), str(path), "yaml")


def _yaml_loader() -> Any:
    import yaml

    class UserLoader(yaml.SafeLoader):
        """SafeLoader that refuses a key given twice in one mapping, and NaN or infinity."""

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen: dict[Any, int] = {}
            for key_node, _value in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                line = key_node.start_mark.line + 1
                try:
                    first = seen.get(key)
                except TypeError:
                    continue  # an unhashable key: SafeLoader reports it
                if first is not None:
                    raise _Located(line, f"the key {key!r} is given twice (lines {first} and {line}); keep one")
                seen[key] = line
            return super().construct_mapping(node, deep=deep)

        def construct_finite_float(self, node: Any) -> float:
            value = self.construct_yaml_float(node)
            if not math.isfinite(value):
                raise _Located(node.start_mark.line + 1, f"{node.value} is not a finite number; NaN and "
                                                        "infinity are never valid")
            return float(value)

    UserLoader.add_constructor("tag:yaml.org,2002:float", UserLoader.construct_finite_float)
    return UserLoader


class _Located(Exception):
    def __init__(self, line: int | None, problem: str) -> None:
        super().__init__(problem)
        self.line = line
        self.problem = problem


def _load_yaml(text: str, label: str) -> Any:
    import yaml

    try:
        return yaml.load(text, Loader=_yaml_loader())
    except _Located as exc:
        raise InputSyntaxError(label, exc.line, exc.problem) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "not valid YAML"
        if exc.context and exc.problem and exc.context_mark is not None:
            problem += f" ({exc.context} at line {exc.context_mark.line + 1})"
        if mark is None:
            raise InputSyntaxError(label, None, f"not valid YAML: {problem}") from None
        raise InputSyntaxError(label, mark.line + 1, f"column {mark.column + 1}: not valid YAML: {problem}") from None
    except yaml.YAMLError as exc:  # reader errors (control characters) carry no line
        raise InputSyntaxError(label, None, f"not valid YAML: {_first_line(exc)}") from None
    except RecursionError:
        raise InputSyntaxError(label, None, "nested too deeply to be a real file") from None


def _first_line(exc: BaseException) -> str:
    return str(exc).replace('in "<unicode string>", ', "").splitlines()[0]


_NON_FINITE = ("NaN", "Infinity", "-Infinity")


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def _load_json(text: str, label: str) -> Any:
    """json with hooks on the pure-Python scanner: it knows where every value starts, so a key given
    twice and NaN / Infinity (which json.loads accepts) are reported with their lines."""
    whitespace = json.decoder.WHITESPACE.match  # type: ignore[attr-defined]

    def checked(scan: Callable[[str, int], Any], s: str, idx: int) -> Any:
        for word in _NON_FINITE:
            if s.startswith(word, idx):
                raise _Located(_line_of(s, idx), f"{word} is not a finite number; NaN and infinity are never valid")
        value, end = scan(s, idx)
        if isinstance(value, float) and not math.isfinite(value):
            raise _Located(_line_of(s, idx), f"{s[idx:end]} is not a finite number")
        return value, end

    def parse_object(s_and_end: tuple[str, int], strict: bool, scan_once: Any, object_hook: Any,
                     object_pairs_hook: Any, memo: Any = None, _w: Any = whitespace) -> tuple[dict[str, Any], int]:
        starts: list[int] = []

        def recording(s: str, idx: int) -> Any:
            starts.append(idx)
            return checked(scan_once, s, idx)

        pairs, end = json.decoder.JSONObject(s_and_end, strict, recording, None, list, memo, _w)  # type: ignore[attr-defined]
        seen: dict[str, int] = {}
        for (key, _), start in zip(pairs, starts, strict=False):
            line = _line_of(s_and_end[0], start)
            if key in seen:
                raise _Located(line, f"the key {key!r} is given twice (lines {seen[key]} and {line}); keep one")
            seen[key] = line
        return dict(pairs), end

    def parse_array(s_and_end: tuple[str, int], scan_once: Any, _w: Any = whitespace) -> tuple[list[Any], int]:
        return json.decoder.JSONArray(s_and_end, lambda s, i: checked(scan_once, s, i), _w)  # type: ignore[attr-defined]

    decoder = json.JSONDecoder()
    decoder.parse_object = parse_object  # type: ignore[attr-defined]
    decoder.parse_array = parse_array  # type: ignore[attr-defined]
    decoder.memo = {}  # type: ignore[attr-defined]
    scan = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    start = whitespace(text, 0).end()
    try:
        value, end = checked(scan, text, start)
        end = whitespace(text, end).end()
        if end != len(text):
            raise _Located(_line_of(text, end), "extra data after the JSON value")
        return value
    except _Located as exc:
        raise InputSyntaxError(label, exc.line, exc.problem) from None
    except StopIteration as exc:
        raise InputSyntaxError(label, _line_of(text, int(exc.value)), "not valid JSON: expecting a value") from None
    except json.JSONDecodeError as exc:
        raise InputSyntaxError(label, exc.lineno, f"column {exc.colno}: not valid JSON: {exc.msg}") from None
    except RecursionError:
        raise InputSyntaxError(label, None, "nested too deeply to be a real file") from None


"""The one root exception of advisor and its documented subclasses."""

from __future__ import annotations

from dataclasses import dataclass


class AdvisorError(Exception):
    """Root of every error advisor raises on purpose. The CLI turns it into a message and exit code."""

    exit_code = 1


class UsageError(AdvisorError):
    """Raised for a bad option, an unreadable or unusable input file: the CLI exits 2."""

    exit_code = 2


@dataclass(frozen=True)
class FieldProblem:
    """One problem with one field of a profile: which field, what value, what is wrong."""

    field: str
    value: object
    message: str
    row: int | None = None

    def __str__(self) -> str:
        where = f"row {self.row}: " if self.row is not None else ""
        return f"{where}{self.field}={self.value!r}: {self.message}"


class ProfileError(UsageError):
    """Raised when a workload profile does not validate; lists every problem, not just the first."""

    def __init__(self, problems: list[FieldProblem], source: str = "profile") -> None:
        self.problems = problems
        self.source = source
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{source}: {len(problems)} problem(s) in the workload profile:\n{lines}")


class KnowledgeBaseError(AdvisorError):
    """Raised when a file under models/ is missing, malformed or refers to an unknown fact."""


class OutputExistsError(UsageError):
    """Raised when an output file exists and --force was not given."""


class InputFileError(UsageError):
    """Raised by advisor.files when an input file is missing, a folder or unreadable; the message
    names the path and says which, in the same words for every command."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


class InputEncodingError(InputFileError):
    """Raised when an input file is not text in the expected encoding; the CLI adds how to name
    the file's encoding. `encoding` is the one tried, `line` the line of the first bad byte."""

    def __init__(self, path: str, encoding: str, line: int, byte: int, near: bool = False) -> None:
        self.encoding = encoding
        self.line = line
        self.byte = byte
        where = f"near line {line}, at" if near else f"line {line} holds"
        super().__init__(path, f"not valid {encoding} text ({where} the byte 0x{byte:02x})")


class UnknownEncodingError(UsageError):
    """Raised when the encoding asked for is not one Python knows."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        super().__init__(f"{encoding!r} is not a known text encoding (try utf-8, latin-1 or cp1252)")


class InputSyntaxError(UsageError):
    """Raised when a user's YAML or JSON file cannot be read as data: a syntax error, a key given twice,
    NaN or infinity. The message names the file and the line."""

    def __init__(self, path: str, line: int | None, problem: str) -> None:
        self.path = path
        self.line = line
        self.problem = problem
        where = f"{path}, line {line}" if line is not None else path
        super().__init__(f"{where}: {problem}")


class NoFeasibleRuntimeError(UsageError):
    """Raised when a starter configuration is asked for the recommended runtime and none is feasible;
    the CLI says how to name one anyway."""


class OutputIsInputError(UsageError):
    """Raised when an output path is one of the command's own input files: advisor never writes over
    its input, whatever the force option says."""

    def __init__(self, path: str, input_path: str) -> None:
        self.path = path
        self.input_path = input_path
        same = "" if str(path) == str(input_path) else f" (the same file as {input_path})"
        super().__init__(f"{path}: is an input of this command{same}; write the results to another file")

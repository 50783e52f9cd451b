"""Every exception advisor raises on purpose, under one root, and the exit codes they map to.

Library code raises these and never names a command-line flag; the CLI (`advisor.cli.common`) turns
them into a message and the exit code of DESIGN.md:

| code | constant | when |
| --- | --- | --- |
| 0 | EXIT_OK | success |
| 1 | EXIT_INTERNAL | an unexpected internal error (`AdvisorError` itself, `KnowledgeBaseError`) |
| 2 | EXIT_USAGE | a bad option, an unreadable or unusable file (`UsageError` and its subclasses) |
| 3 | EXIT_INVALID_INPUT | finished, but some input rows or answers were invalid (results still written) |
| 130 | EXIT_INTERRUPTED | the user pressed Ctrl-C (`InterviewInterrupted`, or a KeyboardInterrupt) |
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_INVALID_INPUT = 3
EXIT_INTERRUPTED = 130


class AdvisorError(Exception):
    """Root of every error advisor raises on purpose. The CLI turns it into a message and exit code.

    `option` names the library parameter the user can change to fix it (`encoding`, `force`,
    `service`...); the CLI words it as its own flag, so library messages never name a flag.
    """

    exit_code = EXIT_INTERNAL
    option: str | None = None

    def __init__(self, *args: object, option: str | None = None) -> None:
        super().__init__(*args)
        if option is not None:
            self.option = option


class UsageError(AdvisorError):
    """Raised for a bad option, an unreadable or unusable input file: exit 2."""

    exit_code = EXIT_USAGE


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


class OutputExistsError(UsageError):
    """Raised before anything is written when an output file exists and the caller did not allow
    replacing it (the CLI says how: `--force`). `paths` lists every existing file."""

    option = "force"

    def __init__(self, paths: Sequence[Path | str], what: str = "file") -> None:
        self.paths = tuple(Path(p) for p in paths)
        self.what = what
        if len(self.paths) == 1:
            message = f"{self.paths[0]}: the {what} exists"
        else:
            listing = "\n".join(f"  - {path}" for path in self.paths)
            message = f"{len(self.paths)} {what}s exist and would be replaced\n{listing}"
        super().__init__(message)


class KnowledgeBaseError(AdvisorError):
    """Raised when a file under models/ is missing, malformed or refers to an unknown fact (a bug: exit 1)."""


class QuestionnaireError(UsageError):
    """Raised when a questionnaire file cannot be read or does not validate; lists every problem."""

    def __init__(self, source: str, problems: Sequence[object]) -> None:
        self.source = source
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{source}: {len(problems)} problem(s) in the questionnaire:\n{lines}")


class AnswersError(UsageError):
    """Raised when answers cannot make a profile at all (a required answer is missing or invalid
    and its question has no default); lists every problem with the answers."""

    def __init__(self, source: str, problems: Sequence[object]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{source}: {len(problems)} problem(s) in the answers, and without a required answer "
                         f"there is no profile:\n{lines}")


class InterviewInterrupted(AdvisorError):
    """Ctrl-C (or end of input) during the interview; carries the answers given so far (exit 130)."""

    exit_code = EXIT_INTERRUPTED

    def __init__(self, answer_set: Any) -> None:
        super().__init__("interview interrupted")
        self.answer_set = answer_set


class ModelFileError(AdvisorError):
    """Raised when a model file is missing pieces, is not advisor's JSON model format, or is a pickle."""

    exit_code = EXIT_USAGE


class UnquotedUserTextError(AdvisorError):
    """Raised when a template renders profile text without saying how to quote it (a bug in a template)."""


class UnitError(ValueError):
    """A value that is not a number with a known unit (caught by the profile parser, which reports the field)."""


class YamlReadError(ValueError):
    """A descriptor document that is not readable YAML; the message names the line (the importers report the file)."""


class UnknownRegionError(UsageError):
    """Raised for an AWS Region the advisor has no prices for; the message lists the Regions it knows."""


class PriceListError(UsageError):
    """Raised when an AWS Price List offer file cannot be read or used."""


class PriceListUnreachable(PriceListError):
    """Raised when the AWS Price List cannot be downloaded (the machine may be offline)."""


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

    option = "runtime"


class OutputIsInputError(UsageError):
    """Raised when an output path is one of the command's own input files: advisor never writes over
    its input, whatever the force option says."""

    def __init__(self, path: str, input_path: str) -> None:
        self.path = path
        self.input_path = input_path
        same = "" if str(path) == str(input_path) else f" (the same file as {input_path})"
        super().__init__(f"{path}: is an input of this command{same}; write the results to another file")

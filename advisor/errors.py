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


class UnknownRegionError(UsageError):
    """Raised for an AWS Region the advisor has no prices for; the message lists the Regions it knows."""


class PriceListError(UsageError):
    """Raised when an AWS Price List offer file cannot be read or used."""


class PriceListUnreachable(PriceListError):
    """Raised when the AWS Price List cannot be downloaded (the machine may be offline)."""

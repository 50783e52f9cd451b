"""What every command module shares: error handling, exit codes, runtime-id parsing.

Feature modules (`advisor/cli_*.py`) import from here, never from `advisor.cli.app`, so that importing
one of them on its own cannot go round in a circle.
"""

from __future__ import annotations

import functools
import traceback
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer
from typer.exceptions import TyperException

from advisor import RUNTIMES
from advisor.errors import (
    EXIT_INTERRUPTED,
    AdvisorError,
    InputEncodingError,
    OutputIsInputError,
    UnknownEncodingError,
)
from advisor.files import command_inputs

STATE = {"debug": False}
"""Global options set by the root callback (`--debug`)."""
F = TypeVar("F", bound=Callable[..., Any])


def _help_shows_metavars_not_types() -> None:
    """typer's rich help prints a Python type after every flag (`<bool>`, which its plain help does not:
    a flag takes no value) and after every argument (`<str>`) even where a metavar names it. Show
    nothing there for flags and for arguments with a metavar; options that take a value declare one."""
    from typer.core import TyperArgument, TyperOption

    option_type = TyperOption.display_type_rich
    if getattr(option_type, "advisor_metavars", False):
        return
    argument_type = TyperArgument.display_type_rich

    def option_display_type(self: TyperOption, ctx: Any) -> str | None:
        return None if self.is_flag else option_type(self, ctx)

    def argument_display_type(self: TyperArgument, ctx: Any) -> str | None:
        return None if self.metavar is not None else argument_type(self, ctx)

    option_display_type.advisor_metavars = True  # type: ignore[attr-defined]
    TyperOption.display_type_rich = option_display_type  # type: ignore[method-assign]
    TyperArgument.display_type_rich = argument_display_type  # type: ignore[method-assign,assignment]


_help_shows_metavars_not_types()


def fail(message: str, code: int) -> typer.Exit:
    """Print `message` to stderr and return the Exit to raise."""
    typer.echo(f"advisor: {message}", err=True)
    return typer.Exit(code)


def handle_errors(command: F) -> F:
    """Turn library exceptions into a message and exit code; a traceback only with --debug."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with command_inputs():  # the files this command reads are never written over
                return command(*args, **kwargs)
        except (typer.Exit, TyperException):
            raise
        except AdvisorError as exc:
            if STATE["debug"]:
                traceback.print_exc()
            raise fail(describe(exc), exc.exit_code) from None
        except KeyboardInterrupt:
            raise fail("interrupted", EXIT_INTERRUPTED) from None
        except BrokenPipeError:
            raise typer.Exit(0) from None
        except Exception as exc:
            if STATE["debug"]:
                raise
            raise fail(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)", 1) from None

    return wrapper  # type: ignore[return-value]


OPTION_HINTS = {"force": "use --force to replace it"}
"""How the CLI words the fix for a library error's `option`; otherwise "use --OPTION"."""


def flag(option: str) -> str:
    """The command-line flag for a library parameter name (`chunk_size` -> `--chunk-size`)."""
    return "--" + option.replace("_", "-")


def describe(exc: AdvisorError) -> str:
    """A library error's message, plus the flag that fixes it when the error names one."""
    message = str(exc) + _hint(exc)
    if exc.option:
        hint = OPTION_HINTS.get(exc.option, f"use {flag(exc.option)}")
        first, newline, rest = message.partition("\n")
        message = f"{first} ({hint}){newline}{rest}"
    return message


ERROR_HINTS: dict[type[AdvisorError], str] = {
    InputEncodingError: "; give the file's encoding with --encoding, for example --encoding latin-1",
    UnknownEncodingError: " (--encoding)",
    OutputIsInputError: " (--force never replaces an input)",
}
"""The CLI's words after a library message of these kinds: which option fixes it (the library names no flag)."""


def _hint(exc: AdvisorError) -> str:
    return next((hint for kind, hint in ERROR_HINTS.items() if isinstance(exc, kind)), "")


ENCODING_HELP = "Text encoding of the input file(s) (default utf-8; for example latin-1 or cp1252)."


def check_encoding_option(value: str | None) -> str | None:
    """typer callback for --encoding: an unknown encoding is a usage error before any file is read."""
    if value is None:
        return None
    from advisor.files import check_encoding

    try:
        check_encoding(value)
    except UnknownEncodingError as exc:
        message = f"--encoding {exc.encoding!r}: not a known text encoding (try utf-8, latin-1 or cp1252)"
        raise fail(message, 2) from None
    return value


def encoding_option() -> Any:
    """The --encoding option every command that reads a file declares."""
    return typer.Option("--encoding", metavar="ENCODING", help=ENCODING_HELP, callback=check_encoding_option)


# Options several commands share, declared once.
PricingOption = Annotated[str, typer.Option(
    "--pricing", metavar="on-demand|savings-1y|savings-3y",
    help="How compute is bought: on demand, or a 1- or 3-year Compute Savings Plan (no upfront).")]
RegionOption = Annotated[str | None, typer.Option(
    "--region", metavar="REGION", help="Price in this AWS Region (default: the profile's region, us-east-1).")]
PortfolioRegionOption = Annotated[str | None, typer.Option(
    "--region", metavar="REGION", help="Price in this AWS Region (default: each row's region, us-east-1).")]
FreeTierOption = Annotated[bool, typer.Option("--free-tier", help="Subtract the Lambda free tier from costs.")]
SetOption = Annotated[list[str] | None, typer.Option("--set", metavar="FIELD=VALUE",
                                                     help="Set or override a profile field (repeatable).")]


def normalise_runtime(value: str) -> str:
    """Accept `ecs-fargate` as well as `ecs_fargate`."""
    runtime = value.strip().lower().replace("-", "_")
    if runtime not in RUNTIMES:
        raise typer.BadParameter(f"{value!r} is not a runtime; use one of {', '.join(RUNTIMES)}")
    return runtime


def cost_choices(pricing: str, region: str | None) -> tuple[str, str | None]:
    """Validate --pricing and --region: an unknown one exits 2 naming the known choices."""
    from advisor.api import check_pricing, check_region
    from advisor.errors import UsageError

    try:
        check_pricing(pricing.strip().lower())
    except UsageError as exc:
        raise fail(f"--pricing {pricing!r}: {exc}", 2) from None
    if region is not None:
        try:
            region = check_region(region)
        except UsageError as exc:
            raise fail(f"--region {region!r}: {exc} (`advisor prices update --region CODE` adds a Region "
                       "from the AWS Price List)", 2) from None
    return pricing.strip().lower(), region

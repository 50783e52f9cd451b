"""The command-line interface: a thin typer layer that parses options, calls the library and maps
its exceptions to a message and an exit code (0 ok, 1 internal error, 2 usage, 3 invalid input rows).

Heavy libraries (pandas, numpy, scikit-learn) are imported inside commands, never at start-up, so
`advisor --help` and `advisor runtimes` stay fast.
"""

from __future__ import annotations

from typing import Annotated

import typer

from advisor import __version__
from advisor.cli.common import STATE

app = typer.Typer(
    name="advisor",
    help="Where should this workload run on AWS: Lambda, ECS on Fargate, ECS on EC2 or EKS?",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"advisor {__version__}")
        raise typer.Exit(0)


@app.callback()
def root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for unexpected errors.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Where should this workload run on AWS: Lambda, ECS on Fargate, ECS on EC2 or EKS?"""
    STATE["debug"] = debug


# Feature modules that add their commands to `app`. Each exposes `register(app)` and imports its
# heavy dependencies inside the commands, so importing it here costs nothing at start-up.
FEATURE_MODULES: tuple[str, ...] = (
    "advisor.cli.recommend",
    "advisor.cli.runtimes",
    "advisor.cli.interview",
    "advisor.cli.profile",
    "advisor.cli.assess",
    "advisor.cli.model",
    "advisor.cli.scaffold",
    "advisor.cli.prices",
)


def _register_features() -> None:
    import importlib

    for module in FEATURE_MODULES:
        importlib.import_module(module).register(app)


_register_features()


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()

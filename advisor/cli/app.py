"""The command-line interface: a thin typer layer that parses options, calls the library and maps
its exceptions to a message and an exit code (0 ok, 1 internal error, 2 usage, 3 invalid input rows).

Heavy libraries (pandas, numpy, scikit-learn) are imported inside commands, never at start-up, so
`advisor --help` and `advisor runtimes` stay fast.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from advisor import __version__
from advisor.cli.common import (
    STATE,
    FreeTierOption,
    PricingOption,
    RegionOption,
    SetOption,
    cost_choices,
    encoding_option,
    fail,
    handle_errors,
    normalise_runtime,
)

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


@app.command()
@handle_errors
def recommend(
    profile: Annotated[str | None, typer.Argument(
        metavar="PROFILE",
        help="Profile (YAML or JSON), descriptor (compose, manifests, task definition, template) or -.")] = None,
    set_: SetOption = None,
    format_: Annotated[str | None, typer.Option(
        "--format", "-f", metavar="table|json|yaml|markdown",
        help="Output format (default: table on a terminal, json otherwise).")] = None,
    free_tier: FreeTierOption = False,
    pricing: PricingOption = "on-demand",
    region: RegionOption = None,
    service: Annotated[str | None, typer.Option(
        "--service", metavar="NAME", help="The workload to pick when PROFILE is a descriptor that holds several.")
    ] = None,
    encoding: Annotated[str | None, encoding_option()] = None,
) -> None:
    """Recommend a runtime for one workload profile, with reasons, blockers and costs.

    PROFILE may also be a docker-compose file, Kubernetes manifests, an ECS task definition or a
    SAM/CloudFormation template: advisor derives the profile from it (see `advisor profile from`).
    """
    from advisor.api import load_profile
    from advisor.api import recommend as recommend_profile
    from advisor.files import use_encoding
    from advisor.outputs.formats import OutputFormat, render

    use_encoding(encoding)
    fmt = _output_format(format_)
    if profile is None and not set_:
        raise fail("give a profile file, - for stdin, or --set field=value options", 2)
    pricing, region = cost_choices(pricing, region)
    loaded = load_profile(profile, [*(set_ or []), *([f"region={region}"] if region else [])], service=service)
    result = recommend_profile(loaded, free_tier=free_tier, pricing=pricing)
    if fmt is OutputFormat.table:
        from advisor.cli.table import to_table

        width = max(80, min(140, typer.get_terminal_size()[0] if sys.stdout.isatty() else 110))
        typer.echo(to_table(result, width=width, color=sys.stdout.isatty()), nl=False)
    else:
        typer.echo(render(result, fmt), nl=False)


def _output_format(value: str | None) -> Any:
    from advisor.outputs.formats import OutputFormat

    if value is None:
        return OutputFormat.table if sys.stdout.isatty() else OutputFormat.json
    try:
        return OutputFormat(value.strip().lower())
    except ValueError:
        raise fail(f"--format {value!r}: use one of {', '.join(f.value for f in OutputFormat)}", 2) from None


@app.command()
@handle_errors
def runtimes(
    runtime: Annotated[str | None, typer.Option("--runtime", "-r", metavar="RUNTIME",
                                                help="Only this runtime's facts.")] = None,
    region: Annotated[str | None, typer.Option(
        "--region", metavar="REGION", help="Show this Region's prices (default us-east-1).")] = None,
    format_: Annotated[str, typer.Option("--format", "-f", metavar="table|json",
                                         help="Output format.")] = "table",
) -> None:
    """Every limit, capability and price in the knowledge base, with its source and as-of date."""
    import json

    from advisor.api import price_files, region_prices
    from advisor.knowledge.base import format_fact

    kb = region_prices(region or "us-east-1")
    prefix = None
    if runtime:
        prefix = normalise_runtime(runtime)
    facts = kb.facts_for(prefix)
    if format_ == "json":
        typer.echo(json.dumps([{"key": f.key, "value": f.value, "unit": f.unit, "source": f.source, "url": f.url,
                                "as_of": f.as_of, "verified": f.verified, "note": f.note,
                                **({"borrowed_from": "us-east-1"} if f.key in kb.borrowed else {})}
                               for f in facts], indent=2, default=str))
        return
    if format_ != "table":
        raise fail(f"--format {format_!r}: use table or json", 2)
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(show_header=True, header_style="bold", show_lines=False, expand=True)
    for column in ("fact", "value", "source", "as of", "verified"):
        table.add_column(column, overflow="fold")
    for fact in facts:
        value = format_fact(fact)
        if fact.key == "price.ec2.instances":
            value = ", ".join(f"{e['type']} ${e['usd_hour']}/h" for e in fact.value)
        elif isinstance(fact.value, list) and fact.value and isinstance(fact.value[0], dict):
            value = "; ".join(", ".join(f"{k}={v}" for k, v in e.items()) for e in fact.value)
        table.add_row(escape(fact.key), escape(value[:300]), escape(f"{fact.source} {fact.url}".strip()),
                      fact.as_of, fact.verified + (" (us-east-1)" if fact.key in kb.borrowed else ""))
    console = Console(width=max(100, typer.get_terminal_size()[0]) if sys.stdout.isatty() else 160)
    console.print(table)
    summary = kb.summary()
    console.print(escape(f"Prices shown for {summary['region']} ({summary['name']}), as of {summary['as_of']}: "
                         f"{summary['source']}" + (f"; {len(kb.borrowed)} not bundled for this Region, us-east-1's "
                                                   "shown (marked 'us-east-1')" if kb.borrowed else "") + "."))
    for file in price_files():
        origin = (f"updated from AWS Price List offer files published {file.published}" if file.origin == "updated"
                  else "bundled")
        console.print(escape(f"Price file {file.path}: {file.region}, {origin}, as of {file.as_of}."))


# Feature modules that add their commands to `app`. Each exposes `register(app)` and imports its
# heavy dependencies inside the commands, so importing it here costs nothing at start-up.
FEATURE_MODULES: tuple[str, ...] = (
    "advisor.cli.report",
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

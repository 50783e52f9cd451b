"""`advisor runtimes`: every fact of the knowledge base, with its source and as-of date."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from advisor.cli.common import fail, handle_errors, normalise_runtime


def register(app: typer.Typer) -> None:
    """Add the `runtimes` command to the advisor CLI."""
    app.command(name="runtimes")(runtimes)


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

"""`advisor prices update`: read AWS Price List offer files and write Region price files later runs prefer."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from advisor.cli.common import fail, handle_errors

prices_app = typer.Typer(help="Prices by AWS Region: refresh them from the AWS Price List.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the `prices` command group to the advisor CLI."""
    app.add_typer(prices_app, name="prices")


@prices_app.command(name="update")
@handle_errors
def update(
    region: Annotated[list[str] | None, typer.Option(
        "--region", "-r", metavar="REGION",
        help="Region to update (repeatable; default: every Region in the --from files, or us-east-1).")] = None,
    from_: Annotated[Path | None, typer.Option(
        "--from", metavar="PATH",
        help="Offer files already downloaded (a JSON file or a folder of them) instead of downloading.")] = None,
    directory: Annotated[Path | None, typer.Option(
        "--dir", metavar="DIR",
        help="Where to write the price files (default: $ADVISOR_PRICES_DIR or ~/.local/share/advisor/prices).")
    ] = None,
) -> None:
    """Read AWS's public Price List offer files (no credentials needed) for Lambda, Fargate, EC2, EKS, load
    balancers, API Gateway, NAT gateways and public IPv4, and the Compute Savings Plans file (no-upfront
    rates for --pricing savings-1y / savings-3y), and write one price file per Region that later runs
    prefer over the bundled prices. Each file is dated by the offer files' publication date;
    `advisor runtimes` shows it.

    Without --from it downloads the offer files from pricing.us-east-1.amazonaws.com, or from the mirror
    named by $ADVISOR_PRICE_LIST_URL (same layout), through the service index and each offer's region
    index (the EC2 file for a Region is several hundred megabytes). Nothing is written unless every file
    was read.
    """
    from advisor.api import update_prices
    from advisor.errors import PriceListUnreachable

    try:
        written = update_prices(region or [], str(from_) if from_ else None, str(directory) if directory else None)
    except PriceListUnreachable as exc:
        raise fail(f"{exc}. Download the offer files on a machine that is online and pass them with --from PATH.",
                   exc.exit_code) from None
    for item in written:
        typer.echo(f"wrote {item.path}: {item.region}, {len(item.keys)} prices from offer files published "
                   f"{item.published}")
        if item.missing:
            typer.echo(f"  not in the offer files (bundled prices still used): {', '.join(item.missing)}")

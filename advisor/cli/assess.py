"""`advisor assess`: a whole portfolio (CSV, XLSX or Parquet) in one command; the work is in
advisor.portfolio."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from advisor.cli.common import (
    FreeTierOption,
    PortfolioRegionOption,
    PricingOption,
    cost_choices,
    encoding_option,
    fail,
    handle_errors,
)
from advisor.errors import EXIT_INVALID_INPUT, EXIT_USAGE


def register(app: typer.Typer) -> None:
    app.command("assess")(assess)


@handle_errors
def assess(
    input_: Annotated[str, typer.Argument(
        metavar="INPUT", help="Portfolio file: .csv/.tsv, .xlsx or .parquet; - reads CSV from stdin.")],
    out: Annotated[str, typer.Option("--out", "-o", metavar="FILE|-",
                                     help="Results file (csv, json, parquet or xlsx), - for stdout.")],
    format_: Annotated[str | None, typer.Option("--format", "-f", metavar="csv|json|parquet|xlsx",
                                                help="Results format (default: from the --out extension; "
                                                     "csv on stdout).")] = None,
    columns: Annotated[str | None, typer.Option("--columns", metavar="MAPPING.yaml",
                                                help="Map your export's column names and values onto "
                                                     "profile fields.")] = None,
    summary: Annotated[str | None, typer.Option("--summary", metavar="FILE",
                                                help="Write the portfolio summary (JSON) to FILE.")] = None,
    waves: Annotated[int | None, typer.Option("--waves", metavar="K",
                                              help="Plan K migration waves (default: chosen by silhouette).")] = None,
    encoding: Annotated[str | None, encoding_option()] = None,
    raw: Annotated[bool, typer.Option("--raw", help="Do not neutralise cells a spreadsheet would run as "
                                                    "formulas.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace existing output files.")] = False,
    free_tier: FreeTierOption = False,
    pricing: PricingOption = "on-demand",
    region: PortfolioRegionOption = None,
    chunk_size: Annotated[int, typer.Option("--chunk-size", metavar="N",
                                            help="Rows per chunk; memory grows with it.")] = 25_000,
    jobs: Annotated[int, typer.Option("--jobs", "-j", metavar="N",
                                      help="Worker processes for inputs over one chunk (0: one per CPU, "
                                           "at most 4).")] = 0,
    share_platform_costs: Annotated[bool, typer.Option(
        "--share-platform-costs/--no-share-platform-costs",
        help="Spread the hourly charge of one VPC's NAT gateways or endpoints over the rows (each pays 1/50), "
             "and in consolidation EKS control planes and load balancers over the workloads that share them.")
    ] = True,
    workloads_per_cluster: Annotated[int | None, typer.Option(
        "--workloads-per-cluster", metavar="N", help="Workloads sharing one EKS control plane (default 50).")] = None,
    workloads_per_load_balancer: Annotated[int | None, typer.Option(
        "--workloads-per-load-balancer", metavar="N",
        help="Services sharing one load balancer (default 50).")] = None,
    report: Annotated[str | None, typer.Option("--report", metavar="PATH",
                                               help="Also write a portfolio report (HTML).")] = None,
    scaffold: Annotated[str | None, typer.Option("--scaffold", metavar="DIR",
                                                 help="Also write a starter configuration per valid workload "
                                                      "under DIR.")] = None,
) -> None:
    """Assess every workload in a portfolio: one result row per input row, plus a portfolio summary."""
    from advisor.files import note_inputs, use_encoding
    from advisor.portfolio.assess import REPORT_ROW_CAP, AssessOptions
    from advisor.portfolio.consolidation import ConsolidationSettings
    from advisor.portfolio.writers import check_output_path

    pricing, region = cost_choices(pricing, region)
    use_encoding(encoding)
    note_inputs(input_, columns)

    if jobs < 0:
        raise fail(f"--jobs {jobs}: give 0 (automatic) or more", EXIT_USAGE)
    for option, value in (("--workloads-per-cluster", workloads_per_cluster),
                          ("--workloads-per-load-balancer", workloads_per_load_balancer)):
        if value is not None and value < 1:
            raise fail(f"{option} {value}: give at least 1", EXIT_USAGE)
    if report:
        check_output_path(report, force, "report file")
    options = AssessOptions(
        source=input_, out=out, format=format_, mapping=columns, summary=summary, waves=waves, encoding=encoding,
        raw=raw, force=force, free_tier=free_tier, pricing=pricing, region=region, chunk_size=chunk_size, jobs=jobs,
        report_rows=REPORT_ROW_CAP if report else 0, scaffold=scaffold is not None,
        consolidation=ConsolidationSettings.from_knowledge(share_platform_costs, workloads_per_cluster,
                                                           workloads_per_load_balancer),
    )
    previous_sigterm = _stop_on_sigterm()
    try:
        _run(options, report, scaffold)
    finally:
        if previous_sigterm is not None:
            import signal

            signal.signal(signal.SIGTERM, previous_sigterm)


def _run(options: Any, report: str | None, scaffold: str | None) -> None:
    from advisor.api import assess_portfolio
    from advisor.portfolio.summary import format_summary

    bar = _Progress() if sys.stderr.isatty() else None
    try:
        outcome = assess_portfolio(options, progress=bar.update if bar else None,
                                   note=lambda message: typer.echo(f"advisor: {message}", err=True))
    finally:
        if bar:
            bar.stop()
    table_to_stderr = options.out == "-" or options.summary == "-"
    typer.echo(format_summary(outcome.summary), nl=False, err=table_to_stderr)
    if report:
        _write_report(outcome, Path(report), options.force)
    if scaffold is not None:
        _write_starters(outcome.profiles, Path(scaffold), options.force)
        skipped = outcome.summary["by_runtime"]["none"]["count"]
        if skipped:
            typer.echo(f"advisor: no starter for {skipped:,} workload(s) that no runtime can run", err=True)
    if outcome.invalid:
        where = "" if options.out == "-" else f" in {options.out}"
        raise fail(f"{outcome.invalid:,} of {outcome.rows:,} rows are invalid: see the status and error "
                   f"columns{where}", EXIT_INVALID_INPUT)


def _write_report(outcome: Any, path: Path, force: bool) -> None:
    from advisor.outputs.reports import write_portfolio_report

    written = write_portfolio_report(outcome.report_frame, outcome.summary, path, force=force,
                                     name_column=outcome.name_column)
    typer.echo(f"advisor: wrote the portfolio report {written}", err=True)


def _write_starters(profiles: list[Any], folder: Path, force: bool) -> None:
    from advisor.api import write_starters

    written = write_starters(profiles, folder, force=force)
    typer.echo(f"advisor: wrote {len(written):,} starter configuration(s) under {folder}", err=True)


def _stop_on_sigterm() -> Any:
    """Turn SIGTERM into KeyboardInterrupt so temporary files are removed as for Ctrl-C.

    Returns the previous handler (to restore), or None when not on the main thread.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, interrupt)


class _Progress:
    """A rich progress bar on stderr with rows per second; started on the first update."""

    def __init__(self) -> None:
        self._progress: Any = None
        self._task: Any = None

    def update(self, rows: int, done: int | None, total: int | None) -> None:
        if self._progress is None:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(TextColumn("assessing"), BarColumn(), TextColumn("{task.fields[rows]} rows"),
                                      TextColumn("{task.fields[rate]} rows/s"), TimeElapsedColumn(),
                                      console=Console(stderr=True), transient=True)
            self._progress.start()
            self._task = self._progress.add_task("assess", total=total or None, rows="0", rate="-")
        elapsed = self._progress.tasks[0].elapsed or 0.0
        rate = f"{rows / elapsed:,.0f}" if elapsed > 0 else "-"
        self._progress.update(self._task, completed=done or 0, rows=f"{rows:,}", rate=rate)

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()

"""The `table` output format: a recommendation drawn for a terminal with rich."""

from __future__ import annotations

import io

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from advisor import AXES, RUNTIME_LABELS
from advisor.engine.explain import Recommendation
from advisor.outputs.formats import extra_sections, headline
from advisor.profile.units import format_usd


def to_table(rec: Recommendation, width: int = 110, color: bool = False) -> str:
    """A readable terminal table with the explanation (rich), as text."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=color, color_system="standard" if color else None,
                      highlight=False)
    console.print(f"[bold]{escape(headline(rec))}[/bold]")
    table = Table(show_header=True, header_style="bold")
    for column, justify in (("#", "right"), ("runtime", "left"), ("feasible", "left"), ("score", "right"),
                            *((axis, "right") for axis in AXES), ("$/month", "right")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for place, result in enumerate(rec.ranking, start=1):
        table.add_row(str(place), RUNTIME_LABELS[result.runtime], "yes" if result.feasible else "[red]no[/red]",
                      f"{result.score:.3f}", *(f"{result.axes[a]:.2f}" for a in AXES),
                      format_usd(result.monthly_cost_usd))
    console.print(table)
    for result in rec.ranking:
        console.print(f"\n[bold]{RUNTIME_LABELS[result.runtime]}[/bold]"
                      + (f"  ({escape(result.sizing)})" if result.sizing else ""))
        for blocker in result.blockers:
            console.print(f"  [red]✗ {escape(blocker.message)}[/red]")
            for citation in blocker.see_also:
                console.print(f"    [dim]see also: {escape(citation)}[/dim]")
        for caution in result.cautions:
            console.print(f"  [yellow]! {escape(caution)}[/yellow]")
        for reason in result.reasons:
            console.print(f"  • {escape(reason)}")
    for title, items in extra_sections(rec):
        console.print(f"\n[bold]{escape(title)}[/bold]")
        for item in items:
            console.print(f"  • {escape(item)}")
    if rec.assumed_defaults:
        console.print(f"\nAssumed defaults: {escape(', '.join(rec.assumed_defaults))}")
    return buffer.getvalue()



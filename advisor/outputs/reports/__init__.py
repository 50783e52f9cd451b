"""Decision reports: a self-contained HTML page or a Markdown decision record for one workload.

Shared pieces for every report kind: `environment` (the one Jinja2 factory), `charts` (inline SVG),
atomic, no-overwrite writes through `advisor.files`, and the stylesheet in templates/reports/report.css.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from advisor.engine.explain import Recommendation
    from advisor.engine.scoring import BlendTerms
    from advisor.profile.fields import WorkloadProfile

from advisor.outputs.reports.portfolio import write_portfolio_report

__all__ = ["write_portfolio_report", "write_report"]


def write_report(recommendation: Recommendation, profile: WorkloadProfile, out: Path, force: bool = False,
                 starter_files: Sequence[Path] = (), blend: BlendTerms | None = None) -> list[Path]:
    """Write the report for one workload to `out`: HTML for .html/.htm, a Markdown record for .md.

    A Markdown record gets its charts beside it as `<stem>.<chart>.svg`. Returns the files written.
    Raises UsageError for another suffix or a missing folder and OutputExistsError when a file
    exists and `force` is off (before anything is written). `blend` is the learned calibration as
    numbers (`advisor.api.write_report` plugs it in): the HTML page's priority sliders need it whenever
    the recommendation was scored with the blend, and are left out without it.
    """
    from advisor.files import check_output_files, write_files
    from advisor.outputs.reports.single import build_files

    out = Path(out)
    if out.suffix.lower() in (".html", ".htm", ".md"):
        from advisor.outputs.reports.single import chart_file_names

        planned = [out, *(chart_file_names(out).values() if out.suffix.lower() == ".md" else ())]
        check_output_files(planned, force, "report file")  # refuse before the (slower) rendering starts
    files = build_files(recommendation, profile, out, starter_files, blend=blend)
    return write_files(files, force, "report file")

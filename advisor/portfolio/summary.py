"""The portfolio summary: counts, costs and the needs-review list, built as chunks arrive with flat memory."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from advisor import RUNTIMES

if TYPE_CHECKING:
    import numpy as np

    from advisor.portfolio.consolidation import ConsolidationSettings
from advisor.portfolio.chunks import NEEDS_REVIEW_CAP, ChunkResult

SCHEMA_VERSION = 1




# --------------------------------------------------------------------------------------- summary


class SummaryBuilder:
    """Adds up each chunk's part of the portfolio summary; `finish` runs consolidation and waves."""

    def __init__(self, settings: ConsolidationSettings) -> None:
        import numpy as np

        from advisor.portfolio.consolidation import ConsolidationAccumulator

        self.rows = self.valid = self.invalid = 0
        self.counts = np.zeros(len(RUNTIMES) + 1, dtype=np.int64)
        self.costs = np.zeros(len(RUNTIMES))
        self.histogram = np.zeros(10, dtype=np.int64)
        self.blockers: dict[str, dict[str, int]] = {rt: {} for rt in RUNTIMES}
        self.review: list[dict[str, Any]] = []
        self.review_total = 0
        self.consolidation = ConsolidationAccumulator(settings)
        self._features: list[np.ndarray] = []
        self._names: list[str] = []
        self._recommendation: list[np.ndarray] = []
        self._confidence: list[np.ndarray] = []
        self.regions: dict[str, int] = {}

    def add(self, result: ChunkResult, names: list[str]) -> None:
        """Add one chunk's part; `names` are its rows' workload names (kept only for valid rows, for waves)."""
        import numpy as np

        valid = result.valid
        self.rows += result.n
        self.invalid += result.invalid
        self.valid += result.n - result.invalid
        recommendation = result.recommendation
        for k in range(len(RUNTIMES)):
            chosen = valid & (recommendation == k)
            self.counts[k] += int(chosen.sum())
            self.costs[k] += float(np.nansum(result.monthly[chosen, k]))
        self.counts[-1] += int((valid & (recommendation < 0)).sum())
        self.histogram += np.histogram(result.confidence[valid], bins=np.linspace(0.0, 1.0, 11))[0]
        for rt, by_constraint in result.blocker_counts.items():
            for constraint, count in by_constraint.items():
                self.blockers[rt][constraint] = self.blockers[rt].get(constraint, 0) + count
        room = NEEDS_REVIEW_CAP - len(self.review)
        self.review.extend(result.review[:max(room, 0)])
        self.review_total += result.review_total
        self.consolidation.add(result.consolidation)
        self._features.append(result.wave_features)
        self._names.extend(itertools.compress(names, valid.tolist()))
        self._recommendation.append(result.wave_recommendation)
        self._confidence.append(result.wave_confidence)
        for region, count in result.regions.items():
            self.regions[region] = self.regions.get(region, 0) + count

    def finish(self, waves: int | None) -> dict[str, Any]:
        import numpy as np

        from advisor.portfolio.waves import plan_waves

        by_runtime = {rt: {"count": int(self.counts[k]), "monthly_cost_usd": round(float(self.costs[k]), 2)}
                      for k, rt in enumerate(RUNTIMES)}
        by_runtime["none"] = {"count": int(self.counts[-1]), "monthly_cost_usd": 0.0}
        features = np.concatenate(self._features) if self._features else np.zeros((0, 1), dtype=np.float32)
        recommendation = np.concatenate(self._recommendation) if self._recommendation else np.zeros(0, np.int8)
        confidence = np.concatenate(self._confidence) if self._confidence else np.zeros(0, np.float32)
        wave_plan = plan_waves(features, recommendation, confidence, self._names, k=waves)
        return {
            "schema_version": SCHEMA_VERSION,
            "rows": self.rows,
            "valid": self.valid,
            "invalid": self.invalid,
            "by_runtime": by_runtime,
            "total_monthly_cost_usd": round(float(self.costs.sum()), 2),
            "needs_review": self.review,
            "needs_review_total": self.review_total,
            "blockers": {rt: dict(sorted(c.items())) for rt, c in self.blockers.items()},
            "consolidation": self.consolidation.result(),
            "waves": wave_plan,
            "confidence_histogram": {"bins": [round(i / 10, 1) for i in range(11)],
                                     "counts": [int(c) for c in self.histogram]},
            "pricing": "on-demand",  # the pipeline sets the run's pricing
            "regions": dict(sorted(self.regions.items())),
        }


def format_summary(summary: dict[str, Any]) -> str:
    """The portfolio summary as a short plain-text table."""
    lines = [f"Portfolio: {summary['rows']:,} rows, {summary['valid']:,} assessed, {summary['invalid']:,} invalid",
             ""]
    runtimes = [[runtime, f"{entry['count']:,}", f"{entry['monthly_cost_usd']:,.2f}"]
                for runtime, entry in summary["by_runtime"].items()]
    runtimes.append(["total", f"{summary['valid'] - summary['by_runtime']['none']['count']:,}",
                     f"{summary['total_monthly_cost_usd']:,.2f}"])
    lines += _aligned([("runtime", 14), ("workloads", 10), ("monthly USD", 16)], runtimes)
    regions = ", ".join(f"{region} ({count:,})" for region, count in (summary.get("regions") or {}).items())
    lines.append(f"Priced {summary.get('pricing', 'on-demand')}" + (f" in {regions}" if regions else ""))
    sets = [[f"{entry['k']}: {' + '.join(entry['runtimes'])}", f"{entry['fit_loss']:.3f}",
             f"{entry['monthly_cost_usd']:,.2f}", f"{entry['cost_change_usd']:+,.2f}", f"{entry['unserved_count']:,}"]
            for entry in summary["consolidation"]]
    lines.append("")
    lines += _aligned([("standardise on", 40), ("fit loss", 9), ("monthly USD", 15), ("change USD", 13),
                       ("unserved", 10)], sets)
    waves = summary["waves"]
    lines += ["", f"Migration waves: {waves['k']} ({waves['criterion']})"]
    for wave in waves["waves"]:
        traits = "; ".join(wave["traits"]) or "mixed"
        noun = "workload" if wave["size"] == 1 else "workloads"
        lines.append(f"  {wave['wave']}. {wave['size']:,} {noun}, mostly {wave['dominant_runtime']}, "
                     f"mean confidence {wave['mean_confidence']:.2f}: {traits}")
    if summary["needs_review_total"]:
        total = summary["needs_review_total"]
        lines += ["", f"Needs review: {total:,} workload{'' if total == 1 else 's'} (invalid, low confidence, no "
                      "feasible runtime, duplicate name or inputs that disagree); listed in the summary file"]
    return "\n".join(lines) + "\n"


def _aligned(columns: list[tuple[str, int]], rows: list[list[str]]) -> list[str]:
    """Header and rows: the first column left-aligned, the others right-aligned, each at least its given
    width and wide enough that its widest cell keeps two spaces before it (costs can run to billions)."""
    widths = [max(width, *(len(row[index]) + (2 if index else 0) for row in rows), len(title))
              for index, (title, width) in enumerate(columns)]

    def line(cells: list[str]) -> str:
        return cells[0].ljust(widths[0]) + "".join(cell.rjust(width) for cell, width in zip(cells[1:], widths[1:],
                                                                                           strict=True))

    return [line([title for title, _ in columns]), *(line(row) for row in rows)]

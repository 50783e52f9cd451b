"""Inputs that contradict each other: a profile whose numbers cannot all be true (output `input_warnings`).

Each value may be valid on its own while the profile is impossible as a whole: an average run longer
than the longest one, or a monthly volume that keeps more requests in flight on average than the stated
peak. The engine still scores such a profile as given (limits read `max_duration_s`, cost reads the
volume), so the answer rests on a number that is probably wrong; these checks say which fields disagree.
Only fields the profile gives are compared (an assumed default never contradicts a given value).
Vectorised over a frame: `assess` checks a whole chunk at once, `recommend` its one row.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import numpy as np

from advisor.engine.feasibility import format_value
from advisor.knowledge.base import knowledge

if TYPE_CHECKING:
    import pandas as pd

PREFIX = "inputs disagree: "
"""Every message starts with this, so a portfolio row's warning column can be searched for them."""


def disagreements(frame: pd.DataFrame) -> dict[int, list[str]]:
    """Messages by row position for the rows whose given inputs contradict each other."""
    kb = knowledge()
    avg_s = frame["avg_duration_ms"].to_numpy(dtype=float) / 1000.0
    max_s = frame["max_duration_s"].to_numpy(dtype=float)
    requests = frame["requests_per_month"].to_numpy(dtype=float)
    peak = frame["peak_concurrency"].to_numpy(dtype=float)
    in_flight = requests * avg_s / (kb.number("assume.hours_per_month") * 3600.0)
    tolerance = kb.number("assume.in_flight_over_peak_tolerance")
    with np.errstate(invalid="ignore"):
        longer_than_max = avg_s > max_s
        above_peak = in_flight > peak * tolerance + 1.0
    found: dict[int, list[str]] = {}
    flagged = np.flatnonzero(longer_than_max | above_peak)
    if not len(flagged):
        return found
    missing_lists = frame["assumed_defaults"].to_numpy(dtype=object)[flagged].tolist()  # fields not given
    for position, missing, longer, above, avg, longest, volume, flight, top in zip(
            flagged.tolist(), missing_lists, longer_than_max[flagged].tolist(), above_peak[flagged].tolist(),
            avg_s[flagged].tolist(), max_s[flagged].tolist(), requests[flagged].tolist(),
            in_flight[flagged].tolist(), peak[flagged].tolist(), strict=True):
        if longer and "avg_duration_ms" not in missing and "max_duration_s" not in missing:
            found.setdefault(position, []).append(_longer_than_max(avg, longest))
        if (above and "avg_duration_ms" not in missing and "requests_per_month" not in missing
                and "peak_concurrency" not in missing):
            found.setdefault(position, []).append(_above_peak(volume, avg, flight, top))
    return found


# Portfolios repeat the same few values, so each message is worded once per distinct set of them.
@functools.lru_cache(maxsize=4096)
def _longer_than_max(avg_s: float, max_s: float) -> str:
    return (f"{PREFIX}avg_duration_ms ({format_value('avg_duration_ms', avg_s * 1000.0)}) is longer than "
            f"max_duration_s ({format_value('max_duration_s', max_s)}); an average run cannot outlast the "
            "longest. Limits read max_duration_s and cost reads avg_duration_ms: check both.")


@functools.lru_cache(maxsize=4096)
def _above_peak(requests: float, avg_s: float, in_flight: float, peak: float) -> str:
    return (f"{PREFIX}{format_value('requests_per_month', requests)} requests a month lasting "
            f"{format_value('avg_duration_ms', avg_s * 1000.0)} on average keep about {in_flight:,.0f} in flight "
            f"at any moment, more than peak_concurrency ({peak:,.0f}); a peak cannot be below the average. "
            "Cost follows the volume: check requests_per_month, avg_duration_ms and peak_concurrency.")


def provider(profile: Any, scored: Any, recommendation: Any) -> dict[str, Any]:
    """Extra top-level output field `input_warnings`, present only when some inputs disagree."""
    messages = disagreements(scored.frame).get(0, [])
    return {"input_warnings": messages} if messages else {}

"""One chunk of a portfolio: validate its rows into a profile frame, score it in one vectorised pass and
serialise the result rows (in a worker process when the input spans several chunks)."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from advisor import RUNTIMES
from advisor.engine.consistency import PREFIX as DISAGREE
from advisor.engine.explain import confidence_thresholds
from advisor.errors import FieldProblem

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from advisor.engine.scoring import BlendParts
    from advisor.profile.fields import WorkloadProfile
from advisor.portfolio.mapping import RESULT_COLUMNS, ColumnPlan, value_key
from advisor.portfolio.sources import _NUMBER
from advisor.portfolio.writers import ResultFormat

NEEDS_REVIEW_CAP = 500


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# --------------------------------------------------------------------------------------- one chunk


@dataclass(frozen=True)
class ChunkContext:
    """What every chunk needs to know; sent once to each worker process."""

    plan: ColumnPlan
    free_tier: bool
    format: ResultFormat
    raw: bool
    report_rows: int
    scaffold: bool
    blend: BlendParts | None = None
    pricing: str = "on-demand"
    region: str | None = None  # prices every row in this Region (the run-wide Region)
    shared_vpc: bool = True  # the rows' container workloads share one VPC's NAT gateways or endpoints


_CELL_END, _ROW_END = "\x1f", "\x1e"  # ASCII unit and record separators


@dataclass
class ChunkTask:
    rows: list[list[str]]
    first_row: int
    row_errors: dict[int, str]
    warnings: dict[int, str]

    def __getstate__(self) -> dict[str, Any]:
        """Sent to a worker as one string (rows of cells joined by separator characters) where no cell holds
        one: pickling and unpickling a single string costs a fraction of a list per row of cells."""
        state = dict(self.__dict__)
        rows = self.rows
        width = len(rows[0]) if rows else 0
        if width and all(len(row) == width for row in rows):
            try:
                text = _ROW_END.join([_CELL_END.join(row) for row in rows])
            except TypeError:  # a cell that is not text: send the rows as they are
                return state
            if text.count(_CELL_END) == len(rows) * (width - 1) and text.count(_ROW_END) == len(rows) - 1:
                state["rows"] = text
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        if isinstance(state["rows"], str):
            state["rows"] = [line.split(_CELL_END) for line in state["rows"].split(_ROW_END)]
        self.__dict__.update(state)


@dataclass
class ChunkResult:
    """One chunk's output (serialised for the target format) and its part of the portfolio summary."""

    n: int
    payload: Any
    invalid: int
    valid: np.ndarray
    recommendation: np.ndarray
    confidence: np.ndarray
    monthly: np.ndarray
    blocker_counts: dict[str, dict[str, int]]
    review: list[dict[str, Any]]
    review_total: int
    consolidation: Any
    wave_features: np.ndarray
    wave_recommendation: np.ndarray
    wave_confidence: np.ndarray
    report_frame: pd.DataFrame | None = None
    profiles: list[WorkloadProfile] = field(default_factory=list)
    regions: dict[str, int] = field(default_factory=dict)  # valid rows priced in each Region


def neutralise(text: str) -> str:
    """Prefix a text cell a spreadsheet would run as a formula with `'`; numbers such as -5 are left alone."""
    if text.startswith(FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


_CELL_START = re.compile(r"(?:^|\x00)[=+\-@\t\r]")
_LATER_CELL_START = re.compile(r"\x00[=+\-@\t\r]")  # a literal first character: re scans for it quickly


def _neutralise_rows(rows: list[list[str]]) -> None:
    cells = "\x00".join(map("\x00".join, rows))  # joined per row first: half the time of one long chain
    if not cells.startswith(FORMULA_START) and not _LATER_CELL_START.search(cells):
        return  # one C-level scan of the whole chunk; most chunks have nothing to fix
    for row in rows:
        if _CELL_START.search("\x00".join(row)):  # one C-level scan per row; most rows have nothing to fix
            for index, cell in enumerate(row):
                if cell.startswith(FORMULA_START):
                    row[index] = neutralise(cell)


def number_strings(values: np.ndarray, decimals: int, blank: np.ndarray) -> list[str]:
    """Each value as `f"{value:.{decimals}f}"` would write it; empty where `blank` or not finite.

    Formatting a float costs about half a microsecond and a chunk has nine number columns, but their
    values repeat (scores and costs come from few distinct inputs), so each distinct *rounded* value is
    formatted once. Rounding x as rint(x * 10**d) / 10**d gives the digits `%.{d}f` gives unless x * 10**d
    lies within a few units in the last place of a half-way point (where the multiplication's own rounding
    could tip it), is beyond 2**52 or rounds to a negative zero ("-0.00"): those few values are formatted
    from x itself. tests/test_assess_properties.py checks it against `%` formatting on half-way and random
    values.
    """
    import numpy as np

    values = np.asarray(values, dtype=np.float64)
    template = f"%.{decimals}f"
    strings = np.full(len(values), "", dtype=object)
    with np.errstate(invalid="ignore", over="ignore"):
        shown = ~np.asarray(blank, dtype=bool) & np.isfinite(values)
        scale = 10.0 ** decimals
        scaled = np.where(shown, values * scale, 0.0)
        rounded = np.rint(scaled)
        half_way = np.abs(np.abs(scaled - np.trunc(scaled)) - 0.5) <= 4 * np.abs(np.spacing(scaled))
        safe = shown & (np.abs(scaled) < 2.0 ** 52) & ~half_way & ~((rounded == 0) & np.signbit(values))
    distinct, inverse = np.unique(rounded[safe] / scale, return_inverse=True)
    strings[safe] = np.array(list(map(template.__mod__, distinct.tolist())), dtype=object)[inverse]
    for index in np.flatnonzero(shown & ~safe).tolist():
        strings[index] = template % float(values[index])
    return strings.tolist()


def assess_chunk(context: ChunkContext, task: ChunkTask) -> ChunkResult:
    """Validate, score and serialise one chunk of rows (runs in a worker process for big inputs)."""
    import numpy as np
    import pandas as pd

    from advisor.engine.consistency import disagreements
    from advisor.engine.feasibility import blocker_names
    from advisor.engine.scoring import score_frame
    from advisor.portfolio.consolidation import chunk_partial, platform_parts
    from advisor.portfolio.waves import wave_features
    from advisor.profile.frame import frame_row_to_profile, records_to_frame

    plan, rows, n = context.plan, task.rows, len(task.rows)
    by_column = list(zip(*rows, strict=True))  # one C-level transpose instead of a loop per column
    raw: dict[str, np.ndarray] = {}
    for index, field_name in plan.fields:
        column = by_column[index]
        value_map = plan.value_maps.get(field_name)
        if value_map:
            column = tuple(value_map.get(value_key(cell), cell) for cell in column)
        cells = np.empty(n, dtype=object)
        cells[:] = column
        raw[field_name] = cells
    del by_column
    # dtype=object: the cells stay Python strings (pandas would otherwise copy them into a string column
    # that records_to_frame only reads back).
    frame, problems = records_to_frame(pd.DataFrame(raw, index=pd.RangeIndex(n), dtype=object),
                                       first_row=task.first_row)
    _check_regions(frame, problems, context.region, task.first_row)
    scored = score_frame(frame, free_tier=context.free_tier, blend=context.blend, pricing=context.pricing,
                         shared_vpc=context.shared_vpc)
    first, second = scored.recommendation, scored.runner_up  # properties: work them out once

    valid = np.ones(n, dtype=bool)
    errors: list[str] = [""] * n
    field_index = dict((f, i) for i, f in plan.fields)
    for position, message in task.row_errors.items():
        valid[position] = False
        errors[position] = message
    for position, found in problems.items():
        valid[position] = False
        messages = [errors[position]] if errors[position] else []
        for problem in found:
            source_column = plan.column_of.get(problem.field, problem.field)
            where = f" (column {source_column!r})" if source_column != problem.field else ""
            original = rows[position][field_index[problem.field]] if problem.field in field_index else None
            if original is None or not original.strip():
                messages.append(f"{problem.field}{where}: {problem.message}")
            else:
                messages.append(f"{problem.field}={original!r}{where}: {problem.message}")
        errors[position] = "; ".join(messages)
    recommendation = np.where(valid, first, -1)
    runner_up = np.where(valid, second, -1)
    confidence = np.where(valid, scored.confidence, np.nan)
    invalid = ~valid
    blockers = {rt: blocker_names(scored.blocker_rules, scored.blocker_masks, rt) for rt in RUNTIMES}
    name_index = plan.name_index
    names = [row[name_index].strip() for row in rows]

    warnings = [task.warnings.get(i, "") for i in range(n)] if task.warnings else [""] * n
    notes: dict[int, list[str]] = {int(hit): ["no runtime is feasible: read blockers_* for the limits it breaks"]
                                   for hit in np.flatnonzero(valid & (first < 0))}
    for position, messages in disagreements(frame).items():
        if valid[position]:
            notes.setdefault(position, []).extend(messages)
    for position, added in notes.items():
        warnings[position] = "; ".join([warnings[position], *added] if warnings[position] else added)

    runtime_names = np.array([*RUNTIMES, ""], dtype=object)
    columns: dict[str, Any] = {
        "row": np.arange(task.first_row, task.first_row + n),
        "status": np.where(valid, "ok", "invalid").astype(object),
        "error": errors,
        "warning": warnings,
        "recommendation": runtime_names[recommendation],
        "runner_up": runtime_names[runner_up],
        "confidence": confidence,
    }
    payload = _serialise(context, rows, columns, scored, blockers, valid)
    report_frame = None
    if task.first_row <= context.report_rows:
        report_frame = _typed_frame(context, rows, columns, scored, blockers, valid)
    profiles: list[WorkloadProfile] = []
    if context.scaffold:
        runnable = valid & (first >= 0)  # a starter needs a runtime to start on
        profiles = [frame_row_to_profile(frame, int(i)) for i in np.flatnonzero(runnable)]

    # ---- this chunk's part of the summary (valid rows only)
    counts: dict[str, dict[str, int]] = {rt: {} for rt in RUNTIMES}
    for rule in scored.blocker_rules:
        counts[rule.runtime].setdefault(rule.constraint, 0)
    for rt in RUNTIMES:
        for constraint in counts[rt]:
            blocked = np.zeros(n, dtype=bool)
            for index, rule in enumerate(scored.blocker_rules):
                if rule.runtime == rt and rule.constraint == constraint:
                    blocked |= scored.blocker_masks[index]
            counts[rt][constraint] = int((blocked & valid).sum())
    review: list[dict[str, Any]] = []
    low_confidence = valid & (scored.confidence < confidence_thresholds()[0])
    flagged = np.flatnonzero(invalid | low_confidence | warnings_mask(warnings))
    for position in flagged[:NEEDS_REVIEW_CAP]:
        review.append({"row": int(task.first_row + position), "name": names[position],
                       "reason": _review_reason(int(position), valid, errors, warnings, scored.confidence,
                                                recommendation, runner_up)})
    variable, alb_user, nlb_user = platform_parts(frame, scored)
    consolidation = chunk_partial(valid, first, scored.score, scored.feasible, variable,
                                  alb_user, nlb_user, names)
    features = wave_features(frame, scored)
    return ChunkResult(
        n=n, payload=payload, invalid=int(invalid.sum()), valid=valid, recommendation=recommendation.astype(np.int8),
        confidence=confidence, monthly=scored.monthly_cost, blocker_counts=counts, review=review,
        review_total=len(flagged), consolidation=consolidation,
        wave_features=features[valid],
        wave_recommendation=recommendation[valid].astype(np.int8),
        wave_confidence=scored.confidence[valid].astype(np.float32),
        report_frame=report_frame, profiles=profiles,
        regions={str(k): int(v) for k, v in frame["region"][valid].value_counts().items()},
    )


def _check_regions(frame: pd.DataFrame, problems: dict[int, list[FieldProblem]], region: str | None,
                   first_row: int) -> None:
    """Apply a run-wide Region; a row whose Region has no prices is invalid (and scored at us-east-1's)."""
    import numpy as np

    from advisor.knowledge.prices import BASE_REGION, known_regions

    if region is not None:
        frame["region"] = region
    known = known_regions()
    unknown = ~frame["region"].isin(known).to_numpy()
    for position in np.flatnonzero(unknown).tolist():
        problems.setdefault(position, []).append(FieldProblem(
            "region", frame["region"].iat[position], f"no prices for this Region; known: {', '.join(known)}",
            first_row + position))
    if unknown.any():
        frame.loc[unknown, "region"] = BASE_REGION


def warnings_mask(warnings: list[str]) -> np.ndarray:
    """Rows whose warning needs a person: a repeated name, or inputs that disagree."""
    import numpy as np

    return np.array([w.startswith("duplicate name") or DISAGREE in w for w in warnings], dtype=bool)


def _review_reason(position: int, valid: np.ndarray, errors: list[str], warnings: list[str],
                   confidence: np.ndarray, recommendation: np.ndarray, runner_up: np.ndarray) -> str:
    if not valid[position]:
        return f"invalid: {errors[position]}"
    if recommendation[position] < 0:
        return "no runtime is feasible"
    warning = warnings[position]
    duplicate, disagree = warning.startswith("duplicate name"), DISAGREE in warning
    if (duplicate or disagree) and confidence[position] >= confidence_thresholds()[0]:
        return warning if disagree else warning.split(";")[0]
    first = RUNTIMES[int(recommendation[position])]
    second = RUNTIMES[int(runner_up[position])] if runner_up[position] >= 0 else "nothing"
    text = f"low confidence {confidence[position]:.2f}: {first} only narrowly ahead of {second}"
    return f"{warning}; {text}" if duplicate or disagree else text


def _serialise(context: ChunkContext, rows: list[list[str]], columns: dict[str, Any], scored: Any,
               blockers: dict[str, np.ndarray], valid: np.ndarray) -> Any:
    if context.format is ResultFormat.csv:
        return _csv_text(context, rows, columns, scored, blockers, valid)
    frame = _typed_frame(context, rows, columns, scored, blockers, valid)
    if context.format is ResultFormat.json:
        records = frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
        return ",\n".join(json.dumps(record, ensure_ascii=False) for record in records)
    if context.format is ResultFormat.parquet:
        import pyarrow as pa

        return pa.Table.from_pandas(frame, schema=_arrow_schema(context.plan), preserve_index=False)
    cells: list[list[Any]] = frame.astype(object).where(frame.notna(), None).to_numpy().tolist()
    if not context.raw:
        for record in cells:
            for index, cell in enumerate(record):
                if isinstance(cell, str) and cell.startswith(FORMULA_START):
                    record[index] = neutralise(cell)
    return cells


def _neutralised(texts: list[str], raw: bool) -> list[str]:
    return texts if raw else [neutralise(t) if t.startswith(FORMULA_START) else t for t in texts]


def _csv_text(context: ChunkContext, rows: list[list[str]], columns: dict[str, Any], scored: Any,
              blockers: dict[str, np.ndarray], valid: np.ndarray) -> str:
    import numpy as np

    invalid = ~valid
    out: list[list[str]] = [
        [str(v) for v in columns["row"].tolist()], columns["status"].tolist(),
        _neutralised(columns["error"], context.raw),
        _neutralised(columns["warning"], context.raw),
        columns["recommendation"].tolist(), columns["runner_up"].tolist(),
        number_strings(columns["confidence"], 3, invalid),
    ]
    feasible = scored.feasible
    for k in range(len(RUNTIMES)):
        out.append(np.where(invalid, "", np.where(feasible[:, k], "true", "false")).astype(object).tolist())
    for k in range(len(RUNTIMES)):
        out.append(number_strings(scored.score[:, k], 3, invalid))
    for k in range(len(RUNTIMES)):
        out.append(number_strings(scored.monthly_cost[:, k], 2, invalid))
    for rt in RUNTIMES:
        out.append(np.where(invalid, "", blockers[rt]).tolist())
    if not context.raw:
        _neutralise_rows(rows)
    for row, extra in zip(rows, zip(*out, strict=True), strict=True):
        row.extend(extra)
    return _csv_lines(rows)


def _csv_lines(rows: list[list[str]]) -> str:
    """The rows as csv.writer writes them (excel dialect), joining plainly every row it would not quote.

    The default CRLF line ending (RFC 4180) also makes csv quote cells holding a lone "\r" (Python 3.11
    quotes only characters of the line terminator), so every row reads back as one row. A row whose cells
    hold no delimiter, quote, line break or NUL is written by csv.writer exactly as ",".join(row): such
    rows (most of a portfolio) skip the writer; so do rows whose only special character is the delimiter
    (their cells holding one are quoted, as csv.writer does); any other row goes through it.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    lines: list[str] = []
    for row in rows:
        line = ",".join(row)
        if '"' in line or "\n" in line or "\r" in line or "\x00" in line or (len(row) == 1 and not line):
            writer.writerow(row)
            line = buffer.getvalue()[:-2]
            buffer.seek(0)
            buffer.truncate()
        elif line.count(",") != len(row) - 1:
            # Delimiters inside cells and nothing else to escape: csv.writer quotes exactly those cells, as
            # here, at a fifth of its cost (a comma in a description or a warning is common).
            line = ",".join([f'"{cell}"' if "," in cell else cell for cell in row])
        lines.append(line)
    lines.append("")
    return "\r\n".join(lines)


def _typed_frame(context: ChunkContext, rows: list[list[str]], columns: dict[str, Any], scored: Any,
                 blockers: dict[str, np.ndarray], valid: np.ndarray) -> pd.DataFrame:
    """The output chunk with typed result columns (None where a row is invalid)."""
    import numpy as np
    import pandas as pd

    width = len(context.plan.header)
    data: dict[str, Any] = {name: pd.array([row[i] for row in rows], dtype=object)
                            for i, name in enumerate(context.plan.output_header[:width])}
    invalid = ~valid


    data["row"] = pd.array(columns["row"], dtype="int64")
    data["status"] = pd.array(columns["status"], dtype=object)
    data["error"] = pd.array([e or None for e in columns["error"]], dtype=object)
    data["warning"] = pd.array([w or None for w in columns["warning"]], dtype=object)
    data["recommendation"] = pd.array([v or None for v in columns["recommendation"]], dtype=object)
    data["runner_up"] = pd.array([v or None for v in columns["runner_up"]], dtype=object)
    data["confidence"] = np.round(columns["confidence"], 3)
    for k, rt in enumerate(RUNTIMES):
        data[f"feasible_{rt}"] = pd.array(np.where(invalid, None, scored.feasible[:, k]),  # type: ignore[call-overload]
                                          dtype="boolean")
    for k, rt in enumerate(RUNTIMES):
        data[f"score_{rt}"] = np.where(invalid, np.nan, np.round(scored.score[:, k], 3))
    for k, rt in enumerate(RUNTIMES):
        data[f"monthly_cost_{rt}"] = np.where(invalid, np.nan, np.round(scored.monthly_cost[:, k], 2))
    for rt in RUNTIMES:
        data[f"blockers_{rt}"] = pd.array(np.where(invalid, None, blockers[rt]), dtype=object)  # type: ignore[call-overload]
    return pd.DataFrame(data, index=pd.RangeIndex(len(rows)))


def _arrow_schema(plan: ColumnPlan) -> Any:
    import pyarrow as pa

    types = {"row": pa.int64(), "confidence": pa.float64()}
    types.update({f"feasible_{rt}": pa.bool_() for rt in RUNTIMES})
    types.update({f"score_{rt}": pa.float64() for rt in RUNTIMES})
    types.update({f"monthly_cost_{rt}": pa.float64() for rt in RUNTIMES})
    return pa.schema([(name, pa.string()) for name in plan.output_header]
                     + [(name, types.get(name, pa.string())) for name in RESULT_COLUMNS])

"""The labelled reference corpus (models/reference_workloads.csv): reading and validating it.

Each row is a workload in profile-v1 columns plus `accepted` (the `;`-separated runtimes a careful
architect would accept, preferred first; empty when no runtime can run it), `source` and `rationale`.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from advisor import RUNTIMES
from advisor.errors import FieldProblem, ModelFileError
from advisor.learn.model_file import default_corpus_path
from advisor.profile.fields import FIELD_NAMES

LABEL_COLUMNS = ("accepted", "source", "rationale")


@dataclass(frozen=True)
class Corpus:
    """The validated corpus: the raw table, the typed profile frame and the label matrix."""

    path: str
    table: pd.DataFrame  # raw text cells, in file order
    frame: pd.DataFrame  # typed profile frame (advisor.profile.frame)
    accepted: tuple[tuple[str, ...], ...]
    labels: np.ndarray  # (n, 4) bool: runtime accepted
    preferred: np.ndarray  # (n,) index of the first accepted runtime, -1 for none
    sha256: str

    def __len__(self) -> int:
        return len(self.table)


def parse_accepted(cell: str) -> tuple[str, ...]:
    """'ecs_fargate;lambda' -> ('ecs_fargate', 'lambda'); '' -> () (no runtime can run it)."""
    items = [part.strip().lower().replace("-", "_") for part in str(cell).split(";")]
    return tuple(item for item in items if item)


def read_corpus(path: str | os.PathLike[str] | None = None) -> Corpus:
    """Read and validate the corpus; every problem names the file, row, column and value."""
    from advisor.profile.frame import records_to_frame

    target = Path(path) if path is not None else default_corpus_path()
    label = str(target)
    from advisor.files import read_input_text

    text = read_input_text(target)  # missing, folder, unreadable, wrong encoding: the same words everywhere
    data = text.encode("utf-8")
    try:
        table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ModelFileError(f"{label}: not a readable CSV file ({exc})") from None
    missing = [c for c in ("name", *LABEL_COLUMNS) if c not in table.columns]
    unknown = [c for c in table.columns if c not in FIELD_NAMES and c not in LABEL_COLUMNS]
    if missing or unknown:
        raise ModelFileError(f"{label}: " + "; ".join(
            ([f"missing column(s) {', '.join(missing)}"] if missing else [])
            + ([f"unknown column(s) {', '.join(unknown)}"] if unknown else [])))
    problems: list[FieldProblem] = []
    frame, by_position = records_to_frame(table[[c for c in table.columns if c in FIELD_NAMES]], first_row=1)
    for position in sorted(by_position):
        problems.extend(by_position[position])
    accepted: list[tuple[str, ...]] = []
    for position, cells in enumerate(table[list(LABEL_COLUMNS)].to_dict("records")):
        runtimes = parse_accepted(cells["accepted"])
        bad = [r for r in runtimes if r not in RUNTIMES]
        if bad or len(set(runtimes)) != len(runtimes):
            problems.append(FieldProblem("accepted", cells["accepted"],
                                         f"list distinct runtime ids from {', '.join(RUNTIMES)}", position + 1))
        for column in ("source", "rationale"):
            if not str(cells[column]).strip():
                problems.append(FieldProblem(column, cells[column], "must not be empty", position + 1))
        accepted.append(tuple(r for r in runtimes if r in RUNTIMES))
    names = table["name"].str.strip()
    for duplicate in np.flatnonzero(names.duplicated(keep="first").to_numpy()):
        problems.append(FieldProblem("name", names.iloc[duplicate], "is not unique", int(duplicate) + 1))
    if problems:
        shown = "\n".join(f"  - {p}" for p in problems[:30])
        more = f"\n  ... and {len(problems) - 30} more" if len(problems) > 30 else ""
        raise ModelFileError(f"{label}: {len(problems)} problem(s) in the reference corpus:\n{shown}{more}")
    if len(table) == 0:
        raise ModelFileError(f"{label}: the reference corpus has no rows")
    labels = np.array([[runtime in row for runtime in RUNTIMES] for row in accepted], dtype=bool)
    preferred = np.array([RUNTIMES.index(row[0]) if row else -1 for row in accepted], dtype=int)
    return Corpus(label, table, frame, tuple(accepted), labels, preferred, hashlib.sha256(data).hexdigest())


@functools.cache
def packaged_corpus() -> Corpus:
    """The corpus shipped in models/, read once per process."""
    return read_corpus()

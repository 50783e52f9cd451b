"""Portfolio assessment: every row of a CSV, XLSX or Parquet export scored through the core engine.

The input is read in chunks (`sources`), mapped onto profile fields (`mapping`), scored chunk by chunk
(`chunks`, in worker processes when there are several) and written through a temporary file that
replaces the target only at the end (`writers`); memory stays flat, only what the `summary` needs is
kept per workload. The output holds the input's own columns, then DESIGN.md's CSV contract columns,
one row per input row, in input order."""

from __future__ import annotations

import contextlib
import gc
import itertools
import json
import os
import sys
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.errors import UsageError

if TYPE_CHECKING:
    import pandas as pd

    from advisor.engine.scoring import BlendParts
    from advisor.portfolio.consolidation import ConsolidationSettings
    from advisor.profile.fields import WorkloadProfile
from advisor.portfolio.chunks import ChunkContext, ChunkResult, ChunkTask, assess_chunk
from advisor.portfolio.mapping import load_mapping, plan_columns
from advisor.portfolio.sources import Source, open_source
from advisor.portfolio.summary import SummaryBuilder
from advisor.portfolio.writers import ResultFormat, ResultWriter, check_output_path, resolve_format, write_summary

DEFAULT_CHUNK_SIZE = 25_000


REPORT_ROW_CAP = 100_000


# --------------------------------------------------------------------------------------- the pipeline


@dataclass
class AssessOptions:
    """Everything `assess_portfolio` needs; the CLI fills it from its options."""

    source: str
    out: str
    format: str | None = None
    mapping: str | None = None
    summary: str | None = None
    waves: int | None = None
    encoding: str | None = None
    raw: bool = False
    force: bool = False
    free_tier: bool = False
    pricing: str = "on-demand"  # on-demand, savings-1y or savings-3y (engine/rates.py PRICING_CHOICES)
    region: str | None = None  # price every row in this Region instead of its own `region`
    chunk_size: int = DEFAULT_CHUNK_SIZE
    jobs: int = 0
    report_rows: int = 0
    scaffold: bool = False
    consolidation: ConsolidationSettings | None = None
    blend: BlendParts | None = None  # the learned calibration, plugged in by advisor.api


@dataclass
class AssessOutcome:
    """What a run produced, for the CLI to print and hand on to reports and starters."""

    rows: int
    invalid: int
    duplicates: int
    summary: dict[str, Any]
    format: ResultFormat
    report_frame: pd.DataFrame | None
    profiles: list[WorkloadProfile]
    name_column: str = "name"  # the results column holding workload names (the export's own, if mapped)


_WORKER_CONTEXT: ChunkContext | None = None


def _worker_init(context: ChunkContext) -> None:
    import signal

    global _WORKER_CONTEXT
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the pool
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # pool.terminate() ends workers with SIGTERM, quietly
    gc.disable()  # collected once per chunk instead (_worker_assess), as in _collector_paused
    _one_blas_thread()  # inherited from the parent when forked; set again for other start methods
    _WORKER_CONTEXT = context


def _worker_assess(task: ChunkTask) -> ChunkResult:
    assert _WORKER_CONTEXT is not None
    gc.collect()  # the last chunk's cycles, if any; the worker's inherited heap is frozen, so this is quick
    return assess_chunk(_WORKER_CONTEXT, task)


def default_jobs() -> int:
    """Worker processes for inputs bigger than one chunk: the CPUs this process may use, at most 4."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 4))


def _chunks(source: Source, size: int) -> Iterator[list[list[str]]]:
    rows = source.rows()
    while True:
        chunk = list(itertools.islice(rows, size))
        if not chunk:
            return
        yield chunk


def _prepare(chunk: list[list[str]], first_row: int, width: int, source: Source, name_index: int,
             seen: dict[str, int]) -> tuple[ChunkTask, list[str], int]:
    """Fit ragged rows to the header (saying so), and flag names used by an earlier row.

    Returns the task, the rows' workload names and how many repeat an earlier name.
    """
    row_errors: dict[int, str] = {}
    warnings: dict[int, str] = {}
    for position, row in enumerate(chunk):
        if len(row) != width:
            if len(row) > width:
                extra = row[width:]
                if source.ragged_is_error and any(c.strip() for c in extra):
                    shown = ", ".join(repr(c) for c in extra[:3]) + (", ..." if len(extra) > 3 else "")
                    row_errors[position] = (f"row has {len(row)} fields but the header has {width}; "
                                            f"extra values: {shown}")
                del row[width:]
            else:
                if source.ragged_is_error:
                    row_errors[position] = (f"row has {len(row)} fields but the header has {width}; "
                                            "a delimiter or quote is probably missing")
                row.extend([""] * (width - len(row)))
        if not "".join(row).strip() and position not in row_errors:  # every cell blank (or white space)
            row_errors[position] = "empty row: every cell is blank"
    duplicates = 0
    names = [row[name_index].strip() for row in chunk]
    for position, name in enumerate(names):
        if not name:
            continue
        number = first_row + position
        first = seen.setdefault(name, number)
        if first != number:
            warnings[position] = f"duplicate name {name!r}: row {first} has the same name; both are assessed"
            duplicates += 1
    return ChunkTask(chunk, first_row, row_errors, warnings), names, duplicates


def assess_portfolio(options: AssessOptions, progress: Callable[[int, int | None, int | None], None] | None = None,
                     note: Callable[[str], None] | None = None) -> AssessOutcome:
    """Assess every row of `options.source`, write the results and return the summary.

    Raises UsageError (exit 2) when the input cannot be used at all; rows with bad values become
    `status=invalid` rows instead. Nothing is left at `options.out` unless the run completes.
    """
    from advisor.portfolio.consolidation import ConsolidationSettings

    if options.chunk_size < 1:
        raise UsageError(f"chunk size {options.chunk_size}: give a whole number of rows, at least 1",
                         option="chunk_size")
    if options.waves is not None and options.waves < 1:
        raise UsageError(f"{options.waves} waves: give at least 1 wave", option="waves")
    check_output_path(options.out, options.force)
    fmt = resolve_format(options.out, options.format)
    if options.summary:
        if options.summary == "-" and options.out == "-":
            raise UsageError("the summary and the results both go to standard output; write one of them to a file")
        check_output_path(options.summary, options.force, "summary file")
        if options.summary != "-" and options.out != "-" and Path(options.summary).resolve() == Path(
                options.out).resolve():
            raise UsageError(f"the summary and the results name the same file ({options.out}); "
                             "give two different files")
    mapping = load_mapping(options.mapping) if options.mapping else None
    say = note or (lambda message: None)
    source = open_source(options.source, options.encoding)
    pool: Any = None
    writer: ResultWriter | None = None
    blas = _one_blas_thread()
    try:
        plan = plan_columns(source.header, mapping, source.label)
        for message in plan.notes:
            say(message)
        settings = options.consolidation or ConsolidationSettings.from_knowledge()
        context = ChunkContext(plan, options.free_tier, fmt, options.raw, options.report_rows, options.scaffold,
                               options.blend, options.pricing, options.region, settings.share_platform_costs)
        chunks = _chunks(source, options.chunk_size)
        first = next(chunks, None)
        if first is None:
            raise UsageError(f"{source.label}: the file has a header but no data rows")
        _warm_up()
        jobs = options.jobs or default_jobs()
        if jobs > 1 and len(first) == options.chunk_size:
            pool = _start_pool(jobs, context)
        writer = ResultWriter(options.out, fmt, plan)
        builder = SummaryBuilder(settings)
        seen: dict[str, int] = {}
        report_frames: list[pd.DataFrame] = []
        profiles: list[WorkloadProfile] = []
        next_row, duplicates = 1, 0
        pending: deque[Any] = deque()

        def handle(result: ChunkResult, names: list[str]) -> None:
            assert writer is not None
            writer.write(result.payload, result.n)
            result.payload = None
            builder.add(result, names)
            if result.report_frame is not None:
                report_frames.append(result.report_frame)
            profiles.extend(result.profiles)
            if progress is not None:
                progress(writer.rows, source.bytes_done(), source.total_bytes)

        with _collector_paused():
            for chunk in itertools.chain([first], chunks):
                task, names, found = _prepare(chunk, next_row, len(plan.header), source, plan.name_index, seen)
                duplicates += found
                next_row += len(chunk)
                if pool is None:
                    handle(assess_chunk(context, task), names)
                else:
                    pending.append((pool.apply_async(_worker_assess, (task,)), names))
                    del task, chunk
                    while pending and (len(pending) > jobs or pending[0][0].ready()):
                        waiting, waiting_names = pending.popleft()
                        handle(waiting.get(), waiting_names)
                gc.collect(0)
            while pending:
                waiting, waiting_names = pending.popleft()
                handle(waiting.get(), waiting_names)
        if pool is not None:
            pool.close()
            pool.join()
            pool = None
        writer.commit()
        summary = builder.finish(options.waves)
        summary["pricing"] = options.pricing
        if options.summary:
            text = json.dumps(summary, indent=2, ensure_ascii=False) + "\n"
            if options.summary == "-":
                sys.stdout.write(text)
            else:
                write_summary(options.summary, text, options.force)
        if duplicates:
            say(f"{duplicates:,} row(s) repeat an earlier workload name; they are assessed and flagged in the "
                "warning column")
        report_frame = None
        if report_frames:
            import pandas as pd

            report_frame = pd.concat(report_frames, ignore_index=True).head(REPORT_ROW_CAP)
        return AssessOutcome(builder.rows, builder.invalid, duplicates, summary, fmt, report_frame, profiles,
                             plan.output_header[plan.name_index])
    except BaseException:
        if pool is not None:
            pool.terminate()
            pool.join()
        if writer is not None:
            writer.abort()
        raise
    finally:
        blas.restore_original_limits()
        source.close()


def _one_blas_thread() -> Any:
    """Limit BLAS (OpenBLAS, MKL) to one thread in this process until `.restore_original_limits()`.

    Scoring multiplies small matrices per chunk (the confidence samples); with the BLAS's default of
    one thread per CPU each product spins up threads that cost more than they save, and beside the
    worker processes they compete for the same CPUs: on a 2-CPU machine a chunk's scoring took 0.22 s
    single-threaded against 0.29 s wall and 0.42 s of CPU threaded. Workers forked afterwards inherit it.
    """
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's automatic cyclic garbage collection off for the read-and-score loop (which runs
    `gc.collect(0)` once per chunk instead); its previous state is restored however the loop ends.

    Reading a chunk allocates a list per row, and the automatic collector, triggered every few hundred
    allocations, walks the rows still waiting for a worker again and again: on a 200,000-row portfolio
    that was a large share of the main process's reading time. Scoring makes next to no reference
    cycles; one young-generation collection per chunk frees what there is.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _warm_up() -> None:
    """Load the knowledge base and compile the rules once, before any worker is forked."""
    from advisor.engine.feasibility import compiled_rules
    from advisor.engine.scoring import axis_model
    from advisor.knowledge.base import knowledge

    knowledge()
    compiled_rules()
    axis_model()


def _start_pool(jobs: int, context: ChunkContext) -> Any:
    import multiprocessing

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    # The workers inherit the modules, knowledge base and rules as frozen: the cyclic garbage collector
    # never walks them again (it would on every full collection, each chunk allocating many lists) and
    # their pages stay shared with this process (gc.freeze's documented use before fork). This process
    # unfreezes its own copy at once.
    gc.freeze()
    try:
        return multiprocessing.get_context(method).Pool(jobs, initializer=_worker_init, initargs=(context,))
    finally:
        gc.unfreeze()



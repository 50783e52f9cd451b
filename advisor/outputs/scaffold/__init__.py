"""Starter configs: a deployable, linted folder for the runtime a workload runs on.

`write_starter(profile, out_dir)` writes the recommended runtime's starter (or the one asked for):
an AWS SAM project for Lambda, a CloudFormation template for ECS on Fargate or EC2, an eksctl cluster
and kustomize manifests for EKS, plus a Dockerfile for containers and a README that explains the
decision, the deploy commands, every placeholder and what was adjusted to be valid for AWS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from advisor import RUNTIME_LABELS, RUNTIMES
from advisor.errors import NoFeasibleRuntimeError, UsageError

if TYPE_CHECKING:
    from advisor.engine.explain import Recommendation
    from advisor.engine.scoring import Scored
    from advisor.outputs.scaffold.readme import Step
    from advisor.outputs.scaffold.workload import Notes, Workload
    from advisor.profile.fields import WorkloadProfile

__all__ = ["StarterResult", "write_starter"]


@dataclass(frozen=True)
class StarterResult:
    """What `write_starter` wrote: the runtime, the folder, every file, warnings and adjustments."""

    runtime: str
    out_dir: Path
    files: tuple[Path, ...]
    warnings: tuple[str, ...]
    adjustments: tuple[str, ...]


Writer = Callable[["Workload", "Notes"], "tuple[dict[str, str], list[Step], dict[str, str]]"]


WRITERS: dict[str, str] = {
    "lambda": "advisor.outputs.scaffold.lambda_sam:starter",
    "ecs_fargate": "advisor.outputs.scaffold.ecs:fargate_starter",
    "ecs_ec2": "advisor.outputs.scaffold.ecs:ec2_starter",
    "eks": "advisor.outputs.scaffold.eks:starter",
}
"""The writer of each runtime's files, imported only when that runtime is written."""


def _writer(runtime: str) -> Writer:
    import importlib

    module, _, name = WRITERS[runtime].partition(":")
    writer: Writer = getattr(importlib.import_module(module), name)
    return writer


def _runtime(value: str) -> str:
    runtime = value.strip().lower().replace("-", "_")
    if runtime not in RUNTIMES:
        raise UsageError(f"runtime {value!r}: use one of {', '.join(RUNTIMES)}")
    return runtime


def render_starter(profile: WorkloadProfile, runtime: str | None = None, *,
                   recommendation: Recommendation | None = None, scored: Scored | None = None,
                   row: int = 0) -> tuple[str, dict[str, str], Notes]:
    """Every file of the starter as text (path -> text) without writing anything.

    `scored` (with the profile's `row`) reuses a scoring pass (`advisor.api.write_starter` passes one
    with the learned calibration); otherwise the profile is scored here by the rules alone. The README
    explains the same recommendation `advisor recommend` gives (without its extras).
    """
    from advisor.engine.explain import explain_row
    from advisor.engine.scoring import score_frame
    from advisor.outputs.scaffold.readme import readme
    from advisor.outputs.scaffold.workload import Notes, build_workload
    from advisor.profile.frame import profiles_to_frame

    if scored is None:
        scored, row = score_frame(profiles_to_frame([profile])), 0
    rec = recommendation if recommendation is not None else explain_row(scored, row)
    if runtime is None:
        if rec.recommendation is None:
            why = f": {rec.why_none.rstrip('. ')}" if rec.why_none else ""
            raise NoFeasibleRuntimeError(f"{profile.name}: no runtime is feasible for this workload{why}. Choose a "
                                         f"runtime ({', '.join(RUNTIMES)}) to write its starter anyway")
        runtime = rec.recommendation
    runtime = _runtime(runtime)
    instance_types = {rt: str(scored.cost.instance_type[rt][row]) for rt in ("ecs_ec2", "eks")}
    workload = build_workload(profile, runtime, rec, instance_types)
    notes = Notes()
    if not workload.feasible:
        blockers = " ".join(b.message.rstrip(".") + "." for b in workload.result.blockers)
        notes.warn(f"{RUNTIME_LABELS[runtime]} is not feasible for this workload: {blockers} The starter is written "
                   "anyway, with values clamped to what it accepts.")
    files, steps, purposes = _writer(runtime)(workload, notes)
    files["README.md"] = readme(workload, files, notes, steps, purposes)
    return runtime, files, notes


def write_starter(profile: WorkloadProfile, out_dir: Path, runtime: str | None = None, force: bool = False,
                  *, recommendation: Recommendation | None = None, scored: Scored | None = None,
                  row: int = 0) -> StarterResult:
    """Write the starter config for `profile` into `out_dir` (the recommended runtime when `runtime` is None).

    Raises UsageError when no runtime is feasible and none was asked for, and OutputExistsError listing
    the files that exist unless `force`. Files are written atomically and never outside `out_dir`.
    A caller that scored many profiles at once (batch assessment) passes `scored` and the profile's
    `row` (and optionally its `recommendation`) so the profile is not scored again.
    """
    from advisor.files import check_output_folder, write_text_atomic

    out_dir = Path(out_dir)
    chosen, files, notes = render_starter(profile, runtime, recommendation=recommendation, scored=scored, row=row)
    targets = check_output_folder(out_dir, files, force, "starter file")
    for target, text in zip(targets, files.values(), strict=True):
        write_text_atomic(target, text)
    return StarterResult(
        runtime=chosen,
        out_dir=out_dir,
        files=tuple(out_dir / name for name in files),
        warnings=tuple(notes.warnings),
        adjustments=tuple(notes.adjustments),
    )

"""Benchmark: scoring 100,000 profiles with the learned blend against the rules alone.

    python benchmarks/bench_blend.py [--rows 100000] [--repeat 7]

Runs `score_frame` on the same generated frame with and without the blend, interleaved so that load
from other processes falls on both alike, and prints CPU and wall time (minimum and median) and the
ratio blend / rules. The blend uses models/model.json's parameters; when that file says the blend is
not used, the benchmark still switches it on (at w = 0.5), so the figure is the cost
the blend would add. Target (docs/model.md): the blend costs at most 1.5x the rules alone.
Figures only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_recommend import synthetic_frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    from advisor.engine.scoring import score_frame
    from advisor.learn.blend import active_model, blend_parts

    model = active_model()
    if model is None:
        raise SystemExit("no models/model.json: run `advisor model train` first")
    weight = model.blend_weight if model.used else 0.5
    forced = dataclasses.replace(model, used=True, blend_weight=weight)

    def blended(frame: pd.DataFrame, axes: np.ndarray, cost_fit: np.ndarray, score: np.ndarray,
                feasible: np.ndarray) -> tuple[float, np.ndarray | None]:
        return blend_parts(frame, axes, cost_fit, score, feasible, model=forced)

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; Python {platform.python_version()}, "
          f"numpy {np.__version__}, pandas {pd.__version__}; load average {os.getloadavg()[0]:.1f}")
    frame = synthetic_frame(args.rows)
    score_frame(frame.head(100))
    score_frame(frame.head(100), blend=blended)  # warm both paths
    cpu: dict[str, list[float]] = {"rules": [], "blend": []}
    wall: dict[str, list[float]] = {"rules": [], "blend": []}
    for _ in range(args.repeat):
        for name, blend in (("rules", None), ("blend", blended)):
            start_cpu, start_wall = time.process_time(), time.perf_counter()
            score_frame(frame, blend=blend)
            cpu[name].append(time.process_time() - start_cpu)
            wall[name].append(time.perf_counter() - start_wall)
    print(f"score_frame on {args.rows:,} profiles, {args.repeat} interleaved runs each (blend weight {weight:.1f})")
    print(f"{'':<8} {'CPU min':>9} {'CPU median':>11} {'wall min':>9} {'wall median':>12}")
    for name in ("rules", "blend"):
        print(f"{name:<8} {min(cpu[name]):8.3f}s {statistics.median(cpu[name]):10.3f}s "
              f"{min(wall[name]):8.3f}s {statistics.median(wall[name]):11.3f}s")
    print(f"{'ratio':<8} {min(cpu['blend']) / min(cpu['rules']):8.2f}x "
          f"{statistics.median(cpu['blend']) / statistics.median(cpu['rules']):10.2f}x "
          f"{min(wall['blend']) / min(wall['rules']):8.2f}x "
          f"{statistics.median(wall['blend']) / statistics.median(wall['rules']):11.2f}x")


if __name__ == "__main__":
    main()

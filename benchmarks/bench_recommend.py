"""Benchmark: wall time of one `advisor recommend`, and scoring 100,000 profiles in one frame.

    python benchmarks/bench_recommend.py [--rows 100000] [--repeat 3]

Prints figures only; targets (docs/performance.md): 100,000 profiles scored in under 2 s on one core.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]


def synthetic_frame(rows: int, seed: int = 7) -> pd.DataFrame:
    """A frame of `rows` varied, valid profiles built directly in columns (no per-row Python)."""
    from advisor.profile.fields import FIELDS
    from advisor.profile.frame import _finish

    rng = np.random.default_rng(seed)
    columns: dict[str, object] = {}
    for spec in FIELDS:
        if spec.kind == "enum":
            columns[spec.name] = rng.choice(spec.choices, rows)
        elif spec.kind == "bool":
            columns[spec.name] = rng.random(rows) < 0.08
        elif spec.name.startswith("priority_"):
            columns[spec.name] = rng.integers(0, 6, rows)
        elif spec.kind == "protocols":
            pool = np.array([("http",), ("http", "grpc"), ("tcp",), ("udp",), ("http", "websocket")], dtype=object)
            columns[spec.name] = pool[rng.integers(0, len(pool), rows)]
        elif spec.kind == "capabilities":
            pool = np.array([(), (), (), ("SYS_PTRACE",), ("NET_ADMIN",)], dtype=object)
            columns[spec.name] = pool[rng.integers(0, len(pool), rows)]
        elif spec.kind == "instance_types":
            # A few rows name the instance types a placement constraint requires; most name none.
            pool = np.array([(), (), (), (), ("inf1.xlarge",), ("g5.2xlarge", "g5.4xlarge")], dtype=object)
            columns[spec.name] = pool[rng.integers(0, len(pool), rows)]
        elif spec.name == "name":
            columns[spec.name] = [f"w{i}" for i in range(rows)]
        elif spec.kind == "string":  # description, backing_service: free text the engine never scores on
            columns[spec.name] = ""
        elif spec.kind == "region":
            # Mostly one Region, as a real portfolio: each Region is priced as one block.
            regions = np.array(["us-east-1", "eu-west-1", "ap-southeast-1", "sa-east-1"])
            columns[spec.name] = regions[rng.choice(4, rows, p=[0.7, 0.15, 0.1, 0.05])]
        elif spec.name == "latency_slo_ms":
            columns[spec.name] = np.where(rng.random(rows) < 0.3, rng.uniform(50, 2000, rows), np.nan)
        elif spec.name == "gpu":
            columns[spec.name] = np.where(rng.random(rows) < 0.05, rng.integers(1, 9, rows), 0)
        else:
            scale = {"vcpu": 4, "memory_mb": 8192, "ephemeral_storage_gb": 50, "artifact_size_mb": 2000,
                     "max_duration_s": 3600, "avg_duration_ms": 60000, "requests_per_month": 5e7,
                     "peak_concurrency": 500}[spec.name]
            columns[spec.name] = np.round(rng.lognormal(0, 1.2, rows) * scale / 4, 2) + 0.25
    frame = pd.DataFrame(columns)
    frame["peak_concurrency"] = np.maximum(1, frame["peak_concurrency"].round())
    frame["assumed_defaults"] = [[] for _ in range(rows)]
    return _finish(frame)


def time_cli(repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "advisor", "recommend", str(REPO / "examples" / "thumbnailer.yaml"),
                        "--format", "json"], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from advisor.engine.scoring import score_frame

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {cpu}; Python {platform.python_version()}, "
          f"numpy {np.__version__}, pandas {pd.__version__}")
    cli = time_cli(args.repeat)
    print(f"one `advisor recommend` (process start to exit): median {statistics.median(cli):.3f} s "
          f"(min {min(cli):.3f} s over {args.repeat})")
    frame = synthetic_frame(args.rows)
    score_frame(frame.head(100))  # load the knowledge base and rules once, as a long-running process would
    runs = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        scored = score_frame(frame)
        runs.append(time.perf_counter() - start)
    feasible_share = scored.feasible.any(axis=1).mean()
    print(f"score_frame on {args.rows:,} profiles: median {statistics.median(runs):.3f} s "
          f"(min {min(runs):.3f} s over {args.repeat}); {args.rows / statistics.median(runs):,.0f} profiles/s; "
          f"{feasible_share:.0%} have a feasible runtime")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Benchmark `advisor assess` on synthetic portfolios against a pandas read-and-write baseline.

For each size it writes a synthetic portfolio CSV (varied workloads, human units such as `2h` and
`512MB`, a few invalid rows) into a temporary folder, then measures in the same run:

- assess:   `python -m advisor assess portfolio.csv --out results.csv --summary summary.json` in a
            child process (wall time, rows per second, its peak RSS from wait4, and the peak of the
            summed PSS of it and its worker processes, sampled from /proc);
- baseline: a child process that only reads the same CSV with pandas and writes a CSV of the same
            shape as the assess output (same rows, same number of columns), with its peak RSS.

    python benchmarks/bench_assess.py                      # 10k, 100k and 1M rows
    python benchmarks/bench_assess.py --sizes 10000,100000 --jobs 2
    python benchmarks/bench_assess.py --sizes 200000 --repeat 5   # medians of 5 interleaved runs each

On a shared or virtual machine either side can move by a quarter between runs; `--repeat N` runs assess
and the baseline alternately N times on the same file and reports the medians (and every run's ratio).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SEED = 20261126
WORKLOAD_TYPES = ("http_api", "web_app", "event_handler", "queue_worker", "batch_job", "scheduled_job",
                  "stream_processor", "ml_inference", "ml_training", "stateful_service", "unknown")
BASELINE = """
import sys, pandas as pd
source, target, columns = sys.argv[1], sys.argv[2], int(sys.argv[3])
frame = pd.read_csv(source, dtype=str, keep_default_na=False)
wide = pd.concat([frame] * (columns // frame.shape[1] + 1), axis=1).iloc[:, :columns]
wide.columns = [f"c{i}" for i in range(columns)]
wide.to_csv(target, index=False)
"""


def generate(path: Path, rows: int, seed: int = SEED) -> None:
    """Write a synthetic portfolio of `rows` workloads (about 1 in 500 rows invalid)."""
    import pandas as pd

    rng = np.random.default_rng(seed)

    def pick(values: tuple | list, p: list[float] | None = None) -> np.ndarray:
        return rng.choice(np.array(values, dtype=object), rows, p=p)

    columns = {
        "name": np.char.add("app-", np.arange(rows).astype(str)).astype(object),
        "description": pick(["customer API", "nightly batch", "internal tool", "event consumer", "legacy app"]),
        "workload_type": pick(WORKLOAD_TYPES),
        "containerized": pick(["yes", "no", "true", "false"]),
        "os": pick(["linux", "windows"], [0.9, 0.1]),
        "arch": pick(["x86_64", "arm64", "any"]),
        "language": pick(["python", "java", "node", "go", "dotnet", "dotnet_framework", "other"]),
        "vcpu": pick(["0.25", "0.5", "1", "2", "4", "8", "16"]),
        "memory_mb": pick(["512MB", "1GiB", "2048", "4GiB", "8192", "16GB", "30GiB"]),
        "gpu": pick(["0", "0", "0", "0", "1"]),
        "max_duration_s": pick(["5s", "30", "15min", "900", "2h", "10h"]),
        "avg_duration_ms": pick(["20ms", "200", "1s", "3000", "45min"]),
        "requests_per_month": pick(["30", "20k", "500k", "1M", "3M", "40M", "2B"]),
        "peak_concurrency": pick(["1", "10", "50", "200", "1000"]),
        "traffic_pattern": pick(["steady", "diurnal", "spiky", "sporadic"]),
        "protocols": pick(["http", "http", "grpc", "tcp", "http;websocket", "udp"]),
        "privileged": pick(["no", "no", "no", "yes"]),
        "persistent_storage": pick(["none", "none", "shared_fs", "block", "local_nvme"]),
        "kubernetes_native": pick(["no", "no", "no", "yes"]),
        "ops_capacity": pick(["none", "limited", "platform_team"]),
        "k8s_experience": pick(["none", "some", "expert"]),
        "hybrid": pick(["aws_only", "aws_only", "aws_only", "on_prem", "edge", "multi_cloud"]),
        "priority_simplicity": rng.integers(0, 6, rows).astype(str).astype(object),
        "priority_flexibility": rng.integers(0, 6, rows).astype(str).astype(object),
        "priority_cost": rng.integers(0, 6, rows).astype(str).astype(object),
        "owner": np.char.add("team-", (np.arange(rows) % 97).astype(str)).astype(object),
    }
    bad = rng.random(rows) < 0.002
    columns["memory_mb"] = np.where(bad, "lots", columns["memory_mb"])
    pd.DataFrame(columns).to_csv(path, index=False)


def _tree_memory_mb(root: int) -> float:
    """Proportional set size (MB) of `root` and all its descendants right now, from /proc.

    PSS counts a page shared by n processes as 1/n to each, so forked workers, which share the
    parent's libraries copy-on-write, are not counted twice as a sum of RSS would.
    """
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    total_kb = 0
    for pid in tree:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total_kb += int(line.split()[1])
                    break
        except OSError:
            continue
    return total_kb / 1024


def run_child(command: list[str]) -> tuple[float, float, float, float]:
    """Wall seconds, peak RSS of the child itself (MB, from wait4), peak total PSS of its process tree
    (MB, sampled every 0.2 s, worker processes included) and CPU seconds (user + system, from wait4: the
    child and the worker processes it waited for)."""
    import threading

    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    tree_peak = [0.0]
    finished = threading.Event()

    def sample() -> None:
        while not finished.wait(0.2):
            tree_peak[0] = max(tree_peak[0], _tree_memory_mb(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    _, status, usage = os.wait4(process.pid, 0)
    finished.set()
    sampler.join()
    seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 3):
        raise SystemExit(f"{' '.join(command)} failed with exit {code}:\n{stderr}")
    peak = usage.ru_maxrss / 1024.0
    return seconds, peak, tree_peak[0], usage.ru_utime + usage.ru_stime


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        memory_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                         if line.startswith("MemTotal"))
        memory = f"{memory_kb / 1024 / 1024:.1f} GiB RAM"
    except (OSError, StopIteration):
        memory = "unknown RAM"
    return f"{os.cpu_count()} CPUs ({model}), {memory}, Python {platform.python_version()}, {platform.system()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated row counts")
    parser.add_argument("--jobs", type=int, default=0, help="passed to advisor assess --jobs (0: automatic)")
    parser.add_argument("--chunk-size", type=int, default=25_000)
    parser.add_argument("--repeat", type=int, default=1, help="run both sides N times, alternately; report medians")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    print(f"machine: {machine()}")
    print(f"{'rows':>10} {'assess s':>9} {'cpu s':>6} {'rows/s':>9} {'peak MB':>8} {'all procs MB':>12} "
          f"{'baseline s':>10} {'base MB':>8} {'ratio':>6} {'in MB':>7} {'out MB':>7} {'load':>5}")
    with tempfile.TemporaryDirectory(prefix="bench-assess-") as folder:
        for rows in sizes:
            source, results = Path(folder, f"portfolio-{rows}.csv"), Path(folder, f"results-{rows}.csv")
            generate(source, rows)
            command = [sys.executable, "-m", "advisor", "assess", str(source), "--out", str(results), "--force",
                       "--summary", str(Path(folder, f"summary-{rows}.json")), "--jobs", str(args.jobs),
                       "--chunk-size", str(args.chunk_size)]
            baseline_out = Path(folder, f"baseline-{rows}.csv")
            assess_runs, baseline_runs = [], []
            for _ in range(args.repeat):
                assess_runs.append(run_child(command))
                with results.open(newline="") as handle:
                    out_columns = len(handle.readline().split(","))
                baseline_runs.append(run_child([sys.executable, "-c", BASELINE, str(source), str(baseline_out),
                                                str(out_columns)]))
            seconds, peak, tree_peak, cpu = (statistics.median(run[i] for run in assess_runs) for i in range(4))
            base_seconds, base_peak = (statistics.median(run[i] for run in baseline_runs) for i in range(2))
            print(f"{rows:>10,} {seconds:>9.1f} {cpu:>6.1f} {rows / seconds:>9,.0f} {peak:>8,.0f} {tree_peak:>12,.0f} "
                  f"{base_seconds:>10.1f} {base_peak:>8,.0f} {seconds / base_seconds:>6.2f} "
                  f"{source.stat().st_size / 1e6:>7.1f} {results.stat().st_size / 1e6:>7.1f} "
                  f"{os.getloadavg()[0]:>5.1f}", flush=True)
            if args.repeat > 1:
                ratios = ", ".join(f"{a[0] / b[0]:.2f}" for a, b in zip(assess_runs, baseline_runs, strict=True))
                print(f"{'':>10} medians of {args.repeat} runs; ratio of each run: {ratios}", flush=True)
            for path in (source, results, baseline_out):
                path.unlink()
    print("cpu s: user + system seconds of assess and its worker processes (wait4); "
          "peak MB: peak RSS of the assess process (wait4 ru_maxrss); all procs MB: peak of the summed PSS of "
          "assess and its worker processes (shared pages counted once; sampled every 0.2 s); ratio: assess "
          "seconds / baseline seconds; load: the machine's 1-minute load average after the size finished "
          "(other work slows both sides)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

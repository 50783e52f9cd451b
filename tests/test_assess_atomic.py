"""Atomic output: a run killed mid-way leaves no partial results and never touches an existing file."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROWS = 300_000


@pytest.fixture(scope="module")
def big_portfolio(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A portfolio big enough that assessing it takes far longer than the test waits."""
    path = tmp_path_factory.mktemp("big") / "portfolio.csv"
    with path.open("w") as handle:
        handle.write("name,workload_type,memory_mb,max_duration_s,requests_per_month,owner\n")
        handle.writelines(f"app-{i},http_api,{512 + i % 7 * 256}MB,{i % 90 + 1}s,{i % 50}M,team-{i % 13}\n"
                          for i in range(ROWS))
    return path


def start(portfolio: Path, out: Path, *extra: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "advisor", "assess", str(portfolio), "--out", str(out),
               "--chunk-size", "2000", *extra]
    return subprocess.Popen(command, cwd=out.parent, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_for_partial_output(process: subprocess.Popen[bytes], folder: Path, name: str) -> Path:
    """Wait until the run has written some results to its temporary file; return that file."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        parts = [p for p in folder.glob(f".{name}.*.part") if p.stat().st_size > 0]
        if parts:
            return parts[0]
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        time.sleep(0.05)
    process.kill()
    raise AssertionError("the run wrote no temporary output within 90 s")


@pytest.mark.parametrize("existing", [False, True], ids=["fresh", "existing-file"])
def test_sigkill_leaves_no_partial_output_and_keeps_the_old_file(big_portfolio: Path, tmp_path: Path,
                                                                 existing: bool) -> None:
    out = tmp_path / "results.csv"
    if existing:
        out.write_text("previous results\n")
    process = start(big_portfolio, out, "--jobs", "1", *(["--force"] if existing else []))
    partial = wait_for_partial_output(process, tmp_path, out.name)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    if existing:
        assert out.read_text() == "previous results\n"
    else:
        assert not out.exists()
    # SIGKILL cannot be caught, so the hidden temporary file may stay behind, but never under the real name.
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "results.csv"]
    assert leftovers in ([], [partial.name])


@pytest.mark.parametrize(("sig", "jobs"), [(signal.SIGINT, "1"), (signal.SIGTERM, "2")], ids=["sigint", "sigterm-pool"])
def test_interrupt_cleans_up_temporary_files(big_portfolio: Path, tmp_path: Path, sig: signal.Signals,
                                             jobs: str) -> None:
    out = tmp_path / "results.csv"
    out.write_text("previous results\n")
    summary = tmp_path / "summary.json"
    process = start(big_portfolio, out, "--jobs", jobs, "--force", "--summary", str(summary))
    wait_for_partial_output(process, tmp_path, out.name)
    workers = [int(pid) for pid in Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()]
    assert len(workers) == (0 if jobs == "1" else int(jobs))  # no pool for one job, else one process per job
    process.send_signal(sig)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr.decode()
    assert "advisor: interrupted" in stderr.decode()
    assert out.read_text() == "previous results\n"
    assert not summary.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.csv"]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.1)
    assert [pid for pid in workers if _alive(pid)] == []  # no worker outlives the run


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


if not sys.platform.startswith("linux"):  # /proc and fork-based workers
    pytestmark = pytest.mark.skip(reason="these tests read /proc and signal processes, which needs Linux")

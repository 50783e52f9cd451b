"""Diff what advisor writes for everything in examples/ between two versions (a behaviour check for
refactors): JSON recommendations, HTML and Markdown reports, starter configurations, portfolio results
CSV and summary JSON.

    python benchmarks/compare_outputs.py --base REV            # REV against the working tree
    python benchmarks/compare_outputs.py --base REV --head REV2

Each version is checked out into a temporary git worktree with its own virtual environment (pip
reuses its cache, so it takes a minute or two). Volatile text (today's date, temporary paths) is
normalised; everything else must match byte for byte. Prints one line per differing file and a
summary line; exits 1 when anything differs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import filecmp
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run(*args: str, cwd: Path | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=check)


def install(source: Path, venv: Path) -> Path:
    run(sys.executable, "-m", "venv", str(venv))
    python = venv / "bin" / "python"
    run(str(python), "-m", "pip", "install", "-q", "-e", str(source))
    return python


def snapshot(python: Path, source: Path, out: Path) -> None:
    """Every output of every bundled example, written under `out`."""
    examples = source / "examples"
    advisor = [str(python), "-m", "advisor"]
    for profile in sorted(examples.glob("*.yaml")):
        if profile.name in ("mapping.yaml",) or profile.name.endswith("-answers.yaml"):
            continue
        stem = profile.stem
        result = run(*advisor, "recommend", str(profile), "--format", "json", cwd=source, check=False)
        (out / f"{stem}.recommend.json").write_text(result.stdout + f"\nexit {result.returncode}\n")
        for suffix in ("html", "md"):
            run(*advisor, "report", str(profile), "--out", str(out / f"{stem}.report.{suffix}"), cwd=source,
                check=False)
        run(*advisor, "scaffold", str(profile), "--out", str(out / f"{stem}.starter"), cwd=source, check=False)
    for portfolio, extra in (("portfolio.csv", []), ("cmdb-export.csv", ["--columns", str(examples / "mapping.yaml")])):
        if (examples / portfolio).exists():
            stem = Path(portfolio).stem
            run(*advisor, "assess", str(examples / portfolio), "--out", str(out / f"{stem}.results.csv"),
                "--summary", str(out / f"{stem}.summary.json"), "--report", str(out / f"{stem}.report.html"),
                *extra, cwd=source, check=False)


VOLATILE = (re.compile(re.escape(dt.date.today().isoformat())),  # "generated on" dates
            re.compile(r"/tmp/[^\s\"'<)]+"))  # temporary folders in messages


def normalised(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    for pattern in VOLATILE:
        text = pattern.sub("<volatile>", text)
    return text.splitlines()


def compare(base: Path, head: Path) -> list[str]:
    differences = []
    base_files = {p.relative_to(base) for p in base.rglob("*") if p.is_file()}
    head_files = {p.relative_to(head) for p in head.rglob("*") if p.is_file()}
    for missing in sorted(base_files ^ head_files):
        differences.append(f"only in {'base' if missing in base_files else 'head'}: {missing}")
    for name in sorted(base_files & head_files):
        if filecmp.cmp(base / name, head / name, shallow=False):
            continue
        diff = list(difflib.unified_diff(normalised(base / name), normalised(head / name), lineterm="", n=0))
        if diff:
            changed = [line for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---"))]
            differences.append(f"differs: {name} ({len(changed)} changed lines)\n    " + "\n    ".join(changed[:6]))
    return differences


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", required=True, help="git revision to compare against")
    parser.add_argument("--head", help="git revision (default: the working tree)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="advisor-compare-") as tmp:
        work = Path(tmp)
        sources = {}
        for label, rev in (("base", args.base), ("head", args.head)):
            if rev is None:
                sources[label] = REPO
                continue
            tree = work / f"tree-{label}"
            run("git", "worktree", "add", "--detach", str(tree), rev, cwd=REPO)
            sources[label] = tree
        try:
            outs = {}
            for label, source in sources.items():
                python = install(source, work / f"venv-{label}")
                outs[label] = work / f"out-{label}"
                outs[label].mkdir()
                snapshot(python, source, outs[label])
            differences = compare(outs["base"], outs["head"])
            files = sum(1 for p in outs["head"].rglob("*") if p.is_file())
        finally:
            for label, rev in (("base", args.base), ("head", args.head)):
                if rev is not None:
                    run("git", "worktree", "remove", "--force", str(sources[label]), cwd=REPO, check=False)
    for line in differences:
        print(line)
    head = args.head or "the working tree"
    print(f"{len(differences)} of {files} output files differ between {args.base} and {head}")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())

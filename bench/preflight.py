"""Wall time and peak memory of `python -m preflight check` for each shipped stack.

Budget (2-core machine): the prod stack under 2 s wall and 300 MB peak. Peak is the largest
resident set of any one process of the run (the CLI, the program runner, the policy pack), as
the kernel reports it for waited-for children. Each stack runs RUNS times; the median is shown.
"""

import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 5


def one(stack: str) -> tuple[float, float]:
    """Run one check in a fresh measuring process, so peak memory is this run's alone."""
    code = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        f"r = subprocess.run([sys.executable, '-m', 'preflight', 'check', '--stack', '{stack}'],"
        " capture_output=True)\n"
        "wall = time.perf_counter() - t\n"
        "assert r.returncode == 0, r.stderr\n"
        "print(wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[0]), float(out[1])


def main() -> None:
    print(f"preflight check, {RUNS} runs per stack, median wall / max peak RSS")
    results = {}
    for stack in ("dev", "prod", "edge"):
        runs = [one(stack) for _ in range(RUNS)]
        wall = statistics.median(w for w, _ in runs)
        peak = max(m for _, m in runs)
        results[stack] = {"wallSeconds": round(wall, 2), "peakMB": round(peak)}
        print(f"  {stack:5}  {wall:5.2f} s   {peak:6.0f} MB")
    print(json.dumps(results, sort_keys=True))


if __name__ == "__main__":
    main()

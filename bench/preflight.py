"""Wall time and peak memory of `python -m preflight check`: each shipped stack, and a
1,000-resource hand-written program (tests/preflight/large).

Budgets (2-core machine): the prod stack under 2 s wall and 300 MB peak; the 1,000-resource
program under 10 s wall. Peak is the largest resident set of any one process of the run (the CLI,
the program runner, the policy pack), as the kernel reports it for waited-for children. Each case
runs RUNS times; the median wall time and the largest peak are shown.
"""

import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 5
LARGE = ROOT / "tests" / "preflight" / "large"
CASES = {
    "dev": ["--stack", "dev"],
    "prod": ["--stack", "prod"],
    "edge": ["--stack", "edge"],
    "1,000 resources": ["--program", str(LARGE)],
}


def one(args: list[str]) -> tuple[float, float, int]:
    """Run one check in a fresh measuring process, so peak memory is this run's alone."""
    code = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        f"r = subprocess.run([sys.executable, '-m', 'preflight', 'check', *{args!r}],"
        " capture_output=True)\n"
        "wall = time.perf_counter() - t\n"
        "print(wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, r.returncode)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[0]), float(out[1]), int(out[2])


def resources_in(args: list[str]) -> int:
    plan = subprocess.run(
        [sys.executable, "-m", "preflight", "preview", *args, "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return len(json.loads(plan.stdout)["resources"]) if plan.returncode == 0 else 0


def main() -> None:
    print(f"preflight check, {RUNS} runs per case, median wall / max peak RSS")
    results = {}
    for name, args in CASES.items():
        runs = [one(args) for _ in range(RUNS)]
        codes = sorted({code for _, _, code in runs})
        wall = statistics.median(w for w, _, _ in runs)
        peak = max(m for _, m, _ in runs)
        count = resources_in(args)
        results[name] = {
            "wallSeconds": round(wall, 2),
            "peakMB": round(peak),
            "resources": count,
            "exitCodes": codes,
        }
        note = "" if codes == [0] else f"   (exit {', '.join(map(str, codes))}: not a clean run)"
        print(f"  {name:16} {count:5} resources  {wall:5.2f} s  {peak:6.0f} MB{note}")
    print(json.dumps(results, sort_keys=True))


if __name__ == "__main__":
    main()

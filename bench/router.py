"""One hour of 5,000 rps Poisson traffic (18 million requests) through the router simulator.

Budget (2-core machine): under 10 s wall. The settings are a busy, realistic deployment:
50 ms exponential request time (250 requests in flight), target utilization 70 % (the formula
gives 358 replicas), min 300 / max 500 replicas, 1 s polling, 30 s pod start, 5 s timeout.
Each run is a fresh process (so peak memory is that run's own); wall time is of `simulate`
alone, traffic generation included. The median of RUNS is shown.
"""

import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 3
CODE = """
import resource, time
from router import traffic
from router.scale import RequestSettings, ScaleSettings
from router.simulator import ServiceTime, simulate
start = time.perf_counter()
result = simulate(traffic.poisson(5000, 3600), ServiceTime(0.05), ScaleSettings(min_instances=300, max_instances=500),
                  RequestSettings(), start_delay_s=30, seed=1)
print(time.perf_counter() - start, result.requests, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def one() -> tuple[float, int, float]:
    out = subprocess.run(
        [sys.executable, "-c", CODE], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[0]), int(out[1]), float(out[2])


def main() -> None:
    runs = [one() for _ in range(RUNS)]
    wall = statistics.median(w for w, _, _ in runs)
    requests = runs[0][1]
    peak = max(m for _, _, m in runs)
    print(f"router simulate: 1 h of 5,000 rps Poisson, {RUNS} runs, median wall / max peak RSS")
    print(f"  requests simulated  {requests:,}")
    print(f"  wall                {wall:.2f} s")
    print(f"  requests / s        {requests / wall:,.0f}")
    print(f"  peak RSS            {peak:.0f} MB")
    print(
        json.dumps(
            {
                "peakMB": round(peak),
                "requests": requests,
                "requestsPerSecond": round(requests / wall),
                "wallSeconds": round(wall, 2),
            },
            sort_keys=True,
        )
    )


if __name__ == "__main__":
    main()

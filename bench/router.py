"""One hour of 5,000 rps Poisson traffic (18 million requests) through the router simulator,
idle and loaded, each beside an independent plain heap loop measured in the same run.

Budget (2-core machine): each simulated hour under 5 s wall.
- idle: 50 ms exponential request time (250 requests in flight), autoscaled between 300 and
  500 replicas at the default 70 % target: about 60 % of slots busy, almost no waiting.
- loaded: the same traffic on a fixed 263 replicas: 95 % of slots busy, a third of requests
  wait, queue chains are long. This is where an exact FCFS simulation is expensive.
- baseline: the textbook FCFS multi-server loop (one `heapq.heapreplace` per request, plain
  Python) on the same workload shape with a fixed slot count (300 idle, 263 loaded), written
  here independently of router/. Its figures (mean and p99 wait) check the simulator's loaded
  run, and its time is what the simulator's numpy solver is measured against.
Each run is a fresh process (so peak memory is that run's own); wall and CPU time include
generating the traffic. The median of RUNS is shown, and the largest peak memory. CPU time is
the process's own: on a machine shared with other work it is the fairer figure, and the load
average printed says how shared it was.
"""

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 3
SIMULATE = """
import resource, sys, time
from router import traffic
from router.scale import RequestSettings, ScaleSettings
from router.service import ServiceTime
from router.simulation import simulate
low, high = (300, 500) if sys.argv[1] == "idle" else (263, 263)
start, cpu = time.perf_counter(), time.process_time()
result = simulate(traffic.poisson(5000, 3600), ServiceTime(50),
                  ScaleSettings(min_instances=low, max_instances=high), RequestSettings(),
                  start_delay_s=30, seed=1)
wall, cpu = time.perf_counter() - start, time.process_time() - cpu
print(wall, cpu, result.requests, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
      result.wait.mean * 1000, result.wait.p99 * 1000, result.utilization)
"""
BASELINE = """
import heapq, resource, sys, time
import numpy as np
slots = 300 if sys.argv[1] == "idle" else 263
start, cpu = time.perf_counter(), time.process_time()
rng = np.random.default_rng(1)
arrivals = np.cumsum(rng.exponential(1 / 5000, 18_100_000))
arrivals = arrivals[arrivals < 3600]
services = rng.exponential(0.05, len(arrivals))
heap = [0.0] * slots
waits = np.empty(len(arrivals))
for first in range(0, len(arrivals), 1 << 20):  # lists of a million at a time: bounded memory
    chunk = []
    for a, s in zip(arrivals[first:first + (1 << 20)].tolist(),
                    services[first:first + (1 << 20)].tolist()):
        free = heap[0]
        if free <= a:
            heapq.heapreplace(heap, a + s)
            chunk.append(0.0)
        else:
            heapq.heapreplace(heap, free + s)
            chunk.append(free - a)
    waits[first:first + len(chunk)] = chunk
wall, cpu = time.perf_counter() - start, time.process_time() - cpu
print(wall, cpu, len(waits), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
      waits.mean() * 1000, np.percentile(waits, 99) * 1000, 0.0)
"""


def one(code: str, case: str) -> list[float]:
    out = subprocess.run(
        [sys.executable, "-c", code, case], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return [float(v) for v in out]


def main() -> None:
    figures = {}
    load = os.getloadavg()[0]
    print(
        f"router simulate: 1 h of 5,000 rps Poisson, {RUNS} runs each, median wall and CPU / "
        f"max RSS; load average {load:.1f} on {os.cpu_count()} cores at the start"
    )
    print(
        f"  {'case':<18}{'requests':>12}{'wall s':>8}{'CPU s':>7}{'req/s':>12}{'RSS MB':>8}"
        f"{'wait mean ms':>14}{'wait p99 ms':>13}{'busy':>7}"
    )
    for case in ("idle", "loaded"):
        for name, code in ((f"{case} simulator", SIMULATE), (f"{case} baseline", BASELINE)):
            runs = [one(code, case) for _ in range(RUNS)]
            wall = statistics.median(run[0] for run in runs)
            cpu = statistics.median(run[1] for run in runs)
            _, _, requests, _, mean, p99, busy = runs[0]
            peak = max(run[3] for run in runs)
            print(
                f"  {name:<18}{requests:>12,.0f}{wall:>8.2f}{cpu:>7.2f}{requests / wall:>12,.0f}"
                f"{peak:>8.0f}{mean:>14.4f}{p99:>13.3f}" + (f"{busy:>7.1%}" if busy else f"{'':>7}")
            )
            figures[name.replace(" ", "_")] = {
                "cpuSeconds": round(cpu, 2),
                "peakMB": round(peak),
                "requests": int(requests),
                "waitMeanMs": round(mean, 4),
                "waitP99Ms": round(p99, 3),
                "wallSeconds": round(wall, 2),
            }
    print(json.dumps(figures, sort_keys=True))


if __name__ == "__main__":
    main()

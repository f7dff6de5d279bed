"""Wall time and peak memory of `python -m preflight fleet check` on generated Arc fleets of 100,
300 and 1,000 sites (about 15 resources each), beside the per-site baseline: `preflight check`
once per site, timed on a sample of BASELINE_SAMPLE sites and scaled to the fleet.

Budget (2-core machine): 1,000 sites under 120 s wall and 1.5 GB peak, at least 10 times faster
than the baseline. Peak is the largest sum, over the run's whole process tree, of each process's
proportional set size (a forked child's pages shared with its parent count once), sampled every
0.5 s from /proc. The 1,000-site fleet has four bad sites planted (router HA on two nodes, an
sslCname another site has, an HPA in a compute namespace, a misspelt key): the run must flag
those four and no other.

    python bench/fleet.py [SITES ...]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SIZES = (100, 300, 1000)
BASELINE_SAMPLE = 5
SUB = "00000000-0000-0000-0000-000000000000"
# The shipped example's template: the bench measures the fleet a team starts from.
EXAMPLE = ROOT / "fleet" / "inventory.example.yaml"
BAD = {
    "ha-on-two-nodes": {
        "azureml-k8s:cluster": {"nodeCount": 2},
        "azureml-k8s:extension": {"inferenceRouterHA": True},
    },
    "duplicate-cname": {"azureml-k8s:extension": {"sslCname": "scoring.store-0001.contoso.com"}},
    "hpa-in-compute-namespace": {
        "azureml-k8s:extraManifests": [
            {
                "apiVersion": "autoscaling/v2",
                "kind": "HorizontalPodAutoscaler",
                "metadata": {"name": "scorer", "namespace": "store-ml"},
                "spec": {
                    "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "x"},
                    "minReplicas": 1,
                    "maxReplicas": 3,
                },
            }
        ]
    },
    "misspelt-key": {"azureml-k8s:extension": {"enableInferance": True}},
}


def inventory(sites: int, planted: bool) -> dict:
    """An Arc fleet: a canary wave of 5 sites, then waves of up to 250."""
    rows = []
    for i in range(1, sites + 1):
        name = f"store-{i:04d}"
        config = {
            "azureml-k8s:cluster": {
                "connectedClusterId": f"/subscriptions/{SUB}/resourceGroups/rg-stores/providers/"
                f"Microsoft.Kubernetes/connectedClusters/{name}"
            },
            "azureml-k8s:extension": {"sslCname": f"scoring.{name}.contoso.com"},
        }
        rows.append(
            {
                "name": name,
                "wave": "canary" if i <= 5 else f"wave-{(i - 6) // 250 + 1}",
                "config": config,
            }
        )
    if planted:
        for offset, (bad, change) in enumerate(BAD.items()):
            site = rows[sites // 2 + offset]
            site["name"] = f"{site['name']}-{bad}"
            for key, value in change.items():
                old = site["config"].get(key)
                site["config"][key] = {**old, **value} if isinstance(old, dict) else value
            if bad == "duplicate-cname":
                site["config"]["azureml-k8s:cluster"]["connectedClusterId"] += "-dup"
    return {
        "template": yaml.safe_load(EXAMPLE.read_text())["template"],
        "sites": rows,
    }


def _tree_pss(root: int) -> int:
    """KiB of PSS of `root` and its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                parent = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def measured(
    argv: list[str], env: dict[str, str]
) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall seconds, peak MB (PSS of the process tree) and the finished process."""
    start = time.perf_counter()
    process = subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    peak = [0]

    def sample() -> None:
        while process.poll() is None:
            peak[0] = max(peak[0], _tree_pss(process.pid))
            time.sleep(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - start
    sampler.join()
    done = subprocess.CompletedProcess(argv, process.returncode, stdout, stderr)
    return wall, peak[0] / 1024, done


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or list(SIZES)
    print(
        f"{'sites':>6}  {'fleet check':>12}  {'peak':>8}  {'per-site baseline':>18}  {'speed-up':>8}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        baseline_per_site = None
        for sites in sizes:
            planted = sites == max(sizes)
            path = Path(tmp) / f"fleet-{sites}.yaml"
            path.write_text(yaml.safe_dump(inventory(sites, planted), sort_keys=False))
            env = dict(os.environ, AZUREML_K8S_INVENTORY=str(path))
            if baseline_per_site is None:
                names = [s["name"] for s in inventory(sites, False)["sites"][:BASELINE_SAMPLE]]
                start = time.perf_counter()
                for name in names:
                    subprocess.run(
                        [sys.executable, "-m", "preflight", "check", "--stack", f"site-{name}"],
                        cwd=ROOT,
                        env=env,
                        capture_output=True,
                        check=True,
                    )
                baseline_per_site = (time.perf_counter() - start) / len(names)
            wall, peak, done = measured(
                [
                    sys.executable,
                    "-m",
                    "preflight",
                    "fleet",
                    "check",
                    "--inventory",
                    str(path),
                    "--format",
                    "json",
                ],
                env,
            )
            baseline = baseline_per_site * sites
            print(
                f"{sites:>6}  {wall:>10.1f} s  {peak:>5.0f} MB  {baseline:>16.1f} s  "
                f"{baseline / wall:>7.1f}x"
            )
            if planted:
                report = json.loads(done.stdout)
                flagged = sorted(s["name"] for s in report["sites"] if s["exitCode"] != 0)
                right = [n for n in flagged if n.endswith(tuple(BAD))]
                expected = flagged == right and len(right) == len(BAD)
                print(
                    f"        {len(flagged)} sites flagged, {len(right)} of the {len(BAD)} "
                    f"planted: {'as expected' if expected else flagged[:10]}"
                )
    print(f"(baseline: preflight check of {BASELINE_SAMPLE} sites, {baseline_per_site:.2f} s each)")


if __name__ == "__main__":
    main()

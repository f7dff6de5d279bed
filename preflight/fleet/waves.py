"""`fleet plan`: the inventory's waves in rollout order (the canary first), each cut into chunks
of sites for CI jobs (one job deploys its chunk's sites one after another, each stack in its own
work directory).

`--format github-matrix` prints `key=value` lines for $GITHUB_OUTPUT, as
.github/workflows/fleet.yml reads them: `waves=N`, then per wave i (1-based) `wave<i>_name` and
`wave<i>` (a matrix, `{"include": [{"chunk": "1", "stacks": "site-a site-b"}, ...]}`). A matrix
holds at most 256 jobs (GitHub Actions' limit) and the workflow has MAX_WAVES wave jobs: an
inventory past either is refused with what to change.
"""

from __future__ import annotations

import json
from typing import Any

from preflight.errors import INVALID, Failure, located
from stacks.settings import inventory as inv

MAX_MATRIX_JOBS = 256  # GitHub Actions: "A matrix can generate a maximum of 256 jobs per run"
MAX_WAVES = 8  # the wave jobs .github/workflows/fleet.yml has (wave1 ... wave8)


def plan(inventory: inv.Inventory, chunk: int) -> list[dict[str, Any]]:
    """[{wave, sites, chunks}] in rollout order; Failure when CI could not run it."""
    waves = []
    for name in inventory.waves:
        stacks = [s.stack for s in inventory.sites if s.wave == name]
        chunks = [stacks[i : i + chunk] for i in range(0, len(stacks), chunk)]
        waves.append({"wave": name, "sites": stacks, "chunks": chunks})
    problems = []
    if len(waves) > MAX_WAVES:
        problems.append(
            (
                "waves",
                f"{len(waves)} waves, but .github/workflows/fleet.yml runs {MAX_WAVES}: merge "
                "waves, or add wave jobs to the workflow and raise preflight.fleet.waves.MAX_WAVES",
            )
        )
    for wave in waves:
        if len(wave["chunks"]) > MAX_MATRIX_JOBS:
            problems.append(
                (
                    f"waves: {wave['wave']}",
                    f"{len(wave['sites'])} sites in chunks of {chunk} make "
                    f"{len(wave['chunks'])} jobs; a GitHub Actions matrix runs at most "
                    f"{MAX_MATRIX_JOBS}: raise --chunk to at least "
                    f"{-(-len(wave['sites']) // MAX_MATRIX_JOBS)}, or split the wave",
                )
            )
    if problems:
        errors = located(inventory.file, problems)
        raise Failure(INVALID, f"{inventory.file}: the waves cannot run in CI", errors)
    return waves


def render(waves: list[dict[str, Any]], format_: str) -> str:
    if format_ == "json":
        return json.dumps({"waves": waves}, indent=2) + "\n"
    if format_ == "github-matrix":
        lines = [f"waves={len(waves)}"]
        for i, wave in enumerate(waves, 1):
            include = [
                {"chunk": str(n), "stacks": " ".join(stacks)}
                for n, stacks in enumerate(wave["chunks"], 1)
            ]
            lines.append(f"wave{i}_name={wave['wave']}")
            lines.append(f"wave{i}={json.dumps({'include': include}, separators=(',', ':'))}")
        return "\n".join(lines) + "\n"
    lines = []
    for i, wave in enumerate(waves, 1):
        sites, jobs = len(wave["sites"]), len(wave["chunks"])
        lines.append(
            f"{i}. {wave['wave']}: {sites} site{'s' if sites != 1 else ''} in {jobs} "
            f"job{'s' if jobs != 1 else ''}"
        )
        lines += [f"     {' '.join(stacks)}" for stacks in wave["chunks"]]
    return "\n".join(lines) + "\n"

"""`fleet check`: every site of an inventory previewed and gated by the policy pack in one run.

Each site is the stack `site-<name>` with the inventory's settings and its own stack file's
secrets (stacks/settings/inventory.py). Its program runs in a child forked from one warm runner
server (preflight/fleet/server.py) and its graph is analyzed by a policy pack configured once
and told each stack at ConfigureStack (preflight/pack/host.py): the same runner, the same
analyzer and the same messages as `preflight check` of that stack, without a process start per
site. Then the rules only a whole fleet can break (preflight/fleet/rules.py).
"""

from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from preflight.errors import INVALID, OK, PACK_FAILED, VIOLATION, Failure, located
from preflight.fleet import rules
from preflight.fleet.runners import Runs
from preflight.program import launch
from preflight.program.stackfile import (
    Project,
    StackConfig,
    StackFileError,
    empty_stack,
    load_project,
    load_stack,
    own_stack_file,
)
from stacks.settings import inventory as inv
from stacks.settings import sites


@dataclass
class SiteResult:
    """One site's outcome, as `preflight check --format json` gives it for its stack."""

    site: inv.Site
    exit_code: int = OK
    errors: list[dict[str, str]] = field(default_factory=list)
    violations: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    stack: StackConfig | None = None
    usage: dict[rules.Place, list[int]] = field(default_factory=dict)  # online endpoints
    secrets: list[str] = field(default_factory=list)  # every secret string, for redaction

    def fail(self, failure: Failure) -> None:
        self.exit_code = max(self.exit_code, failure.code)
        self.errors += failure.errors or [{"path": "", "message": failure.message}]

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.site.name,
            "wave": self.site.wave,
            "stack": self.site.stack,
            "exitCode": self.exit_code,
            "errors": self.errors,
            "violations": self.violations,
            "warnings": self.warnings,
        }


def load_inventory(path: str, program_dir: str) -> inv.Inventory:
    """The inventory, named in messages as the program is told it (sites.shown_path)."""
    shown = sites.shown_path(path, Path(program_dir))
    try:
        return inv.load(path, shown)
    except inv.InventoryError as err:
        errors = located(err.file, err.errors)
        raise Failure(INVALID, f"{err.file}: the inventory cannot be used", errors) from None


def site_stack(project: Project, inventory: inv.Inventory, site: inv.Site) -> StackConfig:
    """The site's own stack (its secrets), as `pulumi up -s site-<name>` runs it: the program
    takes the rest from the inventory. Failure (2) when the site or its stack file is at fault,
    found here, before any run, with the program's own messages."""
    try:
        path = own_stack_file(project, site.stack)
        own = empty_stack(site.stack)
        if path is not None:
            own = load_stack(path, project, str(path.relative_to(project.directory)))
        sites.resolve(inventory, site, own.config, own.file or f"stacks/Pulumi.{site.stack}.yaml")
    except StackFileError as err:
        raise Failure(INVALID, str(err), located(err.file, [(err.where, err.message)])) from None
    except inv.InventoryError as err:
        raise Failure(INVALID, f"{err.file}: invalid site", located(err.file, err.errors)) from None
    return own


def runs(
    project: Project,
    inventory: inv.Inventory,
    stacks: dict[Any, StackConfig],
    jobs: int,
    timeout: float,
) -> Runs:
    """The sites' stacks run by a runner server whose programs find this inventory, loaded
    once before any fork."""
    return Runs(project, stacks, jobs, timeout, inventory=inventory.file)


class Progress:
    """`[n/N] sites checked` on a terminal's stderr, rewritten in place; nothing elsewhere."""

    def __init__(self, total: int):
        self.total, self.done = total, 0
        self.shown = total > 1 and sys.stderr.isatty()

    def step(self) -> None:
        self.done += 1
        if self.shown:
            self._write(f"\r[{self.done}/{self.total}] sites checked")

    def close(self) -> None:
        if self.shown:
            self._write("\r\033[K")

    @staticmethod
    def _write(text: str) -> None:
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.write(text)
            sys.stderr.flush()


def check(
    inventory: inv.Inventory,
    program_dir: str,
    pack_dir: str,
    policy_config: dict[str, dict[str, Any]],
    tags: dict[str, str],
    jobs: int,
    timeout: float,
    strict: bool,
) -> tuple[list[SiteResult], dict[str, Any]]:
    """Every site's result, in inventory order, and the fleet's own (its rules, its summary)."""
    from preflight.pack import analyzer
    from preflight.pack.process import PolicyPack, PolicyPackError

    try:
        project = load_project(Path(program_dir).resolve())
    except StackFileError as err:
        raise Failure(INVALID, str(err)) from None
    results = [SiteResult(site) for site in inventory.sites]
    for result in results:
        try:
            result.stack = site_stack(project, inventory, result.site)
            result.secrets = list(result.stack.secret_values)
        except Failure as failure:
            result.fail(failure)
    rules.unique_site_settings(inventory, results)
    runnable = [r for r in results if r.stack is not None and r.exit_code == OK]
    try:
        pack = PolicyPack(Path(pack_dir).resolve(), project.name, "fleet", {})
    except PolicyPackError as err:
        raise Failure(PACK_FAILED, f"policy pack failed: {err}") from None
    progress = Progress(len(runnable))
    stacks = {index: result.stack for index, result in enumerate(runnable) if result.stack}
    try:
        with runs(project, inventory, stacks, jobs, timeout) as started:
            pack.connect(timeout)
            configured = analyzer.configure(pack, policy_config, timeout)
            for index, found in started.finished():
                result, stack = runnable[index], stacks[index]
                progress.step()
                if isinstance(found, Failure):
                    result.fail(found)
                    continue
                analysis = analyzer.analyze_graph(
                    pack, configured, found, stack.config, stack.secret_keys, tags, timeout
                )
                unevaluated = analysis.unevaluated_gates if strict else []
                result.violations = [v.as_json() for v in analysis.violations]
                result.warnings = [
                    d["message"] for d in found.diagnostics if d["severity"] == "warning"
                ]
                result.usage = rules.online_usage(result.site.config, found.resources)
                result.secrets = launch.secrets(stack, found)
                if analysis.mandatory or unevaluated:
                    result.exit_code = VIOLATION
    except PolicyPackError as err:
        raise Failure(PACK_FAILED, f"policy pack failed: {err}") from None
    finally:
        progress.close()
        pack.close()
    fleet = rules.fleet_rules(inventory, results)
    return results, fleet

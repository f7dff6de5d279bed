"""Plan diff of every stack between a git ref and this checkout, as one markdown document.

    python scripts/plandiff.py diff [REF]  # REF, else $BASE: what `make diff BASE=<git ref>` runs
    python scripts/plandiff.py stacks      # the stack names as a JSON list (the CI matrix)

Each side is previewed offline by its own preflight: BASE in a temporary git worktree (removed
afterwards), the head in this checkout, uncommitted changes included. Stacks are the
Pulumi.<name>.yaml files of the project's stackConfigDir on either side; a stack found on one side
only is diffed against an empty plan. Stacks whose preview failed come first, then those with
replacements, disruptive changes (the scoring name's DNS record removed or replaced included),
changes Azure cannot make in place or new warnings, so what needs a reviewer's attention stands at
the top.

The ref is data: it reaches git as one argument of an argument vector (never a shell), after
`--end-of-options`, and must name a commit; a ref that starts with "-" or holds control
characters is refused before git sees it. Every child (git, the previews) runs in its own process
group, and the worktree is registered for removal, so Ctrl-C, SIGTERM, SIGHUP or SIGQUIT leave no
process, no temporary file and no `.git/worktrees` entry behind.

Exit codes: 0 done; 2 bad input (not a git checkout, a ref that is not a commit, an unreadable
Pulumi.yaml, on either side); 3 a preview failed (its section says why, the other stacks are still
shown); 64 wrong command line (`make diff` without BASE included); 74 the output, or the
temporary directory, cannot be written; 141 a broken pipe; 130 Ctrl-C; 128 + N on SIGTERM, SIGHUP, SIGQUIT.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from common import cli, files
from preflight import gitbase
from preflight.gitbase import CHILDREN, Failure
from preflight.report.render import md_code, visible

OK, INVALID, PREVIEW_FAILED = 0, gitbase.INVALID, 3
PROJECT_DIR = Path(__file__).resolve().parent.parent
EMPTY_PLAN: dict = {"resources": []}
# Two previews at a time: each is a Python process that runs the whole program (CI has 2 cores).
WORKERS = 2
USAGE_LINE = "usage: make diff BASE=<git ref>, e.g. BASE=origin/main"
COLUMNS = ("added", "removed", "changed", "replaced", "disruptive", "not in place", "new warnings")


@dataclass(frozen=True)
class StackDiff:
    stack: str
    note: str  # "new stack", "stack removed" or ""
    error: str  # why a preview failed, or ""
    counts: dict[str, int]
    markdown: str

    @property
    def attention(self) -> bool:
        return any(
            self.counts.get(k) for k in ("replaced", "disruptive", "not in place", "new warnings")
        )

    @property
    def changed(self) -> bool:
        return any(self.counts.values())


def stacks(project: Path, side: str = "") -> list[str]:
    """The stack names of a project, from its Pulumi.yaml (read within bounds)."""
    where = f"{side}: " if side else ""
    try:
        settings = files.load_yaml(project / "Pulumi.yaml", "Pulumi.yaml", 1024 * 1024)
    except files.InputFileError as err:
        raise Failure(INVALID, f"{where}{err}") from None
    if not isinstance(settings, dict):
        raise Failure(INVALID, f"{where}Pulumi.yaml: not a Pulumi project (no mapping at the top)")
    config_dir = settings.get("stackConfigDir") or "."
    if not isinstance(config_dir, str) or "\0" in config_dir:
        raise Failure(INVALID, f"{where}Pulumi.yaml: stackConfigDir: must be a directory path")
    directory = (project / config_dir).resolve()
    if not directory.is_relative_to(project.resolve()):
        raise Failure(
            INVALID, f"{where}Pulumi.yaml: stackConfigDir: {visible(config_dir)} is outside"
        )
    prefix, suffix = "Pulumi.", ".yaml"
    return sorted(p.name[len(prefix) : -len(suffix)] for p in directory.glob(f"{prefix}*{suffix}"))


def _preview(directory: Path, stack: str, stack_names: list[str]) -> dict:
    """The stack's JSON plan, the empty plan when the side has no such stack, or Failure."""
    if stack not in stack_names:
        return EMPTY_PLAN
    proc = _preflight(directory, "preview", "--stack", stack, "--format", "json")
    if proc.returncode == 0:
        try:
            return json.loads(proc.stdout)
        except json.JSONDecodeError:
            raise Failure(PREVIEW_FAILED, "preflight printed no JSON plan") from None
    raise Failure(PREVIEW_FAILED, _reason(proc))


def _preflight(directory: Path, *args: str) -> subprocess.CompletedProcess:
    return CHILDREN.run([sys.executable, "-m", "preflight", *args], directory)


def _reason(proc: subprocess.CompletedProcess) -> str:
    """preflight's message and the errors it lists (a crash: the last line of its traceback)."""
    lines = proc.stderr.strip().splitlines() or [f"preflight exited {proc.returncode}"]
    start = next((i for i, line in enumerate(lines) if line.startswith("preflight:")), -1)
    return " ".join(line.strip() for line in lines[start:])


def _counts(changes: dict) -> dict[str, int]:
    changed = changes["changed"]
    return {
        "added": len(changes["added"]),
        "removed": len(changes["removed"]),
        "changed": len(changed),
        "replaced": sum(1 for c in changed if c.get("replace")),
        "disruptive": sum(1 for c in changed if c.get("disruptive"))
        + len(changes.get("disruptiveRemovals", [])),
        "not in place": sum(1 for c in changed if c.get("blocked")),
        "new warnings": len(changes.get("warnings", {}).get("new", [])),
    }


def _diff_stack(
    index: int, stack: str, base: Path, base_stacks: list[str], head_stacks: list[str], tmp: Path
) -> StackDiff:
    note = "new stack" if stack not in base_stacks else ""
    note = "stack removed" if stack not in head_stacks else note
    plan_files = []
    for side, directory, names in (
        ("BASE", base, base_stacks),
        ("head", PROJECT_DIR, head_stacks),
    ):
        try:
            plan = _preview(directory, stack, names)
        except Failure as failure:
            return StackDiff(stack, note, f"preview on {side} failed: {failure.message}", {}, "")
        # Named by position, not by the stack: a stack name may hold anything a file name can.
        plan_files.append(tmp / f"{index}.{side}.json")
        plan_files[-1].write_text(json.dumps(plan))
    rendered = {}
    for fmt in ("json", "markdown"):
        proc = _preflight(PROJECT_DIR, "diff", *map(str, plan_files), "--format", fmt)
        if proc.returncode != 0:
            return StackDiff(stack, note, f"preflight diff failed: {_reason(proc)}", {}, "")
        rendered[fmt] = proc.stdout
    return StackDiff(stack, note, "", _counts(json.loads(rendered["json"])), rendered["markdown"])


def _order(result: StackDiff) -> tuple[int, str]:
    return (0 if result.error else 1 if result.attention else 2, result.stack)


class Markdown(str):
    """A cell already rendered as markdown: code spans (md_code) escape their own pipes."""


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A markdown table. Plain cells are escaped (control characters shown, pipes quoted);
    Markdown cells are kept on one line; no cell can end its row or start a line."""

    def cell(value: str) -> str:
        shown = visible(value)
        return shown if isinstance(value, Markdown) else shown.replace("|", "\\|")

    def line(cells: list[str]) -> str:
        return "|" + "".join(f" {cell(c)} |" if c else " |" for c in cells)

    return [line(header), "|" + "---|" * len(header), *(line(r) for r in rows)]


def _stack_name(r: StackDiff) -> Markdown:
    return Markdown(md_code(r.stack) + (f" ({r.note})" if r.note else ""))


def render(ref: str, commit: str, results: list[StackDiff]) -> str:
    results = sorted(results, key=_order)
    rows = []
    for r in results:
        mark = "❌" if r.error else "⚠️" if r.attention else ""
        cells = ["?" if r.error else str(r.counts[c]) for c in COLUMNS]
        rows.append([mark, _stack_name(r), *cells])
    lines = [
        f"## Plan diff: {md_code(ref)} ({commit[:12]}) → this change",
        "",
        "Every stack previewed offline by preflight on both commits (no cloud account).",
        "",
        *table(["", "Stack", *(c.capitalize() for c in COLUMNS)], rows),
        "",
    ]
    unchanged = [md_code(r.stack) for r in results if not r.error and not r.changed]
    if unchanged:
        lines += [f"No changes: {', '.join(unchanged)}.", ""]
    for r in results:
        if r.error:
            lines += [f"## Stack {md_code(r.stack)}", "", "> [!CAUTION]", f"> {visible(r.error)}"]
            lines.append("")
        elif r.changed:
            lines += [f"## Stack {_stack_name(r)}", "", r.markdown.rstrip("\n"), ""]
    return "\n".join(lines)


def diff(ref: str) -> int:
    head_stacks = stacks(PROJECT_DIR)
    with gitbase.base_checkout(ref, USAGE_LINE, PROJECT_DIR) as (commit, base, scratch):
        base_stacks = stacks(base, f"BASE={visible(ref)}")
        plans = scratch / "plans"
        plans.mkdir()
        names = sorted(set(base_stacks) | set(head_stacks))
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            results = list(
                pool.map(
                    lambda i: _diff_stack(i, names[i], base, base_stacks, head_stacks, plans),
                    range(len(names)),
                )
            )
    cli.write(render(ref, commit, results))
    return PREVIEW_FAILED if any(r.error for r in results) else OK


def main(argv: list[str] | None = None) -> int:
    parser = cli.Parser(prog="scripts/plandiff.py", description=__doc__.splitlines()[0])
    sub = cli.subcommands(parser, dest="command")
    sub.add_parser("stacks", help="the stack names as a JSON list")
    d = sub.add_parser("diff", help="markdown plan diff of every stack against BASE")
    d.add_argument("base", nargs="?", help="a git ref: branch, tag or commit (default: $BASE)")
    args = parser.parse_args(argv)
    try:
        if args.command == "stacks":
            cli.write(json.dumps(stacks(PROJECT_DIR)) + "\n")
            return OK
        return diff(args.base if args.base is not None else os.environ.get("BASE", ""))
    except Failure as failure:
        cli.warn(f"plandiff: {failure.message}")
        return failure.code


if __name__ == "__main__":
    cli.exit_with(main)
